package org.qemu.i386.fp;

/**
 * One lane of an SSE/SSE2 floating-point instruction on raw binary32/binary64 bits, through the
 * exact soft-float core: every MXCSR rounding mode, DAZ/FTZ and the exception flags come out as
 * the hardware produces them. Flags accumulate in the {@link FpContext} across the lanes of one
 * instruction.
 */
public final class SseFloat {
    public enum Arithmetic { ADD, SUB, MUL, DIV, MIN, MAX }

    private static final int PRE_COMPUTATION = FpFlags.INVALID | FpFlags.DIVIDE_BY_ZERO;

    private SseFloat() {
    }

    /** Prepares the context from MXCSR: rounding, DAZ, FTZ, first-NaN propagation; clears its flags. */
    public static FpContext begin(FpContext c, int mxcsr) {
        c.clearFlags();
        c.setRounding(mxcsr >>> 13);
        c.setDenormalsAreZero((mxcsr & 0x40) != 0);
        c.setFlushToZero((mxcsr & 0x8000) != 0);
        c.setFirstNaNWins(true);
        return c;
    }

    // ---------------------------------------------------------------- operands and results

    private static Float80 operandDouble(FpContext c, long bits) {
        if (c.denormalsAreZero() && SoftFloat.isDenormalDouble(bits)) {
            return Float80.zero(bits < 0);
        }
        return SoftFloat.widenDouble(bits);
    }

    private static Float80 operandFloat(FpContext c, int bits) {
        if (c.denormalsAreZero() && SoftFloat.isDenormalFloat(bits)) {
            return Float80.zero(bits < 0);
        }
        return SoftFloat.widenFloat(bits);
    }

    private static boolean denormalDouble(FpContext c, long bits) {
        return !c.denormalsAreZero() && SoftFloat.isDenormalDouble(bits);
    }

    private static boolean denormalFloat(FpContext c, int bits) {
        return !c.denormalsAreZero() && SoftFloat.isDenormalFloat(bits);
    }

    static long packDouble(Float80 r) {
        if (r.isNaN()) {
            return (r.negative() ? Long.MIN_VALUE : 0) | 0x7ff8000000000000L | ((r.significand() << 1) >>> 12);
        }
        return SoftFloat.packDouble(r);
    }

    static int packFloat(Float80 r) {
        if (r.isNaN()) {
            return (r.negative() ? Integer.MIN_VALUE : 0) | 0x7fc00000 | (int) ((r.significand() << 1) >>> 41);
        }
        return SoftFloat.packFloat(r);
    }

    /**
     * Runs one lane's computation with its own flags, adding the denormal-operand flag only when
     * no NaN is involved and no invalid or divide-by-zero was raised (the hardware's precedence).
     */
    private static void mergeLaneFlags(FpContext c, int before, boolean denormalInput, boolean nanInput) {
        int lane = c.flags();
        if (denormalInput && !nanInput && (lane & PRE_COMPUTATION) == 0) {
            lane |= FpFlags.DENORMAL;
        }
        c.clearFlags();
        c.raise(before | lane);
    }

    // ---------------------------------------------------------------- arithmetic

    /** Finite and not denormal: the operands the fast paths accept. */
    private static boolean ordinaryDouble(long bits) {
        long exponent = bits & 0x7ff0000000000000L;
        return exponent != 0x7ff0000000000000L && (exponent != 0 || (bits << 1) == 0);
    }

    private static boolean ordinaryFloat(int bits) {
        int exponent = bits & 0x7f800000;
        return exponent != 0x7f800000 && (exponent != 0 || (bits << 1) == 0);
    }

    /** Results this far from the denormal range leave exact error terms representable. */
    private static final double SAFE_DOUBLE = 0x1p-900;
    private static final float SAFE_FLOAT = 0x1p-100f;

