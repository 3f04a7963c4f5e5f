package org.qemu.i386.difftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.difftest.LongModeAssembler.Mem;
import org.qemu.i386.difftest.LongModeAssembler.Reg;
import org.qemu.i386.difftest.LongModeAssembler.Rip;
import org.qemu.i386.difftest.LongModeAssembler.Rm;

/**
 * The long-mode (64-bit) differential test against this x86-64 host's CPU: generated 64-bit
 * instruction sequences (REX forms, r8-r15, the REX byte registers, 64-bit ALU/shift/mul/div,
 * RIP-relative operands, the stack, string instructions, cmpxchg16b, SSE on xmm0-xmm15) run
 * natively through {@code long_mode_harness.c} and through our translator (interpreted and
 * compiled) from the same sixteen registers (high halves set), flags, XMM registers and memory,
 * with code and data above 4 GiB. Registers, defined flags, XMM registers, memory and traps must
 * agree.
 */
class LongModeDifferentialTest {
    static final long CODE = 0x10_0000_1000L;
    static final long DATA = 0x10_0000_2000L;
    static final int DATA_SIZE = 1024;
    static final long STACK_TOP = DATA + 0x3f0;
    static final int CASES_PER_FORM = 24;

    static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final int ALL = CF | PF | AF | ZF | SF | OF;

    record Case(String form, byte[] code, long[] regs, int rflags, long[] xmm, byte[] data, int definedFlags) {
        String harnessLine() {
            StringBuilder sb = new StringBuilder(HexFormat.of().formatHex(code));
            for (long r : regs) {
                sb.append(' ').append(Long.toHexString(r));
            }
            sb.append(' ').append(Integer.toHexString(rflags));
            for (long x : xmm) {
                sb.append(' ').append(Long.toHexString(x));
            }
            return sb.append(' ').append(HexFormat.of().formatHex(data)).toString();
        }

        String describe() {
            return form + " code=" + HexFormat.of().formatHex(code);
        }
    }

    record Result(int trap, long[] regs, int rflags, long[] xmm, byte[] data) {
        static Result parse(String line) {
            String[] f = line.trim().split(" ");
            if (f[0].equals("TRAP")) {
                return new Result(Integer.parseInt(f[1]), null, 0, null, null);
            }
            long[] regs = new long[16];
            for (int i = 0; i < 16; i++) {
                regs[i] = Long.parseUnsignedLong(f[i], 16);
            }
            long[] xmm = new long[32];
            for (int i = 0; i < 32; i++) {
                xmm[i] = Long.parseUnsignedLong(f[17 + i], 16);
            }
            return new Result(0, regs, (int) Long.parseLong(f[16], 16), xmm, HexFormat.of().parseHex(f[49]));
        }

        String difference(Result ours, int defined) {
            if (trap != ours.trap) {
                return "trap " + trap + " vs " + ours.trap;
            }
            if (trap != 0) {
                return null;
            }
            for (int i = 0; i < 16; i++) {
                if (regs[i] != ours.regs[i]) {
                    return "r" + i + " " + Long.toHexString(regs[i]) + " vs " + Long.toHexString(ours.regs[i]);
                }
            }
            if ((rflags & defined) != (ours.rflags & defined)) {
                return "rflags " + Integer.toHexString(rflags & defined) + " vs " + Integer.toHexString(ours.rflags & defined);
            }
            for (int i = 0; i < 32; i++) {
                if (xmm[i] != ours.xmm[i]) {
                    return "xmm" + i / 2 + (i % 2 == 0 ? " low " : " high ") + Long.toHexString(xmm[i]) + " vs " + Long.toHexString(ours.xmm[i]);
                }
            }
            if (!Arrays.equals(data, ours.data)) {
                int i = Arrays.mismatch(data, ours.data);
                return "memory at +" + i + ": " + (data[i] & 0xff) + " vs " + (ours.data[i] & 0xff);
            }
            return null;
        }
    }

    /** A case under construction: random registers with high halves set, rsp on the data page's stack. */
    static final class Builder {
        final Random rnd;
        final LongModeAssembler asm = new LongModeAssembler(CODE);
        final long[] regs = new long[16];
        final long[] xmm = new long[32];
        final byte[] data = new byte[DATA_SIZE];
        int rflags;
        int defined = ALL;

        Builder(Random rnd) {
            this.rnd = rnd;
            for (int i = 0; i < 16; i++) {
                regs[i] = interesting(rnd);
            }
            regs[X86CpuState.ESP] = STACK_TOP;
            for (int i = 0; i < 32; i++) {
                xmm[i] = rnd.nextLong();
            }
            rnd.nextBytes(data);
            rflags = 0x202 | (rnd.nextInt() & ALL);
        }

        /** A register other than rsp. */
        int anyReg() {
            int r;
            do {
                r = rnd.nextInt(16);
            } while (r == X86CpuState.ESP);
            return r;
        }

        /** A memory operand into the data buffer's first 512 bytes, through a fresh base (and maybe index) register. */
        Rm mem(int... avoid) {
            int base = pick(avoid);
            int offset = rnd.nextInt(512 - 16) & ~7;
            int disp = rnd.nextInt(256) - 128;
            if (rnd.nextBoolean()) {
                int index = pick(concat(avoid, base));
                int scale = rnd.nextInt(4);
                long k = rnd.nextInt(8);
                regs[index] = k;
                regs[base] = DATA + offset - (k << scale) - disp;
                return new Mem(base, index, scale, disp);
            }
            regs[base] = DATA + offset - disp;
            return new Mem(base, -1, 0, disp);
        }

        /** Every XMM register's two halves from {@code lane}. */
        void xmmLanes(java.util.function.LongSupplier lane) {
            for (int i = 0; i < 32; i++) {
                xmm[i] = lane.getAsLong();
            }
        }

        /** A memory operand as {@link #mem}, its base register moved to make the address 16-byte aligned (legacy SSE's m128). */
        Mem aligned16(int... avoid) {
            Mem m = (Mem) mem(avoid);
            regs[m.base()] -= address(m) & 15;
            return m;
        }

        long address(Mem m) {
            return regs[m.base()] + (m.index() >= 0 ? regs[m.index()] << m.scale() : 0) + m.disp();
        }

        Rm regOrMem(int... avoid) {
            return rnd.nextBoolean() ? new Reg(pick(avoid)) : mem(avoid);
        }

        int pick(int... avoid) {
            while (true) {
                int r = anyReg();
                if (Arrays.stream(avoid).noneMatch(a -> a == r)) {
                    return r;
                }
            }
        }

        Case build(String name) {
            return new Case(name, asm.bytes(), regs.clone(), rflags, xmm.clone(), data.clone(), defined);
        }

        /** Stores {@code value} (little-endian) where {@code m} points with the registers as they are now. */
        void putLong(Mem m, long value) {
            int at = (int) (address(m) - DATA);
            for (int i = 0; i < 8; i++) {
                data[at + i] = (byte) (value >>> (8 * i));
            }
        }
    }

