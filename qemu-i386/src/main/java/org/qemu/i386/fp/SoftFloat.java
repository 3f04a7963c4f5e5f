package org.qemu.i386.fp;

import java.math.BigInteger;

/**
 * IEEE arithmetic on {@link Float80} carriers with exact rounding to any {@link Precision} in any
 * rounding mode, raising x86 exception flags. The x87 rounds to its precision-control width;
 * SSE carries single and double values here and rounds to their formats, so one core serves
 * both units.
 *
 * <p>Internally a finite non-zero value is (sign, e, sig): value = sig * 2^(e-63) with bit 63 of
 * sig set, plus an "extra" word of bits below sig whose top bit is the rounding bit and whose
 * other bits are sticky.
 */
public final class SoftFloat {
    private SoftFloat() {
    }

    // ---------------------------------------------------------------- unpacking

    /** Unbiased exponent of a finite non-zero value, as if its significand were normalized. */
    static int exponentOf(Float80 x) {
        int biased = x.biasedExponent();
        if (biased == 0) {
            // denormals and pseudo-denormals both use the minimum exponent
            return -16382 - Long.numberOfLeadingZeros(x.significand());
        }
        return biased - Float80.EXPONENT_BIAS;
    }

    static long normalizedSignificand(Float80 x) {
        return x.significand() << Long.numberOfLeadingZeros(x.significand());
    }

    // ---------------------------------------------------------------- rounding

    /**
     * Rounds (sig + extra/2^64) * 2^(exp-63) to {@code precision} under the context's rounding
     * mode. sig must have bit 63 set.
     */
    public static Float80 round(FpContext ctx, Precision precision, boolean negative, int exp, long sig,
            long extra) {
        boolean tiny = exp < precision.minExponent();
        if (tiny && ctx.flushToZero()) {
            ctx.raise(FpFlags.UNDERFLOW | FpFlags.PRECISION);
            ctx.setRoundedUp(false);
            return Float80.zero(negative);
        }
        long drop = 64L - precision.bits() + (tiny ? (long) precision.minExponent() - exp : 0);
        long kept;
        boolean half;
        boolean rest;
        if (drop == 0) {
            kept = sig;
            half = extra < 0;
            rest = (extra << 1) != 0;
        } else if (drop < 64) {
            int d = (int) drop;
            kept = sig >>> d;
            half = ((sig >>> (d - 1)) & 1) != 0;
            rest = (sig & ((1L << (d - 1)) - 1)) != 0 || extra != 0;
        } else if (drop == 64) {
            kept = 0;
            half = sig < 0;
            rest = (sig << 1) != 0 || extra != 0;
        } else {
            kept = 0;
            half = false;
            rest = true;
        }
        boolean inexact = half || rest;
        boolean increment = switch (ctx.rounding()) {
            case FpContext.ROUND_NEAREST -> half && (rest || (kept & 1) != 0);
            case FpContext.ROUND_DOWN -> negative && inexact;
            case FpContext.ROUND_UP -> !negative && inexact;
            default -> false;
        };
        ctx.setRoundedUp(increment);
        long unitExp = exp - 63L + drop;
        if (increment) {
            kept++;
            if (kept == 0) { // carry out of a full 64-bit significand
                kept = Float80.INTEGER_BIT;
                unitExp += 1;
            }
        }
        if (inexact) {
            ctx.raise(FpFlags.PRECISION);
            if (tiny && !roundsUpToNormal(ctx, precision, negative, exp, sig, extra)) {
                ctx.raise(FpFlags.UNDERFLOW);
            }
        }
        if (kept == 0) {
            return Float80.zero(negative);
        }
        int lz = Long.numberOfLeadingZeros(kept);
        long resultSig = kept << lz;
        long resultExp = unitExp + 63 - lz;
        if (resultExp > precision.maxExponent()) {
            return overflow(ctx, precision, negative);
        }
        return encode(negative, (int) resultExp, resultSig);
    }

