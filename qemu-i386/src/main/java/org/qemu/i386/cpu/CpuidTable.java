package org.qemu.i386.cpu;

/**
 * What CPUID tells the guest. glibc picks its string and math routines from these bits, so
 * only features that are really implemented are claimed: this one table is the list.
 */
public final class CpuidTable {
    public static final int EDX_FPU = 1;
    public static final int EDX_TSC = 1 << 4;
    public static final int EDX_CX8 = 1 << 8;
    public static final int EDX_CMOV = 1 << 15;
    public static final int EDX_MMX = 1 << 23;
    public static final int EDX_FXSR = 1 << 24;
    public static final int EDX_SSE = 1 << 25;
    public static final int EDX_SSE2 = 1 << 26;

    /**
     * Leaf 1 EDX: the features implemented today. The floating-point translator adds MMX, FXSR,
     * SSE and SSE2 here once it executes them.
     */
    public static final int LEAF1_EDX = EDX_FPU | EDX_TSC | EDX_CX8 | EDX_CMOV | EDX_MMX | EDX_FXSR | EDX_SSE | EDX_SSE2;
    /**
     * Leaf 1 ECX bits: SSE3 (addsub, hadd/hsub, movddup/movsldup/movshdup, lddqu, fisttp; no
     * MONITOR) and POPCNT (of 16, 32 and 64 bits), each tested against the host CPU.
     */
    public static final int ECX_SSE3 = 1, ECX_POPCNT = 1 << 23;
    /**
     * Leaf 1 ECX of the user-mode CPUs: SSE3 and POPCNT; no SSSE3 or later (the system
     * emulators' models take both out again, {@code SystemCpuid}).
     */
    public static final int LEAF1_ECX = ECX_SSE3 | ECX_POPCNT;
    /** Family 6, model 15, stepping 1: a plain i686-class processor. */
    public static final int LEAF1_EAX = (6 << 8) | (15 << 4) | 1;

    /** Leaf 1 ECX in long mode: CMPXCHG16B (implemented and tested there). */
    public static final int ECX_CX16 = 1 << 13;
    /** Leaf 0x80000001 EDX in long mode: SYSCALL, NX, LM. */
    public static final int EXT_EDX_SYSCALL = 1 << 11, EXT_EDX_NX = 1 << 20, EXT_EDX_LM = 1 << 29;
    /**
     * Leaf 0x80000001 ECX in long mode: LAHF/SAHF in 64-bit code, LZCNT ("ABM"; 32-bit code, with
     * no such leaf, runs F3 0F BD as bsr, as processors without LZCNT do).
     */
    public static final int EXT_ECX_LAHF = 1, EXT_ECX_LZCNT = 1 << 5;

    private static final int MAX_BASIC_LEAF = 1;
    private static final int MAX_EXTENDED_LEAF = 0x80000000;
    /** "GenuineIntel" as the three registers hold it: EBX, EDX, ECX. */
    private static final int VENDOR_EBX = 0x756e6547, VENDOR_EDX = 0x49656e69, VENDOR_ECX = 0x6c65746e;

    private CpuidTable() {
    }

    /** Fills EAX, EBX, ECX, EDX for leaf {@code eax} (sub-leaf {@code ecx}), for 32-bit code. */
    public static void query(X86CpuState s) {
        query(s, false);
    }

    /**
     * Fills EAX, EBX, ECX, EDX for leaf {@code eax}; {@code longMode}: the x86_64 CPU, which
     * also claims CX16 and the extended leaf with SYSCALL, NX and LM.
     */
    public static void query(X86CpuState s, boolean longMode) {
        int leaf = s.reg32(X86CpuState.EAX);
        int a = 0, b = 0, c = 0, d = 0;
        if (leaf == 0) {
            a = MAX_BASIC_LEAF;
            b = VENDOR_EBX;
            c = VENDOR_ECX;
            d = VENDOR_EDX;
        } else if (leaf == 1) {
            a = LEAF1_EAX;
            b = 0;
            c = LEAF1_ECX | (longMode ? ECX_CX16 : 0);
            d = LEAF1_EDX;
        } else if (leaf == 0x80000000) {
            a = longMode ? 0x80000001 : MAX_EXTENDED_LEAF;
        } else if (leaf == 0x80000001 && longMode) {
            c = EXT_ECX_LAHF | EXT_ECX_LZCNT;
            d = EXT_EDX_SYSCALL | EXT_EDX_NX | EXT_EDX_LM;
        }
        s.setReg32(X86CpuState.EAX, a);
        s.setReg32(X86CpuState.EBX, b);
        s.setReg32(X86CpuState.ECX, c);
        s.setReg32(X86CpuState.EDX, d);
    }
}
