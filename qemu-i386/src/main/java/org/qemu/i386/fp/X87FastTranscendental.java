package org.qemu.i386.fp;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The fast path of {@link X87Transcendental}: the same functions in double-double arithmetic
 * (about 100 correct bits) for operands in the ranges programs use, then one rounding to 64
 * bits. Returns null outside those ranges; the caller then takes the 50-digit path.
 */
final class X87FastTranscendental {
    private static final DoubleDouble LN2 = DoubleDouble.of(X87Transcendental.ln2());
    private static final DoubleDouble PI = DoubleDouble.of(X87Transcendental.pi());
    private static final DoubleDouble HALF_PI = PI.scale(-1);
    /** The hardware's 66-bit pi/2 as an integer M with pi/2 ~ M * 2^-65. */
    private static final BigInteger HALF_PI_66 = X87Transcendental.reductionHalfPi()
            .multiply(new BigDecimal(BigInteger.ONE.shiftLeft(65))).toBigIntegerExact();
    private static final double NEGLIGIBLE = 0x1p-112;

    private X87FastTranscendental() {
    }

    /** Exact conversion of a finite non-zero value whose exponent keeps clear of double's range limits. */
    private static DoubleDouble exact(Float80 x) {
        int e = SoftFloat.exponentOf(x);
        long sig = SoftFloat.normalizedSignificand(x);
        double hi = Math.scalb((double) (sig >>> 11), e - 52);
        double lo = Math.scalb((double) (sig & 0x7ff), e - 63);
        return x.negative() ? new DoubleDouble(-hi, -lo) : new DoubleDouble(hi, lo);
    }

    private static boolean inRange(Float80 x) {
        if (!x.isFinite() || x.isZero() || x.isUnsupported()) {
            return false;
        }
        int e = SoftFloat.exponentOf(x);
        return e > -900 && e < 900;
    }

    /** Rounds hi + lo once to 64 bits in the context's mode; transcendental results are inexact. */
    private static Float80 toFloat80(FpContext c, DoubleDouble v) {
        FpContext scratch = new FpContext();
        Float80 hi = SoftFloat.fromDouble(scratch, Double.doubleToRawLongBits(v.hi()));
        Float80 lo = SoftFloat.fromDouble(scratch, Double.doubleToRawLongBits(v.lo()));
        Float80 sum = SoftFloat.add(c, Precision.EXTENDED, hi, lo);
        c.raise(FpFlags.PRECISION);
        return sum;
    }

    // ---------------------------------------------------------------- the x87 functions

    static Float80 twoToXMinusOne(FpContext c, Float80 x) {
        if (!inRange(x) || SoftFloat.exponentOf(x) >= 0) {
            return null; // |x| >= 1: outside the instruction's domain, leave it to the slow path
        }
        return toFloat80(c, expm1(exact(x).multiply(LN2)));
    }

    static Float80 yLog2X(FpContext c, Float80 y, Float80 x) {
        if (!inRange(x) || !inRange(y) || x.negative()) {
            return null;
        }
        int e = SoftFloat.exponentOf(x);
        long sig = SoftFloat.normalizedSignificand(x);
        if (e == 0 && sig == Float80.INTEGER_BIT) {
            return null; // x == 1: exact zero with a sign rule, the slow path has it
        }
        DoubleDouble m = exact(new Float80(Float80.EXPONENT_BIAS, sig)); // in [1, 2)
        if (Long.compareUnsigned(sig, 0xb504f333f9de6484L) > 0) {
            m = m.scale(-1);
            e += 1;
        }
        DoubleDouble t = m.subtract(DoubleDouble.ONE).divide(m.add(DoubleDouble.ONE));
        DoubleDouble log2 = atanh(t).scale(1).divide(LN2).add(new DoubleDouble(e, 0));
        return toFloat80(c, exact(y).multiply(log2));
    }

    static Float80 yLog2XPlusOne(FpContext c, Float80 y, Float80 x) {
        if (!inRange(x) || !inRange(y) || SoftFloat.exponentOf(x) >= -1) {
            return null; // |x| >= 0.5: the slow path
        }
        DoubleDouble v = exact(x);
        DoubleDouble t = v.divide(DoubleDouble.TWO.add(v));
        DoubleDouble log2 = atanh(t).scale(1).divide(LN2);
        return toFloat80(c, exact(y).multiply(log2));
    }

    static Float80 atan2(FpContext c, Float80 y, Float80 x) {
        if (!inRange(x) || !inRange(y) || Math.abs(SoftFloat.exponentOf(y) - SoftFloat.exponentOf(x)) > 900) {
            return null;
        }
        DoubleDouble q = exact(y.abs()).divide(exact(x.abs()));
        DoubleDouble angle = atan(q);
        if (x.negative()) {
            angle = PI.subtract(angle);
        }
        return toFloat80(c, y.negative() ? angle.negate() : angle);
    }

