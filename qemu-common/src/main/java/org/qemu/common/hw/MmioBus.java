package org.qemu.common.hw;

import java.util.Map;
import java.util.TreeMap;

/** Guest-physical addresses that are not RAM; an unclaimed address reads as all ones. */
public final class MmioBus {
    private record Range(long base, long length, MmioDevice device) {
    }

    private final TreeMap<Long, Range> ranges = new TreeMap<>();

    public synchronized void register(long base, long length, MmioDevice device) {
        Map.Entry<Long, Range> below = ranges.floorEntry(base + length - 1);
        if (below != null && below.getValue().base + below.getValue().length > base) {
            throw new IllegalStateException(String.format("MMIO 0x%x is already claimed", base));
        }
        ranges.put(base, new Range(base, length, device));
    }

    private synchronized Range find(long address) {
        Map.Entry<Long, Range> e = ranges.floorEntry(address);
        if (e == null || address - e.getValue().base >= e.getValue().length) {
            return null;
        }
        return e.getValue();
    }

    /** Returns false when no device claims the address. */
    public boolean read(long address, int size, long[] value) {
        Range r = find(address);
        if (r == null) {
            value[0] = size == 8 ? -1L : (1L << (8 * size)) - 1;
            return false;
        }
        value[0] = r.device.read(address - r.base, size);
        return true;
    }

    public boolean write(long address, int size, long value) {
        Range r = find(address);
        if (r == null) {
            return false;
        }
        r.device.write(address - r.base, size, value);
        return true;
    }
}
