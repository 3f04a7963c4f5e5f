package org.qemu.common.hw;

/** A device decoding a range of guest-physical addresses outside RAM. */
public interface MmioDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