    /**
     * The common case without the soft-float core: round-to-nearest, no FTZ, ordinary operands
     * and a result far from overflow and underflow. Java's double arithmetic is IEEE
     * round-to-nearest, and the inexact flag comes from an exact error term (TwoSum, fma).
     * Returns the result bits, or 1 (a denormal, never produced here) to mean "take the slow path".
     */
    private static long fastDouble(FpContext c, Arithmetic op, long a, long b) {
        if (c.rounding() != FpContext.ROUND_NEAREST || c.flushToZero() || !ordinaryDouble(a) || !ordinaryDouble(b)) {
            return 1;
        }
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double r;
        boolean inexact;
        switch (op) {
            case ADD, SUB -> {
                double yy = op == Arithmetic.ADD ? y : -y;
                r = x + yy;
                double bv = r - x;
                inexact = (x - (r - bv)) + (yy - bv) != 0;
                if (r == 0 ? inexact : Math.abs(r) < Double.MIN_NORMAL) {
                    return 1;
                }
            }
            case MUL -> {
                r = x * y;
                if (r == 0) {
                    if (x != 0 && y != 0) {
                        return 1; // underflow
                    }
                    inexact = false;
                } else {
                    if (Math.abs(r) < SAFE_DOUBLE) {
                        return 1;
                    }
                    inexact = Math.fma(x, y, -r) != 0;
                }
            }
            case DIV -> {
                if (y == 0 || (x != 0 && Math.abs(x) < SAFE_DOUBLE)) {
                    return 1;
                }
                r = x / y;
                if (r != 0 && Math.abs(r) < SAFE_DOUBLE || x != 0 && r == 0) {
                    return 1;
                }
                inexact = x != 0 && Math.fma(r, y, -x) != 0;
            }
            default -> {
                return 1;
            }
        }
        if (Double.isInfinite(r) || Double.isNaN(r)) {
            return 1;
        }
        if (inexact) {
            c.raise(FpFlags.PRECISION);
        }
        return Double.doubleToRawLongBits(r);
    }

    private static long fastFloat(FpContext c, Arithmetic op, int a, int b) {
        if (c.rounding() != FpContext.ROUND_NEAREST || c.flushToZero() || !ordinaryFloat(a) || !ordinaryFloat(b)) {
            return 1L << 32;
        }
        float x = Float.intBitsToFloat(a);
        float y = Float.intBitsToFloat(b);
        float r;
        boolean inexact;
        switch (op) {
            case ADD, SUB -> {
                float yy = op == Arithmetic.ADD ? y : -y;
                r = x + yy;
                inexact = (double) x + (double) yy != (double) r || exactSumLost(x, yy);
                if (r == 0 ? inexact : Math.abs(r) < Float.MIN_NORMAL) {
                    return 1L << 32;
                }
            }
            case MUL -> {
                r = x * y;
                if (r == 0) {
                    if (x != 0 && y != 0) {
                        return 1L << 32;
                    }
                    inexact = false;
                } else {
                    if (Math.abs(r) < SAFE_FLOAT) {
                        return 1L << 32;
                    }
                    inexact = (double) x * (double) y != (double) r; // the double product is exact
                }
            }
            case DIV -> {
                if (y == 0 || (x != 0 && Math.abs(x) < SAFE_FLOAT)) {
                    return 1L << 32;
                }
                r = x / y;
                if (r != 0 && Math.abs(r) < SAFE_FLOAT || x != 0 && r == 0) {
                    return 1L << 32;
                }
                inexact = (double) r * (double) y != (double) x; // exact in double
            }
            default -> {
                return 1L << 32;
            }
        }
        if (Float.isInfinite(r) || Float.isNaN(r)) {
            return 1L << 32;
        }
        if (inexact) {
            c.raise(FpFlags.PRECISION);
        }
        return Float.floatToRawIntBits(r) & 0xffffffffL;
    }

    /** True when the double sum of two floats was itself rounded (exponents far apart). */
    private static boolean exactSumLost(float x, float y) {
        double s = (double) x + (double) y;
        double bv = s - x;
        return (x - (s - bv)) + (y - bv) != 0;
    }

