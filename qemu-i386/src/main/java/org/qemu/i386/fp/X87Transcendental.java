package org.qemu.i386.fp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * fsin, fcos, fptan, f2xm1, fyl2x, fyl2xp1 and fpatan evaluated with 50 significant decimal
 * digits and then rounded once to 64 bits: correctly rounded apart from astronomically rare
 * ties. Hardware is only required to be within about one unit in the last place and reduces
 * large fsin/fcos arguments with a 66-bit pi, so results can differ in the last bit of the 80-bit
 * value (documented in docs/TRANSLATOR.md); after rounding to double they agree almost always.
 * Operands in the usual ranges take {@link X87FastTranscendental} (double-double, about a
 * microsecond); this 50-digit BigDecimal evaluation (tens of microseconds) covers the rest.
 */
final class X87Transcendental {
    enum Function { SIN, COS, TAN, EXP2M1, YLOG2X, YLOG2XP1, ATAN2 }

    private static final MathContext MC = new MathContext(50, RoundingMode.HALF_EVEN);
    private static final MathContext WIDE = new MathContext(100, RoundingMode.HALF_EVEN);
    private static final BigDecimal TWO = BigDecimal.valueOf(2);
    private static final BigDecimal PI_WIDE = computePi(WIDE);
    private static final BigDecimal PI = PI_WIDE.round(MC);
    private static final BigDecimal LN2 = computeLn2();
    private static final BigInteger TWO_POW_63 = BigInteger.ONE.shiftLeft(63);

    private X87Transcendental() {
    }

    static BigDecimal ln2() {
        return LN2;
    }

    static BigDecimal pi() {
        return PI;
    }

    static BigDecimal reductionHalfPi() {
        return REDUCTION_HALF_PI;
    }

    /** Unary functions; null means "operand out of range" (|x| >= 2^63 for the trigonometric ones). */
    static Float80 apply(FpContext c, Function f, Float80 x) {
        Float80 nan = SoftFloat.propagateNaN(c, x);
        if (nan != null) {
            return nan;
        }
        if (x.isDenormal()) {
            c.raise(FpFlags.DENORMAL);
        }
        boolean trig = f == Function.SIN || f == Function.COS || f == Function.TAN;
        if (x.isInfinity()) {
            if (trig) {
                c.raise(FpFlags.INVALID);
                return Float80.DEFAULT_NAN;
            }
            return x.negative() ? SoftFloat.fromLong(-1) : x; // 2^-inf - 1 = -1
        }
        if (x.isZero()) {
            return f == Function.COS ? Float80.ONE : x;
        }
        if (trig && SoftFloat.exponentOf(x) >= 63) {
            return null;
        }
        Float80 fast = switch (f) {
            case SIN, COS, TAN -> X87FastTranscendental.trigonometric(c, f, x);
            case EXP2M1 -> X87FastTranscendental.twoToXMinusOne(c, x);
            default -> null;
        };
        if (fast != null) {
            return fast;
        }
        BigDecimal v = x.toBigDecimal();
        BigDecimal result = switch (f) {
            case SIN -> sin(v);
            case COS -> cos(v);
            case TAN -> sin(v).divide(cos(v), MC);
            case EXP2M1 -> expm1(v.multiply(LN2, MC));
            default -> throw new IllegalArgumentException(f.name());
        };
        return toFloat80(c, result);
    }

    /** Binary functions of (y = ST(1), x = ST(0)). */
    static Float80 apply2(FpContext c, Function f, Float80 y, Float80 x) {
        Float80 nan = SoftFloat.propagateNaN(c, y, x);
        if (nan != null) {
            return nan;
        }
        if (x.isDenormal() || y.isDenormal()) {
            c.raise(FpFlags.DENORMAL);
        }
        return switch (f) {
            case YLOG2X -> yLog2X(c, y, x);
            case YLOG2XP1 -> yLog2XPlusOne(c, y, x);
            case ATAN2 -> atan2(c, y, x);
            default -> throw new IllegalArgumentException(f.name());
        };
    }

    private static Float80 invalid(FpContext c) {
        c.raise(FpFlags.INVALID);
        return Float80.DEFAULT_NAN;
    }

