package org.qemu.i386.fp;

/**
 * The x87 arithmetic, loads and stores of compiled C code, without the general soft-float
 * path: the control word has round-to-nearest (and, for arithmetic, 64-bit precision, the
 * Linux default 0x037F), the operands are normal numbers (or zeros for loads, stores and
 * compares), and the result stays in the normal range. Then the exact 128-bit intermediate is
 * rounded to 64 bits here with plain long arithmetic, straight into the FPU's primitive
 * register arrays: no allocation, no {@link FpContext}. The status word changes exactly as on
 * the general path: precision (inexact) and C1 (rounded up) are the only flags such an
 * operation can raise. Every method answers false, having changed nothing, when its case is
 * not covered; the caller then runs the general path.
 */
final class X87FastPath {
    private static final int BIAS = Float80.EXPONENT_BIAS;
    private static final long INTEGER_BIT = Float80.INTEGER_BIT;

    private X87FastPath() {
    }

    /** Control word RC = nearest and PC = 64 bits. */
    static boolean nearestExtended(int control) {
        return (control & 0xf00) == 0x300;
    }

    static boolean isNormal(int word, long significand) {
        int e = word & 0x7fff;
        return e != 0 && e != 0x7fff && significand < 0;
    }

    static boolean isZero(int word, long significand) {
        return (word & 0x7fff) == 0 && significand == 0;
    }

    /** ST(physical destination) = left op right for normal operands; see the class comment. */
    static boolean arithmetic(X87Fpu f, X87Fpu.Operation op, int destination, int leftWord, long left, int rightWord,
            long right) {
        if (!nearestExtended(f.control) || !isNormal(leftWord, left) || !isNormal(rightWord, right)) {
            return false;
        }
        return switch (op) {
            case ADD -> add(f, destination, leftWord, left, rightWord, right);
            case SUB -> add(f, destination, leftWord, left, rightWord ^ 0x8000, right);
            case SUBR -> add(f, destination, rightWord, right, leftWord ^ 0x8000, left);
            case MUL -> multiply(f, destination, leftWord, left, rightWord, right);
            case DIV -> divide(f, destination, leftWord, left, rightWord, right);
            case DIVR -> divide(f, destination, rightWord, right, leftWord, left);
        };
    }

    private static boolean add(X87Fpu f, int destination, int aWord, long sa, int bWord, long sb) {
        int ea = aWord & 0x7fff;
        int eb = bWord & 0x7fff;
        boolean aNeg = (aWord & 0x8000) != 0;
        boolean bNeg = (bWord & 0x8000) != 0;
        if (ea < eb || (ea == eb && Long.compareUnsigned(sa, sb) < 0)) {
            int te = ea; ea = eb; eb = te;
            long ts = sa; sa = sb; sb = ts;
            boolean tn = aNeg; aNeg = bNeg; bNeg = tn;
        }
        // |a| >= |b|: b shifted right by the exponent difference into (bh, bl), lost bits sticky
        int d = ea - eb;
        long bh = SoftFloat.alignedHigh(sb, d);
        long bl = SoftFloat.alignedLow(sb, d);
        if (aNeg == bNeg) {
            long hi = sa + bh;
            long lo = bl;
            int exp = ea;
            if (Long.compareUnsigned(hi, sa) < 0) { // carry out of bit 63
                lo = (lo >>> 1) | (hi << 63) | (lo & 1);
                hi = (hi >>> 1) | INTEGER_BIT;
                exp++;
            }
            return finish(f, destination, aNeg, exp, hi, lo);
        }
        long lo = -bl;
        long hi = sa - bh - (bl != 0 ? 1 : 0);
        if (hi == 0 && lo == 0) {
            // exact cancellation: +0 under round-to-nearest, no flags
            f.writePhysical(destination, 0, 0);
            f.status &= ~X87Fpu.SW_C1;
            return true;
        }
        int lz = hi != 0 ? Long.numberOfLeadingZeros(hi) : 64 + Long.numberOfLeadingZeros(lo);
        if (lz >= 64) {
            hi = lo << (lz - 64);
            lo = 0;
        } else if (lz > 0) {
            hi = (hi << lz) | (lo >>> (64 - lz));
            lo = lo << lz;
        }
        return finish(f, destination, aNeg, ea - lz, hi, lo);
    }

    private static boolean multiply(X87Fpu f, int destination, int aWord, long sa, int bWord, long sb) {
        long hi = Math.unsignedMultiplyHigh(sa, sb);
        long lo = sa * sb;
        int exp = (aWord & 0x7fff) + (bWord & 0x7fff) - BIAS;
        if (hi < 0) {
            exp += 1;
        } else {
            hi = (hi << 1) | (lo >>> 63);
            lo <<= 1;
        }
        return finish(f, destination, ((aWord ^ bWord) & 0x8000) != 0, exp, hi, lo);
    }

