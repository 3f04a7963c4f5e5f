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
 * The gdbstub's view of an {@link X86Cpu} (user and system mode): GDB's i386 register file
 * over {@link X86CpuState}, little-endian. The x87 pointer registers (fiseg..fop) read as 0
 * and the st registers are read-only: the FPU keeps neither in a form GDB could set.
 */
public final class X86DebugSupport implements CpuDebugSupport {
    /** GDB's segment order (cs ss ds es fs gs) as indexes into {@link X86CpuState#segSelector}. */
    private static final int[] SEGMENTS = {X86CpuState.CS, X86CpuState.SS, X86CpuState.DS, X86CpuState.ES,
            X86CpuState.FS, X86CpuState.GS};

    @Override
    public TargetDescription description() {
        return TargetDescriptions.I386;
    }

    @Override
    public DebugRegisters registers(Object cpu) {
        return new Registers((X86Cpu) cpu);
    }

    @Override
    public void installHook(Object cpu, InstructionHook hook) {
        ((X86Cpu) cpu).setInstructionHook(hook);
    }

    private record Registers(X86Cpu cpu) implements DebugRegisters {
        @Override
        public byte[] read(int regnum) {
            X86CpuState s = cpu.state;
            if (regnum >= 0 && regnum < 8) {
                return le32(s.reg32(regnum));
            }
            if (regnum >= 16 && regnum < 24) {
                Float80 v = s.fpu.peek(regnum - 16);
                return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(v.significand()).putShort((short) v.signExponent()).array();
            }
            if (regnum >= 32 && regnum < 40) {
                int i = regnum - 32;
                return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(s.xmm[2 * i]).putLong(s.xmm[2 * i + 1]).array();
            }
            return switch (regnum) {
                case 8 -> le32(s.eip());
                case 9 -> le32(s.eflags());
                case 10, 11, 12, 13, 14, 15 -> le32(s.segSelector[SEGMENTS[regnum - 10]]);
                case 24 -> le32(s.fpu.controlWord());
                case 25 -> le32(s.fpu.statusWord());
                case 26 -> le32(s.fpu.tagWord());
                case 27, 28, 29, 30, 31 -> le32(0);
                case 40 -> le32(s.mxcsr);
                default -> null;
            };
        }

        @Override
        public boolean write(int regnum, byte[] value) {
            TargetDescription.Register r = TargetDescriptions.I386.register(regnum);
            if (r == null || value.length != r.bytes()) {
                return false;
            }
            X86CpuState s = cpu.state;
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            if (regnum < 8) {
                s.setReg32(regnum, b.getInt());
                return true;
            }
            if (regnum >= 32 && regnum < 40) {
                int i = regnum - 32;
                s.xmm[2 * i] = b.getLong();
                s.xmm[2 * i + 1] = b.getLong();
                return true;
            }
            switch (regnum) {
                case 8 -> s.setEip(b.getInt());
                case 9 -> s.setEflags(b.getInt() & ~0x2);
                case 10, 11, 12, 13, 14, 15 -> s.segSelector[SEGMENTS[regnum - 10]] = b.getInt() & 0xffff;
                case 24 -> s.fpu.setControlWord(b.getInt());
                case 25 -> s.fpu.setStatusWord(b.getInt());
                case 26 -> s.fpu.setTagWord(b.getInt());
                case 40 -> s.mxcsr = b.getInt();
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long programCounter() {
            return cpu.state.eip() & 0xffffffffL;
        }

        private static byte[] le32(int v) {
            return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
        }
    }
}
