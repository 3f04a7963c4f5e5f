package org.qemu.i386.fp;

/**
 * Where a result is rounded: the significand width and the exponent range of normal numbers
 * (unbiased, value = 1.f * 2^e). x87 precision control narrows only the significand and keeps
 * the 15-bit exponent range, which is why it has its own constants.
 */
public record Precision(int bits, int minExponent, int maxExponent) {
    public static final Precision SINGLE = new Precision(24, -126, 127);
    public static final Precision DOUBLE = new Precision(53, -1022, 1023);
    public static final Precision EXTENDED = new Precision(64, -16382, 16383);
    public static final Precision X87_SINGLE = new Precision(24, -16382, 16383);
    public static final Precision X87_DOUBLE = new Precision(53, -16382, 16383);

    /** The x87 precision-control field (control word bits 8-9) as a precision. */
    public static Precision ofX87PrecisionControl(int pc) {
        return switch (pc & 3) {
            case 0 -> X87_SINGLE;
            case 2 -> X87_DOUBLE;
            default -> EXTENDED; // 1 is reserved: treated as 64 bits (not verified on hardware)
        };
    }
}