    /** A double that leaves the SSE fast paths, or an ordinary one (the bits). */
    static long specialDouble(Random rnd) {
        double[] values = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE,
            Double.MIN_NORMAL, 0x1p63, -0x1p63, 0x1p63 - 1024, 9.3e18, 2.5, -2.5, 3.5, 0.5, -1.5, 1e300, -1e-300, 1e-320};
        return switch (rnd.nextInt(4)) {
            case 0 -> 0x7ff0000000000001L; // a signaling NaN
            case 1 -> Double.doubleToRawLongBits(rnd.nextGaussian() * 1e6);
            default -> Double.doubleToRawLongBits(values[rnd.nextInt(values.length)]);
        };
    }

    static int specialFloat(Random rnd) {
        float[] values = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, -Float.MIN_VALUE,
            0x1p63f, -0x1p63f, 0x1p62f, 2.5f, -2.5f, 0.5f, -1.5f, 1e30f, -1e-30f};
        return switch (rnd.nextInt(4)) {
            case 0 -> 0x7f800001; // a signaling NaN
            case 1 -> Float.floatToRawIntBits((float) (rnd.nextGaussian() * 1e6));
            default -> Float.floatToRawIntBits(values[rnd.nextInt(values.length)]);
        };
    }

    /** Integers around and beyond 2^53, where converting to a double must round. */
    static long wideInteger(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> (1L << 53) + rnd.nextInt(5) - 2;
            case 1 -> -(1L << 53) - rnd.nextInt(5) + 2;
            case 2 -> Long.MAX_VALUE - rnd.nextInt(3);
            case 3 -> Long.MIN_VALUE + rnd.nextInt(3);
            case 4 -> rnd.nextInt(1 << 20);
            default -> rnd.nextLong();
        };
    }

    /** push r64 (0x50) or pop r64 (0x58) of register {@code r}, with REX.B for r8-r15. */
    static void pushPop(Builder b, int opcode, int r) {
        if (r >= 8) {
            b.asm.raw(0x41);
        }
        b.asm.raw(opcode + (r & 7));
    }

    /** A two-byte jump ({@code opcode} 0x75 jnz, 0xeb jmp, ...) with an 8-bit displacement to {@code target}. */
    static void shortJump(Builder b, int opcode, long target) {
        long after = b.asm.pc() + 2;
        b.asm.raw(opcode, (int) (target - after) & 0xff);
    }

    /** dec ecx; jnz rel8 back to {@code top}: the loop forms' count-down back edge. */
    static void decEcxJnzBack(Builder b, long top) {
        b.asm.op(false, new int[] {0xff}, 1, new Reg(X86CpuState.ECX));
        shortJump(b, 0x75, top);
    }

    static int[] concat(int[] a, int b) {
        int[] c = Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }

    static long interesting(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1L;
            case 2 -> Long.MIN_VALUE + rnd.nextInt(3) - 1;
            case 3 -> 0xffffffffL + rnd.nextInt(3) - 1;
            case 4 -> rnd.nextInt(256);
            case 5 -> (long) rnd.nextInt() << 32;
            default -> rnd.nextLong();
        };
    }

    /**
     * The indirect-call loop of {@link #forms}: lea t, f and u, g; top (add x, y, or not x, which
     * writes no flag); B: call *t; cmp x, y; cmovb t, u (the next round calls g); dec rcx; jnz top.
     * f adds, g applies {@code gOpcode}.
     */
    static Case indirectCallLoop(Random rnd, boolean notAtTop, int gOpcode, String name) {
        Builder b = new Builder(rnd);
        int x = b.pick(X86CpuState.ECX);
        int y = b.pick(X86CpuState.ECX, x);
        int z = b.pick(X86CpuState.ECX, x, y);
        int t = b.pick(X86CpuState.ECX, x, y, z);
        int u = b.pick(X86CpuState.ECX, x, y, z, t);
        b.regs[X86CpuState.ECX] = 2 + rnd.nextInt(7);
        b.asm.raw(0x48 | (t >= 8 ? 4 : 0), 0x8d, ((t & 7) << 3) | 5).little(38 - 7, 4); // 0: lea t, [rip+f]
        b.asm.raw(0x48 | (u >= 8 ? 4 : 0), 0x8d, ((u & 7) << 3) | 5).little(42 - 14, 4); // 7: lea u, [rip+g]
        b.asm.raw(0xeb, 21 - 16); // 14: jmp B (21)
        if (notAtTop) {
            b.asm.op(true, new int[] {0xf7}, 2, new Reg(x)); // 16 top: not x
        } else {
            b.asm.op(true, new int[] {0x01}, y, new Reg(x)); // 16 top: add x, y
        }
        b.asm.raw(0xeb, 0); // 19: jmp B (21)
        b.asm.raw(0x40 | (t >= 8 ? 1 : 0), 0xff, 0xd0 | (t & 7)); // 21 B: call *t
        b.asm.op(true, new int[] {0x39}, y, new Reg(x)); // 24: cmp x, y
        b.asm.op(true, new int[] {0x0f, 0x42}, t, new Reg(u)); // 27: cmovb t, u
        b.asm.raw(0x48, 0xff, 0xc9); // 31: dec rcx
        b.asm.raw(0x75, (16 - 36) & 0xff); // 34: jnz top (16)
        b.asm.raw(0xeb, 46 - 38); // 36: jmp end (46)
        b.asm.op(true, new int[] {0x01}, z, new Reg(x)); // 38 f: add x, z
        b.asm.raw(0xc3); // 41: ret
        b.asm.op(true, new int[] {gOpcode}, z, new Reg(x)); // 42 g: sub/adc x, z
        b.asm.raw(0xc3); // 45: ret
        return b.build(name);
    }

    /**
     * The loop trace with a leg of {@link #forms}: top calls f, then cmp; jb S picks M or S (each
     * applying its opcode to z, x, then dec rcx; jnz top); r counts the prelude's passes.
     */
    static Case legLoop(Random rnd, int mOpcode, int sOpcode, String name) {
        return legLoop(rnd, mOpcode, sOpcode, name, true);
    }

    /**
     * {@link #legLoop}, or with {@code withCall} false the same without the call: f's work inline
     * at both call sites, so the loop trace through M or S is a call-free loop, whose other side
     * becomes a leg (session 20; before, such a loop made no trace).
     */
    static Case legLoop(Random rnd, int mOpcode, int sOpcode, String name, boolean withCall) {
        Builder b = new Builder(rnd);
        int x = b.pick(X86CpuState.ECX);
        int y = b.pick(X86CpuState.ECX, x);
        int z = b.pick(X86CpuState.ECX, x, y);
        int r = b.pick(X86CpuState.ECX, x, y, z);
        int w = b.pick(X86CpuState.ECX, x, y, z, r);
        b.regs[X86CpuState.ECX] = 2 + rnd.nextInt(7);
        callOrInline(b, withCall, 55 - 5, x, z); // 0: call f (55)
        b.asm.raw(0x48 | (r >= 8 ? 1 : 0), 0xc7, 0xc0 | (r & 7)).little(3, 4); // 5: mov r, 3 (passes)
        b.asm.op(true, new int[] {0x89}, X86CpuState.ECX, new Reg(w)); // 12: mov w, rcx
        b.asm.raw(0xb9).little(1, 4); // 15: mov ecx, 1
        b.asm.raw(0xeb, 30 - 22); // 20: jmp after (30)
        b.asm.op(true, new int[] {0x01}, y, new Reg(x)); // 22 top: add x, y
        callOrInline(b, withCall, 55 - 30, x, z); // 25: call f (55)
        b.asm.op(true, new int[] {0x39}, y, new Reg(x)); // 30 after: cmp x, y
        b.asm.raw(0x72, 45 - 35); // 33: jb S (45)
        b.asm.op(true, new int[] {mOpcode}, x, new Reg(z)); // 35 M: add/adc z, x
        b.asm.raw(0x48, 0xff, 0xc9); // 38: dec rcx
        b.asm.raw(0x75, (22 - 43) & 0xff); // 41: jnz top (22)
        b.asm.raw(0xeb, 59 - 45); // 43: jmp end2 (59)
        b.asm.op(true, new int[] {sOpcode}, x, new Reg(z)); // 45 S: sub/sbb z, x
        b.asm.raw(0x48, 0xff, 0xc9); // 48: dec rcx
        b.asm.raw(0x75, (22 - 53) & 0xff); // 51: jnz top (22)
        b.asm.raw(0xeb, 59 - 55); // 53: jmp end2 (59)
        b.asm.op(true, new int[] {0x01}, z, new Reg(x)); // 55 f: add x, z (never called without the call)
        b.asm.raw(0xc3); // 58: ret
        b.asm.raw(0x48 | (r >= 8 ? 1 : 0), 0xff, 0xc8 | (r & 7)); // 59 end2: dec r
        b.asm.raw(0x78, 84 - 64); // 62: js finish (84)
        b.asm.raw(0x74, 79 - 66); // 64: jz done (79)
        b.asm.raw(0xb9).little(1, 4); // 66: mov ecx, 1
        b.asm.raw(0x48 | (r >= 8 ? 1 : 0), 0x83, 0xf8 | (r & 7), 1); // 71: cmp r, 1
        b.asm.raw(0x74, 45 - 77); // 75: je S (45): the third pass
        b.asm.raw(0xeb, (35 - 79) & 0xff); // 77: jmp M (35): the second pass
        b.asm.op(true, new int[] {0x89}, w, new Reg(X86CpuState.ECX)); // 79 done: mov rcx, w
        b.asm.raw(0xeb, (22 - 84) & 0xff); // 82: jmp top (22)
        return b.build(name); // 84 finish
    }

    /** Five bytes at a call site of {@link #legLoop}: {@code call rel32}, or f's own add x, z and a two-byte nop. */
    private static void callOrInline(Builder b, boolean withCall, int rel, int x, int z) {
        if (withCall) {
            b.asm.raw(0xe8).little(rel, 4);
        } else {
            b.asm.op(true, new int[] {0x01}, z, new Reg(x));
            b.asm.raw(0x66, 0x90);
        }
    }

    static final int[] NONE = {};

    /** The forms: name to case generator. */
    static Map<String, Function<Random, Case>> forms() {
        Map<String, Function<Random, Case>> f = new LinkedHashMap<>();
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        for (int k = 0; k < 8; k++) {
            int kind = k;
            int logicMask = kind == 1 || kind == 4 || kind == 6 ? ALL & ~AF : ALL;
            f.put(alu[k] + " r/m64, r64", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(true, new int[] {kind << 3 | 1}, b.anyReg(), b.regOrMem());
                b.defined = logicMask;
                return b.build(alu[kind] + " r/m64, r64");
            });
            f.put(alu[k] + " r64, r/m64", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(true, new int[] {kind << 3 | 3}, b.anyReg(), b.regOrMem());
                b.defined = logicMask;
                return b.build(alu[kind] + " r64, r/m64");
            });
            f.put(alu[k] + " r/m64, imm32", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], true, false, new int[] {0x81}, kind, b.regOrMem(), 4, rnd.nextInt());
                b.defined = logicMask;
                return b.build(alu[kind] + " r/m64, imm32");
            });
            f.put(alu[k] + " r/m64, imm8", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], true, false, new int[] {0x83}, kind, b.regOrMem(), 1, rnd.nextInt(256));
                b.defined = logicMask;
                return b.build(alu[kind] + " r/m64, imm8");
            });
            f.put(alu[k] + " r32, r/m32 (r8-r15, zero-extends)", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(false, new int[] {kind << 3 | 3}, 8 + rnd.nextInt(8), b.regOrMem());
                b.defined = logicMask;
                return b.build(alu[kind] + " r32, r/m32");
            });
            f.put(alu[k] + " r/m8, r8 (REX byte registers)", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], false, true, new int[] {kind << 3}, b.anyReg(), b.regOrMem(), 0, 0);
                b.defined = logicMask;
                return b.build(alu[kind] + " r/m8, r8 REX");
            });
            f.put(alu[k] + " r/m16, r16", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[] {0x66}, false, false, new int[] {kind << 3 | 1}, b.anyReg(), b.regOrMem(), 0, 0);
                b.defined = logicMask;
                return b.build(alu[kind] + " r/m16, r16");
            });
        }
        f.put("test r/m64, r64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x85}, b.anyReg(), b.regOrMem());
            b.defined = ALL & ~AF;
            return b.build("test");
        });
        f.put("xor r64, r64 (zero idiom)", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            b.asm.op(true, new int[] {0x31}, r, new Reg(r));
            b.defined = ALL & ~AF;
            return b.build("xor zero");
        });
        String[] unary = {"not", "neg"};
        for (int k = 0; k < 2; k++) {
            int sub = 2 + k;
            f.put(unary[k] + " r/m64", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(true, new int[] {0xf7}, sub, b.regOrMem());
                return b.build(unary[sub - 2]);
            });
        }
        f.put("inc r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0xff}, 0, b.regOrMem());
            return b.build("inc");
        });
        f.put("dec r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0xff}, 1, b.regOrMem());
            return b.build("dec");
        });
        String[] shifts = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
        for (int k = 0; k < 8; k++) {
            int kind = k;
            f.put(shifts[k] + " r/m64, imm8", rnd -> {
                Builder b = new Builder(rnd);
                int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(70);
                b.asm.op(new int[0], true, false, new int[] {0xc1}, kind, b.regOrMem(), 1, count);
                b.defined = shiftFlags(kind, count & 63);
                return b.build(shifts[kind] + " imm8");
            });
            f.put(shifts[k] + " r/m64, cl", rnd -> {
                Builder b = new Builder(rnd);
                Rm dst = b.regOrMem(X86CpuState.ECX);
                int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(256);
                b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffL) | count;
                b.asm.op(true, new int[] {0xd3}, kind, dst);
                b.defined = shiftFlags(kind, count & 63);
                return b.build(shifts[kind] + " cl");
            });
        }
        f.put("shld r/m64, r64, imm8", rnd -> doubleShift(rnd, 0xa4));
        f.put("shrd r/m64, r64, imm8", rnd -> doubleShift(rnd, 0xac));
        f.put("imul r64, r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x0f, 0xaf}, b.anyReg(), b.regOrMem());
            b.defined = CF | OF;
            return b.build("imul2");
        });
        f.put("imul r64, r/m64, imm32", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[0], true, false, new int[] {0x69}, b.anyReg(), b.regOrMem(), 4, rnd.nextInt());
            b.defined = CF | OF;
            return b.build("imul3");
        });
        f.put("imul r64, r/m64, imm8", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[0], true, false, new int[] {0x6b}, b.anyReg(), b.regOrMem(), 1, rnd.nextInt(256));
            b.defined = CF | OF;
            return b.build("imul3b");
        });
        String[] group3 = {"mul", "imul", "div", "idiv"};
        for (int k = 0; k < 4; k++) {
            int sub = 4 + k;
            f.put(group3[k] + " r/m64", rnd -> {
                Builder b = new Builder(rnd);
                Rm src = b.regOrMem(X86CpuState.EAX, X86CpuState.EDX);
                if (sub >= 6 && rnd.nextInt(4) != 0) {
                    // usually a quotient that fits: a small high half
                    b.regs[X86CpuState.EDX] = sub == 6 ? rnd.nextInt(4) : rnd.nextInt(4) - 2;
                }
                b.asm.op(true, new int[] {0xf7}, sub, src);
                b.defined = sub >= 6 ? 0 : CF | OF;
                return b.build(group3[sub - 4]);
            });
        }
        f.put("div r/m32 (zero-extends rax, rdx)", rnd -> {
            Builder b = new Builder(rnd);
            Rm src = b.regOrMem(X86CpuState.EAX, X86CpuState.EDX);
            b.regs[X86CpuState.EDX] = rnd.nextInt(4);
            b.asm.op(false, new int[] {0xf7}, 6, src);
            b.defined = 0;
            return b.build("div32");
        });
        f.put("mov r/m64, r64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x89}, b.anyReg(), b.regOrMem());
            return b.build("mov store");
        });
        f.put("mov r64, r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x8b}, b.anyReg(), b.regOrMem());
            return b.build("mov load");
        });
        f.put("mov r64, [rip+disp32]", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x8b}, b.anyReg(), new Rip(DATA + (rnd.nextInt(500) & ~7)));
            return b.build("mov rip-relative");
        });
        f.put("add [rip+disp32], imm32", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[0], true, false, new int[] {0x81}, 0, new Rip(DATA + (rnd.nextInt(500) & ~7)), 4, rnd.nextInt());
            return b.build("add rip-relative imm");
        });
        f.put("lea r64, [rip+disp32]", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x8d}, b.anyReg(), new Rip(CODE + rnd.nextInt(100000) - 50000));
            return b.build("lea rip");
        });
        f.put("lea r64, [base+index*scale+disp]", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            int index = b.anyReg();
            b.asm.op(true, new int[] {0x8d}, b.anyReg(), new Mem(base, index, rnd.nextInt(4), rnd.nextInt()));
            return b.build("lea sib");
        });
        f.put("lea r32, [base+index*scale+disp]", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            int index = b.anyReg();
            b.asm.op(false, new int[] {0x8d}, b.anyReg(), new Mem(base, index, rnd.nextInt(4), rnd.nextInt()));
            return b.build("lea32 sib");
        });
        f.put("mov r64, imm64", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            b.asm.raw(0x48 | (r >> 3), 0xb8 + (r & 7)).little(interesting(rnd), 8);
            return b.build("movabs");
        });
        f.put("mov r32, imm32 (r8-r15)", rnd -> {
            Builder b = new Builder(rnd);
            int r = 8 + rnd.nextInt(8);
            b.asm.raw(0x41, 0xb8 + (r & 7)).little(rnd.nextInt(), 4);
            return b.build("mov r32 imm");
        });
        f.put("mov r8, imm8 (REX byte registers)", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            b.asm.raw(0x40 | (r >> 3), 0xb0 + (r & 7), rnd.nextInt(256));
            return b.build("mov r8 imm");
        });
        f.put("mov r/m64, imm32", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[0], true, false, new int[] {0xc7}, 0, b.regOrMem(), 4, rnd.nextInt());
            return b.build("mov imm32");
        });
        f.put("movsxd r64, r/m32", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x63}, b.anyReg(), b.regOrMem());
            return b.build("movsxd");
        });
        int[][] extend = {{0xb6}, {0xb7}, {0xbe}, {0xbf}};
        String[] extendNames = {"movzx r64, r/m8", "movzx r64, r/m16", "movsx r64, r/m8", "movsx r64, r/m16"};
        for (int k = 0; k < 4; k++) {
            int opc = extend[k][0];
            String name = extendNames[k];
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], true, rnd.nextBoolean(), new int[] {0x0f, opc}, b.anyReg(), b.regOrMem(), 0, 0);
                return b.build(name);
            });
        }
        f.put("cdqe", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x48, 0x98);
            return b.build("cdqe");
        });
        f.put("cqo", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x48, 0x99);
            return b.build("cqo");
        });
        f.put("cwde (zero-extends rax)", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x98);
            return b.build("cwde");
        });
        for (int cc = 0; cc < 16; cc++) {
            int c = cc;
            f.put("cmov" + cc + " r64, r/m64", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(true, new int[] {0x0f, 0x40 + c}, b.anyReg(), b.regOrMem());
                return b.build("cmov64");
            });
            f.put("cmov" + cc + " r32, r/m32", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(false, new int[] {0x0f, 0x40 + c}, b.anyReg(), b.regOrMem());
                return b.build("cmov32");
            });
            f.put("set" + cc + " r/m8 (REX)", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 + c}, 0, b.regOrMem(), 0, 0);
                return b.build("setcc");
            });
        }
        f.put("xchg r/m64, r64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x87}, b.anyReg(), b.regOrMem());
            return b.build("xchg");
        });
        f.put("xchg r64, rax (90+r)", rnd -> {
            Builder b = new Builder(rnd);
            int r = 1 + rnd.nextInt(15);
            if (r == X86CpuState.ESP) {
                r = 8;
            }
            b.asm.raw(0x48 | (r >> 3), 0x90 + (r & 7));
            return b.build("xchg rax");
        });
        f.put("xadd r/m64, r64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x0f, 0xc1}, b.anyReg(), b.regOrMem());
            return b.build("xadd");
        });
        f.put("lock cmpxchg m64, r64", rnd -> {
            Builder b = new Builder(rnd);
            Rm m = b.mem(X86CpuState.EAX);
            if (rnd.nextBoolean()) {
                b.regs[X86CpuState.EAX] = 0x1122334455667788L;
                int off = (int) (((Mem) m).disp() + b.regs[((Mem) m).base()] - DATA)
                        + (((Mem) m).index() >= 0 ? (int) (b.regs[((Mem) m).index()] << ((Mem) m).scale()) : 0);
                java.nio.ByteBuffer.wrap(b.data, off, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0x1122334455667788L);
            }
            b.asm.op(new int[] {0xf0}, true, false, new int[] {0x0f, 0xb1}, b.pick(X86CpuState.EAX), m, 0, 0);
            return b.build("cmpxchg");
        });
        f.put("cmpxchg r/m32, r32", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(false, new int[] {0x0f, 0xb1}, b.anyReg(), b.regOrMem());
            return b.build("cmpxchg32");
        });
        f.put("lock cmpxchg16b m128", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.pick(X86CpuState.EAX, X86CpuState.EDX, X86CpuState.EBX, X86CpuState.ECX);
            int off = rnd.nextInt(30) * 16 + (rnd.nextInt(8) == 0 ? 8 : 0);
            b.regs[base] = DATA + off;
            if (rnd.nextBoolean()) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b.data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.regs[X86CpuState.EAX] = bb.getLong(off);
                b.regs[X86CpuState.EDX] = rnd.nextInt(4) == 0 ? 5 : bb.getLong(off + 8);
            }
            b.asm.op(new int[] {0xf0}, true, false, new int[] {0x0f, 0xc7}, 1, new Mem(base, -1, 0, 0), 0, 0);
            b.defined = ZF;
            return b.build("cmpxchg16b");
        });
        String[] bitOps = {"bt", "bts", "btr", "btc"};
        for (int k = 0; k < 4; k++) {
            int kind = k;
            f.put(bitOps[k] + " r/m64, r64", rnd -> {
                Builder b = new Builder(rnd);
                int offReg = b.anyReg();
                Rm base = b.regOrMem(offReg);
                b.regs[offReg] = base instanceof Mem ? rnd.nextInt(2048) : rnd.nextLong(); // below the data page is code (read-only here, writable natively)
                b.asm.op(true, new int[] {0x0f, 0xa3 + 8 * kind}, offReg, base);
                b.defined = CF | ZF;
                return b.build(bitOps[kind]);
            });
            f.put(bitOps[k] + " r/m64, imm8", rnd -> {
                Builder b = new Builder(rnd);
                b.asm.op(new int[0], true, false, new int[] {0x0f, 0xba}, 4 + kind, b.regOrMem(), 1, rnd.nextInt(256));
                b.defined = CF | ZF;
                return b.build(bitOps[kind] + " imm");
            });
        }
        f.put("bsf r64, r/m64", rnd -> bitScan(rnd, 0xbc));
        f.put("bsr r64, r/m64", rnd -> bitScan(rnd, 0xbd));
        f.put("bswap r64", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            b.asm.raw(0x48 | (r >> 3), 0x0f, 0xc8 + (r & 7));
            return b.build("bswap");
        });
        f.put("push r64 / pop r64", rnd -> {
            Builder b = new Builder(rnd);
            int a = rnd.nextInt(16);
            int c = b.anyReg();
            b.asm.raw(0x40 | (a >> 3), 0x50 + (a & 7));
            b.asm.raw(0x40 | (c >> 3), 0x58 + (c & 7));
            return b.build("push pop");
        });
        f.put("push imm8 / push imm32 / pop r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x6a, rnd.nextInt(256));
            b.asm.raw(0x68).little(rnd.nextInt(), 4);
            b.asm.op(false, new int[] {0x8f}, 0, b.regOrMem());
            return b.build("push imm");
        });
        f.put("push m64 / pushfq / popfq", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(false, new int[] {0xff}, 6, b.mem());
            b.asm.raw(0x9c);
            b.asm.raw(0x9d);
            return b.build("pushf");
        });
        f.put("call rel32 / pop (pushes a 64-bit rip)", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            b.asm.raw(0xe8).little(0, 4);
            b.asm.raw(0x40 | (r >> 3), 0x58 + (r & 7));
            return b.build("call pop");
        });
        f.put("call r64 / ret", rnd -> {
            Builder b = new Builder(rnd);
            int r = b.anyReg();
            int callLength = r >= 8 ? 3 : 2;
            b.regs[r] = CODE + callLength + 2; // the ret below
            if (r >= 8) {
                b.asm.raw(0x41);
            }
            b.asm.raw(0xff, 0xd0 + (r & 7)); // call r
            b.asm.raw(0xeb, 1); // jmp over the ret
            b.asm.raw(0xc3); // ret
            return b.build("call ret");
        });
        f.put("jcc rel8 / rel32 over an instruction", rnd -> {
            Builder b = new Builder(rnd);
            int cc = rnd.nextInt(16);
            int r = b.anyReg();
            if (rnd.nextBoolean()) {
                b.asm.raw(0x70 + cc, 3);
            } else {
                b.asm.raw(0x0f, 0x80 + cc).little(3, 4);
            }
            b.asm.raw(0x48 | (r >> 3), 0xff, 0xc0 + (r & 7)); // inc r64, skipped when taken
            return b.build("jcc");
        });
        f.put("loop rel8", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = rnd.nextInt(3) == 0 ? 1L << 32 | 1 : rnd.nextInt(3);
            int r = b.pick(X86CpuState.ECX);
            b.asm.raw(0xe2, 3);
            b.asm.raw(0x48 | (r >> 3), 0xff, 0xc0 + (r & 7));
            return b.build("loop");
        });
        f.put("rep movsq / rep stosq / movsb", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ESI] = DATA + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.EDI] = DATA + 256 + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.ECX] = rnd.nextInt(6);
            int which = rnd.nextInt(3);
            switch (which) {
                case 0 -> b.asm.raw(0xf3, 0x48, 0xa5);
                case 1 -> b.asm.raw(0xf3, 0x48, 0xab);
                default -> b.asm.raw(0xa4);
            }
            return b.build("strings");
        });
        f.put("rep movs / rep stos of every size, overlapping forward copies, fills of differing bytes", rnd -> {
            Builder b = new Builder(rnd);
            int size = 1 << rnd.nextInt(4);
            long src = DATA + rnd.nextInt(400);
            long dst = rnd.nextInt(3) == 0 ? src + rnd.nextInt(24) : DATA + 200 + rnd.nextInt(400); // onto its own tail, or elsewhere
            b.regs[X86CpuState.ESI] = src;
            b.regs[X86CpuState.EDI] = dst;
            b.regs[X86CpuState.ECX] = rnd.nextInt(200 / size);
            if (rnd.nextBoolean()) { // a fill value whose bytes agree (one host fill) or not
                b.regs[X86CpuState.EAX] = (b.regs[X86CpuState.EAX] & 0xff) * 0x0101010101010101L;
            }
            boolean stos = rnd.nextBoolean();
            int[] prefix = size == 2 ? new int[] {0xf3, 0x66} : new int[] {0xf3};
            b.asm.raw(prefix);
            if (size == 8) {
                b.asm.raw(0x48);
            }
            b.asm.raw((stos ? 0xaa : 0xa4) + (size == 1 ? 0 : 1));
            return b.build("rep strings");
        });
        f.put("std; rep movs / rep stos / movs / lods / stos of every size (backward); cld", rnd -> {
            Builder b = new Builder(rnd);
            int size = 1 << rnd.nextInt(4);
            // backward: rsi and rdi at the last element, the copy or fill runs down toward DATA
            long src = DATA + 400 + rnd.nextInt(200);
            long dst = rnd.nextInt(3) == 0 ? src - rnd.nextInt(24) : DATA + 300 + rnd.nextInt(300); // onto its own head, or elsewhere
            b.regs[X86CpuState.ESI] = src;
            b.regs[X86CpuState.EDI] = dst;
            b.regs[X86CpuState.ECX] = rnd.nextInt(200 / size);
            int kind = rnd.nextInt(5);
            b.asm.raw(0xfd);
            if (kind < 2) {
                b.asm.raw(0xf3);
            }
            if (size == 2) {
                b.asm.raw(0x66);
            }
            if (size == 8) {
                b.asm.raw(0x48);
            }
            int[] opcodes = {0xa4, 0xaa, 0xa4, 0xac, 0xaa};
            b.asm.raw(opcodes[kind] + (size == 1 ? 0 : 1));
            b.asm.raw(0xfc);
            return b.build("backward strings");
        });
        f.put("std; repne scas / repe cmps of every size (backward); cld", rnd -> {
            Builder b = new Builder(rnd);
            int size = 1 << rnd.nextInt(4);
            b.regs[X86CpuState.ESI] = DATA + 200 + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.EDI] = DATA + 500 + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.ECX] = rnd.nextInt(12);
            b.asm.raw(0xfd, rnd.nextBoolean() ? 0xf2 : 0xf3);
            if (size == 2) {
                b.asm.raw(0x66);
            }
            if (size == 8) {
                b.asm.raw(0x48);
            }
            b.asm.raw((rnd.nextBoolean() ? 0xae : 0xa6) + (size == 1 ? 0 : 1));
            b.asm.raw(0xfc);
            return b.build("backward scas cmps");
        });
        f.put("repne scasb / repe cmpsq", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ESI] = DATA + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.EDI] = DATA + 256 + 8 * rnd.nextInt(20);
            b.regs[X86CpuState.ECX] = rnd.nextInt(12);
            if (rnd.nextBoolean()) {
                b.asm.raw(0xf2, 0xae);
            } else {
                b.asm.raw(0xf3, 0x48, 0xa7);
            }
            return b.build("scas cmps");
        });
        // SSE on all sixteen registers
        f.put("movq xmm, r64 / movq r64, xmm", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0x66}, true, false, new int[] {0x0f, 0x6e}, rnd.nextInt(16), new Reg(b.anyReg()), 0, 0);
            b.asm.op(new int[] {0x66}, true, false, new int[] {0x0f, 0x7e}, rnd.nextInt(16), new Reg(b.anyReg()), 0, 0);
            return b.build("movq gpr");
        });
        f.put("movd xmm, r32 / movd r/m32, xmm", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0x6e}, rnd.nextInt(16), new Reg(b.anyReg()), 0, 0);
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0x7e}, rnd.nextInt(16), b.regOrMem(), 0, 0);
            return b.build("movd gpr");
        });
        int[][] sse = {{0x66, 0x58}, {0x66, 0xef}, {0x66, 0xd4}, {0x66, 0xfe}, {0xf2, 0x59}, {0x66, 0x6f}, {0xf3, 0x6f}, {0x66, 0x62}};
        String[] sseNames = {"addpd", "pxor", "paddq", "paddd", "mulsd", "movdqa", "movdqu", "punpckldq"};
        for (int k = 0; k < sse.length; k++) {
            int[] enc = sse[k];
            String name = sseNames[k] + " xmm, xmm (xmm0-15)";
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                b.xmmLanes(() -> Double.doubleToRawLongBits(rnd.nextInt(2000) / 8.0 - 100));
                b.asm.op(new int[] {enc[0]}, false, false, new int[] {0x0f, enc[1]}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
                return b.build(name);
            });
        }
        f.put("movdqu xmm8-15, m128 / movdqu m128, xmm", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0xf3}, false, false, new int[] {0x0f, 0x6f}, 8 + rnd.nextInt(8), b.mem(), 0, 0);
            b.asm.op(new int[] {0xf3}, false, false, new int[] {0x0f, 0x7f}, rnd.nextInt(16), b.mem(), 0, 0);
            return b.build("movdqu mem");
        });
        // 16-byte loads and stores as 64-bit blocks emit them (GuestMemory.read128/write128), each
        // encoding: aligned movaps/movdqa at 16-byte addresses (and some not), movups/movdqu at any byte
        int[][] wide = {{}, {0x28, 0x29}, {0x66}, {0x6f, 0x7f}, {}, {0x10, 0x11}, {0xf3}, {0x6f, 0x7f}};
        String[] wideNames = {"movaps", "movdqa", "movups", "movdqu"};
        for (int k = 0; k < wideNames.length; k++) {
            int[] prefix = wide[2 * k];
            int[] opcodes = wide[2 * k + 1];
            boolean aligned = k < 2;
            String name = wideNames[k] + " xmm, m128 / " + wideNames[k] + " m128, xmm (" + (aligned ? "16-byte aligned" : "any byte") + ", xmm0-15)";
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                Mem m = (Mem) b.mem();
                // one aligned case in four is off by 8: #GP (SIGSEGV) before any effect
                b.regs[m.base()] += aligned ? -(b.address(m) & 15) + (rnd.nextInt(4) == 0 ? 8 : 0) : rnd.nextInt(8);
                b.asm.op(prefix, false, false, new int[] {0x0f, opcodes[0]}, rnd.nextInt(16), m, 0, 0);
                b.asm.op(prefix, false, false, new int[] {0x0f, opcodes[1]}, rnd.nextInt(16), m, 0, 0);
                return b.build(name);
            });
        }
        f.put("movsd xmm, [rip+disp32]", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x10}, rnd.nextInt(16), new Rip(DATA + 8 * rnd.nextInt(60)), 0, 0);
            return b.build("movsd rip");
        });
        f.put("cvtsi2sd xmm, r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, 0x2a}, rnd.nextInt(16), b.regOrMem(), 0, 0);
            return b.build("cvtsi2sd64");
        });
        f.put("cvtsi2ss xmm, r/m64", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0xf3}, true, false, new int[] {0x0f, 0x2a}, rnd.nextInt(16), b.regOrMem(), 0, 0);
            return b.build("cvtsi2ss64");
        });
        f.put("cvttsd2si r64, xmm", rnd -> {
            Builder b = new Builder(rnd);
            int x = rnd.nextInt(16);
            b.xmm[2 * x] = Double.doubleToRawLongBits(switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextGaussian() * 1e18;
                case 1 -> 9.3e18;
                default -> rnd.nextGaussian() * 1e6;
            });
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, 0x2c}, b.anyReg(), new Reg(x), 0, 0);
            return b.build("cvttsd2si64");
        });
        f.put("cvtsd2si r64, xmm", rnd -> {
            Builder b = new Builder(rnd);
            int x = rnd.nextInt(16);
            b.xmm[2 * x] = Double.doubleToRawLongBits(rnd.nextGaussian() * 1e12);
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, 0x2d}, b.anyReg(), new Reg(x), 0, 0);
            return b.build("cvtsd2si64");
        });
        f.put("cvttss2si r64, xmm", rnd -> {
            Builder b = new Builder(rnd);
            int x = rnd.nextInt(16);
            b.xmm[2 * x] = Float.floatToRawIntBits((float) (rnd.nextGaussian() * 1e10)) & 0xffffffffL;
            b.asm.op(new int[] {0xf3}, true, false, new int[] {0x0f, 0x2c}, b.anyReg(), new Reg(x), 0, 0);
            return b.build("cvttss2si64");
        });
        // the scalar forms 64-bit blocks emit inline (SseEmitter), with the values that leave the fast paths
        f.put("cvttsd2si/cvtsd2si r64, xmm/m64 of NaN, infinities, -0.0, denormals, 2^63, halves", rnd -> {
            Builder b = new Builder(rnd);
            int x = rnd.nextInt(16);
            b.xmm[2 * x] = specialDouble(rnd);
            Mem m = (Mem) b.mem();
            b.putLong(m, specialDouble(rnd));
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2c : 0x2d}, b.pick(m.base(), m.index()), new Reg(x), 0, 0);
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2c : 0x2d}, b.pick(m.base(), m.index()), m, 0, 0);
            return b.build("cvtsd2si64 special");
        });
        f.put("cvttss2si/cvtss2si r64, xmm/m32 of NaN, infinities, -0.0, denormals, 2^63, halves", rnd -> {
            Builder b = new Builder(rnd);
            int x = rnd.nextInt(16);
            b.xmm[2 * x] = (b.xmm[2 * x] & 0xffffffff00000000L) | (specialFloat(rnd) & 0xffffffffL);
            Mem m = (Mem) b.mem();
            b.putLong(m, (b.rnd.nextLong() & 0xffffffff00000000L) | (specialFloat(rnd) & 0xffffffffL));
            b.asm.op(new int[] {0xf3}, true, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2c : 0x2d}, b.pick(m.base(), m.index()), new Reg(x), 0, 0);
            b.asm.op(new int[] {0xf3}, true, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2c : 0x2d}, b.pick(m.base(), m.index()), m, 0, 0);
            return b.build("cvtss2si64 special");
        });
        f.put("cvtsi2sd xmm, r64/m64 of integers wider than 53 bits (rounded)", rnd -> {
            Builder b = new Builder(rnd);
            Mem m = (Mem) b.mem();
            int r = b.pick(m.base(), m.index());
            b.regs[r] = wideInteger(rnd);
            b.putLong(m, wideInteger(rnd));
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, 0x2a}, rnd.nextInt(16), new Reg(r), 0, 0);
            b.asm.op(new int[] {0xf2}, true, false, new int[] {0x0f, 0x2a}, rnd.nextInt(16), m, 0, 0);
            return b.build("cvtsi2sd64 wide");
        });
        int[] scalarOps = {0x58, 0x5c, 0x59, 0x5e, 0x51};
        f.put("addsd/subsd/mulsd/divsd/sqrtsd xmm, xmm/m64 of NaN, infinities, -0.0, denormals, then ucomisd; setp; seta", rnd -> {
            Builder b = new Builder(rnd);
            for (int i = 0; i < 32; i += 2) {
                b.xmm[i] = specialDouble(rnd);
            }
            Mem m = (Mem) b.mem();
            b.putLong(m, specialDouble(rnd));
            for (int k = 0; k < 3; k++) {
                b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, scalarOps[rnd.nextInt(scalarOps.length)]}, rnd.nextInt(16),
                        k == 1 ? m : new Reg(rnd.nextInt(16)), 0, 0);
            }
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0x2e}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x9a}, 0, new Reg(b.pick(m.base(), m.index())), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x97}, 0, new Reg(b.pick(m.base(), m.index())), 0, 0);
            return b.build("scalar special");
        });
        f.put("movq xmm, m64 / movq m64, xmm / movsd m64, xmm / movss xmm, m32 through indexed addresses", rnd -> {
            Builder b = new Builder(rnd);
            Mem load = (Mem) b.mem();
            Mem store = (Mem) b.mem(load.base(), load.index());
            b.asm.op(new int[] {0x66}, true, false, new int[] {0x0f, 0x6e}, rnd.nextInt(16), load, 0, 0);
            b.asm.op(new int[] {0x66}, true, false, new int[] {0x0f, 0x7e}, rnd.nextInt(16), store, 0, 0);
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x11}, rnd.nextInt(16), load, 0, 0);
            b.asm.op(new int[] {0xf3}, false, false, new int[] {0x0f, 0x10}, rnd.nextInt(16), store, 0, 0);
            return b.build("movq mem");
        });
        for (int k = 0; k < 8; k++) {
            int kind = k;
            f.put(shifts[k] + " r32, imm8 (count 0 still zero-extends)", rnd -> {
                Builder b = new Builder(rnd);
                int count = rnd.nextBoolean() ? 0 : rnd.nextInt(40);
                b.asm.op(new int[0], false, false, new int[] {0xc1}, kind, new Reg(b.anyReg()), 1, count);
                b.defined = shiftFlags(kind, count & 31);
                return b.build(shifts[kind] + " r32");
            });
        }
        f.put("shld/shrd r32, r32, imm8 (count 0)", rnd -> {
            Builder b = new Builder(rnd);
            int count = rnd.nextBoolean() ? 0 : rnd.nextInt(32);
            b.asm.op(new int[0], false, false, new int[] {0x0f, rnd.nextBoolean() ? 0xa4 : 0xac}, b.anyReg(), new Reg(b.anyReg()), 1, count);
            b.defined = count == 0 ? ALL : (CF | PF | ZF | SF | (count == 1 ? OF : 0));
            return b.build("shld32");
        });
        f.put("xchg r32, r32 / bsf r32 (nonzero)", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(false, new int[] {0x87}, b.anyReg(), new Reg(b.anyReg()));
            int src = b.anyReg();
            b.regs[src] |= 1L << rnd.nextInt(32);
            b.asm.op(false, new int[] {0x0f, 0xbc}, b.anyReg(), new Reg(src));
            b.defined = ZF;
            return b.build("xchg32 bsf32");
        });
        f.put("fxsave / fxrstor (XMM8-15 too)", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            b.regs[base] = DATA;
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b.data).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 32; i++) {
                bb.putLong(i, 0); // x87 header: control word 0 masks nothing, but no x87 instruction follows
            }
            bb.putShort(0, (short) 0x37f);
            bb.putInt(24, 0x1f80);
            bb.putInt(28, 0);
            for (int i = 32; i < 160; i++) {
                b.data[i] = 0;
            }
            b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0x0f, 0xae}, 1, new Mem(base, -1, 0, 0), 0, 0); // fxrstor [base]
            b.asm.op(new int[0], false, false, new int[] {0x0f, 0xae}, 0, new Mem(base, -1, 0, 512 - 512), 0, 0); // fxsave [base]
            b.asm.op(new int[0], false, false, new int[] {0xc7}, 0, new Mem(base, -1, 0, 28), 4, 0); // the MXCSR mask differs between vendors
            return b.build("fxsave");
        });
        // partial-register writes keep the upper bits of the 64-bit registers
        f.put("mul r/m8 / imul r/m16 (AX, DX:AX)", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(false, new int[] {0xf6}, 4, b.regOrMem(X86CpuState.EAX));
            b.asm.op(new int[] {0x66}, false, false, new int[] {0xf7}, 5, b.regOrMem(X86CpuState.EAX, X86CpuState.EDX), 0, 0);
            b.defined = CF | OF;
            return b.build("mul8 imul16");
        });
        f.put("div r/m8 / div r/m16", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.EAX] = b.regs[X86CpuState.EAX] & ~0xff00L | (long) rnd.nextInt(3) << 8;
            b.regs[X86CpuState.EDX] = b.regs[X86CpuState.EDX] & ~0xffffL | rnd.nextInt(3);
            int divisor = b.pick(X86CpuState.EAX, X86CpuState.EDX);
            b.regs[divisor] |= 0x0404;
            b.asm.op(new int[0], false, true, new int[] {0xf6}, 6, new Reg(divisor), 0, 0);
            b.asm.op(new int[] {0x66}, false, false, new int[] {0xf7}, 6, new Reg(divisor), 0, 0);
            b.defined = 0;
            return b.build("div8 div16");
        });
        f.put("cbw / cwd / lahf / sahf", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x66, 0x98, 0x66, 0x99, 0x9f);
            if (rnd.nextBoolean()) {
                b.asm.raw(0x9e);
            }
            return b.build("cbw cwd lahf");
        });
        f.put("fnstsw ax / fnstcw m16", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0xd9, 0xe8); // fld1
            b.asm.raw(0xdf, 0xe0); // fnstsw ax
            b.asm.op(false, new int[] {0xd9}, 7, b.mem()); // fnstcw
            b.asm.raw(0xdd, 0xd8); // fstp st(0)
            return b.build("fnstsw");
        });
        f.put("mov cl, m8", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(false, new int[] {0x8a}, 1, b.mem()); // mov cl, [m]
            return b.build("mov8 load");
        });
        flagConsumerForms(f);
        windowForms(f);
        inlineAndCallForms(f);
        sse2Forms(f);
        narrowForms(f);
        addressAndFrameForms(f);
        moreNarrowAndFpuForms(f);
        lockedForms(f);
        segmentAndAbsoluteForms(f);
        f.put("loop block: add/rol/adc/cmp, dec ecx, jnz back (compiled as one method)", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffffffffL) | (1 + rnd.nextInt(6));
            int x = b.pick(X86CpuState.ECX);
            int y = b.pick(X86CpuState.ECX, x);
            long top = b.asm.pc();
            b.asm.op(true, new int[] {0x01}, y, new Reg(x)); // add x, y
            b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0xc1}, 0, new Reg(y), 1, 1 + rnd.nextInt(31)); // rol y, n
            b.asm.op(true, new int[] {0x11}, x, new Reg(y)); // adc y, x
            b.asm.op(false, new int[] {0x39}, y, new Reg(x)); // cmp x32, y32
            decEcxJnzBack(b, top);
            return b.build("loop block");
        });
        // session 23: scalar SSE loads and stores take the loop's page caches (they called
        // GuestMemory's accessor before): two sites through one base, a store between the loads
        f.put("loop block: movsd, addsd m64, comisd m64, seta, movsd m64 store, movss through one base, dec ecx, jnz back", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffffffffL) | (1 + rnd.nextInt(6));
            Mem m = (Mem) b.mem(X86CpuState.ECX);
            Mem next = new Mem(m.base(), m.index(), m.scale(), m.disp() + 8);
            int a = rnd.nextInt(16);
            int flag = b.pick(m.base(), m.index(), X86CpuState.ECX);
            long top = b.asm.pc();
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x10}, a, m, 0, 0); // movsd a, [m]
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x58}, a, next, 0, 0); // addsd a, [m+8]
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0x2f}, a, m, 0, 0); // comisd a, [m]
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x97}, 0, new Reg(flag), 0, 0); // seta flag8
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x11}, a, next, 0, 0); // movsd [m+8], a
            b.asm.op(new int[] {0xf3}, false, false, new int[] {0x0f, 0x10}, rnd.nextInt(16), m, 0, 0); // movss b, [m]
            decEcxJnzBack(b, top);
            return b.build("loop block sse memory");
        });
        // loop blocks whose body overwrites all flags before reading any: the backward jump keeps
        // the last record in locals, the first flag instruction of the next round finds it there
        f.put("loop block: ror first (its base record from the last round), add, inc, cmp r64, jne back", rnd -> {
            Builder b = new Builder(rnd);
            int c = b.anyReg();
            int x = b.pick(c);
            int y = b.pick(c, x);
            b.regs[c] = -(1 + rnd.nextInt(6));
            long top = b.asm.pc();
            b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0xc1}, 1, new Reg(y), 1, 1 + rnd.nextInt(31)); // ror y, n
            b.asm.op(true, new int[] {0x01}, x, new Reg(y)); // add y, x
            b.asm.op(true, new int[] {0xff}, 0, new Reg(c)); // inc c
            b.asm.op(new int[0], true, false, new int[] {0x83}, 7, new Reg(c), 1, 0); // cmp c, 0
            shortJump(b, 0x75, top); // jne top
            return b.build("loop block ror first");
        });
        f.put("loop block: dec ecx first (its CF from the last round), rol, add, test, jnz back", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffffffffL) | (1 + rnd.nextInt(6));
            int x = b.pick(X86CpuState.ECX);
            int y = b.pick(X86CpuState.ECX, x);
            long top = b.asm.pc();
            b.asm.op(false, new int[] {0xff}, 1, new Reg(X86CpuState.ECX)); // dec ecx
            b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0xc1}, 0, new Reg(y), 1, 1 + rnd.nextInt(31)); // rol y, n
            b.asm.op(true, new int[] {0x01}, x, new Reg(y)); // add y, x
            b.asm.op(false, new int[] {0x85}, X86CpuState.ECX, new Reg(X86CpuState.ECX)); // test ecx, ecx
            shortJump(b, 0x75, top); // jnz top
            b.defined = ALL & ~AF;
            return b.build("loop block dec first");
        });
        // session 7: loop blocks' accesses without a window go through page caches, and a block
        // ending in a jcc out whose other side jumps back runs as one loop with a side exit
        f.put("loop block through page caches: indexed load, read-modify-write, byte store, push/pop, dec ecx, jnz back", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = 1 + rnd.nextInt(6);
            int p = b.pick(X86CpuState.ECX);
            int q = b.pick(X86CpuState.ECX, p);
            int v = b.pick(X86CpuState.ECX, p, q);
            b.regs[p] = DATA + (rnd.nextInt(200) & ~3);
            b.regs[q] = DATA + 300 + 8 * rnd.nextInt(10);
            long top = b.asm.pc();
            b.asm.op(false, new int[] {0x8b}, v, new Mem(p, X86CpuState.ECX, 2, 0)); // mov v32, [p+rcx*4]
            b.asm.op(true, new int[] {0x01}, v, new Mem(q, X86CpuState.ECX, 3, 0)); // add [q+rcx*8], v64
            b.asm.op(new int[0], false, true, new int[] {0x88}, v, new Mem(p, X86CpuState.ECX, 0, 64), 0, 0); // mov [p+rcx+64], v8
            pushPop(b, 0x50, v);
            pushPop(b, 0x58, v);
            decEcxJnzBack(b, top);
            return b.build("loop page caches");
        });
        // session 18: 16-byte XMM loads and stores inside a loop block (one accessor call each)
        f.put("loop block through page caches: movups xmm, [p]; movaps [q], xmm; movdqu xmm, [q-8]; add p, 16; add q, 16; dec ecx, jnz back", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = 1 + rnd.nextInt(6);
            int p = b.pick(X86CpuState.ECX);
            int q = b.pick(X86CpuState.ECX, p);
            int x = rnd.nextInt(16);
            int y = rnd.nextInt(16);
            b.regs[p] = DATA + rnd.nextInt(400);
            b.regs[q] = DATA + 512 + 16 * rnd.nextInt(20);
            long top = b.asm.pc();
            b.asm.op(new int[0], false, false, new int[] {0x0f, 0x10}, x, new Mem(p, -1, 0, 0), 0, 0); // movups x, [p]
            b.asm.op(new int[0], false, false, new int[] {0x0f, 0x29}, x, new Mem(q, -1, 0, 0), 0, 0); // movaps [q], x
            b.asm.op(new int[] {0xf3}, false, false, new int[] {0x0f, 0x6f}, y, new Mem(q, -1, 0, -8), 0, 0); // movdqu y, [q-8]
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(p), 1, 16); // add p, 16
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(q), 1, 16); // add q, 16
            decEcxJnzBack(b, top);
            return b.build("loop xmm page caches");
        });
        // session 29: glibc's memcpy loop shape, 16-byte loads and stores that share one verified
        // window per base register (LongModeEmitter.emitWideXmmAccess)
        f.put("loop block of windowed 16-byte accesses: movups x0-x3, [p+0..48]; movaps [q+0..48], x0-x3; add p, 64; add q, 64; dec ecx, jnz back", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.ECX] = 1 + rnd.nextInt(4);
            int p = b.pick(X86CpuState.ECX);
            int q = b.pick(X86CpuState.ECX, p);
            int first = rnd.nextInt(13);
            b.regs[p] = DATA + rnd.nextInt(256);
            b.regs[q] = DATA + 512 + 16 * rnd.nextInt(8);
            long top = b.asm.pc();
            for (int k = 0; k < 4; k++) {
                b.asm.op(new int[0], false, false, new int[] {0x0f, 0x10}, first + k, new Mem(p, -1, 0, 16 * k), 0, 0); // movups x, [p+16k]
            }
            for (int k = 0; k < 4; k++) {
                b.asm.op(new int[0], false, false, new int[] {0x0f, 0x29}, first + k, new Mem(q, -1, 0, 16 * k), 0, 0); // movaps [q+16k], x
            }
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(p), 1, 64); // add p, 64
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(q), 1, 64); // add q, 64
            decEcxJnzBack(b, top);
            return b.build("loop xmm windows");
        });
        // session 23: SSE registers written in a side-exit loop after its exit, so the exit stores
        // what the last iteration wrote
        f.put("side-exit loop: inc i, cmp i, n, je out; addsd a, b; movsd c, [p]; mulsd c, a; jmp back", rnd -> {
            Builder b = new Builder(rnd);
            int i = b.anyReg();
            int p = b.pick(i);
            b.regs[i] = 0;
            b.regs[p] = DATA + (rnd.nextInt(400) & ~7);
            int xa = rnd.nextInt(16);
            int xb = rnd.nextInt(16);
            int xc = rnd.nextInt(16);
            LongModeAssembler body = new LongModeAssembler(0);
            body.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x58}, xa, new Reg(xb), 0, 0); // addsd a, b
            body.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x10}, xc, new Mem(p, -1, 0, 0), 0, 0); // movsd c, [p]
            body.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x59}, xc, new Reg(xa), 0, 0); // mulsd c, a
            byte[] code = body.bytes();
            long head = b.asm.pc();
            b.asm.op(true, new int[] {0xff}, 0, new Reg(i)); // inc i
            b.asm.op(new int[0], true, false, new int[] {0x83}, 7, new Reg(i), 1, 2 + rnd.nextInt(5)); // cmp i, n
            b.asm.raw(0x74, code.length + 2); // je out (over the body and the jmp back)
            for (byte c : code) {
                b.asm.raw(c & 0xff);
            }
            shortJump(b, 0xeb, head); // jmp head
            return b.build("side-exit loop sse");
        });
        f.put("side-exit loop: ror, add r32 [p+i*4], inc i, cmp i, n, je out / jne on; add, jmp back", rnd -> {
            Builder b = new Builder(rnd);
            int i = b.anyReg();
            int p = b.pick(i);
            int x = b.pick(i, p);
            int y = b.pick(i, p, x);
            int z = b.pick(i, p, x, y);
            int n = 1 + rnd.nextInt(6);
            b.regs[i] = 0;
            b.regs[p] = DATA + (rnd.nextInt(400) & ~3);
            boolean outWhenTaken = rnd.nextBoolean();
            long head = b.asm.pc();
            b.asm.op(new int[0], false, false, new int[] {0xc1}, 1, new Reg(x), 1, 1 + rnd.nextInt(31)); // ror x32, k
            b.asm.op(false, new int[] {0x03}, x, new Mem(p, i, 2, 0)); // add x32, [p+i*4]
            b.asm.op(true, new int[] {0xff}, 0, new Reg(i)); // inc i
            b.asm.op(true, new int[] {0x89}, x, new Reg(y)); // mov y, x
            b.asm.op(new int[0], true, false, new int[] {0x83}, 7, new Reg(i), 1, n); // cmp i, n
            if (outWhenTaken) {
                b.asm.raw(0x74, 5); // je out (over the add and the jmp back)
                b.asm.op(true, new int[] {0x01}, y, new Reg(z)); // add z, y: the end of the body sets other flags
                shortJump(b, 0xeb, head); // jmp head
            } else {
                b.asm.raw(0x75, 2); // jne on (over the jmp out)
                b.asm.raw(0xeb, 5); // jmp out
                b.asm.op(true, new int[] {0x01}, y, new Reg(z)); // on: add z, y
                shortJump(b, 0xeb, head); // jmp head
            }
            return b.build("side-exit loop");
        });
        // session 9: a 64-bit block compiled with the blocks its hot path runs next (LongModeTrace):
        // a call into a function of two paths, one returning normally and one adding 3 to its
        // return address (the trace's ret guard must see it), a jcc in the caller left as a side
        // exit, the loop's back edge ending the trace. The prelude calls f and runs the loop's
        // tail once, so the trace's blocks are translated when the loop's head is first compiled.
        f.put("trace: add, call f; cmp, jb skip; add; skip: dec rcx, jnz top / f: add, jp r; add [rsp], 3; r: ret", rnd -> {
            Builder b = new Builder(rnd);
            int x = b.pick(X86CpuState.ECX);
            int y = b.pick(X86CpuState.ECX, x);
            int z = b.pick(X86CpuState.ECX, x, y);
            b.regs[X86CpuState.ECX] = 2 + rnd.nextInt(7);
            b.asm.raw(0xe8).little(33 - 5, 4); // 0: call f (33)
            b.asm.raw(0x0f, 0x1f, 0x00); // 5: nop (where f's other path returns)
            b.asm.raw(0xeb, 18 - 10); // 8: jmp after (18)
            b.asm.op(true, new int[] {0x01}, y, new Reg(x)); // 10 top: add x, y
            b.asm.raw(0xe8).little(33 - 18, 4); // 13: call f (33)
            b.asm.op(true, new int[] {0x39}, y, new Reg(x)); // 18 after: cmp x, y
            b.asm.raw(0x72, 26 - 23); // 21: jb skip (26)
            b.asm.op(true, new int[] {0x01}, x, new Reg(z)); // 23: add z, x
            b.asm.raw(0x48, 0xff, 0xc9); // 26 skip: dec rcx
            b.asm.raw(0x75, (10 - 31) & 0xff); // 29: jnz top (10)
            b.asm.raw(0xeb, 44 - 33); // 31: jmp end (44)
            b.asm.op(true, new int[] {0x01}, z, new Reg(x)); // 33 f: add x, z
            b.asm.raw(0x7a, 43 - 38); // 36: jp r (43)
            b.asm.raw(0x48, 0x83, 0x04, 0x24, 0x03); // 38: add qword [rsp], 3 (returns past the nop or the cmp)
            b.asm.raw(0xc3); // 43 r: ret
            return b.build("trace");
        });
        // session 10: a trace through an indirect call (call through a register) into the callee
        // the run loop saw it go to, guarded: the loop's cmovb switches the register to another
        // function, so the guard after the call must leave the trace with rip there. The prelude
        // runs the call block once, so the run loop links it to f before the loop head compiles.
        f.put("trace: add; jmp B / B: call *t / cmp, cmovb t, u; dec rcx, jnz top / f: add; ret / g: sub; ret",
                rnd -> indirectCallLoop(rnd, false, 0x29, "indirect-call trace"));
        // session 10: the same through a trace loop whose body writes no flag before the guard
        // (not leaves them alone): the flags cross the back edge in locals, so a guard exit must
        // store that record itself, and g's adc reads the carry the previous round's cmp left.
        f.put("trace loop: not; jmp B / B: call *t / cmp, cmovb t, u; dec rcx, jnz top / f: add; ret / g: adc; ret",
                rnd -> indirectCallLoop(rnd, true, 0x11, "trace loop, flags kept across the back edge"));
        // session 10: a loop trace with a leg: top calls f, then cmp; jb S picks M (add z, x) or
        // S (sub z, x), each ending in dec rcx; jnz top. The trace loops through one of them and
        // compiles the other into the same method as a leg (both come back to top). The prelude
        // runs f, the cmp block, M and S once each with rcx = 1 (counting passes in r) before the
        // loop's head first compiles, so every block is translated when the trace forms.
        f.put("trace loop with a leg: top: add, call f; cmp, jb S; M: add, dec rcx, jnz top; S: sub, dec rcx, jnz top",
                rnd -> legLoop(rnd, 0x01, 0x29, "loop trace with a leg"));
        // session 11: the same with adc in M and sbb in S, so whichever is the leg reads the cmp's
        // carry first: the side exit jumps into the leg without writing back, the record in locals
        f.put("trace loop with a leg reading the flags: top: add, call f; cmp, jb S; M: adc, dec rcx, jnz top; S: sbb, dec rcx, jnz top",
                rnd -> legLoop(rnd, 0x11, 0x19, "loop trace with a leg reading the flags"));
        // session 20: the same shapes without the call: a call-free loop trace with a leg
        f.put("call-free trace loop with a leg: top: add, add; cmp, jb S; M: add, dec rcx, jnz top; S: sub, dec rcx, jnz top",
                rnd -> legLoop(rnd, 0x01, 0x29, "call-free loop trace with a leg", false));
        f.put("call-free trace loop with a leg reading the flags: top: add, add; cmp, jb S; M: adc, dec rcx, jnz top; S: sbb, dec rcx, jnz top",
                rnd -> legLoop(rnd, 0x11, 0x19, "call-free loop trace with a leg reading the flags", false));
        // session 11: a loop of three blocks through jmps and a jcc, no call (gzip's stored-block
        // copy): a trace loop that needs no leg. The prelude enters at B, so B and C are compiled
        // first (alone) and A, compiled last, forms the trace A B C looping back to A; the loop
        // leaves through A's jz out (the trace loop's exit), and A's adc reads the carry C's cmp
        // left across the back edge. At 0x300: the translator's loop heads outlive a case (the
        // next case's code is new), and no other form puts one there.
        f.put("call-free trace loop: jmp B / A: adc, dec rcx, jz out / B: xor; jmp C / C: rol, cmp; jmp A", rnd -> {
            Builder b = new Builder(rnd);
            int x = b.pick(X86CpuState.ECX);
            int y = b.pick(X86CpuState.ECX, x);
            int z = b.pick(X86CpuState.ECX, x, y);
            b.regs[X86CpuState.ECX] = 2 + rnd.nextInt(7);
            b.asm.raw(0xe9).little(0x308 - 5, 4); // 0: jmp B (0x308)
            for (int i = 5; i < 0x300; i++) {
                b.asm.raw(0xcc); // int3 (never run)
            }
            b.asm.op(true, new int[] {0x11}, y, new Reg(x)); // 300 A: adc x, y
            b.asm.raw(0x48, 0xff, 0xc9); // 303: dec rcx
            b.asm.raw(0x74, 0x318 - 0x308); // 306: jz out (318)
            b.asm.op(true, new int[] {0x31}, x, new Reg(z)); // 308 B: xor z, x
            b.asm.raw(0xeb, 0x30f - 0x30d); // 30b: jmp C (30f)
            b.asm.raw(0x0f, 0x0b); // 30d: ud2 (never run)
            b.asm.op(new int[0], true, false, new int[] {0xc1}, 0, new Reg(x), 1, 1 + rnd.nextInt(63)); // 30f C: rol x, k
            b.asm.op(true, new int[] {0x39}, y, new Reg(z)); // 313: cmp z, y
            b.asm.raw(0xeb, (0x300 - 0x318) & 0xff); // 316: jmp A (300)
            return b.build("call-free trace loop"); // 318 out
        });
        // opcodes that are invalid in 64-bit code: #UD (SIGILL)
        int[] invalid = {0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0xd4, 0xd5, 0xd6};
        for (int opc : invalid) {
            f.put(String.format("invalid %02x", opc), rnd -> {
                Builder b = new Builder(rnd);
                b.asm.raw(opc, 0x0a, 0x0a);
                return b.build(String.format("invalid %02x", opc));
            });
        }
        return f;
    }

    /** The flags condition code {@code cc} reads. */
    static int conditionFlags(int cc) {
        return switch (cc >> 1) {
            case 0 -> OF;
            case 1 -> CF;
            case 2 -> ZF;
            case 3 -> CF | ZF;
            case 4 -> SF;
            case 5 -> PF;
            case 6 -> SF | OF;
            default -> ZF | SF | OF;
        };
    }

    /** A random condition code that reads only {@code defined} flags. */
    static int definedCondition(Random rnd, int defined) {
        while (true) {
            int cc = rnd.nextInt(16);
            if ((conditionFlags(cc) & defined) == conditionFlags(cc)) {
                return cc;
            }
        }
    }

    /**
     * A flag-setting instruction of each size followed in the same block by the instructions that
     * read its flags (setcc, cmovcc, inc keeping CF, then setcc again and jcc): the translator
     * answers these from the instruction's operands without a flag record, so every condition is
     * checked against the host after every producer kind and size.
     */
    /**
     * SSE2's packed integer, packed floating-point and conversion forms on xmm0-xmm15 (REX.R and
     * REX.B pick xmm8-15), from a register or a 16-byte-aligned m128: what glibc's string routines
     * (pcmpeqb, pmovmskb, pminub, por, psubb) and vectorised loops run. Source values by kind:
     * I any bits, C a shift count (small or not) in the low quadword, D doubles and S floats, each
     * lane ordinary or special (NaN, infinities, zeros, denormals).
     */
    static void sse2Forms(Map<String, Function<Random, Case>> f) {
        Object[][] table = {
            // prefix (0: none), second opcode byte, name, kind, immediate byte (-1: none, 8: any, 7: a predicate 0-7)
            {0x66, 0x60, "punpcklbw", "I", -1}, {0x66, 0x61, "punpcklwd", "I", -1}, {0x66, 0x63, "packsswb", "I", -1},
            {0x66, 0x64, "pcmpgtb", "I", -1}, {0x66, 0x65, "pcmpgtw", "I", -1}, {0x66, 0x66, "pcmpgtd", "I", -1},
            {0x66, 0x67, "packuswb", "I", -1}, {0x66, 0x68, "punpckhbw", "I", -1}, {0x66, 0x69, "punpckhwd", "I", -1},
            {0x66, 0x6a, "punpckhdq", "I", -1}, {0x66, 0x6b, "packssdw", "I", -1}, {0x66, 0x6c, "punpcklqdq", "I", -1},
            {0x66, 0x6d, "punpckhqdq", "I", -1}, {0x66, 0x74, "pcmpeqb", "I", -1}, {0x66, 0x75, "pcmpeqw", "I", -1},
            {0x66, 0x76, "pcmpeqd", "I", -1}, {0x66, 0x70, "pshufd", "I", 8}, {0xf3, 0x70, "pshufhw", "I", 8},
            {0xf2, 0x70, "pshuflw", "I", 8}, {0x66, 0xd1, "psrlw", "C", -1}, {0x66, 0xd2, "psrld", "C", -1},
            {0x66, 0xd3, "psrlq", "C", -1}, {0x66, 0xd5, "pmullw", "I", -1}, {0x66, 0xd8, "psubusb", "I", -1},
            {0x66, 0xd9, "psubusw", "I", -1}, {0x66, 0xda, "pminub", "I", -1}, {0x66, 0xdb, "pand", "I", -1},
            {0x66, 0xdc, "paddusb", "I", -1}, {0x66, 0xdd, "paddusw", "I", -1}, {0x66, 0xde, "pmaxub", "I", -1},
            {0x66, 0xdf, "pandn", "I", -1}, {0x66, 0xe0, "pavgb", "I", -1}, {0x66, 0xe1, "psraw", "C", -1},
            {0x66, 0xe2, "psrad", "C", -1}, {0x66, 0xe3, "pavgw", "I", -1}, {0x66, 0xe4, "pmulhuw", "I", -1},
            {0x66, 0xe5, "pmulhw", "I", -1}, {0x66, 0xe8, "psubsb", "I", -1}, {0x66, 0xe9, "psubsw", "I", -1},
            {0x66, 0xea, "pminsw", "I", -1}, {0x66, 0xeb, "por", "I", -1}, {0x66, 0xec, "paddsb", "I", -1},
            {0x66, 0xed, "paddsw", "I", -1}, {0x66, 0xee, "pmaxsw", "I", -1}, {0x66, 0xf1, "psllw", "C", -1},
            {0x66, 0xf2, "pslld", "C", -1}, {0x66, 0xf3, "psllq", "C", -1}, {0x66, 0xf4, "pmuludq", "I", -1},
            {0x66, 0xf5, "pmaddwd", "I", -1}, {0x66, 0xf6, "psadbw", "I", -1}, {0x66, 0xf8, "psubb", "I", -1},
            {0x66, 0xf9, "psubw", "I", -1}, {0x66, 0xfa, "psubd", "I", -1}, {0x66, 0xfb, "psubq", "I", -1},
            {0x66, 0xfc, "paddb", "I", -1}, {0x66, 0xfd, "paddw", "I", -1},
            {0x66, 0x51, "sqrtpd", "D", -1}, {0x66, 0x54, "andpd", "D", -1}, {0x66, 0x55, "andnpd", "D", -1},
            {0x66, 0x56, "orpd", "D", -1}, {0x66, 0x57, "xorpd", "D", -1}, {0x66, 0x59, "mulpd", "D", -1},
            {0x66, 0x5c, "subpd", "D", -1}, {0x66, 0x5d, "minpd", "D", -1}, {0x66, 0x5e, "divpd", "D", -1},
            {0x66, 0x5f, "maxpd", "D", -1}, {0x66, 0xc2, "cmppd", "D", 7}, {0x66, 0xc6, "shufpd", "D", 8},
            {0x66, 0x14, "unpcklpd", "D", -1}, {0x66, 0x15, "unpckhpd", "D", -1},
            {0, 0x51, "sqrtps", "S", -1}, {0, 0x54, "andps", "S", -1}, {0, 0x57, "xorps", "S", -1},
            {0, 0x58, "addps", "S", -1}, {0, 0x59, "mulps", "S", -1}, {0, 0x5c, "subps", "S", -1},
            {0, 0x5d, "minps", "S", -1}, {0, 0x5e, "divps", "S", -1}, {0, 0x5f, "maxps", "S", -1},
            {0, 0xc2, "cmpps", "S", 7}, {0, 0xc6, "shufps", "S", 8}, {0, 0x14, "unpcklps", "S", -1},
            {0, 0x15, "unpckhps", "S", -1}, {0xf2, 0xc2, "cmpsd", "D", 7}, {0xf3, 0xc2, "cmpss", "S", 7},
            {0xf2, 0x5d, "minsd", "D", -1}, {0xf2, 0x5f, "maxsd", "D", -1}, {0xf3, 0x5d, "minss", "S", -1},
            {0xf3, 0x5f, "maxss", "S", -1},
            {0, 0x5a, "cvtps2pd", "S", -1}, {0x66, 0x5a, "cvtpd2ps", "D", -1}, {0xf2, 0x5a, "cvtsd2ss", "D", -1},
            {0xf3, 0x5a, "cvtss2sd", "S", -1}, {0, 0x5b, "cvtdq2ps", "I", -1}, {0x66, 0x5b, "cvtps2dq", "S", -1},
            {0xf3, 0x5b, "cvttps2dq", "S", -1}, {0x66, 0xe6, "cvttpd2dq", "D", -1}, {0xf2, 0xe6, "cvtpd2dq", "D", -1},
            {0xf3, 0xe6, "cvtdq2pd", "I", -1},
            // session 26: the moves and the remaining arithmetic and logic forms compilers emit
            {0x66, 0x62, "punpckldq", "I", -1}, {0x66, 0xd4, "paddq", "I", -1}, {0x66, 0xfe, "paddd", "I", -1},
            {0x66, 0xef, "pxor", "I", -1}, {0x66, 0x6f, "movdqa", "I", -1}, {0xf3, 0x6f, "movdqu", "I", -1},
            {0x66, 0x28, "movapd", "D", -1}, {0, 0x28, "movaps", "S", -1}, {0x66, 0x10, "movupd", "D", -1},
            {0, 0x10, "movups", "S", -1}, {0x66, 0x58, "addpd", "D", -1}, {0, 0x55, "andnps", "S", -1},
            {0, 0x56, "orps", "S", -1}, {0xf2, 0x58, "addsd", "D", -1}, {0xf2, 0x59, "mulsd", "D", -1},
            {0xf2, 0x5c, "subsd", "D", -1}, {0xf2, 0x5e, "divsd", "D", -1}, {0xf2, 0x51, "sqrtsd", "D", -1},
            {0xf3, 0x58, "addss", "S", -1}, {0xf3, 0x59, "mulss", "S", -1}, {0xf3, 0x5c, "subss", "S", -1},
            {0xf3, 0x5e, "divss", "S", -1}, {0xf3, 0x51, "sqrtss", "S", -1}, {0, 0x2e, "ucomiss", "S", -1},
            {0, 0x2f, "comiss", "S", -1}, {0x66, 0x2e, "ucomisd", "D", -1}, {0x66, 0x2f, "comisd", "D", -1},
            // SSE3 (claimed since session 25)
            {0x66, 0xd0, "addsubpd", "D", -1}, {0xf2, 0xd0, "addsubps", "S", -1}, {0x66, 0x7c, "haddpd", "D", -1},
            {0x66, 0x7d, "hsubpd", "D", -1}, {0xf2, 0x7c, "haddps", "S", -1}, {0xf2, 0x7d, "hsubps", "S", -1},
            {0xf3, 0x12, "movsldup", "S", -1}, {0xf3, 0x16, "movshdup", "S", -1}, {0xf2, 0x12, "movddup", "D", -1},
        };
        for (Object[] row : table) {
            int prefix = (Integer) row[0];
            int opcode = (Integer) row[1];
            String name = (String) row[2];
            String kind = (String) row[3];
            int imm = (Integer) row[4];
            String form = name + " xmm, xmm/m128 (xmm0-15" + (imm >= 0 ? ", imm8" : "") + ")";
            f.put(form, rnd -> {
                Builder b = new Builder(rnd);
                b.xmmLanes(() -> sseLane(rnd, kind));
                Rm src;
                if (rnd.nextBoolean()) {
                    src = new Reg(rnd.nextInt(16));
                } else {
                    // legacy SSE's packed m128 operands must be 16-byte aligned
                    Mem m = b.aligned16();
                    b.putLong(m, sseLane(rnd, kind));
                    b.putLong(new Mem(m.base(), m.index(), m.scale(), m.disp() + 8), sseLane(rnd, kind));
                    src = m;
                }
                int[] prefixes = prefix == 0 ? new int[0] : new int[] {prefix};
                int immediate = imm == 7 ? rnd.nextInt(8) : rnd.nextInt(256);
                b.asm.op(prefixes, false, false, new int[] {0x0f, opcode}, rnd.nextInt(16), src, imm >= 0 ? 1 : 0, immediate);
                return b.build(form);
            });
        }
        // movlps/movhps (no prefix) and movlpd/movhpd (66): one half of an XMM register from or to an
        // m64 of any alignment, the other half kept; without a prefix a register source is
        // movhlps/movlhps (the other register's high half to the low one, or its low half to the high one)
        String[][] halves = {{"movlps", "movlpd"}, {"movlps m64", "movlpd m64"}, null, null, {"movhps", "movhpd"}, {"movhps m64", "movhpd m64"}};
        for (int opcode : new int[] {0x12, 0x13, 0x16, 0x17}) {
            for (int prefix : new int[] {0, 0x66}) {
                boolean store = (opcode & 1) != 0;
                String name = halves[opcode - 0x12][prefix == 0 ? 0 : 1];
                String form = store ? name + ", xmm (xmm0-15, any alignment)"
                        : name + " xmm, m64 (xmm0-15, any alignment" + (prefix == 0 ? "; " + (opcode == 0x12 ? "movhlps" : "movlhps") + " from a register)" : ")");
                f.put(form, rnd -> {
                    Builder b = new Builder(rnd);
                    b.xmmLanes(() -> sseLane(rnd, "I"));
                    Rm rm;
                    if (!store && prefix == 0 && rnd.nextInt(3) == 0) {
                        rm = new Reg(rnd.nextInt(16));
                    } else {
                        Mem m = (Mem) b.mem();
                        b.regs[m.base()] += rnd.nextInt(8);
                        rm = m;
                    }
                    b.asm.op(prefix == 0 ? new int[0] : new int[] {prefix}, false, false, new int[] {0x0f, opcode}, rnd.nextInt(16), rm, 0, 0);
                    return b.build(form);
                });
            }
        }
        f.put("lddqu xmm, m128 (any alignment; SSE3)", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0xf0}, rnd.nextInt(16), b.mem(), 0, 0);
            return b.build("lddqu");
        });
        // the shift-by-immediate groups 66 0f 71-73: /2 logical right, /4 arithmetic right, /6 left; 73 /3 and /7 shift bytes
        int[][] shifts = {{0x71, 2}, {0x71, 4}, {0x71, 6}, {0x72, 2}, {0x72, 4}, {0x72, 6}, {0x73, 2}, {0x73, 3}, {0x73, 6}, {0x73, 7}};
        String[] shiftNames = {"psrlw", "psraw", "psllw", "psrld", "psrad", "pslld", "psrlq", "psrldq", "psllq", "pslldq"};
        for (int k = 0; k < shifts.length; k++) {
            int[] enc = shifts[k];
            String form = shiftNames[k] + " xmm, imm8 (xmm0-15)";
            f.put(form, rnd -> {
                Builder b = new Builder(rnd);
                int count = rnd.nextInt(3) == 0 ? rnd.nextInt(256) : rnd.nextInt(20);
                b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, enc[0]}, enc[1], new Reg(rnd.nextInt(16)), 1, count);
                return b.build(form);
            });
        }
        // an XMM register to a general register: pmovmskb, movmskpd, movmskps, pextrw (r32, zero-extended into r64)
        Object[][] toGeneral = {{0x66, 0xd7, "pmovmskb", -1}, {0x66, 0x50, "movmskpd", -1}, {0, 0x50, "movmskps", -1}, {0x66, 0xc5, "pextrw", 8}};
        for (Object[] row : toGeneral) {
            int prefix = (Integer) row[0];
            int opcode = (Integer) row[1];
            String name = (String) row[2];
            int imm = (Integer) row[3];
            String form = name + " r32/r64, xmm (r8-r15, xmm0-15, REX.W or not)";
            f.put(form, rnd -> {
                Builder b = new Builder(rnd);
                int[] prefixes = prefix == 0 ? new int[0] : new int[] {prefix};
                b.asm.op(prefixes, rnd.nextBoolean(), false, new int[] {0x0f, opcode}, b.anyReg(), new Reg(rnd.nextInt(16)), imm >= 0 ? 1 : 0, rnd.nextInt(256));
                return b.build(form);
            });
        }
        // the non-temporal stores and fences glibc's large memcpy and memset use, prefetches, pause
        f.put("movnti m64, r64 / movntdq m128, xmm / sfence", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x0f, 0xc3}, b.anyReg(), b.mem());
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0xe7}, rnd.nextInt(16), b.aligned16(), 0, 0);
            b.asm.raw(0x0f, 0xae, 0xf8);
            return b.build("movnt");
        });
        f.put("lfence / mfence / pause / prefetcht0 / prefetchnta, then add", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.raw(0x0f, 0xae, 0xe8);
            b.asm.op(false, new int[] {0x0f, 0x18}, 1, b.mem());
            b.asm.raw(0x0f, 0xae, 0xf0);
            b.asm.raw(0xf3, 0x90);
            b.asm.op(false, new int[] {0x0f, 0x18}, 0, b.mem());
            b.asm.op(true, new int[] {0x01}, b.anyReg(), new Reg(b.anyReg()));
            return b.build("fences");
        });
        f.put("cmpxchg8b m64 (no REX.W: edx:eax against the quadword)", rnd -> {
            Builder b = new Builder(rnd);
            Mem m = (Mem) b.mem(X86CpuState.EAX, X86CpuState.EDX, X86CpuState.EBX, X86CpuState.ECX);
            if (rnd.nextBoolean()) {
                // equal: the store happens
                b.putLong(m, (b.regs[X86CpuState.EDX] << 32) | (b.regs[X86CpuState.EAX] & 0xffffffffL));
            }
            b.asm.op(false, new int[] {0x0f, 0xc7}, 1, m);
            b.defined = ZF;
            return b.build("cmpxchg8b");
        });
        f.put("pinsrw xmm, r32/m16, imm8 (xmm0-15, REX.W or not)", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(new int[] {0x66}, rnd.nextBoolean(), false, new int[] {0x0f, 0xc4}, rnd.nextInt(16), b.regOrMem(), 1, rnd.nextInt(256));
            return b.build("pinsrw");
        });
        // the scalar conversions from and to 32-bit general registers in 64-bit code (no REX.W)
        int[][] scalar = {{0xf2, 0x2a}, {0xf3, 0x2a}, {0xf2, 0x2c}, {0xf2, 0x2d}, {0xf3, 0x2c}, {0xf3, 0x2d}};
        String[] scalarNames = {"cvtsi2sd xmm, r/m32", "cvtsi2ss xmm, r/m32", "cvttsd2si r32, xmm/m64", "cvtsd2si r32, xmm/m64",
            "cvttss2si r32, xmm/m32", "cvtss2si r32, xmm/m32"};
        for (int k = 0; k < scalar.length; k++) {
            int[] enc = scalar[k];
            String form = scalarNames[k] + " (r8-r15, xmm0-15, zero-extending)";
            f.put(form, rnd -> {
                Builder b = new Builder(rnd);
                b.xmmLanes(() -> sseLane(rnd, enc[0] == 0xf2 ? "D" : "S"));
                if (enc[1] == 0x2a) {
                    b.asm.op(new int[] {enc[0]}, false, false, new int[] {0x0f, enc[1]}, rnd.nextInt(16), b.regOrMem(), 0, 0);
                } else {
                    Rm src = rnd.nextBoolean() ? new Reg(rnd.nextInt(16)) : b.mem();
                    if (src instanceof Mem m) {
                        b.putLong(m, sseLane(rnd, enc[0] == 0xf2 ? "D" : "S"));
                    }
                    b.asm.op(new int[] {enc[0]}, false, false, new int[] {0x0f, enc[1]}, b.anyReg(), src, 0, 0);
                }
                return b.build(form);
            });
        }
    }

    /**
     * The 8-, 16- and 32-bit forms of the integer instructions in 64-bit code: a 32-bit result
     * clears the register's upper half, 8- and 16-bit results keep the rest; without a REX prefix
     * byte registers 4-7 are AH, CH, DH and BH, with one (even an empty 0x40) SPL, BPL, SIL and DIL.
     * "8 legacy" keeps every register of the instruction (and its address) in rax-rdi, so no REX
     * byte is written.
     */
    static void narrowForms(Map<String, Function<Random, Case>> f) {
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        String[] shifts = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
        String[] sizes = {"8 legacy", "8 REX", "16", "32"};
        int[] high = {8, 9, 10, 11, 12, 13, 14, 15};
        for (String size : sizes) {
            boolean byteSize = size.startsWith("8");
            boolean legacy = size.equals("8 legacy");
            boolean rex = size.equals("8 REX");
            int bits = byteSize ? 8 : Integer.parseInt(size);
            int[] prefixes = bits == 16 ? new int[] {0x66} : new int[0];
            int wide = byteSize ? 0 : 1;
            int immBytes = bits == 32 ? 4 : bits / 8;
            for (int k = 0; k < 8; k++) {
                int kind = k;
                int defined = kind == 1 || kind == 4 || kind == 6 ? ALL & ~AF : ALL;
                String name = alu[k] + " r/m" + size + ", r" + bits + " / r" + bits + ", r/m / r/m, imm";
                f.put(name, rnd -> {
                    Builder b = new Builder(rnd);
                    int form = rnd.nextInt(4);
                    int reg = legacy ? rnd.nextInt(8) == 0 ? 4 : b.pick(high) : b.anyReg();
                    Rm rm = legacy ? (rnd.nextBoolean() ? new Reg(b.pick(high)) : b.mem(high)) : b.regOrMem();
                    switch (form) {
                        case 0 -> b.asm.op(prefixes, false, rex, new int[] {kind << 3 | wide}, reg, rm, 0, 0);
                        case 1 -> b.asm.op(prefixes, false, rex, new int[] {kind << 3 | 2 | wide}, reg, rm, 0, 0);
                        case 2 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0x80 : 0x81}, kind, rm, immBytes, rnd.nextLong());
                        default -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0x80 : 0x83}, kind, rm, 1, rnd.nextInt(256));
                    }
                    b.defined = defined;
                    return b.build(name);
                });
            }
            for (int k = 0; k < 8; k++) {
                int kind = k;
                String name = shifts[k] + " r/m" + size + ", imm8 / cl / 1";
                f.put(name, rnd -> {
                    Builder b = new Builder(rnd);
                    Rm rm = legacy ? (rnd.nextBoolean() ? new Reg(b.pick(concat(high, X86CpuState.ECX))) : b.mem(concat(high, X86CpuState.ECX)))
                            : b.regOrMem(X86CpuState.ECX);
                    // shifts by as much as the operand's width or more leave CF undefined in 8- and 16-bit forms
                    int count = rnd.nextInt(4) == 0 ? 1 : kind >= 4 && bits < 32 ? rnd.nextInt(bits) : rnd.nextInt(32);
                    switch (rnd.nextInt(3)) {
                        case 0 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xc0 : 0xc1}, kind, rm, 1, count);
                        case 1 -> {
                            b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffL) | count;
                            b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xd2 : 0xd3}, kind, rm, 0, 0);
                        }
                        default -> {
                            count = 1;
                            b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xd0 : 0xd1}, kind, rm, 0, 0);
                        }
                    }
                    b.defined = shiftFlags(kind, count);
                    return b.build(name);
                });
            }
            String name = "inc / dec / neg / not / test / mov r/m" + size;
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                int reg = legacy ? b.pick(high) : b.anyReg();
                Rm rm = legacy ? (rnd.nextBoolean() ? new Reg(b.pick(high)) : b.mem(high)) : b.regOrMem();
                switch (rnd.nextInt(8)) {
                    case 0 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xfe : 0xff}, 0, rm, 0, 0);
                    case 1 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xfe : 0xff}, 1, rm, 0, 0);
                    case 2 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xf6 : 0xf7}, 3, rm, 0, 0);
                    case 3 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xf6 : 0xf7}, 2, rm, 0, 0);
                    case 4 -> b.asm.op(prefixes, false, rex, new int[] {0x84 | wide}, reg, rm, 0, 0);
                    case 5 -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xf6 : 0xf7}, 0, rm, immBytes, rnd.nextLong());
                    case 6 -> b.asm.op(prefixes, false, rex, new int[] {0x88 | wide}, reg, rm, 0, 0);
                    default -> b.asm.op(prefixes, false, rex, new int[] {byteSize ? 0xc6 : 0xc7}, 0, rm, immBytes, rnd.nextLong());
                }
                b.defined = ALL & ~AF;
                return b.build(name);
            });
        }
    }

    /**
     * More narrow forms (xadd, xchg and cmpxchg of 8, 16 and 32 bits; movzx/movsx into 16- and
     * 32-bit registers; imul r16/r32 with an immediate), MMX through general registers and memory
     * in 64-bit code, and x87 loads and stores through r8-r15 and RIP-relative addresses.
     */
    static void moreNarrowAndFpuForms(Map<String, Function<Random, Case>> f) {
        String[] sizes = {"8", "16", "32"};
        for (String size : sizes) {
            int bits = Integer.parseInt(size);
            int[] prefixes = bits == 16 ? new int[] {0x66} : new int[0];
            int wide = bits == 8 ? 0 : 1;
            String name = "xadd / xchg / cmpxchg r/m" + size + ", r" + size + " (REX registers)";
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                int reg = b.pick(X86CpuState.EAX);
                Rm rm = b.regOrMem(X86CpuState.EAX);
                switch (rnd.nextInt(3)) {
                    case 0 -> b.asm.op(prefixes, false, bits == 8, new int[] {0x0f, 0xc0 | wide}, reg, rm, 0, 0);
                    case 1 -> b.asm.op(prefixes, false, bits == 8, new int[] {0x86 | wide}, reg, rm, 0, 0);
                    default -> {
                        if (rnd.nextBoolean() && rm instanceof Reg r) {
                            // equal: the exchange happens
                            b.regs[X86CpuState.EAX] = b.regs[r.n()];
                        }
                        b.asm.op(prefixes, false, bits == 8, new int[] {0x0f, 0xb0 | wide}, reg, rm, 0, 0);
                    }
                }
                return b.build(name);
            });
        }
        f.put("movzx / movsx r16 and r32, r/m8 and r/m16", rnd -> {
            Builder b = new Builder(rnd);
            int[] opcodes = {0xb6, 0xb7, 0xbe, 0xbf};
            int opcode = opcodes[rnd.nextInt(4)];
            boolean sixteen = (opcode & 1) == 0 && rnd.nextBoolean();
            b.asm.op(sixteen ? new int[] {0x66} : new int[0], false, rnd.nextBoolean(), new int[] {0x0f, opcode}, b.anyReg(), b.regOrMem(), 0, 0);
            return b.build("movzx/movsx narrow");
        });
        f.put("imul r16/r32, r/m, imm8/imm16/imm32", rnd -> {
            Builder b = new Builder(rnd);
            boolean sixteen = rnd.nextBoolean();
            boolean short8 = rnd.nextBoolean();
            b.asm.op(sixteen ? new int[] {0x66} : new int[0], false, false, new int[] {short8 ? 0x6b : 0x69}, b.anyReg(), b.regOrMem(),
                    short8 ? 1 : sixteen ? 2 : 4, rnd.nextInt());
            b.defined = CF | OF;
            return b.build("imul narrow");
        });
        f.put("movq mm, r64 / paddd, psubb, pxor, pcmpeqb mm, m64 / movq r/m64, mm / emms", rnd -> {
            Builder b = new Builder(rnd);
            int mm = rnd.nextInt(8);
            b.asm.op(true, new int[] {0x0f, 0x6e}, mm, new Reg(b.anyReg()));
            int[] ops = {0xfe, 0xf8, 0xef, 0x74};
            b.asm.op(false, new int[] {0x0f, ops[rnd.nextInt(4)]}, mm, b.mem());
            b.asm.op(true, new int[] {0x0f, 0x7e}, mm, b.regOrMem());
            b.asm.raw(0x0f, 0x77);
            return b.build("mmx");
        });
        f.put("fld / fild m64 through r8-r15 or [rip], fadd, fistp / fstp m64", rnd -> {
            Builder b = new Builder(rnd);
            Mem src = (Mem) b.mem(0, 1, 2, 3, 5, 6, 7);
            b.putLong(src, rnd.nextBoolean() ? Double.doubleToRawLongBits(rnd.nextInt(100000) / 8.0 - 5000) : rnd.nextInt(1 << 30) - (1 << 29));
            boolean integer = rnd.nextBoolean();
            b.asm.op(false, new int[] {integer ? 0xdf : 0xdd}, integer ? 5 : 0, src); // fild m64 / fld m64
            b.asm.op(false, new int[] {0xdc}, 0, new Rip(DATA + 8 * rnd.nextInt(60))); // fadd m64 [rip]
            b.asm.op(false, new int[] {integer ? 0xdf : 0xdd}, integer ? 7 : 3, b.mem(0, 1, 2, 3, 5, 6, 7)); // fistp / fstp m64
            return b.build("x87 m64");
        });
    }

    /**
     * lock-prefixed read-modify-writes of memory, every size: the atomic paths glibc's and
     * libstdc++'s atomics take (lock add/or/and/xor/sub/adc/sbb, inc/dec/neg/not, xadd, xchg,
     * bts/btr/btc), each checked for its result, its flags and the memory it leaves.
     */
    static void lockedForms(Map<String, Function<Random, Case>> f) {
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor"};
        for (int bits : new int[] {8, 16, 32, 64}) {
            int[] prefixes = bits == 16 ? new int[] {0xf0, 0x66} : new int[] {0xf0};
            boolean w = bits == 64;
            int wide = bits == 8 ? 0 : 1;
            int immBytes = bits == 8 ? 1 : bits == 16 ? 2 : 4;
            String name = "lock add/or/adc/sbb/and/sub/xor m" + bits + ", r / imm";
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                int kind = rnd.nextInt(alu.length);
                Rm m = b.mem();
                if (rnd.nextBoolean()) {
                    b.asm.op(prefixes, w, bits == 8, new int[] {kind << 3 | wide}, b.anyReg(), m, 0, 0);
                } else {
                    b.asm.op(prefixes, w, false, new int[] {bits == 8 ? 0x80 : 0x81}, kind, m, immBytes, rnd.nextLong());
                }
                b.defined = kind == 1 || kind == 4 || kind == 6 ? ALL & ~AF : ALL;
                return b.build(name);
            });
            String unary = "lock inc/dec/neg/not m" + bits + ", lock xadd/xchg m" + bits + ", r";
            f.put(unary, rnd -> {
                Builder b = new Builder(rnd);
                Rm m = b.mem();
                switch (rnd.nextInt(6)) {
                    case 0 -> b.asm.op(prefixes, w, false, new int[] {bits == 8 ? 0xfe : 0xff}, 0, m, 0, 0);
                    case 1 -> b.asm.op(prefixes, w, false, new int[] {bits == 8 ? 0xfe : 0xff}, 1, m, 0, 0);
                    case 2 -> b.asm.op(prefixes, w, false, new int[] {bits == 8 ? 0xf6 : 0xf7}, 3, m, 0, 0);
                    case 3 -> b.asm.op(prefixes, w, false, new int[] {bits == 8 ? 0xf6 : 0xf7}, 2, m, 0, 0);
                    case 4 -> b.asm.op(prefixes, w, bits == 8, new int[] {0x0f, 0xc0 | wide}, b.anyReg(), m, 0, 0);
                    default -> b.asm.op(prefixes, w, bits == 8, new int[] {0x86 | wide}, b.anyReg(), m, 0, 0);
                }
                b.defined = ALL;
                return b.build(unary);
            });
            if (bits >= 16) {
                String bitName = "lock bts/btr/btc m" + bits + ", imm8";
                f.put(bitName, rnd -> {
                    Builder b = new Builder(rnd);
                    b.asm.op(prefixes, w, false, new int[] {0x0f, 0xba}, 5 + rnd.nextInt(3), b.mem(), 1, rnd.nextInt(256));
                    b.defined = CF;
                    return b.build(bitName);
                });
            }
        }
    }

    /** Address-size (0x67) lea, shld/shrd by cl, enter/leave in 64-bit code. */
    static void addressAndFrameForms(Map<String, Function<Random, Case>> f) {
        f.put("lea r64/r32, [base32+index32*scale+disp] (0x67: the address wraps at 4 GiB)", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            int index = b.pick(base);
            b.regs[base] = rnd.nextBoolean() ? 0xffff_fff0L + rnd.nextInt(64) : rnd.nextLong();
            b.asm.op(new int[] {0x67}, rnd.nextBoolean(), false, new int[] {0x8d}, b.anyReg(), new Mem(base, index, rnd.nextInt(4), rnd.nextInt()), 0, 0);
            return b.build("lea a32");
        });
        for (int opcode : new int[] {0xa5, 0xad}) {
            String name = (opcode == 0xa5 ? "shld" : "shrd") + " r/m64, r64, cl / r/m32, r32, cl";
            f.put(name, rnd -> {
                Builder b = new Builder(rnd);
                boolean w = rnd.nextBoolean();
                int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(w ? 64 : 32);
                b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffL) | count | (rnd.nextBoolean() ? 0x40 : 0);
                // the count is cl masked to 6 bits (64-bit operand) or 5 (32-bit)
                count = (int) (b.regs[X86CpuState.ECX] & (w ? 63 : 31));
                b.asm.op(w, new int[] {0x0f, opcode}, b.pick(X86CpuState.ECX), b.regOrMem(X86CpuState.ECX));
                b.defined = count == 0 ? ALL : (CF | PF | ZF | SF | (count == 1 ? OF : 0));
                return b.build(name);
            });
        }
        f.put("enter imm16, 0-3 (frame pointers copied from the old frame) / leave", rnd -> {
            Builder b = new Builder(rnd);
            b.regs[X86CpuState.EBP] = STACK_TOP - 64 - 8 * rnd.nextInt(4);
            b.asm.raw(0xc8).little(8 * rnd.nextInt(8), 2).little(rnd.nextInt(4), 1);
            b.asm.op(true, new int[] {0x89}, b.pick(X86CpuState.EBP), new Mem(X86CpuState.EBP, -1, 0, -8));
            b.asm.raw(0xc9);
            return b.build("enter leave");
        });
    }

    /**
     * Segment registers as 64-bit code sees them (the selectors a 64-bit Linux process starts
     * with: CS 0x33, SS 0x2b, the rest null), moffs addresses that need all 64 bits, and xlat.
     * No pop fs: a null selector clears the FS base natively, and the harness's libc needs it.
     */
    static void segmentAndAbsoluteForms(Map<String, Function<Random, Case>> f) {
        f.put("mov r16/r32/r64, sreg and mov m16, sreg (ES CS SS DS FS GS)", rnd -> {
            Builder b = new Builder(rnd);
            int seg = rnd.nextInt(6);
            int size = rnd.nextInt(3);
            b.asm.op(size == 0 ? new int[] {0x66} : new int[0], size == 2, false, new int[] {0x8c}, seg, rnd.nextInt(4) == 0 ? b.mem() : new Reg(b.anyReg()), 0, 0);
            return b.build("mov from sreg");
        });
        f.put("push fs/gs (64-bit; 16-bit with 0x66), pop gs of the null selector, push gs", rnd -> {
            Builder b = new Builder(rnd);
            boolean narrow = rnd.nextBoolean();
            int[] prefix = narrow ? new int[] {0x66} : new int[0];
            b.asm.raw(prefix).raw(0x0f, rnd.nextBoolean() ? 0xa0 : 0xa8); // push fs / push gs
            b.asm.op(false, new int[] {0x31}, X86CpuState.EAX, new Reg(X86CpuState.EAX)); // xor eax, eax
            b.asm.raw(prefix).raw(0x50); // push ax / push rax: a null selector
            b.asm.raw(prefix).raw(0x0f, 0xa9); // pop gs
            b.asm.raw(prefix).raw(0x0f, 0xa8); // push gs
            b.asm.op(false, new int[] {0x8c}, 5, new Reg(b.pick(X86CpuState.EAX))); // mov r32, gs
            return b.build("push pop sreg");
        });
        f.put("movabs al/ax/eax/rax, [moffs64] and back (an address above 4 GiB)", rnd -> {
            Builder b = new Builder(rnd);
            int size = rnd.nextInt(4);
            boolean store = rnd.nextBoolean();
            int opcode = (store ? 0xa2 : 0xa0) | (size == 0 ? 0 : 1);
            long address = DATA + rnd.nextInt(DATA_SIZE - 8);
            if (size == 1) {
                b.asm.raw(0x66);
            }
            if (size == 3) {
                b.asm.raw(0x48);
            }
            b.asm.raw(opcode).little(address, 8);
            return b.build("movabs");
        });
        f.put("xlat (64-bit: al from [rbx + al], rax's other bits kept; 0x67: [ebx + al], which wraps below 4 GiB)", rnd -> {
            Builder b = new Builder(rnd);
            boolean wrap = rnd.nextInt(4) == 0;
            b.regs[X86CpuState.EBX] = DATA + rnd.nextInt(DATA_SIZE - 256);
            if (wrap) {
                b.asm.raw(0x67);
            }
            b.asm.raw(0xd7);
            return b.build("xlat");
        });
    }

    /** One 64-bit lane of an SSE source: any bits (I), a shift count (C), two doubles' worth (D) or two floats (S). */
    static long sseLane(Random rnd, String kind) {
        return switch (kind) {
            case "C" -> rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(70);
            case "D" -> rnd.nextBoolean() ? specialDouble(rnd) : Double.doubleToRawLongBits(rnd.nextInt(4000) / 16.0 - 120);
            case "S" -> (rnd.nextBoolean() ? specialFloat(rnd) : Float.floatToRawIntBits(rnd.nextInt(4000) / 16.0f - 120)) & 0xffffffffL
                    | (long) (rnd.nextBoolean() ? specialFloat(rnd) : Float.floatToRawIntBits(rnd.nextInt(400) / 8.0f)) << 32;
            default -> rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 0x8000_8000_8000_8000L : 0x7f7f_0101_ff00_8080L) : rnd.nextLong();
        };
    }

    static void flagConsumerForms(Map<String, Function<Random, Case>> f) {
        String[] producers = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test", "inc", "dec", "neg", "shl", "shr", "sar", "imul",
            "rol", "ror", "shl cl", "shr cl", "sar cl"};
        int[] sizes = {8, 16, 32, 64};
        for (int p = 0; p < producers.length; p++) {
            for (int size : sizes) {
              for (boolean rotateFirst : new boolean[] {false, true}) {
                int kind = p;
                String producer = producers[p];
                if ((kind >= 15 && size < 32) && !(kind == 15 && size == 16)) {
                    continue; // imul r8 does not exist; 8/16-bit rotates and shifts by cl are called, covered elsewhere
                }
                if (rotateFirst && (size < 32 || !(kind == 0 || kind == 6 || kind == 9 || kind == 12 || kind == 15))) {
                    continue;
                }
                // session 17: a rotate before the producer leaves CF, OF and its base record in
                // locals, which the producer's record makes dead (a shift's or imul's record keeps
                // its own CF and OF in the same locals)
                String name = (rotateFirst ? "rol/ror r64, then " : "") + producer + " " + size + " then setcc/cmovcc/inc/jcc";
                f.put(name, rnd -> {
                    Builder b = new Builder(rnd);
                    int[] prefix = size == 16 ? new int[] {0x66} : new int[0];
                    boolean w = size == 64;
                    boolean rex = size == 8;
                    int dst = b.anyReg();
                    Rm rm = rnd.nextBoolean() ? new Reg(dst) : b.mem();
                    int src = b.pick(rm instanceof Mem m ? new int[] {m.base(), m.index()} : new int[] {dst});
                    if (rotateFirst) {
                        int[] keep = rm instanceof Mem m ? new int[] {m.base(), m.index(), X86CpuState.ECX} : new int[] {X86CpuState.ECX};
                        int rotated = b.pick(keep);
                        // a record first, so the rotate's own record stays in locals on top of it
                        b.asm.op(new int[0], true, false, new int[] {0x29}, b.anyReg(), new Reg(b.pick(keep)), 0, 0); // sub r64, r64
                        b.asm.op(new int[0], true, false, new int[] {0xc1}, rnd.nextInt(2), new Reg(rotated), 1, 1 + rnd.nextInt(63)); // rol/ror r64, n
                    }
                    if (rnd.nextInt(4) == 0 && rm instanceof Reg) {
                        b.regs[src] = b.regs[dst]; // equal operands: ZF and the orderings' edges
                    }
                    int defined;
                    if (kind < 8) {
                        b.asm.op(prefix, w, rex, new int[] {kind << 3 | (size == 8 ? 0 : 1)}, src, rm, 0, 0);
                        defined = kind == 1 || kind == 4 || kind == 6 ? ALL & ~AF : ALL;
                    } else if (kind == 8) {
                        b.asm.op(prefix, w, rex, new int[] {size == 8 ? 0x84 : 0x85}, src, rm, 0, 0);
                        defined = ALL & ~AF;
                    } else if (kind <= 11) {
                        int sub = kind == 9 ? 0 : kind == 10 ? 1 : 3;
                        b.asm.op(prefix, w, rex, new int[] {size == 8 ? (sub == 3 ? 0xf6 : 0xfe) : (sub == 3 ? 0xf7 : 0xff)}, sub, rm, 0, 0);
                        defined = ALL;
                    } else if (kind <= 14) {
                        int count = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(size - 1);
                        int sub = kind == 12 ? 4 : kind == 13 ? 5 : 7;
                        b.asm.op(prefix, w, rex, new int[] {size == 8 ? 0xc0 : 0xc1}, sub, rm, 1, count);
                        defined = shiftFlags(sub, count);
                    } else if (kind >= 16) {
                        if (rnd.nextBoolean()) { // a record before: the rotate keeps its SF ZF PF, a zero count all of it
                            int[] keep = rm instanceof Mem m ? new int[] {src, X86CpuState.ECX, m.base(), m.index()} : new int[] {src, X86CpuState.ECX};
                            b.asm.op(prefix, w, false, new int[] {0x29}, src, new Reg(b.pick(keep)), 0, 0);
                        }
                        int sub = kind == 16 ? 0 : kind == 17 ? 1 : kind == 18 ? 4 : kind == 19 ? 5 : 7;
                        int count;
                        if (kind <= 17) {
                            count = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(size - 1);
                            b.asm.op(prefix, w, false, new int[] {0xc1}, sub, rm, 1, count);
                        } else {
                            if (rm instanceof Reg r && r.n() == X86CpuState.ECX) {
                                rm = new Reg(b.pick(X86CpuState.ECX));
                            } else if (rm instanceof Mem m && (m.base() == X86CpuState.ECX || m.index() == X86CpuState.ECX)) {
                                rm = new Reg(b.pick(X86CpuState.ECX)); // cl is the count
                            }
                            count = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(256);
                            b.regs[X86CpuState.ECX] = (b.regs[X86CpuState.ECX] & ~0xffL) | count;
                            b.asm.op(prefix, w, false, new int[] {0xd3}, sub, rm, 0, 0);
                        }
                        defined = shiftFlags(sub, count & (size - 1));
                    } else {
                        Rm source = rm;
                        rm = new Reg(dst);
                        b.asm.op(prefix, w, false, new int[] {0x0f, 0xaf}, dst, source, 0, 0);
                        defined = CF | OF;
                    }
                    int avoid = rm instanceof Mem m ? m.base() : -1;
                    int set = b.pick(avoid);
                    b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 + definedCondition(rnd, defined)}, 0, new Reg(set), 0, 0);
                    int moved = b.pick(avoid);
                    b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0x0f, 0x40 + definedCondition(rnd, defined)}, moved, new Reg(b.pick(avoid)), 0, 0);
                    if (rnd.nextBoolean()) { // inc keeps the producer's CF and sets the rest
                        int counter = b.pick(avoid);
                        b.asm.op(new int[0], rnd.nextBoolean(), false, new int[] {0xff}, 0, new Reg(counter), 0, 0);
                        defined = (ALL & ~CF) | (defined & CF);
                        b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 + definedCondition(rnd, defined)}, 0, new Reg(b.pick(avoid)), 0, 0);
                    }
                    int skipped = b.pick(avoid);
                    b.asm.raw(0x70 + definedCondition(rnd, defined), 3);
                    b.asm.raw(0x48 | (skipped >> 3), 0xff, 0xc0 + (skipped & 7)); // inc r64, skipped when taken
                    b.defined = defined;
                    return b.build(name);
                });
              }
            }
        }
    }

    /**
     * Several accesses through one base register in one block: the compiled block tests their
     * page once (a verified window) and reaches them at offsets from one host address. The forms
     * move the base between accesses (add, lea, a load into the base itself, push/pop/call/ret
     * moving rsp) so a window kept past a change of its register would read the wrong bytes.
     */
    static void windowForms(Map<String, Function<Random, Case>> f) {
        f.put("window: loads, stores and read-modify-writes of 8-64 bits through one base", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            b.regs[base] = DATA + 128 + (rnd.nextInt(512) & ~7);
            int r1 = b.pick(base);
            int r2 = b.pick(base, r1);
            b.asm.op(true, new int[] {0x8b}, r1, new Mem(base, -1, 0, rnd.nextInt(128) - 64));
            b.asm.op(true, new int[] {0x01}, r1, new Mem(base, -1, 0, rnd.nextInt(128) - 64));
            b.asm.op(false, new int[] {0x89}, r2, new Mem(base, -1, 0, rnd.nextInt(128) - 64));
            b.asm.op(false, new int[] {0x0f, 0xb6}, r2, new Mem(base, -1, 0, rnd.nextInt(128) - 64));
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x2b}, r1, new Mem(base, -1, 0, rnd.nextInt(128) - 64), 0, 0);
            b.asm.op(new int[0], true, false, new int[] {0xc1}, 4, new Mem(base, -1, 0, rnd.nextInt(128) - 64), 1, 1 + rnd.nextInt(63));
            b.asm.op(new int[0], false, true, new int[] {0x30}, r2, new Mem(base, -1, 0, rnd.nextInt(128) - 64), 0, 0);
            b.defined = ALL & ~AF;
            return b.build("window rmw");
        });
        f.put("window: the base moves between accesses (add, lea, a load into the base)", rnd -> {
            Builder b = new Builder(rnd);
            int base = b.anyReg();
            int start = 64 + (rnd.nextInt(256) & ~7);
            b.regs[base] = DATA + start;
            int r1 = b.pick(base);
            int r2 = b.pick(base, r1);
            int next = 512 + (rnd.nextInt(256) & ~7);
            int at = rnd.nextInt(8) * 8;
            for (int i = 0; i < 8; i++) { // the pointer the base loads from [base + at] after the lea
                b.data[start + 48 + at + i] = (byte) ((DATA + next) >>> (8 * i));
            }
            b.asm.op(true, new int[] {0x8b}, r1, new Mem(base, -1, 0, 8));
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(base), 1, 16); // add base, 16
            b.asm.op(true, new int[] {0x89}, r1, new Mem(base, -1, 0, 8));
            b.asm.op(true, new int[] {0x33}, r2, new Mem(base, -1, 0, 0));
            b.asm.op(true, new int[] {0x8d}, base, new Mem(base, -1, 0, 32)); // lea base, [base + 32]
            b.asm.op(true, new int[] {0x01}, r2, new Mem(base, -1, 0, -8));
            b.asm.op(true, new int[] {0x8b}, base, new Mem(base, -1, 0, at));
            b.asm.op(true, new int[] {0x8b}, r1, new Mem(base, -1, 0, 16));
            b.asm.op(true, new int[] {0x29}, r2, new Mem(base, -1, 0, 24));
            return b.build("window base moves");
        });
        f.put("window: pushes, pops, call and ret moving rsp between stack accesses", rnd -> {
            Builder b = new Builder(rnd);
            int r1 = b.anyReg();
            int r2 = b.pick(r1);
            int r3 = b.pick(r1, r2);
            b.asm.raw(0x40 | (r1 >> 3), 0x50 + (r1 & 7)); // push r1
            b.asm.op(true, new int[] {0x8b}, r3, new Mem(X86CpuState.ESP, -1, 0, 8));
            b.asm.raw(0x40 | (r2 >> 3), 0x50 + (r2 & 7)); // push r2
            b.asm.op(true, new int[] {0x01}, r3, new Mem(X86CpuState.ESP, -1, 0, 8)); // add [rsp+8], r3
            b.asm.raw(0xe8).little(2, 4); // call the ret, which returns to the jmp over it
            b.asm.raw(0xeb, 0x01);
            b.asm.raw(0xc3);
            b.asm.raw(0x40 | (r2 >> 3), 0x50 + (r2 & 7)); // push r2
            b.asm.op(new int[0], true, false, new int[] {0x83}, 0, new Reg(X86CpuState.ESP), 1, 8); // add rsp, 8
            b.asm.raw(0x40 | (r3 >> 3), 0x58 + (r3 & 7)); // pop r3
            b.asm.op(true, new int[] {0x8b}, r2, new Mem(X86CpuState.ESP, -1, 0, -16));
            b.asm.raw(0x40 | (r1 >> 3), 0x58 + (r1 & 7)); // pop r1
            b.asm.op(true, new int[] {0x89}, r1, new Mem(X86CpuState.ESP, -1, 0, 0));
            return b.build("window stack");
        });
    }

    /**
     * Instructions the compiled 64-bit block emits inline (wide mul/imul, cqo/cdq/cdqe/cwde,
     * xchg of two registers, nops) or calls without reloading the registers and with the flag
     * record kept in locals (SSE ops; ucomisd, which returns its flags), each followed in the same
     * block by readers of what it wrote.
     */
    static void inlineAndCallForms(Map<String, Function<Random, Case>> f) {
        f.put("mul/imul r/m64 then setc, seto and cmovc in one block", rnd -> {
            Builder b = new Builder(rnd);
            Rm src = b.regOrMem(X86CpuState.EAX, X86CpuState.EDX);
            b.asm.op(new int[0], true, false, new int[] {0xf7}, rnd.nextBoolean() ? 4 : 5, src, 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x92}, 0, new Reg(b.pick(X86CpuState.EAX, X86CpuState.EDX)), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90}, 0, new Reg(b.pick(X86CpuState.EAX, X86CpuState.EDX)), 0, 0);
            b.asm.op(true, new int[] {0x0f, 0x42}, b.pick(X86CpuState.EAX, X86CpuState.EDX), new Reg(b.anyReg()));
            b.defined = CF | OF;
            return b.build("wide multiply");
        });
        f.put("cqo / cdq / cdqe / cwde in sequence", rnd -> {
            Builder b = new Builder(rnd);
            int[][] forms = {{0x48, 0x99}, {0x99}, {0x48, 0x98}, {0x98}};
            for (int i = 0; i < 4; i++) {
                b.asm.raw(forms[rnd.nextInt(4)]);
                b.asm.op(true, new int[] {0x01}, X86CpuState.EDX, new Reg(b.pick(X86CpuState.EAX, X86CpuState.EDX)));
                if (rnd.nextBoolean()) {
                    b.asm.op(true, new int[] {0x8b}, X86CpuState.EAX, new Reg(b.anyReg()));
                }
            }
            return b.build("sign-extend accumulator");
        });
        f.put("bsf/bsr of 16, 32 and 64 bits (a zero source into itself) then setz and cmovz", rnd -> {
            Builder b = new Builder(rnd);
            int size = 16 << rnd.nextInt(3);
            int[] prefix = size == 16 ? new int[] {0x66} : new int[0];
            int dst = b.anyReg();
            Rm src = b.regOrMem(dst);
            if (src instanceof Reg r && (b.regs[r.n()] & (-1L >>> (64 - size))) == 0) {
                b.regs[r.n()] |= 1L << rnd.nextInt(size);
            }
            if (src instanceof Mem) {
                for (int i = 0; i < DATA_SIZE; i += 2) {
                    b.data[i] |= 1;
                }
            }
            if (rnd.nextInt(4) == 0) { // a zero source: ZF set, the destination (the source itself here) kept
                b.regs[dst] &= ~(-1L >>> (64 - size));
                src = new Reg(dst);
            }
            b.asm.op(prefix, size == 64, false, new int[] {0x0f, rnd.nextBoolean() ? 0xbc : 0xbd}, dst, src, 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x94}, 0, new Reg(b.pick(dst)), 0, 0);
            b.asm.op(true, new int[] {0x0f, 0x44}, b.pick(dst), new Reg(b.anyReg()));
            b.defined = ZF;
            return b.build("bit scan");
        });
        f.put("popcnt / lzcnt of 16, 32 and 64 bits (zero and all-ones sources too) then setz, setc and cmovz", rnd -> {
            Builder b = new Builder(rnd);
            int size = 16 << rnd.nextInt(3);
            int[] prefix = size == 16 ? new int[] {0x66, 0xf3} : new int[] {0xf3};
            boolean lzcnt = rnd.nextBoolean();
            long mask = -1L >>> (64 - size);
            int dst = b.anyReg();
            Rm src = rnd.nextInt(4) == 0 ? new Reg(dst) : b.regOrMem(dst);
            int special = rnd.nextInt(5);
            if (src instanceof Reg r && special < 2) { // a zero or an all-ones source
                b.regs[r.n()] = special == 0 ? b.regs[r.n()] & ~mask : b.regs[r.n()] | mask;
            }
            if (src instanceof Mem && special < 2) {
                java.util.Arrays.fill(b.data, special == 0 ? (byte) 0 : (byte) -1);
            }
            b.asm.op(prefix, size == 64, false, new int[] {0x0f, lzcnt ? 0xbd : 0xb8}, dst, src, 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, rnd.nextBoolean() ? 0x94 : 0x92}, 0, new Reg(b.pick(dst)), 0, 0);
            b.asm.op(true, new int[] {0x0f, 0x44}, b.pick(dst), new Reg(b.anyReg()));
            // lzcnt leaves OF SF AF PF undefined; popcnt clears them
            b.defined = lzcnt ? CF | ZF : ALL;
            return b.build(lzcnt ? "lzcnt" : "popcnt");
        });
        f.put("lock prefix on read-modify-writes of memory (taken) and on anything else (#UD)", rnd -> {
            Builder b = new Builder(rnd);
            int reg = b.anyReg();
            Rm mem = b.mem(reg);
            Rm any = rnd.nextBoolean() ? mem : new Reg(b.pick(reg));
            int[] lock = {0xf0};
            boolean w = rnd.nextBoolean();
            switch (rnd.nextInt(14)) {
                case 0 -> b.asm.op(lock, w, false, new int[] {rnd.nextInt(7) * 8 + 1}, reg, any, 0, 0); // add/or/adc/sbb/and/sub/xor r/m, r
                case 1 -> b.asm.op(lock, w, false, new int[] {rnd.nextInt(7) * 8 + 3}, reg, any, 0, 0); // the r, r/m direction
                case 2 -> b.asm.op(lock, w, false, new int[] {0x83}, rnd.nextInt(8), any, 1, rnd.nextInt(256)); // /7 is cmp
                case 3 -> b.asm.op(lock, w, false, new int[] {0xf7}, 2 + rnd.nextInt(2), any, 0, 0); // not / neg
                case 4 -> b.asm.op(lock, w, false, new int[] {0xff}, rnd.nextInt(2), any, 0, 0); // inc / dec
                case 5 -> b.asm.op(lock, w, false, new int[] {0x87}, reg, any, 0, 0); // xchg
                case 6 -> b.asm.op(lock, w, false, new int[] {0x0f, 0xa3 + 8 * rnd.nextInt(4)}, reg & 7, any, 0, 0); // bt/bts/btr/btc
                case 7 -> b.asm.op(lock, w, false, new int[] {0x0f, 0xc1}, reg, any, 0, 0); // xadd
                case 8 -> b.asm.op(lock, w, false, new int[] {0x0f, 0xb1}, reg, any, 0, 0); // cmpxchg
                case 9 -> b.asm.op(lock, w, false, new int[] {0x89}, reg, any, 0, 0); // mov: never
                case 10 -> b.asm.op(lock, w, false, new int[] {0x85}, reg, any, 0, 0); // test: never
                case 11 -> b.asm.op(new int[] {0xf0, 0xf3}, w, false, new int[] {0x0f, 0xb8}, reg, any, 0, 0); // popcnt: never
                case 12 -> b.asm.op(lock, w, false, new int[] {0x0f, 0xaf}, reg, any, 0, 0); // imul: never
                default -> b.asm.op(lock, w, false, new int[] {0x0f, 0xbc}, reg, any, 0, 0); // bsf: never
            }
            b.defined = CF | ZF | SF | PF; // bt* leaves OF and AF undefined; the rest agree where they trap
            return b.build("lock");
        });
        f.put("xchg r64, r64 then add", rnd -> {
            Builder b = new Builder(rnd);
            int x = b.anyReg();
            int y = rnd.nextInt(4) == 0 ? x : b.anyReg();
            b.asm.op(true, new int[] {0x87}, x, new Reg(y));
            b.asm.op(true, new int[] {0x01}, y, new Reg(x));
            return b.build("xchg");
        });
        f.put("nops between a compare and its setcc", rnd -> {
            Builder b = new Builder(rnd);
            b.asm.op(true, new int[] {0x39}, b.anyReg(), b.regOrMem());
            b.asm.raw(0x90);
            b.asm.raw(0x0f, 0x1f, 0x44, 0x00, 0x00);
            b.asm.raw(0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 | rnd.nextInt(16)}, 0, new Reg(b.anyReg()), 0, 0);
            return b.build("nops");
        });
        f.put("a compare's flags kept across SSE ops (addsd, movsd load, movapd) to setcc and adc", rnd -> {
            Builder b = new Builder(rnd);
            int x = b.anyReg();
            b.asm.op(true, new int[] {0x39}, x, new Reg(b.anyReg()));
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x58}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
            b.asm.op(new int[] {0xf2}, false, false, new int[] {0x0f, 0x10}, rnd.nextInt(16), b.mem(x), 0, 0);
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, 0x28}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 | rnd.nextInt(16)}, 0, new Reg(b.anyReg()), 0, 0);
            b.asm.op(true, new int[] {0x11}, b.anyReg(), new Reg(b.anyReg()));
            return b.build("flags across sse");
        });
        f.put("ucomisd / comisd then seta, setp, setb and adc", rnd -> {
            Builder b = new Builder(rnd);
            for (int i = 0; i < 32; i += 2) {
                if (rnd.nextInt(3) > 0) { // mostly ordinary doubles, so the unordered case is not all there is
                    b.xmm[i] = Double.doubleToLongBits((rnd.nextInt(7) - 3) * 0.5);
                }
            }
            b.asm.op(true, new int[] {0x01}, b.anyReg(), new Reg(b.anyReg())); // a record the compare replaces
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2e : 0x2f}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x97}, 0, new Reg(b.anyReg()), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x9a}, 0, new Reg(b.anyReg()), 0, 0);
            b.asm.op(new int[0], false, true, new int[] {0x0f, 0x92}, 0, new Reg(b.anyReg()), 0, 0);
            b.asm.op(true, new int[] {0x11}, b.anyReg(), new Reg(b.anyReg()));
            return b.build("ucomisd");
        });
        String[] logicNames = {"test", "and", "or", "xor"};
        int[] logicOpcodes = {0x85, 0x21, 0x09, 0x31};
        for (int k = 0; k < 4; k++) {
            int opcode = logicOpcodes[k];
            f.put(logicNames[k] + " r64 ending a block (jmp to the next), then setcc and cmovcc of any condition in the next block", rnd -> {
                // the exit stores a 64-bit logic record as a 32-bit one with the same SF, ZF and
                // PF: results with only high bits (8-15 too), only the sign bit, only the low byte, or 0
                Builder b = new Builder(rnd);
                int x = b.anyReg();
                int y = rnd.nextBoolean() ? x : b.anyReg();
                for (int r : new int[] {x, y}) {
                    long v = rnd.nextLong();
                    b.regs[r] = switch (rnd.nextInt(7)) {
                        case 0 -> 0;
                        case 1 -> 1L << (8 + rnd.nextInt(56));
                        case 2 -> 1L << (8 + rnd.nextInt(8));
                        case 3 -> v & 0xff;
                        case 4 -> v | Long.MIN_VALUE;
                        case 5 -> (v & 0xff) | Long.MIN_VALUE;
                        default -> v;
                    };
                }
                b.asm.op(true, new int[] {opcode}, y, new Reg(x));
                b.asm.raw(0xeb, 0x00); // jmp to the next instruction: its block reads the flags from the state
                for (int i = 0; i < 2; i++) {
                    b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 | rnd.nextInt(16)}, 0, new Reg(b.anyReg()), 0, 0);
                }
                b.asm.op(true, new int[] {0x0f, 0x40 | rnd.nextInt(16)}, b.anyReg(), new Reg(b.anyReg()));
                b.defined = ALL & ~AF; // AF is undefined after a logic op
                return b.build("wide logic across blocks");
            });
        }
        f.put("ucomisd / comisd then setcc and cmovcc of any condition, maybe a rotate, its flags left at the block's end", rnd -> {
            // the compiled block keeps the comparison's bits in locals: every condition reads them
            // there, a rotate takes them as its base, and the block's exit stores them
            Builder b = new Builder(rnd);
            for (int i = 0; i < 32; i += 2) {
                if (rnd.nextInt(3) > 0) {
                    b.xmm[i] = Double.doubleToLongBits((rnd.nextInt(7) - 3) * 0.5);
                }
            }
            b.asm.op(true, new int[] {0x29}, b.anyReg(), new Reg(b.anyReg())); // a record the compare replaces
            b.asm.op(new int[] {0x66}, false, false, new int[] {0x0f, rnd.nextBoolean() ? 0x2e : 0x2f}, rnd.nextInt(16), new Reg(rnd.nextInt(16)), 0, 0);
            for (int k = 0; k < 3; k++) {
                b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 | rnd.nextInt(16)}, 0, new Reg(b.anyReg()), 0, 0);
            }
            b.asm.op(true, new int[] {0x0f, 0x40 | rnd.nextInt(16)}, b.anyReg(), new Reg(b.anyReg()));
            b.defined = ALL;
            if (rnd.nextBoolean()) {
                int kind = rnd.nextInt(2); // rol, ror
                int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(64);
                b.asm.op(new int[0], true, false, new int[] {0xc1}, kind, new Reg(b.anyReg()), 1, count);
                b.asm.op(new int[0], false, true, new int[] {0x0f, 0x90 | rnd.nextInt(16)}, 0, new Reg(b.anyReg()), 0, 0);
                b.defined = shiftFlags(kind, count);
            }
            return b.build("ucomisd conditions");
        });
    }

    static int shiftFlags(int kind, int count) {
        if (count == 0) {
            return ALL;
        }
        int of = count == 1 ? OF : 0;
        if (kind < 4) { // rotates touch only CF and OF
            return ALL & ~OF | of;
        }
        return (CF | PF | ZF | SF | of);
    }

    static Case doubleShift(Random rnd, int opcode) {
        Builder b = new Builder(rnd);
        int count = rnd.nextInt(4) == 0 ? 1 : rnd.nextInt(64);
        b.asm.op(new int[0], true, false, new int[] {0x0f, opcode}, b.anyReg(), b.regOrMem(), 1, count);
        b.defined = count == 0 ? ALL : (CF | PF | ZF | SF | (count == 1 ? OF : 0));
        return b.build(opcode == 0xa4 ? "shld" : "shrd");
    }

    static Case bitScan(Random rnd, int opcode) {
        Builder b = new Builder(rnd);
        Rm src = b.regOrMem();
        if (src instanceof Reg r && b.regs[r.n()] == 0) {
            b.regs[r.n()] = 1L << rnd.nextInt(64);
        }
        if (src instanceof Mem) {
            for (int i = 0; i < DATA_SIZE; i++) {
                if (b.data[i] == 0) {
                    b.data[i] = 1;
                }
            }
        }
        b.asm.op(true, new int[] {0x0f, opcode}, b.anyReg(), src);
        b.defined = ZF;
        return b.build(opcode == 0xbc ? "bsf" : "bsr");
    }

    @Test
    void longModeInstructionsMatchTheHostCpu() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the native oracle needs an x86-64 host");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "host gcc is needed to build the native harness");
        Path harness = DifferentialRunner.buildHarness("long_mode_harness.c", "long_mode_harness", "/usr/bin/gcc", "-O1");
        Random rnd = new Random(0x64_64_64L);
        List<Case> cases = new ArrayList<>();
        Map<String, Function<Random, Case>> forms = forms();
        for (var form : forms.entrySet()) {
            for (int i = 0; i < CASES_PER_FORM; i++) {
                Case c = form.getValue().apply(rnd);
                cases.add(new Case(form.getKey(), c.code(), c.regs(), c.rflags(), c.xmm(), c.data(), c.definedFlags()));
            }
        }
        List<Result> expected = runOracle(harness, cases);
        List<String> failures = new ArrayList<>();
        int traps = 0;
        for (int threshold : new int[] {0, 1}) {
            try (GuestMemory memory = new GuestMemory(37)) { // code and data just above 64 GiB
                memory.map(CODE, 4096, GuestMemory.READ | GuestMemory.EXEC);
                memory.map(DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
                X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
                cpu.setCodeMode(X86Cpu.MODE_64);
                cpu.setCompileThreshold(threshold);
                for (int i = 0; i < cases.size(); i++) {
                    Case c = cases.get(i);
                    Result ours = runOurs(cpu, memory, c);
                    if (threshold == 0 && expected.get(i).trap() != 0) {
                        traps++;
                    }
                    String diff = expected.get(i).difference(ours, c.definedFlags());
                    if (diff != null && failures.size() < 40) {
                        failures.add((threshold == 0 ? "[interpreted] " : "[compiled] ") + c.describe() + ": host vs ours: " + diff);
                    }
                }
            }
        }
        System.out.printf("x86-64 long-mode differential test against the host CPU: %d instruction forms, %d cases (%d trapping), each interpreted and compiled, %d mismatches%n",
                forms.size(), cases.size(), traps, failures.size());
        failures.forEach(f -> System.out.println("  " + f));
        assertThat(failures).isEmpty();
    }

    private static List<Result> runOracle(Path harness, List<Case> cases) throws Exception {
        Process p = new ProcessBuilder(harness.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII))) {
                for (Case c : cases) {
                    w.write(c.harnessLine());
                    w.newLine();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        List<Result> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(Result.parse(line));
            }
        }
        writer.join();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).hasSize(cases.size());
        return out;
    }

    /** Runs a case until the ud2 appended after its code (a #UD there is the normal end). */
    private static Result runOurs(X86Cpu cpu, GuestMemory memory, Case c) {
        byte[] code = Arrays.copyOf(c.code(), c.code().length + 2);
        code[code.length - 2] = 0x0f;
        code[code.length - 1] = 0x0b;
        memory.load(CODE, code, 0, code.length);
        memory.load(DATA, new byte[4096], 0, 4096);
        memory.load(DATA, c.data(), 0, c.data().length);
        cpu.flushTranslations();
        X86CpuState s = cpu.state;
        new X86CpuState().copyInto(s); // a fresh x87/SSE state, as the harness process has
        // the selectors of a 64-bit Linux process (X86_64LinuxAbi.startProcess), as the harness has
        Arrays.fill(s.segSelector, 0);
        s.segSelector[X86CpuState.CS] = 0x33;
        s.segSelector[X86CpuState.SS] = 0x2b;
        System.arraycopy(c.regs(), 0, s.regs, 0, 16);
        System.arraycopy(c.xmm(), 0, s.xmm, 0, 32);
        s.setEflags(c.rflags());
        s.mxcsr = 0x1f80;
        s.rip = CODE;
        CpuExit exit = cpu.run();
        assertThat(exit).isEqualTo(CpuExit.TRAP);
        GuestTrap trap = cpu.lastTrap();
        if (trap.signal() != GuestTrap.SIGILL || s.rip != CODE + c.code().length) {
            return new Result(trap.signal(), null, 0, null, null);
        }
        byte[] data = new byte[DATA_SIZE];
        memory.read(DATA, data, 0, data.length);
        return new Result(0, s.regs.clone(), s.eflags(), s.xmm.clone(), data);
    }
}