    private static boolean divide(X87Fpu f, int destination, int aWord, long sa, int bWord, long sb) {
        int exp = (aWord & 0x7fff) - (bWord & 0x7fff) + BIAS;
        boolean atLeastOne = Long.compareUnsigned(sa, sb) >= 0;
        long high = atLeastOne ? sa - sb : sa;
        long q = SoftFloat.divide128(high, 0, sb);
        long r = -q * sb; // the remainder fits in 64 bits
        long rest = sb - r;
        long fraction = (Long.compareUnsigned(r, rest) >= 0 ? Long.MIN_VALUE : 0) | (r != 0 && r != rest ? 1 : 0);
        long sig;
        long extra;
        if (atLeastOne) {
            sig = INTEGER_BIT | (q >>> 1);
            extra = (q << 63) | (fraction >>> 1) | (fraction & 1);
        } else {
            sig = q;
            extra = fraction;
            exp -= 1;
        }
        return finish(f, destination, ((aWord ^ bWord) & 0x8000) != 0, exp, sig, extra);
    }

    /**
     * Rounds (hi + lo/2^64) * 2^(biased - BIAS - 63), hi normalized, to 64 bits (nearest even)
     * and stores it, unless the result leaves the normal range (the general path then handles
     * overflow, and underflow with the x87's tininess-after-rounding rule).
     */
    private static boolean finish(X87Fpu f, int destination, boolean negative, int biased, long hi, long lo) {
        boolean half = lo < 0;
        boolean rest = (lo << 1) != 0;
        boolean up = half && (rest || (hi & 1) != 0);
        if (up) {
            hi++;
            if (hi == 0) {
                hi = INTEGER_BIT;
                biased++;
            }
        }
        if (biased < 1 || biased > 0x7ffe) {
            return false;
        }
        f.writePhysical(destination, (negative ? 0x8000 : 0) | biased, hi);
        noteRounding(f, half || rest, up);
        return true;
    }

    /** Sets C1 to "rounded up" and the sticky precision flag, as the general path's commit does. */
    private static void noteRounding(X87Fpu f, boolean inexact, boolean up) {
        int before = f.status;
        int status = before & ~X87Fpu.SW_C1;
        if (inexact) {
            f.status = status | FpFlags.PRECISION | (up ? X87Fpu.SW_C1 : 0);
            if ((before & FpFlags.PRECISION) == 0) {
                f.summarize(); // a newly raised flag may be unmasked
            }
        } else {
            f.status = status;
        }
    }

    /** fsqrt of a positive normal ST(0): the exact integer root of the 128-bit significand, rounded. */
    static boolean squareRoot(X87Fpu f, int destination, int word, long sig) {
        if (!nearestExtended(f.control) || !isNormal(word, sig) || (word & 0x8000) != 0) {
            return false;
        }
        // value = sig * 2^(e-63) = N * 2^scale with N = sig * 2^64 or 2^63 and scale even
        int e = (word & 0x7fff) - BIAS;
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
        long root = SoftFloat.squareRoot128(nHi, nLo);
        long squareHi = Math.unsignedMultiplyHigh(root, root);
        long squareLo = root * root;
        long remLo = nLo - squareLo;
        long remHi = nHi - squareHi - (Long.compareUnsigned(nLo, squareLo) < 0 ? 1 : 0);
        // the fraction beyond root is above 1/2 exactly when the remainder exceeds root
        boolean aboveHalf = remHi != 0 || Long.compareUnsigned(remLo, root) > 0;
        boolean inexact = remHi != 0 || remLo != 0;
        long extra = (aboveHalf ? Long.MIN_VALUE : 0) | (inexact ? 1 : 0);
        return finish(f, destination, false, scale / 2 + 63 + BIAS, root, extra);
    }

    // ---------------------------------------------------------------- memory operands

    /** The extended sign/exponent word of a normal or zero double, or -1 (denormal, infinity, NaN). */
    static int wordOfDouble(long bits) {
        int e = (int) (bits >>> 52) & 0x7ff;
        int sign = (int) (bits >>> 48) & 0x8000;
        if (e == 0) {
            return (bits << 1) == 0 ? sign : -1;
        }
        return e == 0x7ff ? -1 : sign | (e - 1023 + BIAS);
    }

    /** The significand matching {@link #wordOfDouble} (0 for zeros). */
    static long significandOfDouble(long bits) {
        return (bits << 1) == 0 ? 0 : INTEGER_BIT | (bits << 11);
    }

    static int wordOfFloat(int bits) {
        int e = (bits >>> 23) & 0xff;
        int sign = (bits >>> 16) & 0x8000;
        if (e == 0) {
            return (bits << 1) == 0 ? sign : -1;
        }
        return e == 0xff ? -1 : sign | (e - 127 + BIAS);
    }

    static long significandOfFloat(int bits) {
        return (bits << 1) == 0 ? 0 : INTEGER_BIT | ((long) bits << 40);
    }

