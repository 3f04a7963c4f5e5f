package org.qemu.i386.system;

import org.qemu.i386.cpu.CpuidTable;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * cpuid in system mode: the user-mode table plus the system features this CPU implements —
 * PSE (4 MiB pages), MSR (rdmsr/wrmsr), PAE paging, the on-chip APIC, PGE (global pages) and
 * the execute-disable bit (leaf 0x80000001 EDX.NX; LM and SYSCALL too on qemu-system-x86_64,
 * whose CPU has long mode) — and the initial APIC ID in leaf 1
 * EBX[31:24]. Nothing is claimed that does not work (no MTRR, no PSE-36).
 */
final class SystemCpuid extends X86OpBase {
    static final int EDX_PSE = 1 << 3;
    static final int EDX_MSR = 1 << 5;
    static final int EDX_APIC = 1 << 9;
    static final int EDX_PAE = 1 << 6;
    static final int EDX_PGE = 1 << 13;
    static final int SYSTEM_EDX = EDX_PSE | EDX_MSR | EDX_PAE | EDX_APIC | EDX_PGE;
    static final int EXTENDED_FEATURES = 0x80000001;
    /**
     * qemu-system-x86_64's CPU is identified as QEMU's default model for that program, qemu64:
     * "AuthenticAMD", family 15, model 107, stepping 1 (leaf 1 EAX 0x00060fb1), so a guest takes
     * the paths it takes under Debian's QEMU. Identified as the i686-class Intel part of user
     * mode, Debian's amd64 kernel found it vulnerable to Meltdown and MDS and ran with page-table
     * isolation (a CR3 write, and with it a TLB flush, at every kernel entry and exit) and buffer
     * clearing that it does not use under QEMU. qemu-system-i386 keeps the Intel identity, as
     * QEMU's qemu32 model is Intel.
     */
    static final int AMD_EBX = 0x68747541, AMD_EDX = 0x69746e65, AMD_ECX = 0x444d4163;
    static final int QEMU64_SIGNATURE = 0x00060fb1;

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        int leaf = s.reg32(X86CpuState.EAX);
        CpuidTable.query(s);
        boolean qemu64 = ((SystemCpu) cpu.systemContext()).longModeCapable();
        if (leaf == 0 && qemu64) {
            s.setReg32(X86CpuState.EBX, AMD_EBX);
            s.setReg32(X86CpuState.EDX, AMD_EDX);
            s.setReg32(X86CpuState.ECX, AMD_ECX);
        } else if (leaf == 1) {
            SystemCpu sys = (SystemCpu) cpu.systemContext();
            s.setReg32(X86CpuState.EDX, s.reg32(X86CpuState.EDX) | SYSTEM_EDX);
            // the user-mode CPU's SSE3 and POPCNT claims are not this model's (the boots were measured without them)
            s.setReg32(X86CpuState.ECX, s.reg32(X86CpuState.ECX) & ~(CpuidTable.ECX_SSE3 | CpuidTable.ECX_POPCNT));
            s.setReg32(X86CpuState.EBX, sys.apicId() << 24);
            if (qemu64) {
                s.setReg32(X86CpuState.EAX, QEMU64_SIGNATURE);
            }
        } else if (leaf == 0x80000000) {
            s.setReg32(X86CpuState.EAX, Math.max(s.reg32(X86CpuState.EAX), EXTENDED_FEATURES));
            if (qemu64) {
                s.setReg32(X86CpuState.EBX, AMD_EBX);
                s.setReg32(X86CpuState.EDX, AMD_EDX);
                s.setReg32(X86CpuState.ECX, AMD_ECX);
            }
        } else if (leaf == EXTENDED_FEATURES) {
            SystemCpu sys = (SystemCpu) cpu.systemContext();
            int longMode = sys.longModeCapable() ? CpuidTable.EXT_EDX_LM | CpuidTable.EXT_EDX_SYSCALL : 0;
            s.setReg32(X86CpuState.EDX, s.reg32(X86CpuState.EDX) | CpuidTable.EXT_EDX_NX | longMode);
        }
    }
}
