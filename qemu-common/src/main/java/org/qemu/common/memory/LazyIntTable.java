package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A fixed number of ints, all zero until set, held in anonymous host memory that the host
 * commits a page at a time as entries are written (mmap with MAP_NORESERVE): a table indexed by
 * guest page of which a guest touches a small part costs only that part.
 * <p>
 * Why not an {@code int[]}: an amd64 system guest's MMU keeps two ints and a byte for each of
 * 8 M linear pages (the low 4 GiB and seven far windows, {@code TcgPcMachine}). As Java arrays
 * that was 72 MB allocated and zeroed at start-up and then copied into the old generation by the
 * first young collection (measured 190-260 ms of pause, most of it the host zeroing fresh pages)
 * before the guest ran its first instruction; the kernel touches a few thousand of those pages.
 */
public final class LazyIntTable {
    private final MemorySegment memory;
    private final long base;
    private final long length;

    public LazyIntTable(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("table length " + length);
        }
        this.length = length;
        this.memory = HostMemory.reserve(length * Integer.BYTES);
        this.base = memory.address();
    }

    public long length() {
        return length;
    }

    public int get(long index) {
        return HostLoadStore.get32(memory, base, Objects.checkIndex(index, length) * Integer.BYTES);
    }

    public void set(long index, int value) {
        HostLoadStore.put32(memory, base, Objects.checkIndex(index, length) * Integer.BYTES, value);
    }

    /** Every entry back to zero; the host takes the committed pages back. */
    public void clear() {
        HostMemory.discard(memory);
    }
}
