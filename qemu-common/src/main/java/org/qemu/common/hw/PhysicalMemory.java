package org.qemu.common.hw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Guest physical RAM starting at address 0, as seen by devices: little-endian, every access
 * bounds-checked so that a guest-supplied address can never reach host memory outside the segment.
 */
public final class PhysicalMemory {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment ram;
    private volatile WriteObserver writeObserver = (address, length) -> { };

    /** Told of every device write into RAM (DMA): a translating CPU drops code translated from there. */
    @FunctionalInterface
    public interface WriteObserver {
        void written(long address, long length);
    }

    public PhysicalMemory(MemorySegment ram) {
        this.ram = ram;
    }

    public void setWriteObserver(WriteObserver observer) {
        this.writeObserver = observer;
    }

    public MemorySegment segment() {
        return ram;
    }

    public long size() {
        return ram.byteSize();
    }

    /** True when {@code [address, address + length)} lies inside RAM, with no overflow. */
    public boolean contains(long address, long length) {
        return address >= 0 && length >= 0 && address <= ram.byteSize() && length <= ram.byteSize() - address;
    }

    private long check(long address, long length) {
        if (!contains(address, length)) {
            throw new PhysicalMemoryException(address, length);
        }
        return address;
    }

    /** A view of guest RAM, e.g. for a DMA transfer; throws if any byte lies outside. */
    public MemorySegment slice(long address, long length) {
        return ram.asSlice(check(address, length), length);
    }

    /** {@link #slice} for a transfer that will write the range (a disk read into guest RAM). */
    public MemorySegment sliceForWrite(long address, long length) {
        MemorySegment view = ram.asSlice(check(address, length), length);
        writeObserver.written(address, length);
        return view;
    }

    public int read8(long address) {
        return Byte.toUnsignedInt(ram.get(ValueLayout.JAVA_BYTE, check(address, 1)));
    }

    public int read16(long address) {
        return Short.toUnsignedInt(ram.get(U16, check(address, 2)));
    }

    public int read32(long address) {
        return ram.get(U32, check(address, 4));
    }

    public long read64(long address) {
        return ram.get(U64, check(address, 8));
    }

    public void write8(long address, int value) {
        ram.set(ValueLayout.JAVA_BYTE, check(address, 1), (byte) value);
        writeObserver.written(address, 1);
    }

    public void write16(long address, int value) {
        ram.set(U16, check(address, 2), (short) value);
        writeObserver.written(address, 2);
    }

    public void write32(long address, int value) {
        ram.set(U32, check(address, 4), value);
        writeObserver.written(address, 4);
    }

    public void write64(long address, long value) {
        ram.set(U64, check(address, 8), value);
        writeObserver.written(address, 8);
    }

    public void write(long address, byte[] data) {
        MemorySegment.copy(data, 0, ram, ValueLayout.JAVA_BYTE, check(address, data.length), data.length);
        writeObserver.written(address, data.length);
    }

    public byte[] read(long address, int length) {
        byte[] data = new byte[length];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, check(address, length), data, 0, length);
        return data;
    }
}
