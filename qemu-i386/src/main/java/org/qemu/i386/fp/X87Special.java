package org.qemu.i386.fp;

import java.math.BigInteger;

/** The exact x87 operations that are not plain IEEE arithmetic: fscale, fxtract, fprem, fprem1. */
final class X87Special {

    private X87Special() {
    }

    static Float80 scale(FpContext c, Float80 a, Float80 b) {
        Float80 nan = SoftFloat.propagateNaN(c, a, b);
        if (nan != null) {
            return nan;
        }
        if (b.isInfinity()) {
            if (!b.negative()) {
                if (a.isZero()) {
                    c.raise(FpFlags.INVALID);
                    return Float80.DEFAULT_NAN;
                }
                return Float80.infinity(a.negative());
            }
            if (a.isInfinity()) {
                c.raise(FpFlags.INVALID);
                return Float80.DEFAULT_NAN;
            }
            return Float80.zero(a.negative());
        }
        if (a.isDenormal() || b.isDenormal()) {
            c.raise(FpFlags.DENORMAL);
        }
        if (a.isInfinity() || a.isZero()) {
            return a;
        }
        long n = 0;
        if (!b.isZero()) {
            int eb = SoftFloat.exponentOf(b);
            if (eb >= 20) {
                n = 1 << 20;
            } else if (eb >= 0) {
                n = SoftFloat.normalizedSignificand(b) >>> (63 - eb);
            }
            if (b.negative()) {
                n = -n;
            }
        }
        return SoftFloat.round(c, Precision.EXTENDED, a.negative(), (int) (SoftFloat.exponentOf(a) + n),
                SoftFloat.normalizedSignificand(a), 0);
    }

    /** fxtract: {exponent, significand}. */
    static Float80[] extract(FpContext c, Float80 a) {
        Float80 nan = SoftFloat.propagateNaN(c, a);
        if (nan != null) {
            return new Float80[] {nan, nan};
        }
        if (a.isZero()) {
            c.raise(FpFlags.DIVIDE_BY_ZERO);
            return new Float80[] {Float80.NEGATIVE_INFINITY, a};
        }
        if (a.isInfinity()) {
            return new Float80[] {Float80.POSITIVE_INFINITY, a};
        }
        if (a.isDenormal()) {
            c.raise(FpFlags.DENORMAL);
        }
        Float80 exponent = SoftFloat.fromLong(SoftFloat.exponentOf(a));
        Float80 significand = SoftFloat.encode(a.negative(), 0, SoftFloat.normalizedSignificand(a));
        return new Float80[] {exponent, significand};
    }

    /** A partial remainder and the condition codes it reports (C2 incomplete, C0/C3/C1 quotient bits). */
    record Remainder(Float80 value, int conditionBits) {
    }

    static Remainder remainder(FpContext c, Float80 a, Float80 b, boolean roundToNearest) {
        Float80 nan = SoftFloat.propagateNaN(c, a, b);
        if (nan != null) {
            return new Remainder(nan, 0);
        }
        if (a.isInfinity() || b.isZero()) {
            c.raise(FpFlags.INVALID);
            return new Remainder(Float80.DEFAULT_NAN, 0);
        }
        if (a.isDenormal() || b.isDenormal()) {
            c.raise(FpFlags.DENORMAL);
        }
        if (b.isInfinity() || a.isZero()) {
            return new Remainder(a, 0);
        }
        int ea = SoftFloat.exponentOf(a);
        int eb = SoftFloat.exponentOf(b);
        long d = (long) ea - eb;
        BigInteger sa = SoftFloat.unsigned(SoftFloat.normalizedSignificand(a));
        BigInteger sb = SoftFloat.unsigned(SoftFloat.normalizedSignificand(b));
        if (d >= 64) {
            // The manual allows any reduction of 32 to 63 bits; measured on this host's CPU it is
            // 32 + (d mod 32).
            int n = 32 + (int) (d & 31);
            BigInteger numerator = sa.shiftLeft(n);
            BigInteger r = numerator.mod(sb);
            return new Remainder(result(c, a.negative(), r, (long) ea - 63 - n), X87Fpu.SW_C2);
        }
        if (d < -1) {
            return new Remainder(SoftFloat.roundTo(c, Precision.EXTENDED, a), 0);
        }
        long scale = Math.min(ea, eb) - 63L;
        BigInteger big = d >= 0 ? sa.shiftLeft((int) d) : sa;
        BigInteger divisor = d >= 0 ? sb : sb.shiftLeft(1);
        BigInteger[] qr = big.divideAndRemainder(divisor);
        BigInteger q = qr[0];
        BigInteger r = qr[1];
        if (roundToNearest) {
            int cmp = r.shiftLeft(1).compareTo(divisor);
            if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
                q = q.add(BigInteger.ONE);
                r = r.subtract(divisor);
            }
        }
        int qBits = q.intValue() & 7;
        int condition = ((qBits & 4) != 0 ? X87Fpu.SW_C0 : 0) | ((qBits & 2) != 0 ? X87Fpu.SW_C3 : 0)
                | ((qBits & 1) != 0 ? X87Fpu.SW_C1 : 0);
        return new Remainder(result(c, a.negative(), r, scale), condition);
    }

    private static Float80 result(FpContext c, boolean dividendNegative, BigInteger r, long scale) {
        if (r.signum() == 0) {
            return Float80.zero(dividendNegative);
        }
        boolean negative = dividendNegative ^ (r.signum() < 0);
        return SoftFloat.roundExact(c, Precision.EXTENDED, negative, r.abs(), scale, false);
    }
}
