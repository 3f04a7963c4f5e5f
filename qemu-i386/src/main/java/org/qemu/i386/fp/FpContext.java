package org.qemu.i386.fp;

/**
 * The per-operation environment of the soft-float core: the rounding mode in force and the
 * exception flags the operations raise. x87 and SSE each own one; flags accumulate (sticky)
 * until the owner copies them into its status register.
 */
public final class FpContext {
    /** Rounding modes, encoded as in the x87 control word RC field and MXCSR.RC. */
    public static final int ROUND_NEAREST = 0;
    public static final int ROUND_DOWN = 1;
    public static final int ROUND_UP = 2;
    public static final int ROUND_ZERO = 3;

    private int rounding = ROUND_NEAREST;
    private int flags;
    private boolean roundedUp;
    private boolean flushToZero;
    private boolean denormalsAreZero;
    private boolean firstNaNWins;

    public int rounding() {
        return rounding;
    }

    public void setRounding(int mode) {
        this.rounding = mode & 3;
    }

    public int flags() {
        return flags;
    }

    public void raise(int flagBits) {
        flags |= flagBits;
    }

    public void clearFlags() {
        flags = 0;
        roundedUp = false;
    }

    /** True if the last rounding increased the magnitude (the x87 reports this in C1). */
    public boolean roundedUp() {
        return roundedUp;
    }

    void setRoundedUp(boolean value) {
        roundedUp = value;
    }

    public boolean flushToZero() {
        return flushToZero;
    }

    public void setFlushToZero(boolean value) {
        flushToZero = value;
    }

    public boolean denormalsAreZero() {
        return denormalsAreZero;
    }

    public void setDenormalsAreZero(boolean value) {
        denormalsAreZero = value;
    }

    /**
     * NaN propagation: SSE returns the first source NaN, the x87 returns the NaN with the larger
     * significand (a QNaN over an SNaN).
     */
    public boolean firstNaNWins() {
        return firstNaNWins;
    }

    public void setFirstNaNWins(boolean value) {
        firstNaNWins = value;
    }
}
