package org.qemu.i386.fp;

import java.util.function.IntBinaryOperator;

/**
 * MMX/SSE2 integer operations on one 64-bit chunk of lanes. Every operation here keeps its
 * lanes inside the chunk, so a 128-bit XMM operation is the same function applied to the low and
 * the high quadword; the cross-chunk ones (unpack, pack, shuffles, byte shifts) live in
 * {@link SseTranslator}.
 */
public final class PackedInteger {
    private PackedInteger() {
    }

    /** Applies {@code op} lane by lane to lanes of {@code bits} (8, 16 or 32), keeping each result's low bits. */
    static long lanes(long a, long b, int bits, IntBinaryOperator op) {
        long mask = (1L << bits) - 1;
        long result = 0;
        for (int shift = 0; shift < 64; shift += bits) {
            int x = (int) ((a >>> shift) & mask);
            int y = (int) ((b >>> shift) & mask);
            result |= (op.applyAsInt(x, y) & mask) << shift;
        }
        return result;
    }

    private static int signed(int value, int bits) {
        return (value << (32 - bits)) >> (32 - bits);
    }

    private static int saturateSigned(int value, int bits) {
        int max = (1 << (bits - 1)) - 1;
        int min = -(1 << (bits - 1));
        return Math.max(min, Math.min(max, value));
    }

    private static int saturateUnsigned(int value, int bits) {
        return Math.max(0, Math.min((1 << bits) - 1, value));
    }

    // ---------------------------------------------------------------- add / subtract

    public static long addBytes(long a, long b) {
        // SWAR: add the low 7 bits, then fix the top bit of each byte
        long low = (a & 0x7f7f7f7f7f7f7f7fL) + (b & 0x7f7f7f7f7f7f7f7fL);
        return low ^ ((a ^ b) & 0x8080808080808080L);
    }

    public static long addWords(long a, long b) {
        long low = (a & 0x7fff7fff7fff7fffL) + (b & 0x7fff7fff7fff7fffL);
        return low ^ ((a ^ b) & 0x8000800080008000L);
    }

    public static long addDwords(long a, long b) {
        long low = (a & 0x7fffffff7fffffffL) + (b & 0x7fffffff7fffffffL);
        return low ^ ((a ^ b) & 0x8000000080000000L);
    }

    public static long addQword(long a, long b) {
        return a + b;
    }

    public static long subBytes(long a, long b) {
        long diff = (a | 0x8080808080808080L) - (b & 0x7f7f7f7f7f7f7f7fL);
        return diff ^ ((a ^ ~b) & 0x8080808080808080L);
    }

    public static long subWords(long a, long b) {
        long diff = (a | 0x8000800080008000L) - (b & 0x7fff7fff7fff7fffL);
        return diff ^ ((a ^ ~b) & 0x8000800080008000L);
    }

    public static long subDwords(long a, long b) {
        long diff = (a | 0x8000000080000000L) - (b & 0x7fffffff7fffffffL);
        return diff ^ ((a ^ ~b) & 0x8000000080000000L);
    }

    public static long subQword(long a, long b) {
        return a - b;
    }