    /**
     * x86 detects tininess after rounding: a result just below the smallest normal that rounds
     * (at full precision, exponent unbounded) up to it does not underflow.
     */
    private static boolean roundsUpToNormal(FpContext ctx, Precision precision, boolean negative, int exp, long sig,
            long extra) {
        if (exp != precision.minExponent() - 1) {
            return false;
        }
        int drop = 64 - precision.bits();
        long kept;
        boolean half;
        boolean rest;
        if (drop == 0) {
            kept = sig;
            half = extra < 0;
            rest = (extra << 1) != 0;
        } else {
            kept = sig >>> drop;
            half = ((sig >>> (drop - 1)) & 1) != 0;
            rest = (sig & ((1L << (drop - 1)) - 1)) != 0 || extra != 0;
        }
        boolean inexact = half || rest;
        boolean increment = switch (ctx.rounding()) {
            case FpContext.ROUND_NEAREST -> half && (rest || (kept & 1) != 0);
            case FpContext.ROUND_DOWN -> negative && inexact;
            case FpContext.ROUND_UP -> !negative && inexact;
            default -> false;
        };
        long allOnes = precision.bits() == 64 ? -1L : (1L << precision.bits()) - 1;
        return increment && kept == allOnes;
    }

    private static Float80 overflow(FpContext ctx, Precision precision, boolean negative) {
        ctx.raise(FpFlags.OVERFLOW | FpFlags.PRECISION);
        boolean toInfinity = switch (ctx.rounding()) {
            case FpContext.ROUND_NEAREST -> true;
            case FpContext.ROUND_DOWN -> negative;
            case FpContext.ROUND_UP -> !negative;
            default -> false;
        };
        ctx.setRoundedUp(toInfinity);
        if (toInfinity) {
            return Float80.infinity(negative);
        }
        return encode(negative, precision.maxExponent(), -1L << (64 - precision.bits()));
    }

    /** Encodes an already rounded value; below the 80-bit normal range it becomes an 80-bit denormal. */
    static Float80 encode(boolean negative, int exp, long sig) {
        int biased = exp + Float80.EXPONENT_BIAS;
        int sign = negative ? 0x8000 : 0;
        if (biased <= 0) {
            int shift = 1 - biased;
            return new Float80(sign, shift >= 64 ? 0 : sig >>> shift);
        }
        return new Float80(sign | biased, sig);
    }

    /** Rounds (mag + sticky) * 2^scale, mag > 0. */
    static Float80 roundExact(FpContext ctx, Precision precision, boolean negative, BigInteger mag, long scale,
            boolean sticky) {
        int len = mag.bitLength();
        long sig;
        long extra;
        if (len <= 128) {
            BigInteger x = mag.shiftLeft(128 - len);
            sig = x.shiftRight(64).longValue();
            extra = x.longValue();
        } else {
            BigInteger x = mag.shiftRight(len - 128);
            sig = x.shiftRight(64).longValue();
            extra = x.longValue();
            sticky |= mag.getLowestSetBit() < len - 128;
        }
        if (sticky) {
            extra |= 1;
        }
        long exp = scale + len - 1;
        int clamped = (int) Math.max(Math.min(exp, 1 << 20), -(1 << 20));
        return round(ctx, precision, negative, clamped, sig, extra);
    }

    /** Re-rounds a value to a narrower precision (x87 precision control, float/double stores). */
    public static Float80 roundTo(FpContext ctx, Precision precision, Float80 x) {
        if (!x.isFinite() || x.isZero()) {
            return x;
        }
        return round(ctx, precision, x.negative(), exponentOf(x), normalizedSignificand(x), 0);
    }

    // ---------------------------------------------------------------- NaN handling

    /**
     * If either operand is a NaN or an unsupported encoding, returns the propagated result and
     * raises the flags; otherwise null.
     */
    static Float80 propagateNaN(FpContext ctx, Float80 a, Float80 b) {
        if (a.isUnsupported() || b.isUnsupported()) {
            ctx.raise(FpFlags.INVALID);
            return Float80.DEFAULT_NAN;
        }
        boolean aNaN = a.isNaN();
        boolean bNaN = b.isNaN();
        if (!aNaN && !bNaN) {
            return null;
        }
        if (a.isSignalingNaN() || b.isSignalingNaN()) {
            ctx.raise(FpFlags.INVALID);
        }
        if (!aNaN) {
            return b.quieted();
        }
        if (!bNaN) {
            return a.quieted();
        }
        if (ctx.firstNaNWins()) {
            return a.quieted();
        }
        boolean aQuiet = !a.isSignalingNaN();
        boolean bQuiet = !b.isSignalingNaN();
        if (aQuiet != bQuiet) {
            return aQuiet ? a : b;
        }
        int cmp = Long.compareUnsigned(a.significand() << 1, b.significand() << 1);
        if (cmp == 0) {
            return (a.negative() ? b : a).quieted(); // equal payloads: the positive one
        }
        return (cmp > 0 ? a : b).quieted();
    }