    private static Float80 yLog2X(FpContext c, Float80 y, Float80 x) {
        if (x.negative() && !x.isZero()) {
            return invalid(c);
        }
        if (x.isZero()) {
            if (y.isZero()) {
                return invalid(c);
            }
            if (!y.isInfinity()) {
                c.raise(FpFlags.DIVIDE_BY_ZERO);
            }
            return Float80.infinity(!y.negative());
        }
        if (x.isInfinity()) {
            if (y.isZero()) {
                return invalid(c);
            }
            return Float80.infinity(y.negative());
        }
        int cmpOne = SoftFloat.compare(new FpContext(), x, Float80.ONE, false);
        if (y.isInfinity()) {
            if (cmpOne == SoftFloat.EQUAL) {
                return invalid(c);
            }
            return Float80.infinity(y.negative() ^ (cmpOne == SoftFloat.LESS));
        }
        if (y.isZero() || cmpOne == SoftFloat.EQUAL) {
            return Float80.zero(y.negative() ^ (cmpOne == SoftFloat.LESS));
        }
        Float80 fast = X87FastTranscendental.yLog2X(c, y, x);
        if (fast != null) {
            return fast;
        }
        BigDecimal log2 = ln(x).divide(LN2, MC);
        return toFloat80(c, y.toBigDecimal().multiply(log2, MC));
    }

    private static Float80 yLog2XPlusOne(FpContext c, Float80 y, Float80 x) {
        if (x.isInfinity() || y.isInfinity()) {
            if (x.isZero() || y.isZero()) {
                return invalid(c);
            }
            if (x.isInfinity() && x.negative()) {
                return invalid(c);
            }
            return Float80.infinity(y.negative() ^ x.negative());
        }
        if (x.isZero() || y.isZero()) {
            return Float80.zero(y.negative() ^ x.negative());
        }
        BigDecimal v = x.toBigDecimal();
        if (v.compareTo(BigDecimal.ONE.negate()) <= 0) {
            return invalid(c);
        }
        Float80 fast = X87FastTranscendental.yLog2XPlusOne(c, y, x);
        if (fast != null) {
            return fast;
        }
        // ln(1+v) = 2 atanh(v / (2 + v)) keeps full relative precision for tiny v
        BigDecimal t = v.divide(TWO.add(v), MC);
        BigDecimal log2 = atanh(t).multiply(TWO).divide(LN2, MC);
        return toFloat80(c, y.toBigDecimal().multiply(log2, MC));
    }

    private static Float80 atan2(FpContext c, Float80 y, Float80 x) {
        boolean yNeg = y.negative();
        if (y.isZero()) {
            if (!x.negative()) {
                return y;
            }
            return toFloat80(c, yNeg ? PI.negate() : PI);
        }
        if (x.isZero()) {
            return toFloat80(c, halfPi(yNeg));
        }
        if (y.isInfinity()) {
            if (x.isInfinity()) {
                BigDecimal quarter = PI.divide(BigDecimal.valueOf(4), MC);
                BigDecimal angle = x.negative() ? quarter.multiply(BigDecimal.valueOf(3)) : quarter;
                return toFloat80(c, yNeg ? angle.negate() : angle);
            }
            return toFloat80(c, halfPi(yNeg));
        }
        if (x.isInfinity()) {
            if (!x.negative()) {
                return Float80.zero(yNeg);
            }
            return toFloat80(c, yNeg ? PI.negate() : PI);
        }
        Float80 fast = X87FastTranscendental.atan2(c, y, x);
        if (fast != null) {
            return fast;
        }
        BigDecimal yv = y.toBigDecimal();
        BigDecimal xv = x.toBigDecimal();
        BigDecimal angle = atan(yv.abs().divide(xv.abs(), MC));
        if (x.negative()) {
            angle = PI.subtract(angle, MC);
        }
        return toFloat80(c, yNeg ? angle.negate() : angle);
    }

    private static BigDecimal halfPi(boolean negative) {
        BigDecimal half = PI.divide(TWO, MC);
        return negative ? half.negate() : half;
    }

