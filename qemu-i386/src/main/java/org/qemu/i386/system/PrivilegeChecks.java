package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * The run-time privilege rules that depend on EFLAGS.IOPL, the TSS or CR4 rather than on the
 * CPL alone (the CPL-only rules are decided at translation, blocks being keyed by the CPL):
 * cli/sti, port I/O with the TSS permission bitmap, rdtsc under CR4.TSD.
 */
final class PrivilegeChecks {
    static final int CR4_TSD = 1 << 2;

    private PrivilegeChecks() {
    }

    /** cli, sti: #GP(0) when CPL > IOPL. */
    static void requireIopl(SystemCpu sys) {
        if (sys.cpl() > sys.iopl()) {
            throw ProtectionFaults.generalProtection(0);
        }
    }

    /** in, out, ins, outs: allowed when CPL <= IOPL, else only when the TSS I/O bitmap clears every byte's bit (SDM vol. 1, 19.5). */
    static void requireIoPermission(SystemCpu sys, int port, int size) {
        if (sys.protectedMode() && sys.cpl() > sys.iopl() && !sys.tss.ioAllowed(port & 0xffff, size)) {
            throw ProtectionFaults.generalProtection(0);
        }
    }

    /** rdtsc: #GP(0) above CPL 0 when CR4.TSD is set. */
    static void requireTimeStampAccess(SystemCpu sys) {
        if ((sys.cr4 & CR4_TSD) != 0 && sys.cpl() > 0) {
            throw ProtectionFaults.generalProtection(0);
        }
    }

    /** An instruction reserved to CPL 0, translated for a block that runs above it: #GP(0) at the instruction. */
    static X86Op privilegedInstruction() {
        return new org.qemu.i386.translate.SystemOps.Trap(ProtectionFaults.generalProtection(0));
    }

    /** rdtsc in system mode: the CR4.TSD check, then the nanosecond count that stands for the TSC (as rdmsr 0x10 reads it). */
    static final class ReadTimeStampCounter extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            requireTimeStampAccess((SystemCpu) cpu.systemContext());
            long t = System.nanoTime();
            cpu.state.setReg32(org.qemu.i386.cpu.X86CpuState.EAX, (int) t);
            cpu.state.setReg32(org.qemu.i386.cpu.X86CpuState.EDX, (int) (t >>> 32));
        }
    }
}
