package org.qemu.common.hw;

/** A device decoding a range of x86 I/O ports; offsets are relative to the range start. */
public interface IoPortDevice {
    /** Reads {@code size} (1, 2 or 4) bytes; unused high bits are ignored by the caller. */
    int read(int offset, int size);

    void write(int offset, int size, int value);
}
