package org.qemu.i386.difftest;

import java.io.ByteArrayOutputStream;

/**
 * A small x86-64 instruction encoder for the long-mode differential test: legacy prefixes, REX,
 * opcode bytes, ModRM with a register, a [base + index * scale + disp32] or a RIP-relative
 * memory operand, and an immediate. Only the encodings the test generates.
 */
final class LongModeAssembler {
    /** The r/m operand of an instruction. */
    sealed interface Rm permits Reg, Mem, Rip {
    }

    /** A register in ModRM.rm (0-15). */
    record Reg(int n) implements Rm {
    }

    /** [base + index << scale + disp32]; index -1 for none. */
    record Mem(int base, int index, int scale, int disp) implements Rm {
    }

    /** [rip + disp32] addressing {@code target}. */
    record Rip(long target) implements Rm {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final long origin;

    LongModeAssembler(long origin) {
        this.origin = origin;
    }

    long pc() {
        return origin + out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    LongModeAssembler raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    /**
     * One instruction: {@code prefixes} (66, F2, F3, ...), REX.W when {@code w} (a REX byte is
     * also emitted when a register above 7 needs it or {@code forceRex}), the opcode bytes, ModRM
     * with {@code reg} and {@code rm}, then {@code immBytes} bytes of {@code imm}.
     */
    LongModeAssembler op(int[] prefixes, boolean w, boolean forceRex, int[] opcode, int reg, Rm rm, int immBytes, long imm) {
        int rex = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2;
        int modrm;
        int sib = -1;
        boolean disp32 = false;
        int disp = 0;
        switch (rm) {
            case Reg r -> {
                rex |= (r.n() >> 3) & 1;
                modrm = 0xc0 | (reg & 7) << 3 | (r.n() & 7);
            }
            case Mem m -> {
                rex |= (m.base() >> 3) & 1;
                if (m.index() >= 0) {
                    rex |= ((m.index() >> 3) & 1) << 1;
                }
                modrm = 0x80 | (reg & 7) << 3 | 4;
                sib = m.scale() << 6 | (m.index() < 0 ? 4 : m.index() & 7) << 3 | (m.base() & 7);
                disp32 = true;
                disp = m.disp();
            }
            case Rip r -> {
                modrm = (reg & 7) << 3 | 5;
                disp32 = true;
                int length = prefixes.length + (rex != 0x40 || forceRex ? 1 : 0) + opcode.length + 1 + 4 + immBytes;
                disp = (int) (r.target() - (pc() + length));
            }
        }
        for (int p : prefixes) {
            out.write(p);
        }
        if (rex != 0x40 || forceRex) {
            out.write(rex);
        }
        for (int b : opcode) {
            out.write(b);
        }
        out.write(modrm);
        if (sib >= 0) {
            out.write(sib);
        }
        if (disp32) {
            little(disp, 4);
        }
        little(imm, immBytes);
        return this;
    }

    LongModeAssembler op(boolean w, int[] opcode, int reg, Rm rm) {
        return op(new int[0], w, false, opcode, reg, rm, 0, 0);
    }

    LongModeAssembler little(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }
}
