package org.qemu.common.hw;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Guest physical RAM as seen by devices: one range from address 0 and, on guests too big for the
 * space under the PCI hole, a second from 4 GiB. Little-endian, every access bounds-checked so
 * that a guest-supplied address can never reach host memory outside the segments.
 */
public final class PhysicalMemory {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long HIGH_RAM_START = 1L << 32;

    private final MemorySegment ram;
    private final MemorySegment highRam;
    private volatile WriteObserver writeObserver = (address, length) -> { };

    /** Told of every device write into RAM (DMA): a translating CPU drops code translated from there. */
    @FunctionalInterface
    public interface WriteObserver {
        void written(long address, long length);
    }

    /** RAM from address 0, all of it below the PCI hole. */
    public PhysicalMemory(MemorySegment ram) {
        this(ram, MemorySegment.NULL);
    }

    /** RAM split around the PCI hole: {@code below4g} from address 0, {@code above4g} from 4 GiB. */
    public PhysicalMemory(MemorySegment below4g, MemorySegment above4g) {
        this.ram = below4g;
        this.highRam = above4g;
    }

    public void setWriteObserver(WriteObserver observer) {
        this.writeObserver = observer;
    }

    /** RAM below 4 GiB (from address 0). */
    public MemorySegment segment() {
        return ram;
    }

    /** All guest RAM, below and above 4 GiB. */
    public long size() {
        return ram.byteSize() + highRam.byteSize();
    }

    public long below4gSize() {
        return ram.byteSize();
    }

    public long above4gSize() {
        return highRam.byteSize();
    }

    /** True when {@code [address, address + length)} lies inside one RAM range, with no overflow. */
    public boolean contains(long address, long length) {
        return region(address, length) != null;
    }

    /** The segment holding the range, or null; a range never spans the PCI hole. */
    private MemorySegment region(long address, long length) {
        if (address < 0 || length < 0) {
            return null;
        }
        if (address <= ram.byteSize() && length <= ram.byteSize() - address) {
            return ram;
        }
        long high = address - HIGH_RAM_START;
        if (high >= 0 && high <= highRam.byteSize() && length <= highRam.byteSize() - high && highRam.byteSize() > 0) {
            return highRam;
        }
        return null;
    }

    private MemorySegment check(long address, long length) {
        MemorySegment r = region(address, length);
        if (r == null) {
            throw new PhysicalMemoryException(address, length);
        }
        return r;
    }

    private static long offset(MemorySegment region, MemorySegment low, long address) {
        return region == low ? address : address - HIGH_RAM_START;
    }

    /** A view of guest RAM, e.g. for a DMA transfer; throws if any byte lies outside. */
    public MemorySegment slice(long address, long length) {
        MemorySegment r = check(address, length);
        return r.asSlice(offset(r, ram, address), length);
    }

    /** {@link #slice} for a transfer that will write the range (a disk read into guest RAM). */
    public MemorySegment sliceForWrite(long address, long length) {
        MemorySegment view = slice(address, length);
        writeObserver.written(address, length);
        return view;
    }

    public int read8(long address) {
        MemorySegment r = check(address, 1);
        return Byte.toUnsignedInt(r.get(ValueLayout.JAVA_BYTE, offset(r, ram, address)));
    }

    public int read16(long address) {
        MemorySegment r = check(address, 2);
        return Short.toUnsignedInt(r.get(U16, offset(r, ram, address)));
    }

    public int read32(long address) {
        MemorySegment r = check(address, 4);
        return r.get(U32, offset(r, ram, address));
    }

    public long read64(long address) {
        MemorySegment r = check(address, 8);
        return r.get(U64, offset(r, ram, address));
    }

    public void write8(long address, int value) {
        MemorySegment r = check(address, 1);
        r.set(ValueLayout.JAVA_BYTE, offset(r, ram, address), (byte) value);
        writeObserver.written(address, 1);
    }

    public void write16(long address, int value) {
        MemorySegment r = check(address, 2);
        r.set(U16, offset(r, ram, address), (short) value);
        writeObserver.written(address, 2);
    }

    public void write32(long address, int value) {
        MemorySegment r = check(address, 4);
        r.set(U32, offset(r, ram, address), value);
        writeObserver.written(address, 4);
    }

    public void write64(long address, long value) {
        MemorySegment r = check(address, 8);
        r.set(U64, offset(r, ram, address), value);
        writeObserver.written(address, 8);
    }

    public void write(long address, byte[] data) {
        MemorySegment r = check(address, data.length);
        MemorySegment.copy(data, 0, r, ValueLayout.JAVA_BYTE, offset(r, ram, address), data.length);
        writeObserver.written(address, data.length);
    }

    public byte[] read(long address, int length) {
        byte[] data = new byte[length];
        MemorySegment r = check(address, length);
        MemorySegment.copy(r, ValueLayout.JAVA_BYTE, offset(r, ram, address), data, 0, length);
        return data;
    }
}
