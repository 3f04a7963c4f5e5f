package org.qemu.kvm.vmm;

import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import org.qemu.common.board.BootState;
import org.qemu.common.board.BootTables;
import org.qemu.common.board.PcMemoryMap;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmIoctls;
import org.qemu.kvm.sys.KvmLayouts;
import org.qemu.kvm.sys.KvmVcpu;

/**
 * Puts a fresh vCPU into its starting state, in DESIGN.md's order: CPUID, MSRs, then (boot
 * processor only) registers, FPU, special registers, and finally the local APIC's LINT pins.
 * Application processors keep their reset state and wait for INIT/SIPI in the in-kernel APIC.
 */
final class VcpuSetup {
    private static final long CR0_PE = 1L;
    private static final long CR0_ET = 1L << 4;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LME = 1L << 8;
    private static final long EFER_LMA = 1L << 10;
    private static final int LAPIC_LVT0 = 0x350;
    private static final int LAPIC_LVT1 = 0x360;
    private static final int LVT_EXTINT = 0x700;
    private static final int LVT_NMI = 0x400;
    private static final int LVT_MASKED = 0x10000;

    /** MSRs reset the way a PC's firmware leaves them: SYSENTER/SYSCALL targets clear, fast strings, MTRRs on with write-back default. */
    private static final long[][] MSRS = {
        {0x174, 0}, {0x175, 0}, {0x176, 0},                  // SYSENTER_CS/ESP/EIP
        {0xc0000081L, 0}, {0xc0000082L, 0}, {0xc0000083L, 0}, // STAR, LSTAR, CSTAR
        {0xc0000084L, 0}, {0xc0000102L, 0},                  // SYSCALL_MASK, KERNEL_GS_BASE
        {0x10, 0},                                           // TSC
        {0x1a0, 1},                                          // MISC_ENABLE: fast strings
        {0x2ff, 0xc06},                                      // MTRRdefType: enabled, write-back
    };

    private VcpuSetup() {
    }