    /**
     * fst/fstp m64 of a normal or zero ST(0) under round-to-nearest whose double is normal:
     * the bits, or {@link SseFastPath#SLOW} (a denormal pattern this never returns).
     */
    static long storeDouble(X87Fpu f, int word, long sig) {
        if ((f.control & 0xc00) != 0) {
            return SseFastPath.SLOW;
        }
        long sign = (long) (word & 0x8000) << 48;
        if (isZero(word, sig)) {
            f.status &= ~X87Fpu.SW_C1;
            return sign;
        }
        if (!isNormal(word, sig)) {
            return SseFastPath.SLOW;
        }
        long kept = sig >>> 11;
        boolean half = (sig & 0x400) != 0;
        boolean rest = (sig & 0x3ff) != 0;
        boolean up = half && (rest || (kept & 1) != 0);
        int e = (word & 0x7fff) - BIAS;
        if (up) {
            kept++;
            if (kept == 1L << 53) {
                kept >>>= 1;
                e++;
            }
        }
        if (e < -1022 || e > 1023) {
            return SseFastPath.SLOW;
        }
        noteRounding(f, half || rest, up);
        return sign | (long) (e + 1023) << 52 | (kept & 0xfffffffffffffL);
    }

    /** fst/fstp m32 likewise: the bits zero-extended, or {@link SseFastPath#SLOW_FLOAT}. */
    static long storeFloat(X87Fpu f, int word, long sig) {
        if ((f.control & 0xc00) != 0) {
            return SseFastPath.SLOW_FLOAT;
        }
        int sign = (word & 0x8000) << 16;
        if (isZero(word, sig)) {
            f.status &= ~X87Fpu.SW_C1;
            return sign & 0xffffffffL;
        }
        if (!isNormal(word, sig)) {
            return SseFastPath.SLOW_FLOAT;
        }
        long kept = sig >>> 40;
        boolean half = (sig & (1L << 39)) != 0;
        boolean rest = (sig & ((1L << 39) - 1)) != 0;
        boolean up = half && (rest || (kept & 1) != 0);
        int e = (word & 0x7fff) - BIAS;
        if (up) {
            kept++;
            if (kept == 1L << 24) {
                kept >>>= 1;
                e++;
            }
        }
        if (e < -126 || e > 127) {
            return SseFastPath.SLOW_FLOAT;
        }
        noteRounding(f, half || rest, up);
        return (sign | (e + 127) << 23 | (int) (kept & 0x7fffff)) & 0xffffffffL;
    }

    /**
     * fist/fistp/fisttp of a normal ST(0) with |value| >= 1 (or a zero) under truncation or
     * round-to-nearest, when the result fits: the integer, or {@link Long#MIN_VALUE} for "not
     * covered" (never a result here: magnitudes stay below 2^62).
     */
    static long storeInteger(X87Fpu f, int word, long sig, int bits, boolean truncate) {
        int rounding = truncate ? FpContext.ROUND_ZERO : (f.control >>> 10) & 3;
        if (rounding != FpContext.ROUND_NEAREST && rounding != FpContext.ROUND_ZERO) {
            return Long.MIN_VALUE;
        }
        if (isZero(word, sig)) {
            f.status &= ~X87Fpu.SW_C1;
            return 0;
        }
        if (!isNormal(word, sig)) {
            return Long.MIN_VALUE;
        }
        int e = (word & 0x7fff) - BIAS;
        if (e < 0 || e > 61) {
            return Long.MIN_VALUE;
        }
        int shift = 63 - e;
        long kept = sig >>> shift;
        boolean half = ((sig >>> (shift - 1)) & 1) != 0;
        boolean rest = (sig & ((1L << (shift - 1)) - 1)) != 0;
        boolean up = rounding == FpContext.ROUND_NEAREST && half && (rest || (kept & 1) != 0);
        long magnitude = kept + (up ? 1 : 0);
        boolean negative = (word & 0x8000) != 0;
        long limit = 1L << (bits - 1);
        if (bits < 64 && (negative ? magnitude > limit : magnitude >= limit)) {
            return Long.MIN_VALUE; // out of range: the general path raises invalid
        }
        noteRounding(f, half || rest, up);
        return negative ? -magnitude : magnitude;
    }

    /**
     * The relation of two normal-or-zero values (SoftFloat.LESS/EQUAL/GREATER), or -2 when
     * either is anything else (NaN, infinity, denormal, unsupported: the general path raises
     * their flags).
     */
    static int relation(int aWord, long a, int bWord, long b) {
        boolean aZero = isZero(aWord, a);
        boolean bZero = isZero(bWord, b);
        if (!(aZero || isNormal(aWord, a)) || !(bZero || isNormal(bWord, b))) {
            return -2;
        }
        if (aZero && bZero) {
            return SoftFloat.EQUAL;
        }
        boolean aNeg = (aWord & 0x8000) != 0;
        boolean bNeg = (bWord & 0x8000) != 0;
        if (aZero) {
            return bNeg ? SoftFloat.GREATER : SoftFloat.LESS;
        }
        if (bZero) {
            return aNeg ? SoftFloat.LESS : SoftFloat.GREATER;
        }
        if (aNeg != bNeg) {
            return aNeg ? SoftFloat.LESS : SoftFloat.GREATER;
        }
        int ea = aWord & 0x7fff;
        int eb = bWord & 0x7fff;
        int magnitude = ea != eb ? (ea < eb ? -1 : 1) : Integer.signum(Long.compareUnsigned(a, b));
        return aNeg ? -magnitude : magnitude;
    }
}
