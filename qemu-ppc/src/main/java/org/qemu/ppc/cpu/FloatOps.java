package org.qemu.ppc.cpu;

import java.math.BigDecimal;

/**
 * Floating-point semantics (Power ISA Book I chapter 4) over raw double bits.
 *
 * <p>Java arithmetic rounds to nearest-even only. The other FPSCR[RN] modes come from the
 * sign of the exact rounding error, which error-free transformations give cheaply: TwoSum for
 * add/subtract, {@code fma(a, b, -p)} for multiply, the remainder {@code fma(-q, b, a)} for
 * divide and {@code fma(-q, q, a)} for square root, Boldo and Muller's ErrFma for fused
 * multiply-add. A result one ulp off in the wrong direction is then nudged with nextUp/nextDown (near the
 * subnormal range, where residuals underflow, the error comes from BigDecimal). The same
 * error sign gives FI/XX (inexact) and FR. Single-precision instructions round the double
 * result again to single in the same mode (directed roundings compose; nearest does not lose
 * anything for +,-,*,/,sqrt since 53 >= 2*24+2). Known limit: enabled overflow/underflow
 * exceptions (OE/UE=1, which Linux programs do not run with) do not rescale the result.
 */
public final class FloatOps {
    private static final long QUIET_BIT = 1L << 51;
    private static final long DEFAULT_NAN = 0x7ff8000000000000L;
    private static final long SIGN = Long.MIN_VALUE;
    /** What mffs and fctiw leave in the high word of FRT, which the ISA leaves undefined. */
    private static final long HIGH_WORD = 0xfff80000L << 32;

    /**
     * Below this magnitude an fma residual can itself underflow and lose the error's sign, so
     * the error is computed exactly with BigDecimal instead (2^-1022 * 2^53, with margin).
     */
    private static final double RESIDUAL_EXACT_ABOVE = 0x1p-960;

    static {
        // Loads Fpscr now. Only an inexact result calls into it, and C2 compiles a call into a class
        // not loaded yet as an uncommon trap: cpubench's sort phase (exact FP operations only) got
        // complete(), fmul, fmadd, addValues and fsub compiled that way, and the n-body phase's first
        // inexact result then threw all of them away for recompilation (-XX:+LogCompilation,
        // reason 'unloaded'): the JVM loads a class at its first use, not with its callers.
        Fpscr.summarize(0);
    }

    private FloatOps() {
    }

    // ---- single <-> double formats (the ISA's DOUBLE() and SINGLE() for loads and stores) -----

    public static long singleToDoubleBits(int w) {
        int exp = (w >>> 23) & 0xff;
        if (exp == 0xff) {
            return ((long) (w >>> 31) << 63) | 0x7ff0000000000000L | ((long) (w & 0x7fffff) << 29);
        }
        return Double.doubleToRawLongBits(Float.intBitsToFloat(w));
    }

    public static int doubleToSingleBits(long bits) {
        int sign = (int) (bits >>> 63) << 31;
        int exp = (int) (bits >>> 52) & 0x7ff;
        if (exp == 0x7ff) {
            return sign | 0x7f800000 | (int) ((bits >>> 29) & 0x7fffff);
        }
        if (exp > 896) {
            // In single range (or above): the ISA stores exponent and leading fraction bits as they are.
            return sign | ((exp - 896) & 0xff) << 23 | (int) ((bits >>> 29) & 0x7fffff);
        }
        return Float.floatToRawIntBits((float) Double.longBitsToDouble(bits));
    }

    // ---- classification ----------------------------------------------------------------------

    private static boolean isNaN(long bits) {
        return (bits & ~SIGN) > 0x7ff0000000000000L;
    }

    private static boolean isSignalling(long bits) {
        return isNaN(bits) && (bits & QUIET_BIT) == 0;
    }

    /** FPRF codes (C, FL, FG, FE, FU), ISA table "Floating-Point Result Flags". */
    static int resultClass(double d, boolean single) {
        if (Double.isNaN(d)) {
            return 0x11;
        }
        boolean negative = Double.doubleToRawLongBits(d) < 0;
        if (Double.isInfinite(d)) {
            return negative ? 0x09 : 0x05;
        }
        if (d == 0) {
            return negative ? 0x12 : 0x02;
        }
        double min = single ? Float.MIN_NORMAL : Double.MIN_NORMAL;
        if (Math.abs(d) < min) {
            return negative ? 0x18 : 0x14;
        }
        return negative ? 0x08 : 0x04;
    }

    private static void setFprf(PpcCpuState s, int cls) {
        s.fpscr = (s.fpscr & ~Fpscr.FPRF) | cls << Fpscr.FPRF_SHIFT;
    }

