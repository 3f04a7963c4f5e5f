package org.qemu.i386.fp;

/**
 * Floating-point exception flags. The x87 status word and MXCSR keep them in the same six
 * low bits, so one set of constants serves both units.
 */
public final class FpFlags {
    public static final int INVALID = 0x01;
    public static final int DENORMAL = 0x02;
    public static final int DIVIDE_BY_ZERO = 0x04;
    public static final int OVERFLOW = 0x08;
    public static final int UNDERFLOW = 0x10;
    public static final int PRECISION = 0x20;
    public static final int ALL = 0x3f;

    private FpFlags() {
    }
}
