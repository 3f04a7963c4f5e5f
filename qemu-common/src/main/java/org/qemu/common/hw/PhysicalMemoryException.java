package org.qemu.common.hw;

/** A device was asked to touch guest-physical memory that is not RAM. */
public final class PhysicalMemoryException extends RuntimeException {
    public PhysicalMemoryException(long address, long length) {
        super(String.format("guest memory access outside RAM: 0x%x + 0x%x", address, length));
    }
}