    /** Rc=1 on floating-point instructions: CR1 = FX, FEX, VX, OX. */
    private static void recordCr1(PpcCpuState s, int rc) {
        if (rc != 0) {
            IntegerOps.setCrField(s, 1, s.fpscr >>> 28);
        }
    }

    private static void raise(PpcCpuState s, int exceptions) {
        s.fpscr = Fpscr.raise(s.fpscr, exceptions);
    }

    // ---- NaN and invalid-operation results -----------------------------------------------------

    /** The first NaN among the operands in the ISA's priority order, made quiet; an SNaN raises VXSNAN. */
    private static boolean propagateNaN(PpcCpuState s, int frt, int single, int rc, long... operands) {
        long chosen = 0;
        boolean found = false;
        boolean signalling = false;
        for (long op : operands) {
            if (isNaN(op)) {
                signalling |= isSignalling(op);
                if (!found) {
                    chosen = op;
                    found = true;
                }
            }
        }
        if (!found) {
            return false;
        }
        s.fpscr &= ~(Fpscr.FI | Fpscr.FR);
        if (signalling) {
            raise(s, Fpscr.VXSNAN);
            if ((s.fpscr & Fpscr.VE) != 0) {
                recordCr1(s, rc);
                return true;
            }
        }
        long r = chosen | QUIET_BIT;
        if (single != 0) {
            r &= ~((1L << 29) - 1);
        }
        s.fpr[frt] = r;
        setFprf(s, 0x11);
        recordCr1(s, rc);
        return true;
    }

    private static void invalid(PpcCpuState s, int frt, int cause, int rc) {
        s.fpscr &= ~(Fpscr.FI | Fpscr.FR);
        raise(s, cause);
        if ((s.fpscr & Fpscr.VE) == 0) {
            s.fpr[frt] = DEFAULT_NAN;
            setFprf(s, 0x11);
        }
        recordCr1(s, rc);
    }

    // ---- rounding -----------------------------------------------------------------------------

    private static int mode(PpcCpuState s) {
        return s.fpscr & Fpscr.RN;
    }

    /** Moves a nearest-rounded result one ulp when the mode says the exact value lies on the other side. */
    static double roundDirected(double r, int errorSign, int mode) {
        if (errorSign == 0 || mode == Fpscr.ROUND_NEAREST) {
            return r;
        }
        return switch (mode) {
            // A zero result already is the value nearest zero (its sign is the exact value's).
            case Fpscr.ROUND_TOWARD_ZERO -> r != 0 && (errorSign > 0) != (r > 0) ? (r > 0 ? Math.nextDown(r) : Math.nextUp(r)) : r;
            case Fpscr.ROUND_UP -> errorSign > 0 ? Math.nextUp(r) : r;
            default -> errorSign < 0 ? Math.nextDown(r) : r;
        };
    }

    static float roundDirected(float r, int errorSign, int mode) {
        if (errorSign == 0 || mode == Fpscr.ROUND_NEAREST) {
            return r;
        }
        return switch (mode) {
            // A zero result already is the value nearest zero (its sign is the exact value's).
            case Fpscr.ROUND_TOWARD_ZERO -> r != 0 && (errorSign > 0) != (r > 0) ? (r > 0 ? Math.nextDown(r) : Math.nextUp(r)) : r;
            case Fpscr.ROUND_UP -> errorSign > 0 ? Math.nextUp(r) : r;
            default -> errorSign < 0 ? Math.nextDown(r) : r;
        };
    }

    /**
     * Rounds, sets FR/FI/XX/OX/UX and FPRF, writes FRT. {@code r} is the nearest double,
     * {@code errorSign} the sign of (exact - r); a finite exact value that overflowed to r=inf
     * has errorSign = -sign(r).
     */
    private static void complete(PpcCpuState s, int frt, double r, int errorSign, int single, int rc) {
        double magnitude = Math.abs(r);
        if (single == 0 && mode(s) == Fpscr.ROUND_NEAREST && magnitude >= Double.MIN_NORMAL && magnitude <= Double.MAX_VALUE) {
            // The common case, kept small enough for HotSpot to inline: a normal double rounded to nearest.
            int fpscr = s.fpscr & ~(Fpscr.FI | Fpscr.FR | Fpscr.FPRF);
            if (errorSign != 0) {
                fpscr |= Fpscr.FI;
                if ((errorSign > 0) != (r > 0)) {
                    fpscr |= Fpscr.FR; // rounded away from zero: the magnitude was incremented
                }
                fpscr = Fpscr.raise(fpscr, Fpscr.XX);
            }
            s.fpscr = fpscr | (r > 0 ? 0x04 : 0x08) << Fpscr.FPRF_SHIFT;
            s.fpr[frt] = Double.doubleToRawLongBits(r);
            recordCr1(s, rc);
            return;
        }
        completeInGeneral(s, frt, r, errorSign, single, rc);
    }

