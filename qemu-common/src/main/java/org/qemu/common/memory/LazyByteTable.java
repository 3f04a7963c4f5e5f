package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** The byte counterpart of {@link LazyIntTable}: zero until set, host pages committed as written. */
public final class LazyByteTable {
    private final MemorySegment memory;
    private final long base;
    private final long length;

    public LazyByteTable(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("table length " + length);
        }
        this.length = length;
        this.memory = HostMemory.reserve(length);
        this.base = memory.address();
    }

    public long length() {
        return length;
    }

    public int get(long index) {
        return HostLoadStore.get8(memory, base, Objects.checkIndex(index, length)) & 0xff;
    }

    public void set(long index, int value) {
        HostLoadStore.put8(memory, base, Objects.checkIndex(index, length), value);
    }

    /** Every entry back to zero; the host takes the committed pages back. */
    public void clear() {
        HostMemory.discard(memory);
    }
}