    public static long arithmeticDouble(FpContext c, Arithmetic op, long a, long b) {
        long fast = fastDouble(c, op, a, b);
        if (fast != 1) {
            return fast;
        }
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandDouble(c, a);
        Float80 y = operandDouble(c, b);
        boolean nan = x.isNaN() || y.isNaN();
        long result;
        if (op == Arithmetic.MIN || op == Arithmetic.MAX) {
            result = minMax(c, op, x, y) ? a : b;
            if (c.denormalsAreZero() && (result == a ? SoftFloat.isDenormalDouble(a) : SoftFloat.isDenormalDouble(b))) {
                result &= Long.MIN_VALUE;
            }
        } else {
            result = packDouble(apply(c, Precision.DOUBLE, op, x, y));
        }
        mergeLaneFlags(c, before, denormalDouble(c, a) || denormalDouble(c, b), nan);
        return result;
    }

    public static int arithmeticFloat(FpContext c, Arithmetic op, int a, int b) {
        long fast = fastFloat(c, op, a, b);
        if (fast != 1L << 32) {
            return (int) fast;
        }
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandFloat(c, a);
        Float80 y = operandFloat(c, b);
        boolean nan = x.isNaN() || y.isNaN();
        int result;
        if (op == Arithmetic.MIN || op == Arithmetic.MAX) {
            result = minMax(c, op, x, y) ? a : b;
            if (c.denormalsAreZero() && (result == a ? SoftFloat.isDenormalFloat(a) : SoftFloat.isDenormalFloat(b))) {
                result &= Integer.MIN_VALUE;
            }
        } else {
            result = packFloat(apply(c, Precision.SINGLE, op, x, y));
        }
        mergeLaneFlags(c, before, denormalFloat(c, a) || denormalFloat(c, b), nan);
        return result;
    }

    private static Float80 apply(FpContext c, Precision p, Arithmetic op, Float80 x, Float80 y) {
        return switch (op) {
            case ADD -> SoftFloat.add(c, p, x, y);
            case SUB -> SoftFloat.subtract(c, p, x, y);
            case MUL -> SoftFloat.multiply(c, p, x, y);
            case DIV -> SoftFloat.divide(c, p, x, y);
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    /**
     * min/max: true to return the first (destination) operand. Any NaN or two zeros return the
     * second (source) operand unchanged; NaNs raise invalid.
     */
    private static boolean minMax(FpContext c, Arithmetic op, Float80 x, Float80 y) {
        if (x.isNaN() || y.isNaN()) {
            c.raise(FpFlags.INVALID);
            return false;
        }
        int relation = SoftFloat.compare(c, x, y, true);
        return op == Arithmetic.MIN ? relation == SoftFloat.LESS : relation == SoftFloat.GREATER;
    }

    public static long sqrtDouble(FpContext c, long b) {
        int before = c.flags();
        c.clearFlags();
        Float80 y = operandDouble(c, b);
        long result = packDouble(SoftFloat.sqrt(c, Precision.DOUBLE, y));
        mergeLaneFlags(c, before, denormalDouble(c, b), y.isNaN());
        return result;
    }

    public static int sqrtFloat(FpContext c, int b) {
        int before = c.flags();
        c.clearFlags();
        Float80 y = operandFloat(c, b);
        int result = packFloat(SoftFloat.sqrt(c, Precision.SINGLE, y));
        mergeLaneFlags(c, before, denormalFloat(c, b), y.isNaN());
        return result;
    }

    // ---------------------------------------------------------------- comparisons

    /** cmpps/cmpsd predicate 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD): true for an all-ones lane. */
    public static boolean compareDouble(FpContext c, int predicate, long a, long b) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandDouble(c, a);
        Float80 y = operandDouble(c, b);
        boolean result = predicate(c, predicate, x, y);
        mergeLaneFlags(c, before, denormalDouble(c, a) || denormalDouble(c, b), x.isNaN() || y.isNaN());
        return result;
    }

    public static boolean compareFloat(FpContext c, int predicate, int a, int b) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandFloat(c, a);
        Float80 y = operandFloat(c, b);
        boolean result = predicate(c, predicate, x, y);
        mergeLaneFlags(c, before, denormalFloat(c, a) || denormalFloat(c, b), x.isNaN() || y.isNaN());
        return result;
    }