    /** fsin/fcos/fptan for |x| < 2^20, reduced exactly by the hardware's 66-bit pi/2. */
    static Float80 trigonometric(FpContext c, X87Transcendental.Function f, Float80 x) {
        if (!inRange(x) || SoftFloat.exponentOf(x) >= 20) {
            return null;
        }
        int e = SoftFloat.exponentOf(x);
        long sig = SoftFloat.normalizedSignificand(x);
        long k = (long) Math.rint(exact(x.abs()).hi() / HALF_PI.hi());
        DoubleDouble r;
        if (k == 0) {
            r = exact(x.abs());
        } else {
            // |x| - k * M * 2^-65, exactly, at the scale 2^s
            int s = Math.min(e - 63, -65);
            BigInteger big = SoftFloat.unsigned(sig).shiftLeft(e - 63 - s)
                    .subtract(HALF_PI_66.multiply(BigInteger.valueOf(k)).shiftLeft(-65 - s));
            r = fromScaledInteger(big, s);
        }
        int quadrant = (int) (k & 3);
        DoubleDouble sin;
        DoubleDouble cos;
        switch (f) {
            case SIN -> {
                sin = quadrantSine(r, quadrant);
                return toFloat80(c, x.negative() ? sin.negate() : sin);
            }
            case COS -> {
                return toFloat80(c, quadrantSine(r, (quadrant + 1) & 3));
            }
            default -> {
                sin = quadrantSine(r, quadrant);
                cos = quadrantSine(r, (quadrant + 1) & 3);
                DoubleDouble tan = sin.divide(cos);
                return toFloat80(c, x.negative() ? tan.negate() : tan);
            }
        }
    }

    private static DoubleDouble quadrantSine(DoubleDouble r, int quadrant) {
        DoubleDouble v = (quadrant & 1) == 0 ? sinSeries(r) : cosSeries(r);
        return (quadrant & 2) == 0 ? v : v.negate();
    }

    private static DoubleDouble fromScaledInteger(BigInteger value, int scale) {
        boolean negative = value.signum() < 0;
        BigInteger magnitude = value.abs();
        int length = magnitude.bitLength();
        BigInteger high = magnitude;
        int shift = 0;
        if (length > 53) {
            shift = length - 53;
            high = magnitude.shiftRight(shift).shiftLeft(shift);
        }
        BigInteger low = magnitude.subtract(high);
        if (low.bitLength() > 53) {
            low = low.shiftRight(low.bitLength() - 53).shiftLeft(low.bitLength() - 53);
        }
        double hi = Math.scalb(high.shiftRight(shift).doubleValue(), scale + shift);
        double lo = Math.scalb(low.doubleValue(), scale);
        DoubleDouble r = new DoubleDouble(hi, 0).add(new DoubleDouble(lo, 0));
        return negative ? r.negate() : r;
    }

    // ---------------------------------------------------------------- series

    /** e^z - 1 for |z| < 0.7: Taylor on z / 256, then expm1(2a) = expm1(a) (expm1(a) + 2) eight times. */
    private static DoubleDouble expm1(DoubleDouble z) {
        DoubleDouble r = z.scale(-8);
        DoubleDouble term = r;
        DoubleDouble sum = r;
        for (int n = 2; n < 40; n++) {
            term = term.multiply(r).divide(n);
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * NEGLIGIBLE) {
                break;
            }
        }
        for (int i = 0; i < 8; i++) {
            sum = sum.multiply(sum.add(DoubleDouble.TWO));
        }
        return sum;
    }

    /** atanh(t) = t + t^3/3 + t^5/5 + ... for |t| < 0.2. */
    private static DoubleDouble atanh(DoubleDouble t) {
        DoubleDouble t2 = t.multiply(t);
        DoubleDouble power = t;
        DoubleDouble sum = t;
        for (int n = 3; n < 200; n += 2) {
            power = power.multiply(t2);
            DoubleDouble term = power.divide(n);
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * NEGLIGIBLE) {
                break;
            }
        }
        return sum;
    }

    /** atan(q), q > 0: invert above 1, halve the angle until q < 1/8, then the alternating series. */
    private static DoubleDouble atan(DoubleDouble q) {
        boolean inverted = q.compareTo(1) > 0;
        if (inverted) {
            q = DoubleDouble.ONE.divide(q);
        }
        int doublings = 0;
        while (q.hi() > 0.125) {
            q = q.divide(DoubleDouble.ONE.add(DoubleDouble.ONE.add(q.multiply(q)).sqrt()));
            doublings++;
        }
        DoubleDouble q2 = q.multiply(q);
        DoubleDouble power = q;
        DoubleDouble sum = q;
        for (int n = 3; n < 200; n += 2) {
            power = power.multiply(q2).negate();
            DoubleDouble term = power.divide(n);
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * NEGLIGIBLE) {
                break;
            }
        }
        sum = sum.scale(doublings);
        return inverted ? HALF_PI.subtract(sum) : sum;
    }

    private static DoubleDouble sinSeries(DoubleDouble x) {
        DoubleDouble x2 = x.multiply(x);
        DoubleDouble term = x;
        DoubleDouble sum = x;
        for (int n = 1; n < 60; n++) {
            term = term.multiply(x2).divide((2.0 * n) * (2.0 * n + 1)).negate();
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * NEGLIGIBLE) {
                break;
            }
        }
        return sum;
    }

    private static DoubleDouble cosSeries(DoubleDouble x) {
        DoubleDouble x2 = x.multiply(x);
        DoubleDouble term = DoubleDouble.ONE;
        DoubleDouble sum = DoubleDouble.ONE;
        for (int n = 1; n < 60; n++) {
            term = term.multiply(x2).divide((2.0 * n - 1) * (2.0 * n)).negate();
            sum = sum.add(term);
            if (Math.abs(term.hi()) < Math.abs(sum.hi()) * NEGLIGIBLE) {
                break;
            }
        }
        return sum;
    }
}