    private static void completeInGeneral(PpcCpuState s, int frt, double r, int errorSign, int single, int rc) {
        int mode = mode(s);
        double rounded = roundDirected(r, errorSign, mode);
        int remaining = rounded == r ? errorSign : -errorSign;
        boolean overflow = Double.isInfinite(r) && errorSign != 0 || Double.isInfinite(rounded) && errorSign != 0;
        if (single != 0) {
            float f = (float) rounded;
            int singleError = Double.isInfinite(rounded) ? 0 : Double.compare(rounded, f);
            if (singleError != 0) {
                float g = roundDirected(f, singleError, mode);
                remaining = g == f ? singleError : -singleError;
                f = g;
            }
            overflow |= Float.isInfinite(f) && !Double.isInfinite(rounded)
                    || Math.abs(rounded) > Float.MAX_VALUE && Math.abs(f) == Float.MAX_VALUE;
            rounded = f;
        } else if (Double.isInfinite(rounded) && errorSign == 0) {
            overflow = false;
        }
        int flags = 0;
        s.fpscr &= ~(Fpscr.FI | Fpscr.FR);
        if (remaining != 0) {
            flags |= Fpscr.XX;
            s.fpscr |= Fpscr.FI;
            if ((remaining > 0) != (rounded > 0)) {
                s.fpscr |= Fpscr.FR; // rounded away from zero: the magnitude was incremented
            }
            double min = single != 0 ? Float.MIN_NORMAL : Double.MIN_NORMAL;
            if (Math.abs(rounded) < min) {
                flags |= Fpscr.UX;
            }
        }
        if (overflow) {
            flags |= Fpscr.OX | Fpscr.XX;
            s.fpscr |= Fpscr.FI;
        }
        if (flags != 0) {
            raise(s, flags);
        }
        s.fpr[frt] = Double.doubleToRawLongBits(rounded);
        setFprf(s, resultClass(rounded, single != 0));
        recordCr1(s, rc);
    }

    private static int overflowSign(double r) {
        return r > 0 ? -1 : 1;
    }

    // ---- arithmetic ---------------------------------------------------------------------------

    /*
     * fadd, fsub and fmul first try the common case in a few bytecodes: a finite, non-zero result
     * (so no operand was a NaN or an infinity) that needs no exact arithmetic for its error sign.
     * HotSpot charges every helper's whole bytecode against C2's inlining budget of a block
     * (DesiredMethodLimit); the n-body traces ran out of it and called fmadd and fmul instead of
     * inlining them. The rest goes to the general versions, which do what the ISA says step by step.
     */

    public static void fadd(PpcCpuState s, int frt, int fra, int frb, int single, int rc) {
        double a = Double.longBitsToDouble(s.fpr[fra]);
        double b = Double.longBitsToDouble(s.fpr[frb]);
        double r = a + b;
        if (Math.abs(r) <= Double.MAX_VALUE && r != 0) {
            complete(s, frt, r, sumErrorSign(a, b, r), single, rc);
            return;
        }
        faddInGeneral(s, frt, fra, frb, single, rc);
    }

    public static void fsub(PpcCpuState s, int frt, int fra, int frb, int single, int rc) {
        double a = Double.longBitsToDouble(s.fpr[fra]);
        double b = -Double.longBitsToDouble(s.fpr[frb]);
        double r = a + b;
        if (Math.abs(r) <= Double.MAX_VALUE && r != 0) {
            complete(s, frt, r, sumErrorSign(a, b, r), single, rc);
            return;
        }
        fsubInGeneral(s, frt, fra, frb, single, rc);
    }

    /** The sign of (a + b) - r for r = a + b rounded to nearest, by Knuth's TwoSum (exact for a finite r). */
    private static int sumErrorSign(double a, double b, double r) {
        double bVirtual = r - a;
        return (int) Math.signum((a - (r - bVirtual)) + (b - bVirtual));
    }

    public static void fmul(PpcCpuState s, int frt, int fra, int frc, int single, int rc) {
        double a = Double.longBitsToDouble(s.fpr[fra]);
        double c = Double.longBitsToDouble(s.fpr[frc]);
        double r = a * c;
        double magnitude = Math.abs(r);
        if (magnitude >= RESIDUAL_EXACT_ABOVE && magnitude <= Double.MAX_VALUE) {
            complete(s, frt, r, (int) Math.signum(Math.fma(a, c, -r)), single, rc);
            return;
        }
        fmulInGeneral(s, frt, fra, frc, single, rc);
    }