    private static boolean predicate(FpContext c, int predicate, Float80 x, Float80 y) {
        int p = predicate & 7;
        boolean signaling = p == 1 || p == 2 || p == 5 || p == 6;
        int r = SoftFloat.compare(c, x, y, signaling);
        return switch (p) {
            case 0 -> r == SoftFloat.EQUAL;
            case 1 -> r == SoftFloat.LESS;
            case 2 -> r == SoftFloat.LESS || r == SoftFloat.EQUAL;
            case 3 -> r == SoftFloat.UNORDERED;
            case 4 -> r != SoftFloat.EQUAL;
            case 5 -> r != SoftFloat.LESS;
            case 6 -> !(r == SoftFloat.LESS || r == SoftFloat.EQUAL);
            default -> r != SoftFloat.UNORDERED;
        };
    }

    /** comisd/ucomisd: ZF, PF, CF as EFLAGS bits (the caller clears OF, SF, AF). */
    public static int compareDoubleToFlags(FpContext c, long a, long b, boolean signalOnQuietNaN) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandDouble(c, a);
        Float80 y = operandDouble(c, b);
        int r = SoftFloat.compare(c, x, y, signalOnQuietNaN);
        mergeLaneFlags(c, before, denormalDouble(c, a) || denormalDouble(c, b), x.isNaN() || y.isNaN());
        return relationFlags(r);
    }

    public static int compareFloatToFlags(FpContext c, int a, int b, boolean signalOnQuietNaN) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandFloat(c, a);
        Float80 y = operandFloat(c, b);
        int r = SoftFloat.compare(c, x, y, signalOnQuietNaN);
        mergeLaneFlags(c, before, denormalFloat(c, a) || denormalFloat(c, b), x.isNaN() || y.isNaN());
        return relationFlags(r);
    }

    private static int relationFlags(int relation) {
        return switch (relation) {
            case SoftFloat.LESS -> X87Fpu.EFLAGS_CF;
            case SoftFloat.EQUAL -> X87Fpu.EFLAGS_ZF;
            case SoftFloat.GREATER -> 0;
            default -> X87Fpu.EFLAGS_ZF | X87Fpu.EFLAGS_PF | X87Fpu.EFLAGS_CF;
        };
    }

    // ---------------------------------------------------------------- conversions

    public static long floatToDouble(FpContext c, int a) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandFloat(c, a);
        if (x.isSignalingNaN()) {
            c.raise(FpFlags.INVALID);
            x = x.quieted();
        }
        long result = packDouble(x);
        mergeLaneFlags(c, before, denormalFloat(c, a), x.isNaN());
        return result;
    }

    public static int doubleToFloat(FpContext c, long a) {
        int before = c.flags();
        c.clearFlags();
        Float80 x = operandDouble(c, a);
        int result;
        if (x.isNaN()) {
            if (x.isSignalingNaN()) {
                c.raise(FpFlags.INVALID);
            }
            result = packFloat(x.quieted());
        } else {
            result = packFloat(SoftFloat.roundTo(c, Precision.SINGLE, x));
        }
        mergeLaneFlags(c, before, denormalDouble(c, a), x.isNaN());
        return result;
    }

    public static long int32ToDouble(int value) {
        return Double.doubleToRawLongBits(value); // every int32 is exact in binary64
    }

    public static int int32ToFloat(FpContext c, int value) {
        return packFloat(SoftFloat.roundTo(c, Precision.SINGLE, SoftFloat.fromLong(value)));
    }

    public static int int64ToFloat(FpContext c, long value) {
        return packFloat(SoftFloat.roundTo(c, Precision.SINGLE, SoftFloat.fromLong(value)));
    }

    public static long int64ToDouble(FpContext c, long value) {
        return packDouble(SoftFloat.roundTo(c, Precision.DOUBLE, SoftFloat.fromLong(value)));
    }

    /** cvt(t)sd2si: 32 or 64-bit result; NaN and out-of-range give the integer indefinite. */
    public static long doubleToInteger(FpContext c, long a, int bits, boolean truncate) {
        Float80 x = operandDouble(c, a);
        return SoftFloat.toInteger(c, x, bits, truncate ? FpContext.ROUND_ZERO : c.rounding());
    }

    public static long floatToInteger(FpContext c, int a, int bits, boolean truncate) {
        Float80 x = operandFloat(c, a);
        return SoftFloat.toInteger(c, x, bits, truncate ? FpContext.ROUND_ZERO : c.rounding());
    }
}