    // ---------------------------------------------------------------- series

    private static BigDecimal sin(BigDecimal x) {
        return reducedTrig(x, true);
    }

    private static BigDecimal cos(BigDecimal x) {
        return reducedTrig(x, false);
    }

    /** Reduces by the hardware's pi/2 (exactly, in 100 digits), then a Taylor series. */
    /**
     * The hardware reduces fsin/fcos/fptan arguments with pi rounded to 66 bits, not the true pi;
     * measured on this host, using the same constant makes results near multiples of pi/2 agree
     * (with the true pi they differ by up to ~80 ulps there).
     */
    private static final BigDecimal REDUCTION_HALF_PI = roundedHalfPi(66);

    private static BigDecimal roundedHalfPi(int bits) {
        BigDecimal halfPi = PI_WIDE.divide(TWO, WIDE);
        BigDecimal unit = new BigDecimal(BigInteger.ONE.shiftLeft(bits - 1));
        BigInteger scaled = halfPi.multiply(unit).setScale(0, RoundingMode.HALF_EVEN).toBigInteger();
        return new BigDecimal(scaled).divide(unit);
    }

    private static BigDecimal reducedTrig(BigDecimal x, boolean sine) {
        BigDecimal halfPi = REDUCTION_HALF_PI;
        BigDecimal k = x.divide(halfPi, WIDE).setScale(0, RoundingMode.HALF_EVEN);
        BigDecimal r = x.subtract(halfPi.multiply(k, WIDE), WIDE).round(MC);
        int quadrant = k.toBigInteger().and(BigInteger.valueOf(3)).intValue();
        if (!sine) {
            quadrant = (quadrant + 1) & 3;
        }
        BigDecimal value = (quadrant & 1) == 0 ? sinSeries(r) : cosSeries(r);
        return (quadrant & 2) == 0 ? value : value.negate();
    }

