package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * sysenter and sysexit (Intel SDM vol. 2): flat ring-0 and ring-3 segments derived from
 * IA32_SYSENTER_CS (MSR 0x174) without reading the GDT, ESP and EIP from MSRs 0x175/0x176 on
 * the way in, from ECX/EDX on the way out. CPUID does not claim SEP (the kernel then enters
 * through int 0x80), but the instructions work for code that uses them regardless.
 */
final class FastSystemCallOps {
    static final int MSR_SYSENTER_CS = 0x174;
    static final int MSR_SYSENTER_ESP = 0x175;
    static final int MSR_SYSENTER_EIP = 0x176;
    private static final int RF = 1 << 16;
    private static final int VM = 1 << 17;

    private FastSystemCallOps() {
    }

    private static int sysenterCs(SystemCpu sys) {
        int cs = (int) (long) sys.modelSpecificRegisters.getOrDefault(MSR_SYSENTER_CS, 0L) & 0xffff;
        if (!sys.protectedMode() || SegmentDescriptors.isNull(cs)) {
            throw ProtectionFaults.generalProtection(0);
        }
        return cs;
    }

    static final class SystemEnter extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = (SystemCpu) cpu.systemContext();
            int cs = sysenterCs(sys) & 0xfffc;
            X86CpuState s = cpu.state;
            s.eflagsOther &= ~(VM | X86CpuState.IF | RF);
            sys.loader.enterFlat(cs, SegmentDescriptors.FLAT_KERNEL_CODE32, cs + 8, SegmentDescriptors.FLAT_KERNEL_DATA, 0);
            s.setReg32(X86CpuState.ESP, (int) (long) sys.modelSpecificRegisters.getOrDefault(MSR_SYSENTER_ESP, 0L));
            s.setEip((int) (long) sys.modelSpecificRegisters.getOrDefault(MSR_SYSENTER_EIP, 0L));
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** sysexit (translated only at CPL 0). */
    static final class SystemExit extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = (SystemCpu) cpu.systemContext();
            int cs = sysenterCs(sys);
            X86CpuState s = cpu.state;
            sys.loader.enterFlat(((cs + 16) & 0xfffc) | 3, SegmentDescriptors.FLAT_USER_CODE32, ((cs + 24) & 0xfffc) | 3,
                    SegmentDescriptors.FLAT_USER_DATA, 3);
            s.setReg32(X86CpuState.ESP, s.reg32(X86CpuState.ECX));
            s.setEip(s.reg32(X86CpuState.EDX));
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }
}