    private static void faddInGeneral(PpcCpuState s, int frt, int fra, int frb, int single, int rc) {
        long ab = s.fpr[fra];
        long bb = s.fpr[frb];
        if ((isNaN(ab) || isNaN(bb)) && propagateNaN(s, frt, single, rc, ab, bb)) {
            return;
        }
        addValues(s, frt, Double.longBitsToDouble(ab), Double.longBitsToDouble(bb), single, rc);
    }

    private static void fsubInGeneral(PpcCpuState s, int frt, int fra, int frb, int single, int rc) {
        long ab = s.fpr[fra];
        long bb = s.fpr[frb];
        if ((isNaN(ab) || isNaN(bb)) && propagateNaN(s, frt, single, rc, ab, bb)) {
            return;
        }
        addValues(s, frt, Double.longBitsToDouble(ab), -Double.longBitsToDouble(bb), single, rc);
    }

    private static void addValues(PpcCpuState s, int frt, double a, double b, int single, int rc) {
        if (Double.isInfinite(a) && Double.isInfinite(b) && a != b) {
            invalid(s, frt, Fpscr.VXISI, rc);
            return;
        }
        double r = a + b;
        int err;
        if (Double.isInfinite(r)) {
            err = Double.isInfinite(a) || Double.isInfinite(b) ? 0 : overflowSign(r);
        } else {
            double bVirtual = r - a;
            double e = (a - (r - bVirtual)) + (b - bVirtual);
            err = (int) Math.signum(e);
            if (r == 0 && err == 0 && a != 0 && mode(s) == Fpscr.ROUND_DOWN) {
                r = -0.0; // x + (-x) is -0 when rounding toward minus infinity
            }
        }
        complete(s, frt, r, err, single, rc);
    }

    private static void fmulInGeneral(PpcCpuState s, int frt, int fra, int frc, int single, int rc) {
        long ab = s.fpr[fra];
        long cb = s.fpr[frc];
        if ((isNaN(ab) || isNaN(cb)) && propagateNaN(s, frt, single, rc, ab, cb)) {
            return;
        }
        double a = Double.longBitsToDouble(ab);
        double c = Double.longBitsToDouble(cb);
        if ((Double.isInfinite(a) && c == 0) || (a == 0 && Double.isInfinite(c))) {
            invalid(s, frt, Fpscr.VXIMZ, rc);
            return;
        }
        double r = a * c;
        int err;
        if (Double.isInfinite(r)) {
            err = Double.isInfinite(a) || Double.isInfinite(c) ? 0 : overflowSign(r);
        } else if (Math.abs(r) < RESIDUAL_EXACT_ABOVE && a != 0 && c != 0) {
            err = new BigDecimal(a).multiply(new BigDecimal(c)).compareTo(new BigDecimal(r));
        } else {
            err = (int) Math.signum(Math.fma(a, c, -r));
        }
        complete(s, frt, r, err, single, rc);
    }

    public static void fdiv(PpcCpuState s, int frt, int fra, int frb, int single, int rc) {
        long ab = s.fpr[fra];
        long bb = s.fpr[frb];
        if ((isNaN(ab) || isNaN(bb)) && propagateNaN(s, frt, single, rc, ab, bb)) {
            return;
        }
        double a = Double.longBitsToDouble(ab);
        double b = Double.longBitsToDouble(bb);
        if (a == 0 && b == 0) {
            invalid(s, frt, Fpscr.VXZDZ, rc);
            return;
        }
        if (Double.isInfinite(a) && Double.isInfinite(b)) {
            invalid(s, frt, Fpscr.VXIDI, rc);
            return;
        }
        if (b == 0) {
            s.fpscr &= ~(Fpscr.FI | Fpscr.FR);
            raise(s, Fpscr.ZX);
            if ((s.fpscr & Fpscr.ZE) == 0) {
                double r = a / b;
                s.fpr[frt] = Double.doubleToRawLongBits(r);
                setFprf(s, resultClass(r, single != 0));
            }
            recordCr1(s, rc);
            return;
        }
        double q = a / b;
        int err;
        if (Double.isInfinite(q)) {
            err = Double.isInfinite(a) ? 0 : overflowSign(q);
        } else if (Double.isInfinite(b) || q == 0 && a == 0) {
            err = 0;
        } else if (Math.abs(q) < RESIDUAL_EXACT_ABOVE || Math.abs(a) < RESIDUAL_EXACT_ABOVE) {
            // sign(a/b - q) = sign(a - q*b) * sign(b), computed exactly.
            BigDecimal rest = new BigDecimal(a).subtract(new BigDecimal(q).multiply(new BigDecimal(b)));
            err = rest.signum() * (int) Math.signum(b);
        } else {
            err = (int) (Math.signum(Math.fma(-q, b, a)) * Math.signum(b));
        }
        complete(s, frt, q, err, single, rc);
    }

