package org.qemu.i386.gdb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.qemu.common.gdbstub.CpuDebugSupport;
import org.qemu.common.gdbstub.DebugRegisters;
import org.qemu.common.gdbstub.InstructionHook;
import org.qemu.common.gdbstub.TargetDescription;
import org.qemu.common.gdbstub.TargetDescriptions;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.fp.Float80;

/**
 * The gdbstub's view of an {@link X86Cpu}: GDB's i386 register file (user and system mode) or
 * its x86-64 one ({@code qemu-x86_64}), little-endian. Both files have the same order after the
 * general registers: pc, eflags, six segment selectors, st0-7, eight x87 control registers, one
 * xmm register per general register, mxcsr. The x87 pointer registers (fiseg..fop) read as 0
 * and st0-7 are read-only: the FPU keeps neither in a form GDB could set.
 */
public final class X86DebugSupport implements CpuDebugSupport {
    /** GDB's segment order (cs ss ds es fs gs) as indexes into {@link X86CpuState#segSelector}. */
    private static final int[] SEGMENTS = {X86CpuState.CS, X86CpuState.SS, X86CpuState.DS, X86CpuState.ES,
            X86CpuState.FS, X86CpuState.GS};
    /** i386: GDB numbers eax..edi in encoding order. */
    private static final int[] I386_ORDER = {0, 1, 2, 3, 4, 5, 6, 7};
    /** x86-64: GDB numbers rax rbx rcx rdx rsi rdi rbp rsp r8..r15; the encoding is rax rcx rdx rbx rsp rbp rsi rdi. */
    private static final int[] X86_64_ORDER = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};

    private final TargetDescription description;
    private final int[] gdbToEncoding;
    /** Bytes of a general register and of pc: 4 or 8. */
    private final int width;

    private X86DebugSupport(TargetDescription description, int[] gdbToEncoding, int width) {
        this.description = description;
        this.gdbToEncoding = gdbToEncoding;
        this.width = width;
    }

    /** GDB's i386 register file: qemu-i386 and the system emulators. */
    public X86DebugSupport() {
        this(TargetDescriptions.I386, I386_ORDER, 4);
    }

    /** GDB's x86-64 register file: qemu-x86_64. */
    public static X86DebugSupport longMode() {
        return new X86DebugSupport(TargetDescriptions.X86_64, X86_64_ORDER, 8);
    }

    @Override
    public TargetDescription description() {
        return description;
    }

    @Override
    public DebugRegisters registers(Object cpu) {
        return new Registers((X86Cpu) cpu, this);
    }

    @Override
    public void installHook(Object cpu, InstructionHook hook) {
        ((X86Cpu) cpu).setInstructionHook(hook);
    }

    private record Registers(X86Cpu cpu, X86DebugSupport layout) implements DebugRegisters {
        @Override
        public byte[] read(int regnum) {
            X86CpuState s = cpu.state;
            int n = layout.gdbToEncoding.length;
            if (regnum >= 0 && regnum < n) {
                return word(s.regs[layout.gdbToEncoding[regnum]]);
            }
            int after = regnum - n;
            if (after >= 8 && after < 16) {
                Float80 v = s.fpu.peek(after - 8);
                return le(10).putLong(v.significand()).putShort((short) v.signExponent()).array();
            }
            if (after >= 24 && after < 24 + n) {
                int i = after - 24;
                return le(16).putLong(s.xmm[2 * i]).putLong(s.xmm[2 * i + 1]).array();
            }
            if (after == 24 + n) {
                return le(4).putInt(s.mxcsr).array();
            }
            return switch (after) {
                case 0 -> word(pc());
                case 1 -> le(4).putInt(s.eflags()).array();
                case 2, 3, 4, 5, 6, 7 -> le(4).putInt(s.segSelector[SEGMENTS[after - 2]]).array();
                case 16 -> le(4).putInt(s.fpu.controlWord()).array();
                case 17 -> le(4).putInt(s.fpu.statusWord()).array();
                case 18 -> le(4).putInt(s.fpu.tagWord()).array();
                case 19, 20, 21, 22, 23 -> le(4).putInt(0).array();
                default -> null;
            };
        }

        @Override
        public boolean write(int regnum, byte[] value) {
            TargetDescription.Register r = layout.description.register(regnum);
            if (r == null || value.length != r.bytes()) {
                return false;
            }
            X86CpuState s = cpu.state;
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            int n = layout.gdbToEncoding.length;
            if (regnum < n) {
                int encoding = layout.gdbToEncoding[regnum];
                if (layout.width == 4) {
                    s.setReg32(encoding, b.getInt());
                } else {
                    s.regs[encoding] = b.getLong();
                }
                return true;
            }
            int after = regnum - n;
            if (after >= 24 && after < 24 + n) {
                int i = after - 24;
                s.xmm[2 * i] = b.getLong();
                s.xmm[2 * i + 1] = b.getLong();
                return true;
            }
            if (after == 24 + n) {
                s.mxcsr = b.getInt();
                return true;
            }
            switch (after) {
                case 0 -> {
                    if (layout.width == 4) {
                        s.setEip(b.getInt());
                    } else {
                        s.rip = b.getLong();
                    }
                }
                case 1 -> s.setEflags(b.getInt() & ~0x2);
                case 2, 3, 4, 5, 6, 7 -> s.segSelector[SEGMENTS[after - 2]] = b.getInt() & 0xffff;
                case 16 -> s.fpu.setControlWord(b.getInt());
                case 17 -> s.fpu.setStatusWord(b.getInt());
                case 18 -> s.fpu.setTagWord(b.getInt());
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long programCounter() {
            return pc();
        }

        private long pc() {
            return layout.width == 4 ? cpu.state.eip() & 0xffffffffL : cpu.state.rip;
        }

        /** A general register or pc at the register file's width. */
        private byte[] word(long value) {
            return layout.width == 4 ? le(4).putInt((int) value).array() : le(8).putLong(value).array();
        }

        private static ByteBuffer le(int bytes) {
            return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
