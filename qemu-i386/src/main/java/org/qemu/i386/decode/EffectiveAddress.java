package org.qemu.i386.decode;

/**
 * A decoded memory operand: segment:[base + index * 2^scale + displacement], computed in
 * {@code addressBits} (16 or 32; in 64-bit code 64, or 32 with the 0x67 prefix). A register of
 * -1 is absent; base {@link #RIP} is RIP-relative (the displacement counts from the end of the
 * instruction, which {@code ripAnchor} holds once the instruction is decoded).
 *
 * <p>{@code longMode}: the operand belongs to 64-bit code, where the offset is not wrapped to
 * 32 bits after the segment base is added and only FS and GS have bases.
 */
public record EffectiveAddress(int segment, int base, int index, int scale, int displacement, int addressBits,
        boolean longMode, X86Decoder.RipAnchor ripAnchor) {
    /** The base register number meaning "the address of the next instruction". */
    public static final int RIP = 16;

    /** An operand of 16/32-bit code. */
    public EffectiveAddress(int segment, int base, int index, int scale, int displacement, int addressBits) {
        this(segment, base, index, scale, displacement, addressBits, false, null);
    }

    public boolean hasBase() {
        return base >= 0;
    }

    public boolean hasIndex() {
        return index >= 0;
    }
}