    public static void fsqrt(PpcCpuState s, int frt, int frb, int single, int rc) {
        long bb = s.fpr[frb];
        if ((isNaN(bb)) && propagateNaN(s, frt, single, rc, bb)) {
            return;
        }
        double b = Double.longBitsToDouble(bb);
        if (b < 0) {
            invalid(s, frt, Fpscr.VXSQRT, rc);
            return;
        }
        double q = Math.sqrt(b);
        int err;
        if (Double.isInfinite(q) || q == 0) {
            err = 0;
        } else if (b < RESIDUAL_EXACT_ABOVE) {
            err = new BigDecimal(b).compareTo(new BigDecimal(q).multiply(new BigDecimal(q)));
        } else {
            err = (int) Math.signum(Math.fma(-q, q, b));
        }
        complete(s, frt, q, err, single, rc);
    }

    /**
     * The four fused multiply-adds: FRT = [-](FRA*FRC [+-] FRB) with one rounding (Math.fma).
     * {@code subtract} negates FRB, {@code negate} the result (not a NaN result, ISA 4.6.6.2).
     */
    public static void fmadd(PpcCpuState s, int frt, int fra, int frc, int frb, int subtract, int negate, int single, int rc) {
        if (single == 0 && mode(s) == Fpscr.ROUND_NEAREST) {
            double a = Double.longBitsToDouble(s.fpr[fra]);
            double c = Double.longBitsToDouble(s.fpr[frc]);
            double b = Double.longBitsToDouble(s.fpr[frb]);
            if (subtract != 0) {
                b = -b;
            }
            double product = a * c;
            double r = Math.fma(a, c, b);
            double absProduct = Math.abs(product);
            double absR = Math.abs(r);
            // The common case, small enough for HotSpot to inline into a block: every magnitude in
            // the range where ErrFma is exact, so no operand is a NaN, an infinity or subnormal,
            // and the result is a normal double (the comparisons are false for NaNs).
            if (absProduct >= FUSED_FAST_LOW && absProduct <= FUSED_FAST_HIGH && absR >= FUSED_FAST_LOW
                    && absR <= FUSED_FAST_HIGH && Math.abs(b) <= FUSED_FAST_HIGH) {
                int err = fusedErrorSignInRange(a, c, b, product, r);
                if (negate != 0) {
                    // Rounding to nearest is symmetric: negating the rounded value negates the error.
                    r = -r;
                    err = -err;
                }
                int fpscr = s.fpscr & ~(Fpscr.FI | Fpscr.FR | Fpscr.FPRF);
                if (err != 0) {
                    fpscr |= Fpscr.FI;
                    if ((err > 0) != (r > 0)) {
                        fpscr |= Fpscr.FR;
                    }
                    fpscr = Fpscr.raise(fpscr, Fpscr.XX);
                }
                s.fpscr = fpscr | (r > 0 ? 0x04 : 0x08) << Fpscr.FPRF_SHIFT;
                s.fpr[frt] = Double.doubleToRawLongBits(r);
                recordCr1(s, rc);
                return;
            }
        }
        fmaddInGeneral(s, frt, fra, frc, frb, subtract, negate, single, rc);
    }

    private static void fmaddInGeneral(PpcCpuState s, int frt, int fra, int frc, int frb, int subtract, int negate, int single, int rc) {
        long ab = s.fpr[fra];
        long bb = s.fpr[frb];
        long cb = s.fpr[frc];
        if ((isNaN(ab) || isNaN(bb) || isNaN(cb)) && propagateNaN(s, frt, single, rc, ab, bb, cb)) {
            return;
        }
        double a = Double.longBitsToDouble(ab);
        double b = Double.longBitsToDouble(bb);
        double c = Double.longBitsToDouble(cb);
        if (subtract != 0) {
            b = -b;
        }
        if ((Double.isInfinite(a) && c == 0) || (a == 0 && Double.isInfinite(c))) {
            invalid(s, frt, Fpscr.VXIMZ, rc);
            return;
        }
        double product = a * c;
        if (Double.isInfinite(product) && Double.isInfinite(b) && (Double.isInfinite(a) || Double.isInfinite(c))
                && Math.signum(product) != Math.signum(b)) {
            invalid(s, frt, Fpscr.VXISI, rc);
            return;
        }
        double r = Math.fma(a, c, b);
        int err;
        if (Double.isInfinite(r)) {
            err = Double.isInfinite(a) || Double.isInfinite(b) || Double.isInfinite(c) ? 0 : overflowSign(r);
        } else {
            err = fusedErrorSign(a, c, b, r);
            if (r == 0 && err == 0 && mode(s) == Fpscr.ROUND_DOWN && (a * c != 0 || b != 0)) {
                r = -0.0;
            }
        }
        if (negate != 0) {
            // Round the positive form, then negate: the rounding mode applies to the unnegated value.
            complete(s, frt, r, err, single, 0);
            long bits = s.fpr[frt];
            if (!isNaN(bits)) {
                s.fpr[frt] = bits ^ SIGN;
                setFprf(s, resultClass(Double.longBitsToDouble(bits ^ SIGN), single != 0));
            }
            recordCr1(s, rc);
            return;
        }
        complete(s, frt, r, err, single, rc);
    }