    static void configure(KvmVcpu vcpu, MemorySegment supportedCpuid, BootState boot) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            setCpuid(vcpu, supportedCpuid, arena);
            setMsrs(vcpu, arena);
            if (vcpu.id() == 0) {
                setRegisters(vcpu, boot, arena);
                setFpu(vcpu, arena);
                setSpecialRegisters(vcpu, boot, arena);
            }
            setLapic(vcpu, arena);
        }
    }

    private static void setCpuid(KvmVcpu vcpu, MemorySegment supported, Arena arena) throws ErrnoException {
        MemorySegment cpuid = arena.allocate(supported.byteSize(), 8);
        cpuid.copyFrom(supported);
        int count = cpuid.get(ValueLayout.JAVA_INT, 0);
        long entrySize = KvmLayouts.CPUID_ENTRY2.byteSize();
        for (int i = 0; i < count; i++) {
            long e = KvmLayouts.CPUID2.byteSize() + i * entrySize;
            int function = cpuid.get(ValueLayout.JAVA_INT, e + offset(KvmLayouts.CPUID_ENTRY2, "function"));
            long ebx = e + offset(KvmLayouts.CPUID_ENTRY2, "ebx");
            long ecx = e + offset(KvmLayouts.CPUID_ENTRY2, "ecx");
            long edx = e + offset(KvmLayouts.CPUID_ENTRY2, "edx");
            switch (function) {
                case 1 -> {
                    // Initial APIC ID in EBX[31:24]; ECX bit 31 tells the guest it runs on a hypervisor.
                    int b = cpuid.get(ValueLayout.JAVA_INT, ebx);
                    cpuid.set(ValueLayout.JAVA_INT, ebx, (b & 0x00ffffff) | (vcpu.id() << 24));
                    cpuid.set(ValueLayout.JAVA_INT, ecx, cpuid.get(ValueLayout.JAVA_INT, ecx) | (1 << 31));
                }
                case 0xb, 0x1f -> cpuid.set(ValueLayout.JAVA_INT, edx, vcpu.id()); // x2APIC ID
                default -> { }
            }
        }
        vcpu.set(KvmIoctls.SET_CPUID2, cpuid, "KVM_SET_CPUID2");
    }

    private static void setMsrs(KvmVcpu vcpu, Arena arena) throws ErrnoException {
        long entrySize = KvmLayouts.MSR_ENTRY.byteSize();
        MemorySegment msrs = arena.allocate(KvmLayouts.MSRS.byteSize() + MSRS.length * entrySize, 8);
        msrs.set(ValueLayout.JAVA_INT, 0, MSRS.length);
        for (int i = 0; i < MSRS.length; i++) {
            long e = KvmLayouts.MSRS.byteSize() + i * entrySize;
            msrs.set(ValueLayout.JAVA_INT, e + offset(KvmLayouts.MSR_ENTRY, "index"), (int) MSRS[i][0]);
            msrs.set(ValueLayout.JAVA_LONG, e + offset(KvmLayouts.MSR_ENTRY, "data"), MSRS[i][1]);
        }
        // The kernel stops at the first MSR it refuses; the rest keep their reset values.
        vcpu.set(KvmIoctls.SET_MSRS, msrs, "KVM_SET_MSRS");
    }

    private static void setRegisters(KvmVcpu vcpu, BootState boot, Arena arena) throws ErrnoException {
        MemorySegment regs = arena.allocate(KvmLayouts.REGS);
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rflags"), 0x2);
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rip"), boot.entry());
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rax"), boot.eax());
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rbx"), boot.ebx());
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rsi"), boot.rsi());
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, "rsp"), boot.stack());
        vcpu.set(KvmIoctls.SET_REGS, regs, "KVM_SET_REGS");
    }

    private static void setFpu(KvmVcpu vcpu, Arena arena) throws ErrnoException {
        MemorySegment fpu = arena.allocate(KvmLayouts.FPU);
        fpu.set(ValueLayout.JAVA_SHORT, offset(KvmLayouts.FPU, "fcw"), (short) 0x37f);
        fpu.set(ValueLayout.JAVA_INT, offset(KvmLayouts.FPU, "mxcsr"), 0x1f80);
        vcpu.set(KvmIoctls.SET_FPU, fpu, "KVM_SET_FPU");
    }

    private static void setSpecialRegisters(KvmVcpu vcpu, BootState boot, Arena arena) throws ErrnoException {
        MemorySegment sregs = vcpu.getSregs(arena);
        boolean longMode = boot.mode() == BootState.Mode.LONG_64;
        int codeSelector = longMode ? BootTables.CODE_SELECTOR : BootTables.CODE32_SELECTOR;
        flatSegment(sregs, "cs", codeSelector, 0xb, longMode);
        for (String data : new String[] {"ds", "es", "fs", "gs", "ss"}) {
            flatSegment(sregs, data, BootTables.DATA_SELECTOR, 0x3, false);
        }
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "gdt", "base"), PcMemoryMap.GDT);
        sregs.set(ValueLayout.JAVA_SHORT, offset(KvmLayouts.SREGS, "gdt", "limit"), (short) BootTables.GDT_LIMIT);
        long cr0 = CR0_PE | CR0_ET;
        if (longMode) {
            cr0 |= CR0_PG;
            sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr3"), PcMemoryMap.PML4);
            sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr4"), CR4_PAE);
            sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "efer"), EFER_LME | EFER_LMA);
        }
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr0"), cr0);
        vcpu.set(KvmIoctls.SET_SREGS, sregs, "KVM_SET_SREGS");
    }

    private static void flatSegment(MemorySegment sregs, String name, int selector, int type, boolean longCode) {
        StructLayout s = KvmLayouts.SEGMENT;
        long base = offset(KvmLayouts.SREGS, name);
        sregs.set(ValueLayout.JAVA_LONG, base + offset(s, "base"), 0);
        sregs.set(ValueLayout.JAVA_INT, base + offset(s, "limit"), 0xffffffff);
        sregs.set(ValueLayout.JAVA_SHORT, base + offset(s, "selector"), (short) selector);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "type"), (byte) type);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "present"), (byte) 1);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "dpl"), (byte) 0);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "db"), (byte) (longCode ? 0 : 1));
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "s"), (byte) 1);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "l"), (byte) (longCode ? 1 : 0));
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "g"), (byte) 1);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "avl"), (byte) 0);
        sregs.set(ValueLayout.JAVA_BYTE, base + offset(s, "unusable"), (byte) 0);
    }

    private static void setLapic(KvmVcpu vcpu, Arena arena) throws ErrnoException {
        MemorySegment lapic = arena.allocate(KvmLayouts.LAPIC_STATE);
        vcpu.get(KvmIoctls.GET_LAPIC, lapic, "KVM_GET_LAPIC");
        // The PIC's output reaches the boot CPU through LINT0 as ExtINT; LINT1 carries NMI everywhere.
        lapic.set(ValueLayout.JAVA_INT, LAPIC_LVT0, vcpu.id() == 0 ? LVT_EXTINT : LVT_EXTINT | LVT_MASKED);
        lapic.set(ValueLayout.JAVA_INT, LAPIC_LVT1, LVT_NMI);
        vcpu.set(KvmIoctls.SET_LAPIC, lapic, "KVM_SET_LAPIC");
    }
}
