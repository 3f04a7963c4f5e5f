package org.qemu.i386.fp;

import java.util.Random;

/** Random floating-point operands weighted towards the cases where implementations go wrong. */
final class Operands {
    private final Random random;

    Operands(Random random) {
        this.random = random;
    }

    Float80 next() {
        int sign = random.nextBoolean() ? 0x8000 : 0;
        int kind = random.nextInt(100);
        if (kind < 4) {
            return new Float80(sign, 0);
        }
        if (kind < 7) {
            return new Float80(sign | 0x7fff, Float80.INTEGER_BIT);
        }
        if (kind < 9) {
            return new Float80(sign | 0x7fff, Float80.INTEGER_BIT | Float80.QUIET_BIT | (random.nextLong() >>> 2));
        }
        if (kind < 10) {
            return new Float80(sign | 0x7fff, Float80.INTEGER_BIT | ((random.nextLong() >>> 2) | 1));
        }
        if (kind < 12) {
            return new Float80(sign, random.nextLong() >>> (1 + random.nextInt(63)));
        }
        if (kind < 13) {
            return new Float80(sign | (1 + random.nextInt(0x7ffe)), random.nextLong() >>> 1); // unnormal
        }
        int exponent;
        int range = random.nextInt(10);
        if (range < 6) {
            exponent = 0x3fff - 8 + random.nextInt(80);
        } else if (range < 7) {
            exponent = 0x3fff - 70 + random.nextInt(70);
        } else if (range < 8) {
            exponent = 1 + random.nextInt(80);
        } else if (range < 9) {
            exponent = 0x7ffe - random.nextInt(80);
        } else {
            exponent = 1 + random.nextInt(0x7ffe);
        }
        long significand = Float80.INTEGER_BIT | random.nextLong();
        int shape = random.nextInt(4);
        if (shape == 0) {
            significand &= -1L << 11; // a double's precision
        } else if (shape == 1) {
            significand &= -1L << (40 + random.nextInt(24));
        }
        return new Float80(sign | exponent, significand);
    }

    /** A value close to a in magnitude, for cancellation and tie cases. */
    Float80 near(Float80 a) {
        if (!a.isFinite() || a.isZero()) {
            return next();
        }
        int exponent = Math.max(1, Math.min(0x7ffe, a.biasedExponent() + random.nextInt(5) - 2));
        long significand = a.significand() ^ (random.nextLong() >>> (40 + random.nextInt(24)));
        int sign = random.nextBoolean() ? 0x8000 : 0;
        return new Float80(sign | exponent, significand | Float80.INTEGER_BIT);
    }

    /** 16 bytes whose leading 2, 4, 8 or 10 bytes are an interesting integer, float, double or extended. */
    byte[] memory() {
        byte[] m = new byte[16];
        random.nextBytes(m);
        int kind = random.nextInt(4);
        if (kind == 0) {
            Float80 x = next();
            long d = SoftFloat.toDouble(new FpContext(), x);
            X87NativeTest.put(m, d, 8);
        } else if (kind == 1) {
            Float80 x = next();
            X87NativeTest.put(m, SoftFloat.toFloat(new FpContext(), x), 4);
        } else if (kind == 2) {
            X87NativeTest.put(m, random.nextInt(1 << random.nextInt(31)) * (random.nextBoolean() ? 1L : -1L), 8);
        } else {
            System.arraycopy(next().toBytes(), 0, m, 0, 10);
        }
        return m;
    }
}
