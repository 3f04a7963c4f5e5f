package org.qemu.ppc.cpu;

/**
 * FPSCR bit masks (Power ISA Book I 4.2.2), written as Java masks of the 32-bit register:
 * ISA bit n (32..63) is {@code 1 << (63 - n)}.
 */
public final class Fpscr {
    public static final int FX = 1 << 31;
    public static final int FEX = 1 << 30;
    public static final int VX = 1 << 29;
    public static final int OX = 1 << 28;
    public static final int UX = 1 << 27;
    public static final int ZX = 1 << 26;
    public static final int XX = 1 << 25;
    public static final int VXSNAN = 1 << 24;
    public static final int VXISI = 1 << 23;
    public static final int VXIDI = 1 << 22;
    public static final int VXZDZ = 1 << 21;
    public static final int VXIMZ = 1 << 20;
    public static final int VXVC = 1 << 19;
    public static final int FR = 1 << 18;
    public static final int FI = 1 << 17;
    /** FPRF: the result class C and the condition code FL FG FE FU (FPCC). */
    public static final int FPRF_SHIFT = 12;
    public static final int FPRF = 0x1f << FPRF_SHIFT;
    public static final int VXSOFT = 1 << 10;
    public static final int VXSQRT = 1 << 9;
    public static final int VXCVI = 1 << 8;
    public static final int VE = 1 << 7;
    public static final int OE = 1 << 6;
    public static final int UE = 1 << 5;
    public static final int ZE = 1 << 4;
    public static final int XE = 1 << 3;
    public static final int NI = 1 << 2;
    public static final int RN = 3;

    /** Every invalid-operation cause; VX is their OR. */
    public static final int ALL_VX = VXSNAN | VXISI | VXIDI | VXZDZ | VXIMZ | VXVC | VXSOFT | VXSQRT | VXCVI;
    /** Sticky exception bits: setting one that was clear also sets FX. */
    public static final int EXCEPTIONS = OX | UX | ZX | XX | ALL_VX;

    public static final int ROUND_NEAREST = 0;
    public static final int ROUND_TOWARD_ZERO = 1;
    public static final int ROUND_UP = 2;
    public static final int ROUND_DOWN = 3;

    /** The enables VE, OE, UE, ZE, XE: each sits {@link #ENABLE_DISTANCE} bits below its exception VX, OX, UX, ZX, XX. */
    private static final int ENABLES = VE | OE | UE | ZE | XE;
    private static final int ENABLE_DISTANCE = 22;

    /**
     * Recomputes the summary bits VX (any invalid-operation cause) and FEX (any exception whose
     * enable is set). Without branches: every inexact floating-point result inlines this into the
     * block classes, where each branch was profiled by C1, had a side to prune for C2, and the
     * whole counted against C2's inlining budget (the n-body trace ran out of it).
     */
    public static int summarize(int fpscr) {
        // The VX causes and the enabled-exception bits are small positive ints: negated, the sign bit says "any".
        int v = (fpscr & ~VX) | (-(fpscr & ALL_VX) >> 31 & VX);
        int enabled = (v >>> ENABLE_DISTANCE) & v & ENABLES;
        return (v & ~FEX) | (-enabled >> 31 & FEX);
    }

    /** Raises exception bits: FX is set when any of them goes from 0 to 1 (ISA 4.2.2, bit 32). */
    public static int raise(int fpscr, int exceptions) {
        int newly = exceptions & ~fpscr & EXCEPTIONS;
        return summarize(fpscr | exceptions | (-newly >> 31 & FX));
    }

    private Fpscr() {
    }
}
