package org.qemu.i386.fp;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * One x87 80-bit extended-precision value, bit for bit: sign and 15-bit biased exponent in
 * {@code signExponent} (bits 0-15), the 64-bit significand with its explicit integer bit.
 * Also the exact carrier for single and double values inside the soft-float core.
 */
public record Float80(int signExponent, long significand) {
    public static final int EXPONENT_BIAS = 16383;
    public static final int MAX_BIASED_EXPONENT = 0x7fff;
    public static final long INTEGER_BIT = 1L << 63;
    public static final long QUIET_BIT = 1L << 62;

    public static final Float80 POSITIVE_ZERO = new Float80(0, 0);
    public static final Float80 NEGATIVE_ZERO = new Float80(0x8000, 0);
    public static final Float80 POSITIVE_INFINITY = new Float80(0x7fff, INTEGER_BIT);
    public static final Float80 NEGATIVE_INFINITY = new Float80(0xffff, INTEGER_BIT);
    /** The "real indefinite" QNaN the x87 produces for invalid operations. */
    public static final Float80 DEFAULT_NAN = new Float80(0xffff, INTEGER_BIT | QUIET_BIT);
    public static final Float80 ONE = new Float80(EXPONENT_BIAS, INTEGER_BIT);

    public Float80 {
        signExponent &= 0xffff;
    }

    public boolean negative() {
        return (signExponent & 0x8000) != 0;
    }

    public int biasedExponent() {
        return signExponent & 0x7fff;
    }

    public boolean isZero() {
        return biasedExponent() == 0 && significand == 0;
    }

    /** Denormal or pseudo-denormal (exponent field 0, non-zero significand). */
    public boolean isDenormal() {
        return biasedExponent() == 0 && significand != 0;
    }

    public boolean isInfinity() {
        return biasedExponent() == MAX_BIASED_EXPONENT && significand == INTEGER_BIT;
    }

    public boolean isNaN() {
        return biasedExponent() == MAX_BIASED_EXPONENT && (significand & INTEGER_BIT) != 0
                && (significand << 1) != 0;
    }

    public boolean isSignalingNaN() {
        return isNaN() && (significand & QUIET_BIT) == 0;
    }

    /**
     * Encodings the 387 and later reject as operands: unnormals, pseudo-NaNs and
     * pseudo-infinities (integer bit clear with a non-zero exponent).
     */
    public boolean isUnsupported() {
        return biasedExponent() != 0 && (significand & INTEGER_BIT) == 0;
    }

    public boolean isFinite() {
        return biasedExponent() != MAX_BIASED_EXPONENT;
    }

    public Float80 negate() {
        return new Float80(signExponent ^ 0x8000, significand);
    }

    public Float80 abs() {
        return new Float80(signExponent & 0x7fff, significand);
    }

    public Float80 withSign(boolean negative) {
        return new Float80(negative ? signExponent | 0x8000 : signExponent & 0x7fff, significand);
    }

    public Float80 quieted() {
        return new Float80(signExponent, significand | QUIET_BIT);
    }

    public static Float80 zero(boolean negative) {
        return negative ? NEGATIVE_ZERO : POSITIVE_ZERO;
    }

    public static Float80 infinity(boolean negative) {
        return negative ? NEGATIVE_INFINITY : POSITIVE_INFINITY;
    }

    /** The ten bytes as stored in memory, little-endian. */
    public byte[] toBytes() {
        byte[] bytes = new byte[10];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (significand >>> (8 * i));
        }
        bytes[8] = (byte) signExponent;
        bytes[9] = (byte) (signExponent >>> 8);
        return bytes;
    }

    public static Float80 fromBytes(byte[] bytes, int offset) {
        long sig = 0;
        for (int i = 7; i >= 0; i--) {
            sig = (sig << 8) | (bytes[offset + i] & 0xff);
        }
        return new Float80((bytes[offset + 8] & 0xff) | (bytes[offset + 9] & 0xff) << 8, sig);
    }

    /** Exact value of a finite number, for tests and diagnostics. */
    public BigDecimal toBigDecimal() {
        if (!isFinite()) {
            throw new ArithmeticException("not finite: " + this);
        }
        int exp = Math.max(biasedExponent(), 1) - EXPONENT_BIAS - 63;
        BigDecimal magnitude = new BigDecimal(new BigInteger(Long.toUnsignedString(significand)));
        magnitude = exp >= 0 ? magnitude.multiply(new BigDecimal(BigInteger.TWO.pow(exp)))
                : magnitude.divide(new BigDecimal(BigInteger.TWO.pow(-exp)));
        return negative() ? magnitude.negate() : magnitude;
    }

    @Override
    public String toString() {
        return String.format("%04x:%016x", signExponent, significand);
    }
}
