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
 * The gdbstub's view of an {@link X86Cpu} running 64-bit code ({@code qemu-x86_64}): GDB's
 * x86-64 register file ({@link TargetDescriptions#X86_64}) over {@link X86CpuState}'s 64-bit
 * registers, little-endian. As in {@link X86DebugSupport}, the x87 pointer registers read as 0
 * and st0-7 are read-only.
 */
public final class LongModeDebugSupport implements CpuDebugSupport {
    /** GDB numbers rax rbx rcx rdx rsi rdi rbp rsp; the CPU keeps them in encoding order (rax rcx rdx rbx rsp rbp rsi rdi). */
    private static final int[] GDB_TO_ENCODING = {0, 3, 1, 2, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int[] SEGMENTS = {X86CpuState.CS, X86CpuState.SS, X86CpuState.DS, X86CpuState.ES,
            X86CpuState.FS, X86CpuState.GS};

    @Override
    public TargetDescription description() {
        return TargetDescriptions.X86_64;
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
            if (regnum >= 0 && regnum < 16) {
                return le(8).putLong(s.regs[GDB_TO_ENCODING[regnum]]).array();
            }
            if (regnum >= 24 && regnum < 32) {
                Float80 v = s.fpu.peek(regnum - 24);
                return le(10).putLong(v.significand()).putShort((short) v.signExponent()).array();
            }
            if (regnum >= 40 && regnum < 56) {
                int i = regnum - 40;
                return le(16).putLong(s.xmm[2 * i]).putLong(s.xmm[2 * i + 1]).array();
            }
            return switch (regnum) {
                case 16 -> le(8).putLong(s.rip).array();
                case 17 -> le(4).putInt(s.eflags()).array();
                case 18, 19, 20, 21, 22, 23 -> le(4).putInt(s.segSelector[SEGMENTS[regnum - 18]]).array();
                case 32 -> le(4).putInt(s.fpu.controlWord()).array();
                case 33 -> le(4).putInt(s.fpu.statusWord()).array();
                case 34 -> le(4).putInt(s.fpu.tagWord()).array();
                case 35, 36, 37, 38, 39 -> le(4).putInt(0).array();
                case 56 -> le(4).putInt(s.mxcsr).array();
                default -> null;
            };
        }

        @Override
        public boolean write(int regnum, byte[] value) {
            TargetDescription.Register r = TargetDescriptions.X86_64.register(regnum);
            if (r == null || value.length != r.bytes()) {
                return false;
            }
            X86CpuState s = cpu.state;
            ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
            if (regnum < 16) {
                s.regs[GDB_TO_ENCODING[regnum]] = b.getLong();
                return true;
            }
            if (regnum >= 40 && regnum < 56) {
                int i = regnum - 40;
                s.xmm[2 * i] = b.getLong();
                s.xmm[2 * i + 1] = b.getLong();
                return true;
            }
            switch (regnum) {
                case 16 -> s.rip = b.getLong();
                case 17 -> s.setEflags(b.getInt() & ~0x2);
                case 18, 19, 20, 21, 22, 23 -> s.segSelector[SEGMENTS[regnum - 18]] = b.getInt() & 0xffff;
                case 32 -> s.fpu.setControlWord(b.getInt());
                case 33 -> s.fpu.setStatusWord(b.getInt());
                case 34 -> s.fpu.setTagWord(b.getInt());
                case 56 -> s.mxcsr = b.getInt();
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long programCounter() {
            return cpu.state.rip;
        }

        private static ByteBuffer le(int bytes) {
            return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}