    /** Magnitudes between which the error-free transformations of {@link #fusedErrorSign} cannot underflow or overflow. */
    private static final double FUSED_FAST_LOW = 0x1p-900;
    private static final double FUSED_FAST_HIGH = 0x1p1000;

    /**
     * The sign of (a*c + b - r) where r = fma(a, c, b). In the normal range this is the fma
     * error computed exactly as the sum r2 + r3 of two doubles (Boldo and Muller's ErrFma: a
     * TwoProduct, two TwoSums and a Fast2Sum, with |r3| at most half an ulp of r2), so its sign
     * is r2's, or r3's when r2 is zero; elsewhere (tiny or huge magnitudes) BigDecimal decides.
     */
    static int fusedErrorSign(double a, double c, double b, double r) {
        double product = a * c;
        if (product == 0) {
            // A zero product is exact, so the sum b + 0 is too.
            if (a == 0 || c == 0) {
                return 0;
            }
        } else {
            double absProduct = Math.abs(product);
            double absR = Math.abs(r);
            double absB = Math.abs(b);
            if (absProduct >= FUSED_FAST_LOW && absProduct <= FUSED_FAST_HIGH && absR >= FUSED_FAST_LOW
                    && absR <= FUSED_FAST_HIGH && absB <= FUSED_FAST_HIGH) {
                return fusedErrorSignInRange(a, c, b, product, r);
            }
        }
        BigDecimal exact = new BigDecimal(a).multiply(new BigDecimal(c)).add(new BigDecimal(b));
        return exact.compareTo(new BigDecimal(r));
    }

    /** ErrFma's sign for magnitudes inside [FUSED_FAST_LOW, FUSED_FAST_HIGH]; {@code product} is the rounded a*c. */
    private static int fusedErrorSignInRange(double a, double c, double b, double product, double r) {
        double productError = Math.fma(a, c, -product);
        double alpha = b + productError;
        double z = twoSumError(b, productError, alpha);
        double beta1 = product + alpha;
        double beta2 = twoSumError(product, alpha, beta1);
        double gamma = (beta1 - r) + beta2;
        double r2 = gamma + z;
        if (r2 != 0) {
            return r2 > 0 ? 1 : -1;
        }
        double r3 = z - (r2 - gamma);
        return r3 > 0 ? 1 : r3 < 0 ? -1 : 0;
    }

    /** TwoSum: the rounding error of x + y = sum, exactly (Knuth). */
    private static double twoSumError(double x, double y, double sum) {
        double yVirtual = sum - x;
        double xVirtual = sum - yVirtual;
        return (x - xVirtual) + (y - yVirtual);
    }

    /** fres: the ISA allows an estimate within 1/256; we give the correctly rounded single reciprocal. */
    public static void fres(PpcCpuState s, int frt, int frb, int rc) {
        long bb = s.fpr[frb];
        if ((isNaN(bb)) && propagateNaN(s, frt, 1, rc, bb)) {
            return;
        }
        double b = Double.longBitsToDouble(bb);
        if (b == 0) {
            raise(s, Fpscr.ZX);
        }
        double r = (float) (1.0 / b);
        s.fpr[frt] = Double.doubleToRawLongBits(r);
        setFprf(s, resultClass(r, true));
        recordCr1(s, rc);
    }

    /** frsqrte: an estimate of 1/sqrt(x) is allowed; we give the double result. */
    public static void frsqrte(PpcCpuState s, int frt, int frb, int rc) {
        long bb = s.fpr[frb];
        if ((isNaN(bb)) && propagateNaN(s, frt, 0, rc, bb)) {
            return;
        }
        double b = Double.longBitsToDouble(bb);
        if (b < 0) {
            invalid(s, frt, Fpscr.VXSQRT, rc);
            return;
        }
        if (b == 0) {
            raise(s, Fpscr.ZX);
        }
        double r = 1.0 / Math.sqrt(b);
        s.fpr[frt] = Double.doubleToRawLongBits(r);
        setFprf(s, resultClass(r, false));
        recordCr1(s, rc);
    }