    static Float80 propagateNaN(FpContext ctx, Float80 a) {
        if (a.isUnsupported()) {
            ctx.raise(FpFlags.INVALID);
            return Float80.DEFAULT_NAN;
        }
        if (a.isNaN()) {
            if (a.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
            }
            return a.quieted();
        }
        return null;
    }

    private static Float80 invalid(FpContext ctx) {
        ctx.raise(FpFlags.INVALID);
        return Float80.DEFAULT_NAN;
    }

    private static void noteDenormals(FpContext ctx, Float80 a, Float80 b) {
        if (a.isDenormal() || b.isDenormal()) {
            ctx.raise(FpFlags.DENORMAL);
        }
    }

    // ---------------------------------------------------------------- arithmetic

    public static Float80 add(FpContext ctx, Precision precision, Float80 a, Float80 b) {
        return addSigned(ctx, precision, a, b, false);
    }

    public static Float80 subtract(FpContext ctx, Precision precision, Float80 a, Float80 b) {
        return addSigned(ctx, precision, a, b, true);
    }

    private static Float80 addSigned(FpContext ctx, Precision precision, Float80 a, Float80 b, boolean subtract) {
        ctx.setRoundedUp(false);
        Float80 nan = propagateNaN(ctx, a, b);
        if (nan != null) {
            return nan;
        }
        noteDenormals(ctx, a, b);
        boolean aNeg = a.negative();
        boolean bNeg = b.negative() ^ subtract;
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isInfinity() && b.isInfinity() && aNeg != bNeg) {
                return invalid(ctx);
            }
            return a.isInfinity() ? a : Float80.infinity(bNeg);
        }
        if (a.isZero() && b.isZero()) {
            boolean neg = aNeg == bNeg ? aNeg : ctx.rounding() == FpContext.ROUND_DOWN;
            return Float80.zero(neg);
        }
        if (b.isZero()) {
            return roundTo(ctx, precision, a);
        }
        if (a.isZero()) {
            return roundTo(ctx, precision, b.withSign(bNeg));
        }
        int ea = exponentOf(a);
        int eb = exponentOf(b);
        long sa = normalizedSignificand(a);
        long sb = normalizedSignificand(b);
        if (ea < eb || (ea == eb && Long.compareUnsigned(sa, sb) < 0)) {
            int te = ea; ea = eb; eb = te;
            long ts = sa; sa = sb; sb = ts;
            boolean tn = aNeg; aNeg = bNeg; bNeg = tn;
        }
        // now |a| >= |b|; shift b right by d into (bh, bl), jamming lost bits into bl's bit 0
        long d = (long) ea - eb;
        long bh = alignedHigh(sb, d);
        long bl = alignedLow(sb, d);
        if (aNeg == bNeg) {
            long lo = bl;
            long hi = sa + bh;
            boolean carry = Long.compareUnsigned(hi, sa) < 0;
            int exp = ea;
            if (carry) {
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | Float80.INTEGER_BIT;
                exp++;
            }
            return round(ctx, precision, aNeg, exp, hi, lo);
        }
        long lo = -bl;
        long borrow = bl != 0 ? 1 : 0;
        long hi = sa - bh - borrow;
        if (hi == 0 && lo == 0) {
            return Float80.zero(ctx.rounding() == FpContext.ROUND_DOWN);
        }
        int exp = ea;
        int lz = hi != 0 ? Long.numberOfLeadingZeros(hi) : 64 + Long.numberOfLeadingZeros(lo);
        if (lz >= 64) {
            hi = lo << (lz - 64);
            lo = 0;
        } else if (lz > 0) {
            hi = (hi << lz) | (lo >>> (64 - lz));
            lo = lo << lz;
        }
        exp -= lz;
        return round(ctx, precision, aNeg, exp, hi, lo);
    }

    public static Float80 multiply(FpContext ctx, Precision precision, Float80 a, Float80 b) {
        ctx.setRoundedUp(false);
        Float80 nan = propagateNaN(ctx, a, b);
        if (nan != null) {
            return nan;
        }
        boolean neg = a.negative() ^ b.negative();
        if (a.isInfinity() || b.isInfinity()) {
            if (a.isZero() || b.isZero()) {
                return invalid(ctx);
            }
            noteDenormals(ctx, a, b);
            return Float80.infinity(neg);
        }
        noteDenormals(ctx, a, b);
        if (a.isZero() || b.isZero()) {
            return Float80.zero(neg);
        }
        long sa = normalizedSignificand(a);
        long sb = normalizedSignificand(b);
        long hi = Math.unsignedMultiplyHigh(sa, sb);
        long lo = sa * sb;
        int exp = exponentOf(a) + exponentOf(b);
        if (hi < 0) {
            exp += 1;
        } else {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
        }
        return round(ctx, precision, neg, exp, hi, lo);
    }

    public static Float80 divide(FpContext ctx, Precision precision, Float80 a, Float80 b) {
        ctx.setRoundedUp(false);
        Float80 nan = propagateNaN(ctx, a, b);
        if (nan != null) {
            return nan;
        }
        boolean neg = a.negative() ^ b.negative();
        if (a.isInfinity()) {
            if (b.isInfinity()) {
                return invalid(ctx);
            }
            noteDenormals(ctx, a, b);
            return Float80.infinity(neg);
        }
        if (b.isInfinity()) {
            noteDenormals(ctx, a, b);
            return Float80.zero(neg);
        }
        if (b.isZero()) {
            if (a.isZero()) {
                return invalid(ctx);
            }
            ctx.raise(FpFlags.DIVIDE_BY_ZERO); // takes precedence over a denormal dividend
            return Float80.infinity(neg);
        }
        noteDenormals(ctx, a, b);
        if (a.isZero()) {
            return Float80.zero(neg);
        }
        long sa = normalizedSignificand(a);
        long sb = normalizedSignificand(b);
        int exp = exponentOf(a) - exponentOf(b);
        // 64 quotient bits from one 128/64 division (plus the integer bit when sa >= sb); the
        // remainder then decides the rounding bit and the sticky bit
        boolean atLeastOne = Long.compareUnsigned(sa, sb) >= 0;
        long high = atLeastOne ? sa - sb : sa;
        long q = divide128(high, 0, sb);
        long r = -q * sb; // the remainder fits in 64 bits, so arithmetic modulo 2^64 gives it exactly
        long rest = sb - r;
        long fraction = (Long.compareUnsigned(r, rest) >= 0 ? Long.MIN_VALUE : 0) | (r != 0 && r != rest ? 1 : 0);
        long sig;
        long extra;
        if (atLeastOne) {
            sig = Float80.INTEGER_BIT | (q >>> 1);
            extra = (q << 63) | (fraction >>> 1) | (fraction & 1);
        } else {
            sig = q;
            extra = fraction;
            exp -= 1;
        }
        return round(ctx, precision, neg, exp, sig, extra);
    }

    /**
     * (u1:u0) / v for u1 < v and v with its top bit set, in two 32-bit digit steps (the
     * classic schoolbook division by a normalized two-digit divisor).
     */
    static long divide128(long u1, long u0, long v) {
        final long base = 1L << 32;
        long vHigh = v >>> 32;
        long vLow = v & 0xffffffffL;
        long uHigh = u0 >>> 32;
        long uLow = u0 & 0xffffffffL;
        long q1 = Long.divideUnsigned(u1, vHigh);
        long rhat = u1 - q1 * vHigh;
        while (Long.compareUnsigned(q1, base) >= 0
                || Long.compareUnsigned(q1 * vLow, (rhat << 32) | uHigh) > 0) {
            q1--;
            rhat += vHigh;
            if (Long.compareUnsigned(rhat, base) >= 0) {
                break;
            }
        }
        long middle = ((u1 << 32) | uHigh) - q1 * v;
        long q0 = Long.divideUnsigned(middle, vHigh);
        rhat = middle - q0 * vHigh;
        while (Long.compareUnsigned(q0, base) >= 0
                || Long.compareUnsigned(q0 * vLow, (rhat << 32) | uLow) > 0) {
            q0--;
            rhat += vHigh;
            if (Long.compareUnsigned(rhat, base) >= 0) {
                break;
            }
        }
        return (q1 << 32) | q0;
    }

    public static Float80 sqrt(FpContext ctx, Precision precision, Float80 a) {
        ctx.setRoundedUp(false);
        Float80 nan = propagateNaN(ctx, a);
        if (nan != null) {
            return nan;
        }
        if (a.isZero()) {
            return a;
        }
        if (a.negative()) {
            return invalid(ctx);
        }
        if (a.isInfinity()) {
            return a;
        }
        if (a.isDenormal()) {
            ctx.raise(FpFlags.DENORMAL);
        }
        // value = N * 2^scale with N a 128-bit integer in [2^126, 2^128) and scale even, so
        // sqrt(value) = sqrt(N) * 2^(scale/2) with a 64-bit integer root whose top bit is set
        int e = exponentOf(a);
        long sig = normalizedSignificand(a);
        long nHi;
        long nLo;
        int scale;
        if ((e & 1) != 0) {
            nHi = sig;
            nLo = 0;
            scale = e - 127;
        } else {
            nHi = sig >>> 1;
            nLo = sig << 63;
            scale = e - 126;
        }
        long root = squareRoot128(nHi, nLo);
        long squareHi = Math.unsignedMultiplyHigh(root, root);
        long squareLo = root * root;
        long remLo = nLo - squareLo;
        long remHi = nHi - squareHi - (Long.compareUnsigned(nLo, squareLo) < 0 ? 1 : 0);
        // the remainder N - root^2 lies in [0, 2*root]; the true root is root + f with f > 1/2
        // exactly when the remainder exceeds root (never exactly 1/2), and inexact unless it is 0
        boolean aboveHalf = remHi != 0 || Long.compareUnsigned(remLo, root) > 0;
        boolean inexact = remHi != 0 || remLo != 0;
        long extra = (aboveHalf ? Long.MIN_VALUE : 0) | (inexact ? 1 : 0);
        return round(ctx, precision, false, scale / 2 + 63, root, extra);
    }

    /**
     * The high word of a nonzero 64-bit significand shifted right by {@code d} (>= 0) bits into a
     * 128-bit (high, low) pair: the smaller addend aligned to the larger one's exponent.
     */
    static long alignedHigh(long significand, long d) {
        return d == 0 ? significand : d < 64 ? significand >>> d : 0;
    }

    /** The low word of that pair; bits shifted out past it are jammed into its bit 0 (sticky). */
    static long alignedLow(long significand, long d) {
        if (d == 0) {
            return 0;
        } else if (d < 64) {
            return significand << (64 - d);
        } else if (d == 64) {
            return significand;
        } else if (d < 128) {
            return (significand >>> (d - 64)) | ((significand << (128 - d)) != 0 ? 1 : 0);
        }
        return 1;
    }

    /**
     * floor(sqrt(N)) for N = (hi:lo) in [2^126, 2^128): a double estimate (good to about 52
     * bits), then Newton corrections on the exact 128-bit remainder until it lies in [0, 2*root].
     */
    static long squareRoot128(long hi, long lo) {
        double estimate = Math.sqrt(unsignedToDouble(hi) * 0x1p64 + unsignedToDouble(lo));
        long root = estimate >= 0x1p64 ? -1L
                : estimate >= 0x1p63 ? (long) (estimate - 0x1p63) ^ Long.MIN_VALUE : (long) estimate;
        while (true) {
            long squareHi = Math.unsignedMultiplyHigh(root, root);
            long squareLo = root * root;
            long remLo = lo - squareLo;
            long remHi = hi - squareHi - (Long.compareUnsigned(lo, squareLo) < 0 ? 1 : 0);
            // remainder within [0, 2*root]: root is the floor
            long twiceHi = root >>> 63;
            long twiceLo = root << 1;
            boolean nonNegative = remHi >= 0;
            boolean atMostTwice = remHi < twiceHi || (remHi == twiceHi && Long.compareUnsigned(remLo, twiceLo) <= 0);
            if (nonNegative && atMostTwice) {
                return root;
            }
            double remainder = remHi * 0x1p64 + unsignedToDouble(remLo);
            long step = (long) Math.rint(remainder / (2 * unsignedToDouble(root)));
            if (step == 0) {
                step = nonNegative ? 1 : -1;
            }
            root += step;
        }
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? (double) value : ((double) ((value >>> 1) | (value & 1))) * 2;
    }

    static BigInteger unsigned(long value) {
        BigInteger big = BigInteger.valueOf(value & Long.MAX_VALUE);
        return value < 0 ? big.setBit(63) : big;
    }

    // ---------------------------------------------------------------- comparison

    public static final int LESS = -1;
    public static final int EQUAL = 0;
    public static final int GREATER = 1;
    public static final int UNORDERED = 2;

    /**
     * Compares a with b. Quiet NaNs raise invalid only when {@code signalOnQuietNaN} (fcom,
     * comiss and the ordered cmpps predicates); signaling NaNs always do.
     */
    public static int compare(FpContext ctx, Float80 a, Float80 b, boolean signalOnQuietNaN) {
        if (a.isUnsupported() || b.isUnsupported()) {
            ctx.raise(FpFlags.INVALID);
            return UNORDERED;
        }
        if (a.isNaN() || b.isNaN()) {
            if (signalOnQuietNaN || a.isSignalingNaN() || b.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
            }
            return UNORDERED;
        }
        noteDenormals(ctx, a, b);
        if (a.isZero() && b.isZero()) {
            return EQUAL;
        }
        if (a.negative() != b.negative()) {
            return a.negative() ? LESS : GREATER;
        }
        int magnitude = compareMagnitude(a, b);
        return a.negative() ? -magnitude : magnitude;
    }

    private static int compareMagnitude(Float80 a, Float80 b) {
        if (a.isZero()) {
            return b.isZero() ? EQUAL : LESS;
        }
        if (b.isZero()) {
            return GREATER;
        }
        int ea = a.isInfinity() ? Integer.MAX_VALUE : exponentOf(a);
        int eb = b.isInfinity() ? Integer.MAX_VALUE : exponentOf(b);
        if (ea != eb) {
            return ea < eb ? LESS : GREATER;
        }
        return Integer.signum(Long.compareUnsigned(normalizedSignificand(a), normalizedSignificand(b)));
    }

    // ---------------------------------------------------------------- integers

    /**
     * Rounds a finite value to an integer under the context's rounding mode (frndint). The
     * result keeps the sign of a (so -0.3 rounds to -0).
     */
    public static Float80 roundToInteger(FpContext ctx, Float80 a) {
        ctx.setRoundedUp(false);
        Float80 nan = propagateNaN(ctx, a);
        if (nan != null) {
            return nan;
        }
        if (a.isInfinity() || a.isZero()) {
            return a;
        }
        if (a.isDenormal()) {
            ctx.raise(FpFlags.DENORMAL);
        }
        int e = exponentOf(a);
        if (e >= 63) {
            return a;
        }
        long magnitude = integerMagnitude(ctx, a.negative(), e, normalizedSignificand(a), ctx.rounding());
        if (magnitude == 0) {
            return Float80.zero(a.negative());
        }
        int lz = Long.numberOfLeadingZeros(magnitude);
        return encode(a.negative(), 63 - lz, magnitude << lz);
    }

    /** |value| rounded to an integer (exponent below 64), raising precision if inexact. */
    private static long integerMagnitude(FpContext ctx, boolean negative, int e, long sig, int mode) {
        int shift = 63 - e;
        long kept;
        boolean half;
        boolean rest;
        if (shift == 0) {
            return sig;
        } else if (shift < 64) {
            kept = sig >>> shift;
            half = ((sig >>> (shift - 1)) & 1) != 0;
            rest = (sig & ((1L << (shift - 1)) - 1)) != 0;
        } else if (shift == 64) {
            kept = 0;
            half = true;
            rest = (sig << 1) != 0;
        } else {
            kept = 0;
            half = false;
            rest = true;
        }
        boolean inexact = half || rest;
        boolean increment = switch (mode) {
            case FpContext.ROUND_NEAREST -> half && (rest || (kept & 1) != 0);
            case FpContext.ROUND_DOWN -> negative && inexact;
            case FpContext.ROUND_UP -> !negative && inexact;
            default -> false;
        };
        if (inexact) {
            ctx.raise(FpFlags.PRECISION);
        }
        ctx.setRoundedUp(increment);
        return kept + (increment ? 1 : 0);
    }

    /**
     * Converts to a signed integer of {@code bits} (16, 32 or 64) with the given rounding mode;
     * out of range, NaN and infinity raise invalid and give the "integer indefinite" (the most
     * negative value).
     */
    public static long toInteger(FpContext ctx, Float80 a, int bits, int mode) {
        ctx.setRoundedUp(false);
        long indefinite = -1L << (bits - 1);
        if (a.isUnsupported() || a.isNaN() || a.isInfinity()) {
            ctx.raise(FpFlags.INVALID);
            return indefinite;
        }
        if (a.isZero()) {
            return 0;
        }
        int e = exponentOf(a);
        if (e >= 64) {
            ctx.raise(FpFlags.INVALID);
            return indefinite;
        }
        int flagsBefore = ctx.flags();
        long magnitude = integerMagnitude(ctx, a.negative(), e, normalizedSignificand(a), mode);
        long limit = 1L << (bits - 1); // as unsigned: 2^(bits-1)
        boolean fits = a.negative() ? Long.compareUnsigned(magnitude, limit) <= 0
                : Long.compareUnsigned(magnitude, limit) < 0;
        if (!fits) {
            // out of range: no precision flag, only invalid
            ctx.clearFlags();
            ctx.raise(flagsBefore | FpFlags.INVALID);
            return indefinite;
        }
        return a.negative() ? -magnitude : magnitude;
    }

    public static Float80 fromLong(long value) {
        if (value == 0) {
            return Float80.POSITIVE_ZERO;
        }
        boolean neg = value < 0;
        long mag = neg ? -value : value; // Long.MIN_VALUE stays 2^63 as unsigned
        int lz = Long.numberOfLeadingZeros(mag);
        return encode(neg, 63 - lz, mag << lz);
    }

    // ---------------------------------------------------------------- binary32 / binary64

    /** Exact widening without flags: NaNs keep their signaling bit (for arithmetic operands). */
    public static Float80 widenDouble(long bits) {
        if (((bits >>> 52) & 0x7ff) == 0x7ff && (bits & 0xfffffffffffffL) != 0) {
            return new Float80((bits < 0 ? 0x8000 : 0) | 0x7fff, Float80.INTEGER_BIT | ((bits & 0xfffffffffffffL) << 11));
        }
        return fromDouble(FLAG_SINK, bits);
    }

    public static Float80 widenFloat(int bits) {
        if (((bits >>> 23) & 0xff) == 0xff && (bits & 0x7fffff) != 0) {
            return new Float80((bits < 0 ? 0x8000 : 0) | 0x7fff, Float80.INTEGER_BIT | ((long) (bits & 0x7fffff) << 40));
        }
        return fromFloat(FLAG_SINK, bits);
    }

    /**
     * Receives the flags of conversions whose flags nobody reads (the widening of NaN-free
     * operands): a shared context instead of a new one per call. Its contents are never used.
     */
    private static final FpContext FLAG_SINK = new FpContext();

    public static boolean isDenormalDouble(long bits) {
        return ((bits >>> 52) & 0x7ff) == 0 && (bits & 0xfffffffffffffL) != 0;
    }

    public static boolean isDenormalFloat(int bits) {
        return ((bits >>> 23) & 0xff) == 0 && (bits & 0x7fffff) != 0;
    }

    /** Exact conversion of binary64 bits; signaling NaNs raise invalid and are quieted. */
    public static Float80 fromDouble(FpContext ctx, long bits) {
        boolean neg = bits < 0;
        int biased = (int) (bits >>> 52) & 0x7ff;
        long fraction = bits & 0xfffffffffffffL;
        int sign = neg ? 0x8000 : 0;
        if (biased == 0x7ff) {
            if (fraction == 0) {
                return Float80.infinity(neg);
            }
            Float80 nan = new Float80(sign | 0x7fff, Float80.INTEGER_BIT | (fraction << 11));
            if (nan.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
                return nan.quieted();
            }
            return nan;
        }
        if (biased == 0) {
            if (fraction == 0) {
                return Float80.zero(neg);
            }
            if (ctx.denormalsAreZero()) {
                return Float80.zero(neg);
            }
            ctx.raise(FpFlags.DENORMAL);
            int lz = Long.numberOfLeadingZeros(fraction);
            return encode(neg, -1022 - (lz - 11), fraction << lz);
        }
        return new Float80(sign | (biased - 1023 + Float80.EXPONENT_BIAS),
                Float80.INTEGER_BIT | (fraction << 11));
    }

    public static Float80 fromFloat(FpContext ctx, int bits) {
        boolean neg = bits < 0;
        int biased = (bits >>> 23) & 0xff;
        long fraction = bits & 0x7fffffL;
        int sign = neg ? 0x8000 : 0;
        if (biased == 0xff) {
            if (fraction == 0) {
                return Float80.infinity(neg);
            }
            Float80 nan = new Float80(sign | 0x7fff, Float80.INTEGER_BIT | (fraction << 40));
            if (nan.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
                return nan.quieted();
            }
            return nan;
        }
        if (biased == 0) {
            if (fraction == 0 || ctx.denormalsAreZero()) {
                return Float80.zero(neg);
            }
            ctx.raise(FpFlags.DENORMAL);
            int lz = Long.numberOfLeadingZeros(fraction);
            return encode(neg, -126 - (lz - 40), fraction << lz);
        }
        return new Float80(sign | (biased - 127 + Float80.EXPONENT_BIAS), Float80.INTEGER_BIT | (fraction << 40));
    }

    /** Rounds to binary64 (the x87 fst m64 and SSE results). */
    public static long toDouble(FpContext ctx, Float80 a) {
        long sign = a.negative() ? Long.MIN_VALUE : 0;
        if (a.isUnsupported()) {
            ctx.raise(FpFlags.INVALID);
            return 0xfff8000000000000L;
        }
        if (a.isNaN()) {
            if (a.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
            }
            return sign | 0x7ff8000000000000L | ((a.significand() << 1) >>> 12);
        }
        if (a.isInfinity()) {
            return sign | 0x7ff0000000000000L;
        }
        if (a.isZero()) {
            return sign;
        }
        // (storing a denormal does not report a denormal operand)
        Float80 r = round(ctx, Precision.DOUBLE, a.negative(), exponentOf(a), normalizedSignificand(a), 0);
        return packDouble(r);
    }

    /** Packs a value already representable in binary64. */
    static long packDouble(Float80 r) {
        long sign = r.negative() ? Long.MIN_VALUE : 0;
        if (r.isInfinity()) {
            return sign | 0x7ff0000000000000L;
        }
        if (r.isZero()) {
            return sign;
        }
        int e = exponentOf(r);
        long sig = normalizedSignificand(r);
        if (e >= -1022) {
            return sign | ((long) (e + 1023) << 52) | ((sig << 1) >>> 12);
        }
        return sign | (sig >>> (11 + (-1022 - e)));
    }

    public static int toFloat(FpContext ctx, Float80 a) {
        int sign = a.negative() ? Integer.MIN_VALUE : 0;
        if (a.isUnsupported()) {
            ctx.raise(FpFlags.INVALID);
            return 0xffc00000;
        }
        if (a.isNaN()) {
            if (a.isSignalingNaN()) {
                ctx.raise(FpFlags.INVALID);
            }
            return sign | 0x7fc00000 | (int) ((a.significand() << 1) >>> 41);
        }
        if (a.isInfinity()) {
            return sign | 0x7f800000;
        }
        if (a.isZero()) {
            return sign;
        }
        Float80 r = round(ctx, Precision.SINGLE, a.negative(), exponentOf(a), normalizedSignificand(a), 0);
        return packFloat(r);
    }

    static int packFloat(Float80 r) {
        int sign = r.negative() ? Integer.MIN_VALUE : 0;
        if (r.isInfinity()) {
            return sign | 0x7f800000;
        }
        if (r.isZero()) {
            return sign;
        }
        int e = exponentOf(r);
        long sig = normalizedSignificand(r);
        if (e >= -126) {
            return sign | ((e + 127) << 23) | (int) ((sig << 1) >>> 41);
        }
        return sign | (int) (sig >>> (40 + (-126 - e)));
    }
}
