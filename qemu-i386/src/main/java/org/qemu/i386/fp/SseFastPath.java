package org.qemu.i386.fp;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86CpuState;

/**
 * Scalar SSE operations under the MXCSR compilers and the C library leave in place (round to
 * nearest, every exception masked, no DAZ/FTZ) with ordinary operands (finite, not denormal):
 * there IEEE binary32/binary64 arithmetic is exactly Java's {@code float}/{@code double}
 * arithmetic, so the soft-float core is not needed. The exception flags stay exact: the only
 * flag such an operation can raise without leaving the fast path is precision (inexact), and
 * since it is sticky its error term is computed only while MXCSR.PE is still clear. Anything
 * else (NaN, infinity, denormal operands, results that overflow, underflow or sit near the
 * denormal range, other rounding modes) answers {@link #SLOW} and takes the exact general path.
 */
final class SseFastPath {
    /** "Take the general path": a denormal bit pattern no fast path returns. */
    static final long SLOW = 1;
    /** The same for single-precision results (outside the 32-bit range). */
    static final long SLOW_FLOAT = 1L << 32;

    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, MIN = 4, MAX = 5;

    /** MXCSR bits other than the six sticky flags, as reset and as compilers leave them. */
    private static final int DEFAULT_CONTROL = 0x1f80;
    private static final int CONTROL_BITS = 0xffc0;

    /**
     * Below this magnitude an operation's error term may fall under the smallest denormal, and a
     * result may be tiny; both cases go to the general path.
     */
    private static final double SAFE_DOUBLE = 0x1p-900;
    private static final float SAFE_FLOAT = 0x1p-100f;

    private SseFastPath() {
    }

    static boolean isDefaultMode(int mxcsr) {
        return (mxcsr & CONTROL_BITS) == DEFAULT_CONTROL;
    }

    /** Finite and not denormal (zero is fine). */
    static boolean ordinaryDouble(long bits) {
        long exponent = bits & 0x7ff0000000000000L;
        return exponent != 0x7ff0000000000000L && (exponent != 0 || (bits << 1) == 0);
    }

    static boolean ordinaryFloat(int bits) {
        int exponent = bits & 0x7f800000;
        return exponent != 0x7f800000 && (exponent != 0 || (bits << 1) == 0);
    }

    /**
     * {@link FpFlags#PRECISION} when {@code error} (a product's or quotient's exact rounding error)
     * is not zero, else 0, without a branch. Why: mulsd and divsd tested the sticky PE bit first
     * and skipped the error when it was set; the first inexact result of a run (cpubench's
     * checksum after its first sort round) then took a side of that test that C2 had compiled as
     * an uncommon trap, and the buffer-fill loop (a mulsd by 2^-53, always exact) was thrown
     * away and compiled again in every run.
     */
    static int inexactIfNonZero(double error) {
        long magnitude = Double.doubleToRawLongBits(error) << 1;
        return (int) ((magnitude | -magnitude) >>> 63) * FpFlags.PRECISION;
    }

    static void raiseInexact(X86CpuState s) {
        s.mxcsr |= FpFlags.PRECISION;
    }