    /** fsel: FRC if FRA >= 0 (-0 counts as >= 0), otherwise FRB; a NaN FRA selects FRB. No flags. */
    public static void fsel(PpcCpuState s, int frt, int fra, int frc, int frb, int rc) {
        double a = s.fprDouble(fra);
        s.fpr[frt] = a >= 0.0 ? s.fpr[frc] : s.fpr[frb];
        recordCr1(s, rc);
    }

    // ---- moves (no FPSCR change) -------------------------------------------------------------

    public static void fmr(PpcCpuState s, int frt, int frb, int rc) {
        s.fpr[frt] = s.fpr[frb];
        recordCr1(s, rc);
    }

    public static void fneg(PpcCpuState s, int frt, int frb, int rc) {
        s.fpr[frt] = s.fpr[frb] ^ SIGN;
        recordCr1(s, rc);
    }

    public static void fabs(PpcCpuState s, int frt, int frb, int rc) {
        s.fpr[frt] = s.fpr[frb] & ~SIGN;
        recordCr1(s, rc);
    }

    public static void fnabs(PpcCpuState s, int frt, int frb, int rc) {
        s.fpr[frt] = s.fpr[frb] | SIGN;
        recordCr1(s, rc);
    }

    // ---- conversions --------------------------------------------------------------------------

    /** frsp: round to single precision in the current mode. */
    public static void frsp(PpcCpuState s, int frt, int frb, int rc) {
        long bb = s.fpr[frb];
        if ((isNaN(bb)) && propagateNaN(s, frt, 1, rc, bb)) {
            return;
        }
        complete(s, frt, Double.longBitsToDouble(bb), 0, 1, rc);
    }

    /**
     * fctiw / fctiwz ({@code truncate=1}): to a signed word in the low half of FRT, rounding by
     * FPSCR[RN] or toward zero; NaN and out-of-range values give the saturated word and VXCVI.
     */
    public static void fctiw(PpcCpuState s, int frt, int frb, int truncate, int rc) {
        long bb = s.fpr[frb];
        double b = Double.longBitsToDouble(bb);
        s.fpscr &= ~(Fpscr.FI | Fpscr.FR);
        int mode = truncate != 0 ? Fpscr.ROUND_TOWARD_ZERO : mode(s);
        int word;
        if (Double.isNaN(b)) {
            raise(s, isSignalling(bb) ? Fpscr.VXCVI | Fpscr.VXSNAN : Fpscr.VXCVI);
            word = Integer.MIN_VALUE;
        } else {
            double r = switch (mode) {
                case Fpscr.ROUND_NEAREST -> Math.rint(b);
                case Fpscr.ROUND_TOWARD_ZERO -> b < 0 ? Math.ceil(b) : Math.floor(b);
                case Fpscr.ROUND_UP -> Math.ceil(b);
                default -> Math.floor(b);
            };
            if (r > Integer.MAX_VALUE) {
                raise(s, Fpscr.VXCVI);
                word = Integer.MAX_VALUE;
            } else if (r < Integer.MIN_VALUE) {
                raise(s, Fpscr.VXCVI);
                word = Integer.MIN_VALUE;
            } else {
                word = (int) r;
                if (r != b) {
                    s.fpscr |= Fpscr.FI;
                    if (Math.abs(r) > Math.abs(b)) {
                        s.fpscr |= Fpscr.FR;
                    }
                    raise(s, Fpscr.XX);
                }
            }
        }
        if ((s.fpscr & Fpscr.VE) == 0 || (s.fpscr & Fpscr.VXCVI) == 0) {
            s.fpr[frt] = HIGH_WORD | Integer.toUnsignedLong(word);
        }
        recordCr1(s, rc);
    }

    /** frin/friz/frip/frim (ISA 2.02): round to an integral value; mode 0 rounds half away from zero. */
    public static void fri(PpcCpuState s, int frt, int frb, int how, int rc) {
        long bb = s.fpr[frb];
        if ((isNaN(bb)) && propagateNaN(s, frt, 0, rc, bb)) {
            return;
        }
        double b = Double.longBitsToDouble(bb);
        double r = switch (how) {
            case 0 -> Math.copySign(Math.floor(Math.abs(b) + 0.5), b);
            case 1 -> b < 0 ? Math.ceil(b) : Math.floor(b);
            case 2 -> Math.ceil(b);
            default -> Math.floor(b);
        };
        if (Double.isInfinite(b) || Math.abs(b) >= 0x1p52) {
            r = b;
        }
        s.fpr[frt] = Double.doubleToRawLongBits(r);
        setFprf(s, resultClass(r, false));
        recordCr1(s, rc);
    }

    // ---- compare ------------------------------------------------------------------------------

