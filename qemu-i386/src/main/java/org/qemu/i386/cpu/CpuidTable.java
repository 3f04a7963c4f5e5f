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

    /**
     * Leaf 7 EBX in long mode: ERMS, "enhanced rep movsb/stosb". A hint, not an instruction: it
     * says that {@code rep movsb} and {@code rep stosb} are the fast way to copy and fill, which
     * they are here (one host copy or fill per page, {@code LongModeOps.StringOp}), where glibc's
     * SSE2 copy loops are code the JIT has to compile. With it, glibc's memcpy and memset take
     * {@code rep movsb}/{@code rep stosb} for sizes from 2 KiB up to the non-temporal threshold.
     */
    public static final int LEAF7_EBX_ERMS = 1 << 9;

    private static final int MAX_BASIC_LEAF = 1;
    /**
     * Long mode answers leaves 2 (cache descriptors: "see leaf 4"), 4 (the caches) and 7 (ERMS);
     * 3, 5 and 6 read as zeros.
     */
    private static final int MAX_BASIC_LEAF_LONG_MODE = 7;
    /** Leaf 2 EAX: the low byte 1 (one round), one descriptor, 0xff: "cache parameters in leaf 4". */
    private static final int LEAF2_EAX_SEE_LEAF_4 = 0x00ff0001;
    /**
     * The caches leaf 4 describes, one sub-leaf each, then a null one: {type (1 data, 2 instruction,
     * 3 unified), level, ways, line bytes, sets, inclusive}. A 32 KiB L1 data and instruction
     * cache, 256 KiB L2 and a 16 MiB inclusive L3, each for one logical processor (leaf 1 claims
     * no hyper-threading). glibc sizes its copy strategies from them (without them it found no
     * cache and sent every copy over 16 KiB to its non-temporal 4-page loops); QEMU's default
     * x86-64 model also reports a 16 MiB L3.
     */
    private static final int[][] CACHES = {
        {1, 1, 8, 64, 64, 0},
        {2, 1, 8, 64, 64, 0},
        {3, 2, 4, 64, 1024, 0},
        {3, 3, 16, 64, 16384, 1},
    };
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
            a = longMode ? MAX_BASIC_LEAF_LONG_MODE : MAX_BASIC_LEAF;
            b = VENDOR_EBX;
            c = VENDOR_ECX;
            d = VENDOR_EDX;
        } else if (leaf == 1) {
            a = LEAF1_EAX;
            b = 0;
            c = LEAF1_ECX | (longMode ? ECX_CX16 : 0);
            d = LEAF1_EDX;
        } else if (leaf == 2 && longMode) {
            a = LEAF2_EAX_SEE_LEAF_4;
        } else if (leaf == 4 && longMode) {
            int subleaf = s.reg32(X86CpuState.ECX);
            if (subleaf >= 0 && subleaf < CACHES.length) {
                int[] cache = CACHES[subleaf];
                // EAX: type, level, self-initializing (bit 8); 0 in 25:14 and 31:26, one logical
                // processor sharing it and one core in the package
                a = cache[0] | cache[1] << 5 | 1 << 8;
                b = (cache[2] - 1) << 22 | (cache[3] - 1);
                c = cache[4] - 1;
                d = cache[5] << 1;
            }
        } else if (leaf == 7 && longMode) {
            if (s.reg32(X86CpuState.ECX) == 0) {
                b = LEAF7_EBX_ERMS;
            }
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
