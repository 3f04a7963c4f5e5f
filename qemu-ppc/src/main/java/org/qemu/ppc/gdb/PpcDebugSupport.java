package org.qemu.ppc.gdb;

import java.nio.ByteBuffer;

import org.qemu.common.gdbstub.CpuDebugSupport;
import org.qemu.common.gdbstub.DebugRegisters;
import org.qemu.common.gdbstub.InstructionHook;
import org.qemu.common.gdbstub.TargetDescription;
import org.qemu.common.gdbstub.TargetDescriptions;
import org.qemu.ppc.cpu.PpcCpuState;
import org.qemu.ppc.translate.PpcCpu;

/**
 * The gdbstub's view of a {@link PpcCpu}: GDB's 32-bit PowerPC register file, big-endian.
 * MSR reads as a Linux user thread's (problem state with FP, machine check, translation
 * and external interrupts on) and ignores writes: user mode has no MSR.
 */
public final class PpcDebugSupport implements CpuDebugSupport {
    /** PR | EE | FP | ME | IR | DR | RI. */
    static final int USER_MSR = 0x4000 | 0x8000 | 0x2000 | 0x1000 | 0x20 | 0x10 | 0x2;

    @Override
    public TargetDescription description() {
        return TargetDescriptions.POWERPC;
    }

    @Override
    public DebugRegisters registers(Object cpu) {
        return new Registers((PpcCpu) cpu);
    }

    @Override
    public void installHook(Object cpu, InstructionHook hook) {
        ((PpcCpu) cpu).setInstructionHook(hook);
    }

    private record Registers(PpcCpu cpu) implements DebugRegisters {
        @Override
        public byte[] read(int regnum) {
            PpcCpuState s = cpu.state();
            if (regnum >= 0 && regnum < 32) {
                return be32(s.gpr[regnum]);
            }
            if (regnum >= 32 && regnum < 64) {
                return ByteBuffer.allocate(8).putLong(s.fpr[regnum - 32]).array();
            }
            return switch (regnum) {
                case 64 -> be32(s.pc);
                case 65 -> be32(USER_MSR);
                case 66 -> be32(s.cr);
                case 67 -> be32(s.lr);
                case 68 -> be32(s.ctr);
                case 69 -> be32(s.xer());
                case 70 -> be32(s.fpscr);
                default -> null;
            };
        }

        @Override
        public boolean write(int regnum, byte[] value) {
            TargetDescription.Register r = TargetDescriptions.POWERPC.register(regnum);
            if (r == null || value.length != r.bytes()) {
                return false;
            }
            PpcCpuState s = cpu.state();
            ByteBuffer b = ByteBuffer.wrap(value);
            if (regnum < 32) {
                s.gpr[regnum] = b.getInt();
                return true;
            }
            if (regnum < 64) {
                s.fpr[regnum - 32] = b.getLong();
                return true;
            }
            switch (regnum) {
                case 64 -> s.pc = b.getInt();
                case 65 -> { }
                case 66 -> s.cr = b.getInt();
                case 67 -> s.lr = b.getInt();
                case 68 -> s.ctr = b.getInt();
                case 69 -> s.setXer(b.getInt());
                case 70 -> s.fpscr = b.getInt();
                default -> {
                    return false;
                }
            }
            return true;
        }

        @Override
        public long programCounter() {
            return Integer.toUnsignedLong(cpu.state().pc);
        }

        private static byte[] be32(int v) {
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
    }
}
