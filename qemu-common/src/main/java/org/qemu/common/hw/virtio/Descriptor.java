package org.qemu.common.hw.virtio;

/** One split-ring descriptor, already checked to lie inside guest RAM. */
public record Descriptor(long address, int length, int flags, int next) {
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    /** The device writes this buffer (the driver reads it). */
    public boolean deviceWritable() {
        return (flags & F_WRITE) != 0;
    }
}