    public static long addSignedSaturateBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> saturateSigned(signed(x, 8) + signed(y, 8), 8));
    }

    public static long addSignedSaturateWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> saturateSigned(signed(x, 16) + signed(y, 16), 16));
    }

    public static long addUnsignedSaturateBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> saturateUnsigned(x + y, 8));
    }

    public static long addUnsignedSaturateWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> saturateUnsigned(x + y, 16));
    }

    public static long subSignedSaturateBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> saturateSigned(signed(x, 8) - signed(y, 8), 8));
    }

    public static long subSignedSaturateWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> saturateSigned(signed(x, 16) - signed(y, 16), 16));
    }

    public static long subUnsignedSaturateBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> saturateUnsigned(x - y, 8));
    }

    public static long subUnsignedSaturateWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> saturateUnsigned(x - y, 16));
    }

    // ---------------------------------------------------------------- compare, min, max, average

    public static long compareEqualBytes(long a, long b) {
        // a byte of x is zero exactly where the bytes are equal
        long x = a ^ b;
        long nonZero = ((x & 0x7f7f7f7f7f7f7f7fL) + 0x7f7f7f7f7f7f7f7fL | x) & 0x8080808080808080L;
        long equalHigh = ~nonZero & 0x8080808080808080L;
        return (equalHigh >>> 7) * 0xff;
    }

    public static long compareEqualWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> x == y ? -1 : 0);
    }

    public static long compareEqualDwords(long a, long b) {
        return lanes(a, b, 32, (x, y) -> x == y ? -1 : 0);
    }

    public static long compareGreaterBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> signed(x, 8) > signed(y, 8) ? -1 : 0);
    }

    public static long compareGreaterWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> signed(x, 16) > signed(y, 16) ? -1 : 0);
    }

    public static long compareGreaterDwords(long a, long b) {
        return lanes(a, b, 32, (x, y) -> x > y ? -1 : 0);
    }

    public static long minUnsignedBytes(long a, long b) {
        return lanes(a, b, 8, Math::min);
    }

    public static long maxUnsignedBytes(long a, long b) {
        return lanes(a, b, 8, Math::max);
    }

    public static long minSignedWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> Math.min(signed(x, 16), signed(y, 16)));
    }

    public static long maxSignedWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> Math.max(signed(x, 16), signed(y, 16)));
    }

    public static long averageBytes(long a, long b) {
        return lanes(a, b, 8, (x, y) -> (x + y + 1) >>> 1);
    }

    public static long averageWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> (x + y + 1) >>> 1);
    }

    // ---------------------------------------------------------------- multiply

    public static long multiplyLowWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> x * y);
    }

    public static long multiplyHighSignedWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> (signed(x, 16) * signed(y, 16)) >> 16);
    }

    public static long multiplyHighUnsignedWords(long a, long b) {
        return lanes(a, b, 16, (x, y) -> (x * y) >>> 16);
    }

    /** pmuludq: the low unsigned dwords multiplied into a quadword. */
    public static long multiplyUnsignedDword(long a, long b) {
        return (a & 0xffffffffL) * (b & 0xffffffffL);
    }

    /** pmaddwd: signed word products summed in pairs into dwords. */
    public static long multiplyAddWords(long a, long b) {
        long result = 0;
        for (int pair = 0; pair < 2; pair++) {
            int sum = 0;
            for (int k = 0; k < 2; k++) {
                int shift = 32 * pair + 16 * k;
                sum += (short) (a >>> shift) * (short) (b >>> shift);
            }
            result |= (sum & 0xffffffffL) << (32 * pair);
        }
        return result;
    }

    /** psadbw: the sum of absolute byte differences in the low word. */
    public static long sumAbsoluteDifferences(long a, long b) {
        int sum = 0;
        for (int shift = 0; shift < 64; shift += 8) {
            sum += Math.abs((int) ((a >>> shift) & 0xff) - (int) ((b >>> shift) & 0xff));
        }
        return sum;
    }

    // ---------------------------------------------------------------- logic

    public static long and(long a, long b) {
        return a & b;
    }

    public static long andNot(long a, long b) {
        return ~a & b;
    }

    public static long or(long a, long b) {
        return a | b;
    }

    public static long xor(long a, long b) {
        return a ^ b;
    }

    // ---------------------------------------------------------------- shifts (count already taken from the source)

    public static long shiftLeftLogical(long a, int bits, long count) {
        if (Long.compareUnsigned(count, bits) >= 0) {
            return 0;
        }
        int c = (int) count;
        return switch (bits) {
            case 64 -> a << c;
            case 32 -> ((a & 0xffffffffL) << c) & 0xffffffffL | ((a >>> 32) << c) << 32;
            default -> lanes(a, 0, 16, (x, y) -> x << c);
        };
    }

    public static long shiftRightLogical(long a, int bits, long count) {
        if (Long.compareUnsigned(count, bits) >= 0) {
            return 0;
        }
        int c = (int) count;
        return switch (bits) {
            case 64 -> a >>> c;
            case 32 -> ((a & 0xffffffffL) >>> c) | ((a >>> 32) >>> c) << 32;
            default -> lanes(a, 0, 16, (x, y) -> x >>> c);
        };
    }

    public static long shiftRightArithmetic(long a, int bits, long count) {
        int c = Long.compareUnsigned(count, bits - 1) > 0 ? bits - 1 : (int) count;
        return switch (bits) {
            case 32 -> (((int) a >> c) & 0xffffffffL) | ((long) ((int) (a >>> 32) >> c)) << 32;
            default -> lanes(a, 0, 16, (x, y) -> signed(x, 16) >> c);
        };
    }

    // ---------------------------------------------------------------- narrowing and masks

    /** Packs the four signed words of {@code a} into four bytes with signed saturation. */
    public static int packSignedWordsToBytes(long a) {
        int r = 0;
        for (int i = 0; i < 4; i++) {
            r |= (saturateSigned((short) (a >>> (16 * i)), 8) & 0xff) << (8 * i);
        }
        return r;
    }

    public static int packSignedWordsToUnsignedBytes(long a) {
        int r = 0;
        for (int i = 0; i < 4; i++) {
            r |= (saturateUnsigned((short) (a >>> (16 * i)), 8) & 0xff) << (8 * i);
        }
        return r;
    }

    public static int packSignedDwordsToWords(long a) {
        int lo = saturateSigned((int) a, 16) & 0xffff;
        int hi = saturateSigned((int) (a >>> 32), 16) & 0xffff;
        return lo | hi << 16;
    }

    /** pmovmskb on one chunk: the top bit of each byte. */
    public static int byteSignMask(long a) {
        long bits = (a & 0x8080808080808080L) >>> 7;
        return (int) ((bits * 0x0102040810204080L) >>> 56);
    }

    /** Interleaves the low lanes of two 32-bit halves: x0 y0 x1 y1 ... (punpckl*). */
    public static long interleave(int x, int y, int bits) {
        long mask = (1L << bits) - 1;
        long result = 0;
        int lanes = 32 / bits;
        for (int i = 0; i < lanes; i++) {
            result |= ((x >>> (bits * i)) & mask) << (2 * bits * i);
            result |= ((y >>> (bits * i)) & mask) << (2 * bits * i + bits);
        }
        return result;
    }
}