    /** addsd/subsd/mulsd/divsd/minsd/maxsd: the result bits, or {@link #SLOW}. */
    static long arithmeticDouble(X86CpuState s, int op, long a, long b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a) || !ordinaryDouble(b)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r;
        switch (op) {
            case ADD -> r = x + y;
            case SUB -> r = x - y;
            case MUL -> r = x * y;
            case DIV -> {
                if (x != 0 && Math.abs(x) < SAFE_DOUBLE) {
                    return SLOW;
                }
                r = x / y;
            }
            case MIN -> {
                return x < y ? a : b; // equal values (and zeros of either sign) give the source
            }
            default -> {
                return x > y ? a : b;
            }
        }
        double magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_DOUBLE && magnitude <= Double.MAX_VALUE)) {
            // zero, tiny, infinite or NaN: only an exact zero stays here
            if (r != 0 || !exactZero(op, x, y)) {
                return SLOW;
            }
        } else if ((s.mxcsr & FpFlags.PRECISION) == 0 && inexactDouble(op, x, y, r)) {
            raiseInexact(s);
        }
        return Double.doubleToRawLongBits(r);
    }

    /**
     * addsd (and subsd with the source's sign flipped, which is exactly x - y, zeros included),
     * small enough to inline: a sum that rounds to zero is exactly zero, so zero needs no check.
     */
    static long addDouble(X86CpuState s, long a, long b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a) || !ordinaryDouble(b)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r = x + y;
        double magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_DOUBLE && magnitude <= Double.MAX_VALUE)) {
            if (r != 0) {
                return SLOW;
            }
        } else if ((s.mxcsr & FpFlags.PRECISION) == 0 && twoSumError(x, y, r) != 0) {
            raiseInexact(s);
        }
        return Double.doubleToRawLongBits(r);
    }

    static long multiplyDouble(X86CpuState s, long a, long b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a) || !ordinaryDouble(b)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r = x * y;
        double magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_DOUBLE && magnitude <= Double.MAX_VALUE)) {
            if (r != 0 || (x != 0 && y != 0)) {
                return SLOW;
            }
        } else {
            s.mxcsr |= inexactIfNonZero(Math.fma(x, y, -r));
        }
        return Double.doubleToRawLongBits(r);
    }

    static long divideDouble(X86CpuState s, long a, long b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a) || !ordinaryDouble(b)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        if (x != 0 && Math.abs(x) < SAFE_DOUBLE) {
            return SLOW;
        }
        double r = x / y;
        double magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_DOUBLE && magnitude <= Double.MAX_VALUE)) {
            if (r != 0 || x != 0) { // only 0/y (y non-zero, finite) stays: exact zero
                return SLOW;
            }
        } else {
            s.mxcsr |= inexactIfNonZero(Math.fma(r, y, -x));
        }
        return Double.doubleToRawLongBits(r);
    }

    /** addss (and subss with the sign flipped). */
    static long addFloat(X86CpuState s, int a, int b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryFloat(a) || !ordinaryFloat(b)) {
            return SLOW_FLOAT;
        }
        float x = Float.intBitsToFloat(a);
        float y = Float.intBitsToFloat(b);
        float r = x + y;
        float magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_FLOAT && magnitude <= Float.MAX_VALUE)) {
            if (r != 0) {
                return SLOW_FLOAT;
            }
        } else if ((s.mxcsr & FpFlags.PRECISION) == 0 && twoSumError(x, y, r) != 0) {
            raiseInexact(s);
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }

    /**
     * A zero result without underflow: a sum that rounds to zero is exactly zero (sums of
     * doubles are multiples of the smallest denormal), a product or quotient only with a zero
     * factor or dividend.
     */
    private static boolean exactZero(int op, double x, double y) {
        return switch (op) {
            case ADD, SUB -> true;
            case MUL -> x == 0 || y == 0;
            default -> x == 0 && y != 0;
        };
    }

    /** The exact error of the rounded result is non-zero (TwoSum, fma residuals). */
    private static boolean inexactDouble(int op, double x, double y, double r) {
        return switch (op) {
            case ADD -> twoSumError(x, y, r) != 0;
            case SUB -> twoSumError(x, -y, r) != 0;
            case MUL -> Math.fma(x, y, -r) != 0;
            default -> Math.fma(r, y, -x) != 0;
        };
    }

    private static double twoSumError(double x, double y, double r) {
        double bv = r - x;
        return (x - (r - bv)) + (y - bv);
    }

    private static float twoSumError(float x, float y, float r) {
        float bv = r - x;
        return (x - (r - bv)) + (y - bv);
    }

    /** addss/subss/mulss/divss/minss/maxss: the result bits (zero-extended), or {@link #SLOW_FLOAT}. */
    static long arithmeticFloat(X86CpuState s, int op, int a, int b) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryFloat(a) || !ordinaryFloat(b)) {
            return SLOW_FLOAT;
        }
        float x = Float.intBitsToFloat(a);
        float y = Float.intBitsToFloat(b);
        float r;
        switch (op) {
            case ADD -> r = x + y;
            case SUB -> r = x - y;
            case MUL -> r = x * y;
            case DIV -> r = x / y;
            case MIN -> {
                return (x < y ? a : b) & 0xffffffffL;
            }
            default -> {
                return (x > y ? a : b) & 0xffffffffL;
            }
        }
        float magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_FLOAT && magnitude <= Float.MAX_VALUE)) {
            if (r != 0 || !exactZero(op, x, y)) {
                return SLOW_FLOAT;
            }
        } else if ((s.mxcsr & FpFlags.PRECISION) == 0 && inexactFloat(op, x, y, r)) {
            raiseInexact(s);
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }

    private static boolean inexactFloat(int op, float x, float y, float r) {
        return switch (op) {
            case ADD -> twoSumError(x, y, r) != 0;
            case SUB -> twoSumError(x, -y, r) != 0;
            // products and quotient residuals of two floats are exact in double
            case MUL -> (double) x * y != r;
            default -> (double) r * y != x;
        };
    }

    /** sqrtsd: Math.sqrt is correctly rounded; inexact when r*r is not exactly the operand. */
    static long sqrtDouble(X86CpuState s, long a) {
        if (!isDefaultMode(s.mxcsr) || a < 0 || !ordinaryDouble(a)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        if (x != 0 && x < SAFE_DOUBLE) {
            return SLOW;
        }
        double r = Math.sqrt(x);
        if ((s.mxcsr & FpFlags.PRECISION) == 0 && Math.fma(r, r, -x) != 0) {
            raiseInexact(s);
        }
        return Double.doubleToRawLongBits(r);
    }

    /** sqrtss through double: 53 >= 2*24+2 bits, so rounding twice gives the correctly rounded float. */
    static long sqrtFloat(X86CpuState s, int a) {
        if (!isDefaultMode(s.mxcsr) || a < 0 || !ordinaryFloat(a)) {
            return SLOW_FLOAT;
        }
        float x = Float.intBitsToFloat(a);
        float r = (float) Math.sqrt(x);
        if ((s.mxcsr & FpFlags.PRECISION) == 0 && (double) r * r != x) {
            raiseInexact(s);
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }

    /**
     * comisd/ucomisd of ordinary operands raise nothing (whatever MXCSR says): ZF/PF/CF as EFLAGS
     * bits, or -1.
     */
    static int compareDoubleToFlags(long a, long b) {
        return ordinaryDouble(a) && ordinaryDouble(b) ? orderedFlags(Double.longBitsToDouble(a), Double.longBitsToDouble(b)) : -1;
    }

    /**
     * ZF/PF/CF of two ordered doubles. A method of its own so that {@link #compareDoubleToFlags}
     * stays under C2's 35-byte limit for inlining a call site whatever its profile says: a qsort
     * merge trace's comparison was compiled as a call in some runs (its site's count against its
     * caller's invocations, which the interpreted tier had inflated, looked cold), 14% of the
     * double sort's steady-state time.
     */
    private static int orderedFlags(double x, double y) {
        return x < y ? X87Fpu.EFLAGS_CF : x == y ? X87Fpu.EFLAGS_ZF : 0;
    }

    static int compareFloatToFlags(int a, int b) {
        return ordinaryFloat(a) && ordinaryFloat(b) ? orderedFlags(Float.intBitsToFloat(a), Float.intBitsToFloat(b)) : -1;
    }

    private static int orderedFlags(float x, float y) {
        return x < y ? X87Fpu.EFLAGS_CF : x == y ? X87Fpu.EFLAGS_ZF : 0;
    }

    /** Writes ZF/PF/CF and clears OF/SF/AF, as (u)comis* and fcomi do, without computing the old flags. */
    static void setComparisonFlags(X86CpuState s, int zfPfCf) {
        s.ccOp = LazyFlags.EFLAGS;
        s.ccA = zfPfCf;
    }

    /**
     * cvttsd2si/cvtsd2si to 32 bits: the result, or {@link #SLOW} (as a long) when out of range,
     * not ordinary or not in the default mode. Truncation of any in-range value is exact Java
     * {@code (int)}; rounding uses {@link Math#rint} (nearest, ties to even).
     */
    static long doubleToInt32(X86CpuState s, long a, boolean truncate) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a)) {
            return SLOW;
        }
        double x = Double.longBitsToDouble(a);
        double whole = truncate ? (x < 0 ? Math.ceil(x) : Math.floor(x)) : Math.rint(x);
        if (!(whole >= -0x1p31 && whole < 0x1p31)) {
            return SLOW;
        }
        if (whole != x && (s.mxcsr & FpFlags.PRECISION) == 0) {
            raiseInexact(s);
        }
        return (int) whole & 0xffffffffL;
    }

    static long floatToInt32(X86CpuState s, int a, boolean truncate) {
        if (!ordinaryFloat(a)) {
            return SLOW;
        }
        return doubleToInt32(s, Double.doubleToRawLongBits(Float.intBitsToFloat(a)), truncate);
    }

    /** cvtss2sd: widening an ordinary float is exact and raises nothing. */
    static long floatToDouble(int a) {
        if (!ordinaryFloat(a)) {
            return SLOW;
        }
        return Double.doubleToRawLongBits(Float.intBitsToFloat(a));
    }

    /** cvtsd2ss: Java's narrowing rounds to nearest; results near the float limits go slow. */
    static long doubleToFloat(X86CpuState s, long a) {
        if (!isDefaultMode(s.mxcsr) || !ordinaryDouble(a)) {
            return SLOW_FLOAT;
        }
        double x = Double.longBitsToDouble(a);
        float r = (float) x;
        float magnitude = Math.abs(r);
        if (!(magnitude >= SAFE_FLOAT && magnitude <= Float.MAX_VALUE) && x != 0) {
            return SLOW_FLOAT;
        }
        if (r != x && (s.mxcsr & FpFlags.PRECISION) == 0) {
            raiseInexact(s);
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }
}