    /**
     * fcmpu / fcmpo ({@code ordered=1}): CR field BF and FPSCR[FPCC] get FL/FG/FE/FU. A NaN gives
     * FU; an SNaN raises VXSNAN, and fcmpo also raises VXVC for any NaN (for an SNaN only when
     * VE=0), ISA 4.6.8.
     */
    public static void fcmp(PpcCpuState s, int bf, int fra, int frb, int ordered) {
        long ab = s.fpr[fra];
        long bb = s.fpr[frb];
        double a = Double.longBitsToDouble(ab);
        double b = Double.longBitsToDouble(bb);
        int cc;
        if (Double.isNaN(a) || Double.isNaN(b)) {
            cc = 1;
            boolean snan = isSignalling(ab) || isSignalling(bb);
            if (snan) {
                raise(s, Fpscr.VXSNAN);
                if (ordered != 0 && (s.fpscr & Fpscr.VE) == 0) {
                    raise(s, Fpscr.VXVC);
                }
            } else if (ordered != 0) {
                raise(s, Fpscr.VXVC);
            }
        } else {
            cc = a < b ? 8 : a > b ? 4 : 2;
        }
        s.fpscr = (s.fpscr & ~(0xf << Fpscr.FPRF_SHIFT)) | cc << Fpscr.FPRF_SHIFT;
        IntegerOps.setCrField(s, bf, cc);
    }

    // ---- FPSCR access -----------------------------------------------------------------------

    /**
     * mffs and its ISA 3.0 relatives. On the 32-bit cores we model, the extra opcode bits of
     * mffsl and friends are ignored, so every form reads the whole FPSCR; the forms that also
     * write (mffsce clears the enables, mffscrn/mffscrni set RN) still do so, which is what a
     * program asking for them expects.
     */
    public static void mffs(PpcCpuState s, int frt, int variant, int frb, int rc) {
        int old = s.fpscr;
        s.fpr[frt] = HIGH_WORD | Integer.toUnsignedLong(old);
        switch (variant) {
            case 1 -> s.fpscr = Fpscr.summarize(s.fpscr & ~(Fpscr.VE | Fpscr.OE | Fpscr.UE | Fpscr.ZE | Fpscr.XE));
            case 22 -> s.fpscr = (s.fpscr & ~Fpscr.RN) | (int) (s.fpr[frb] & 3);
            case 23 -> s.fpscr = (s.fpscr & ~Fpscr.RN) | (frb & 3);
            default -> { }
        }
        recordCr1(s, rc);
    }

    /** mtfsf: FLM selects FPSCR fields taken from the low word of FRB; FEX and VX stay computed. */
    public static void mtfsf(PpcCpuState s, int flm, int frb, int rc) {
        int m = 0;
        for (int i = 0; i < 8; i++) {
            if ((flm & (0x80 >>> i)) != 0) {
                m |= 0xf0000000 >>> (4 * i);
            }
        }
        int v = (int) s.fpr[frb];
        s.fpscr = Fpscr.summarize((s.fpscr & ~m) | (v & m));
        recordCr1(s, rc);
    }

    public static void mtfsfi(PpcCpuState s, int bf, int u, int rc) {
        int shift = 28 - 4 * bf;
        int v = (s.fpscr & ~(0xf << shift)) | (u & 0xf) << shift;
        if (bf == 0) {
            // FEX and VX cannot be set explicitly; only FX and OX come from U.
            v = (v & ~(Fpscr.FEX | Fpscr.VX)) | (s.fpscr & (Fpscr.FEX | Fpscr.VX));
        }
        s.fpscr = Fpscr.summarize(v);
        recordCr1(s, rc);
    }

    /** mtfsb0/mtfsb1: bit BT (ISA numbering 0..31 within the FPSCR word); FEX and VX cannot be changed. */
    public static void mtfsb(PpcCpuState s, int bt, int value, int rc) {
        int m = 1 << (31 - bt);
        if (m != Fpscr.FEX && m != Fpscr.VX) {
            if (value != 0) {
                boolean wasClear = (s.fpscr & m) == 0;
                s.fpscr |= m;
                if (wasClear && (m & Fpscr.EXCEPTIONS) != 0) {
                    s.fpscr |= Fpscr.FX;
                }
            } else {
                s.fpscr &= ~m;
            }
            s.fpscr = Fpscr.summarize(s.fpscr);
        }
        recordCr1(s, rc);
    }

    /** mcrfs: copies an FPSCR field to a CR field and clears the exception bits it copied. */
    public static void mcrfs(PpcCpuState s, int bf, int bfa) {
        int shift = 28 - 4 * bfa;
        IntegerOps.setCrField(s, bf, s.fpscr >>> shift);
        int clearable = (0xf << shift) & (Fpscr.FX | Fpscr.EXCEPTIONS);
        s.fpscr = Fpscr.summarize(s.fpscr & ~clearable);
    }
}
