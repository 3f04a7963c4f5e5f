package org.qemu.i386.decode;

/**
 * A decoded memory operand: segment:[base + index * 2^scale + displacement], computed in
 * {@code addressBits} (16 or 32; 64 for x86_64). A register of -1 is absent.
 */
public record EffectiveAddress(int segment, int base, int index, int scale, int displacement, int addressBits) {
    public boolean hasBase() {
        return base >= 0;
    }

    public boolean hasIndex() {
        return index >= 0;
    }
}
