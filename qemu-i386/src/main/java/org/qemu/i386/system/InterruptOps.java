package org.qemu.i386.system;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.SystemOps;

/** cli, sti, hlt, int n, iret and popf at CPL 0. */
final class InterruptOps {
    /** EFLAGS bits iret and popf may change at CPL 0 (VM stays clear: no virtual-8086 mode here). */
    static final int WRITABLE_AT_CPL0 = 0x3d7fd5;

    private InterruptOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    static final class ClearInterruptFlag implements X86Op {
        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.eflagsOther &= ~X86CpuState.IF;
        }
    }

    /**
     * sti: a pending request is taken at the next block boundary, so the instruction after sti
     * (the "sti; hlt" idiom) still runs first, as the one-instruction interrupt shadow promises.
     */
    static final class SetInterruptFlag implements X86Op {
        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.eflagsOther |= X86CpuState.IF;
            system(cpu).checkPendingInterrupt();
        }
    }

    static final class Halt implements X86Op {
        private final int next;

        Halt(int next) {
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.setEip(next);
            cpu.endRunWith(CpuExit.HALT);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** int n: the CPU loop delivers vector n through the IDT with eip after the instruction. */
    static X86Op softwareInterrupt(int vector) {
        return new SystemOps.Trap(new X86Trap(new GuestTrap(SystemCpu.SOFTWARE_INTERRUPT, 0, 0, vector, 0), true));
    }

    /** iret to the same privilege level (32- or 16-bit frame); nested tasks are not modelled. */
    static final class InterruptReturn implements X86Op {
        private final int bits;

        InterruptReturn(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            int esp = s.reg32(X86CpuState.ESP);
            int eip;
            int cs;
            int flags;
            if (bits == 32) {
                eip = sys.pop();
                cs = sys.pop() & 0xffff;
                flags = sys.pop();
            } else {
                eip = sys.pop16();
                cs = sys.pop16();
                flags = (s.eflags() & ~0xffff) | sys.pop16();
            }
            try {
                sys.segments.loadCodeSegment(s, cs);
            } catch (RuntimeException e) {
                s.setReg32(X86CpuState.ESP, esp);
                throw e;
            }
            s.setEflags(flags & WRITABLE_AT_CPL0);
            s.setEip(eip);
            sys.checkPendingInterrupt();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** popf at CPL 0: IF and IOPL may change too. */
    static final class PopFlags implements X86Op {
        private final int bits;

        PopFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            int flags = bits == 32 ? sys.pop() : (s.eflags() & ~0xffff) | sys.pop16();
            s.setEflags(flags & WRITABLE_AT_CPL0 & ~0x10000);
            sys.checkPendingInterrupt();
        }
    }
}