    private static BigDecimal sinSeries(BigDecimal x) {
        BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = x;
        BigDecimal sum = x;
        for (int n = 1; n < 200; n++) {
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * n) * (2L * n + 1)), MC).negate();
            sum = sum.add(term, MC);
            if (negligible(term, sum)) {
                break;
            }
        }
        return sum;
    }

    private static BigDecimal cosSeries(BigDecimal x) {
        BigDecimal x2 = x.multiply(x, MC);
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        for (int n = 1; n < 200; n++) {
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf((2L * n - 1) * (2L * n)), MC).negate();
            sum = sum.add(term, MC);
            if (negligible(term, sum)) {
                break;
            }
        }
        return sum;
    }

    /** e^x - 1 for |x| <= ln 2, summed without the leading 1 so tiny x keeps its precision. */
    private static BigDecimal expm1(BigDecimal x) {
        BigDecimal term = x;
        BigDecimal sum = x;
        for (int n = 2; n < 300; n++) {
            term = term.multiply(x, MC).divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (negligible(term, sum)) {
                break;
            }
        }
        return sum;
    }

    /** atanh(t) for |t| <= 1/3 (or so): t + t^3/3 + t^5/5 ... */
    private static BigDecimal atanh(BigDecimal t) {
        BigDecimal t2 = t.multiply(t, MC);
        BigDecimal power = t;
        BigDecimal sum = t;
        for (int n = 3; n < 2000; n += 2) {
            power = power.multiply(t2, MC);
            BigDecimal term = power.divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (negligible(term, sum)) {
                break;
            }
        }
        return sum;
    }

    /** ln of a positive finite value: m * 2^e with m in [sqrt(1/2), sqrt(2)). */
    private static BigDecimal ln(Float80 x) {
        int e = SoftFloat.exponentOf(x);
        long sig = SoftFloat.normalizedSignificand(x);
        BigDecimal m = new BigDecimal(SoftFloat.unsigned(sig)).divide(new BigDecimal(TWO_POW_63));
        if (Long.compareUnsigned(sig, 0xb504f333f9de6484L) > 0) { // m > sqrt(2)
            m = m.divide(TWO);
            e += 1;
        }
        BigDecimal t = m.subtract(BigDecimal.ONE).divide(m.add(BigDecimal.ONE), MC);
        BigDecimal lnM = atanh(t).multiply(TWO, MC);
        return LN2.multiply(BigDecimal.valueOf(e), MC).add(lnM, MC);
    }

    /** atan(t), t >= 0: halve the argument until it is small, then the Taylor series. */
    private static BigDecimal atan(BigDecimal t) {
        boolean inverted = t.compareTo(BigDecimal.ONE) > 0;
        if (inverted) {
            t = BigDecimal.ONE.divide(t, MC);
        }
        int doublings = 0;
        while (t.compareTo(new BigDecimal("0.1")) > 0) {
            // atan(t) = 2 atan(t / (1 + sqrt(1 + t^2)))
            t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, MC)).sqrt(MC)), MC);
            doublings++;
        }
        BigDecimal t2 = t.multiply(t, MC);
        BigDecimal power = t;
        BigDecimal sum = t;
        for (int n = 3; n < 2000; n += 2) {
            power = power.multiply(t2, MC).negate();
            BigDecimal term = power.divide(BigDecimal.valueOf(n), MC);
            sum = sum.add(term, MC);
            if (negligible(term, sum)) {
                break;
            }
        }
        sum = sum.multiply(BigDecimal.valueOf(1L << doublings));
        return inverted ? PI.divide(TWO, MC).subtract(sum, MC) : sum;
    }

    private static boolean negligible(BigDecimal term, BigDecimal sum) {
        if (term.signum() == 0) {
            return true;
        }
        if (sum.signum() == 0) {
            return false;
        }
        return term.abs().compareTo(sum.abs().movePointLeft(60)) < 0;
    }

    private static BigDecimal computePi(MathContext mc) {
        // Machin: pi = 16 atan(1/5) - 4 atan(1/239)
        return arctanInverse(5, mc).multiply(BigDecimal.valueOf(16))
                .subtract(arctanInverse(239, mc).multiply(BigDecimal.valueOf(4)), mc);
    }

    private static BigDecimal arctanInverse(int n, MathContext mc) {
        BigDecimal x = BigDecimal.ONE.divide(BigDecimal.valueOf(n), mc);
        BigDecimal x2 = x.multiply(x, mc);
        BigDecimal power = x;
        BigDecimal sum = x;
        BigDecimal epsilon = BigDecimal.ONE.movePointLeft(mc.getPrecision() + 5);
        for (int k = 3; ; k += 2) {
            power = power.multiply(x2, mc).negate();
            BigDecimal term = power.divide(BigDecimal.valueOf(k), mc);
            sum = sum.add(term, mc);
            if (term.abs().compareTo(epsilon) < 0) {
                return sum;
            }
        }
    }

    private static BigDecimal computeLn2() {
        // ln 2 = 2 atanh(1/3)
        return atanh(BigDecimal.ONE.divide(BigDecimal.valueOf(3), MC)).multiply(TWO, MC);
    }

    /** Rounds a 50-digit approximation to 80 bits with the context's rounding mode. */
    static Float80 toFloat80(FpContext c, BigDecimal value) {
        if (value.signum() == 0) {
            return Float80.POSITIVE_ZERO;
        }
        boolean negative = value.signum() < 0;
        BigDecimal magnitude = value.abs();
        // scale by 2^k so the integer part has about 140 bits
        long k = 140 - estimateLog2(magnitude);
        BigDecimal scaled = k >= 0 ? magnitude.multiply(new BigDecimal(BigInteger.ONE.shiftLeft((int) k)))
                : magnitude.divide(new BigDecimal(BigInteger.ONE.shiftLeft((int) -k)));
        BigInteger integer = scaled.toBigInteger();
        boolean sticky = scaled.compareTo(new BigDecimal(integer)) != 0;
        return SoftFloat.roundExact(c, Precision.EXTENDED, negative, integer, -k, sticky);
    }

    private static long estimateLog2(BigDecimal v) {
        // log2(unscaled) - scale * log2(10), good to a few bits
        return v.unscaledValue().bitLength() - (long) Math.ceil(v.scale() * 3.321928094887362);
    }
}
