package org.qemu.i386.fp;

import java.math.BigDecimal;

/**
 * An unevaluated sum of two doubles (about 106 significant bits): the fast working precision
 * of the x87 transcendental functions. Error-free transformations (TwoSum, fma) keep each
 * operation accurate to a few units of 2^-106.
 */
record DoubleDouble(double hi, double lo) {
    static final DoubleDouble ZERO = new DoubleDouble(0, 0);
    static final DoubleDouble ONE = new DoubleDouble(1, 0);
    static final DoubleDouble TWO = new DoubleDouble(2, 0);

    static DoubleDouble of(BigDecimal value) {
        double hi = value.doubleValue();
        double lo = value.subtract(new BigDecimal(hi)).doubleValue();
        return new DoubleDouble(hi, lo);
    }

    private static DoubleDouble quickTwoSum(double a, double b) {
        double s = a + b;
        return new DoubleDouble(s, b - (s - a));
    }

    DoubleDouble add(DoubleDouble y) {
        double s1 = hi + y.hi;
        double bb = s1 - hi;
        double s2 = (hi - (s1 - bb)) + (y.hi - bb);
        double t1 = lo + y.lo;
        double cc = t1 - lo;
        double t2 = (lo - (t1 - cc)) + (y.lo - cc);
        s2 += t1;
        DoubleDouble u = quickTwoSum(s1, s2);
        return quickTwoSum(u.hi, u.lo + t2);
    }

    DoubleDouble negate() {
        return new DoubleDouble(-hi, -lo);
    }

    DoubleDouble subtract(DoubleDouble y) {
        return add(y.negate());
    }

    DoubleDouble multiply(DoubleDouble y) {
        double p = hi * y.hi;
        double e = Math.fma(hi, y.hi, -p);
        e += hi * y.lo + lo * y.hi;
        return quickTwoSum(p, e);
    }

    DoubleDouble multiply(double y) {
        double p = hi * y;
        double e = Math.fma(hi, y, -p);
        e += lo * y;
        return quickTwoSum(p, e);
    }

    DoubleDouble divide(DoubleDouble y) {
        double q1 = hi / y.hi;
        DoubleDouble r = subtract(y.multiply(q1));
        double q2 = r.hi / y.hi;
        r = r.subtract(y.multiply(q2));
        double q3 = r.hi / y.hi;
        DoubleDouble q = quickTwoSum(q1, q2);
        return q.add(new DoubleDouble(q3, 0));
    }

    DoubleDouble divide(double y) {
        return divide(new DoubleDouble(y, 0));
    }

    DoubleDouble scale(int power) {
        return new DoubleDouble(Math.scalb(hi, power), Math.scalb(lo, power));
    }

    DoubleDouble sqrt() {
        if (hi <= 0) {
            return ZERO;
        }
        double s = Math.sqrt(hi);
        DoubleDouble square = new DoubleDouble(s, 0).multiply(new DoubleDouble(s, 0));
        double correction = subtract(square).hi / (2 * s);
        return quickTwoSum(s, correction);
    }

    DoubleDouble abs() {
        return hi < 0 ? negate() : this;
    }

    int compareTo(double value) {
        int c = Double.compare(hi, value);
        return c != 0 ? c : Double.compare(lo, 0);
    }
}
