package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.SystemOps;

/** cli, sti, hlt, int n, into, iret and popf, with the IOPL and privilege rules of protected mode. */
final class InterruptOps {
    /** EFLAGS bits iret may change at CPL 0 (VM stays clear: no virtual-8086 mode here). */
    static final int WRITABLE_AT_CPL0 = 0x3d7fd5;
    private static final int IOPL = 3 << 12;
    private static final int NT = 1 << 14;
    private static final int RF = 1 << 16;
    private static final int VM = 1 << 17;

    private InterruptOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /**
     * The EFLAGS image popf or iret installs, as the privilege level that runs it may change them
     * (SDM vol. 2, POPF and IRET): IOPL only at CPL 0, IF only when CPL <= IOPL; VM never here.
     */
    static int mergeFlags(int old, int popped, int cpl) {
        int writable = WRITABLE_AT_CPL0 & ~VM;
        if (cpl > 0) {
            writable &= ~IOPL;
            if (cpl > ((old & IOPL) >>> 12)) {
                writable &= ~X86CpuState.IF;
            }
        }
        return (old & ~writable) | (popped & writable);
    }

    /** cli: #GP(0) when CPL > IOPL (no virtual interrupt flags). */
    static final class ClearInterruptFlag extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            PrivilegeChecks.requireIopl(system(cpu));
            cpu.state.eflagsOther &= ~X86CpuState.IF;
        }
    }

    /**
     * sti: a pending request is taken at the next block boundary, so the instruction after sti
     * (the "sti; hlt" idiom) still runs first, as the one-instruction interrupt shadow promises.
     */
    static final class SetInterruptFlag extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            PrivilegeChecks.requireIopl(sys);
            cpu.state.eflagsOther |= X86CpuState.IF;
            sys.checkPendingInterrupt();
        }
    }

    /** hlt (translated only at CPL 0; elsewhere it is #GP(0)). */
    static final class Halt extends X86OpBase {
        private final long next;

        Halt(long next) {
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.setProgramCounter(next);
            cpu.endRunWith(CpuExit.HALT);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /**
     * int n at {@code address}: the CPU loop delivers vector n through the IDT with eip after the
     * instruction; the trap carries the instruction's own address for a fault on the way.
     */
    static X86Op softwareInterrupt(int vector, long address) {
        return new SystemOps.Trap(new X86Trap(new GuestTrap(SystemCpu.SOFTWARE_INTERRUPT, 0, address, vector, 0), true));
    }

    /** into: vector 4 as a software interrupt when OF is set. */
    static final class InterruptOnOverflow extends X86OpBase {
        private static final X86Trap OVERFLOW = new X86Trap(new GuestTrap(SystemCpu.SOFTWARE_OVERFLOW, 0, 0, 4, 0), true);

        @Override
        public void exec(X86Cpu cpu) {
            if ((cpu.state.eflags() & X86CpuState.OF) != 0) {
                throw OVERFLOW;
            }
        }
    }

    /**
     * iret in protected mode (32- or 16-bit frame): to the same privilege level, or to an outer
     * one with SS:ESP popped too and the data segment registers the outer ring may not use
     * nulled (SDM vol. 2, IRET); with EFLAGS.NT set, back to the linked task. Nothing changes
     * until every check passed. Returns to virtual-8086 mode are not built.
     */
    static final class InterruptReturn extends X86OpBase {
        private final int bits;
        /** The address after iret: the outgoing task's saved EIP on a return to the linked task. */
        private final int next;

        InterruptReturn(int bits, int next) {
            this.bits = bits;
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            if ((s.eflagsOther & NT) != 0) {
                // a nested task returns to the task its TSS links back to (SDM vol. 3, 7.4)
                int link = sys.readSystem16(sys.tss.base);
                s.setEip(next);
                sys.taskSwitch.switchTo(link, TaskSwitch.Kind.RETURN, -1);
                sys.checkPendingInterrupt();
                return;
            }
            StackReader stack = new StackReader(cpu, bits);
            int eip = stack.pop();
            int cs = stack.pop() & 0xffff;
            int popped = stack.pop();
            int flags = bits == 32 ? popped : (s.eflags() & ~0xffff) | (popped & 0xffff);
            int cpl = sys.cpl();
            if (bits == 32 && (flags & VM) != 0 && cpl == 0) {
                throw new UnsupportedGuestFeature("iret to virtual-8086 mode is not supported under TCG in this build");
            }
            long code = sys.loader.codeDescriptor(cs);
            int returnCpl = rpl(cs);
            if (returnCpl < cpl) {
                throw ProtectionFaults.badSelector(cs);
            }
            if (SegmentDescriptors.conforming(code) ? dpl(code) > returnCpl : dpl(code) != returnCpl) {
                throw ProtectionFaults.badSelector(cs);
            }
            SegmentLoader.requirePresent(code, cs);
            int newFlags = mergeFlags(s.eflags(), flags, cpl);
            if (returnCpl == cpl) {
                sys.loader.enterCode(cs, code, cpl);
                s.setReg32(X86CpuState.ESP, stack.esp());
            } else {
                int esp = stack.pop();
                int ss = stack.pop() & 0xffff;
                long stackDescriptor = sys.loader.stackDescriptorFor(ss, returnCpl, false);
                sys.loader.enterCode(cs, code, returnCpl);
                sys.loader.enterStack(ss, stackDescriptor);
                s.setReg32(X86CpuState.ESP, bits == 32 ? esp : (s.reg32(X86CpuState.ESP) & ~0xffff) | (esp & 0xffff));
                sys.loader.nullInaccessibleDataSegments(returnCpl);
            }
            s.setEflags(newFlags);
            s.setEip(bits == 16 ? eip & 0xffff : eip);
            sys.checkPendingInterrupt();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** popf: IF and IOPL change only as the privilege level allows; RF is cleared, VM kept clear. */
    static final class PopFlags extends X86OpBase {
        private final int bits;

        PopFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            StackReader stack = new StackReader(cpu, bits);
            int popped = stack.pop();
            int old = s.eflags();
            int flags = bits == 32 ? popped : (old & ~0xffff) | (popped & 0xffff);
            s.setEflags(mergeFlags(old, flags, sys.cpl()) & ~RF);
            s.setReg32(X86CpuState.ESP, stack.esp());
            sys.checkPendingInterrupt();
        }
    }
}
