package org.qemu.common.hw.virtio;

import java.lang.invoke.VarHandle;

import org.qemu.common.hw.PhysicalMemory;

/**
 * A split virtqueue: descriptor table, available ring (driver to device) and used ring
 * (device to driver). Addresses come from the transport; event-index suppression is not offered.
 */
public final class VirtQueue {
    private final PhysicalMemory memory;
    private final int size;
    private final long descriptorTable;
    private final long availableRing;
    private final long usedRing;
    private int lastAvailable;

    public VirtQueue(PhysicalMemory memory, int size, long descriptorTable, long availableRing, long usedRing) {
        this.memory = memory;
        this.size = size;
        this.descriptorTable = descriptorTable;
        this.availableRing = availableRing;
        this.usedRing = usedRing;
    }

    /** The legacy layout: one guest page frame number, rings packed with 4 KiB alignment. */
    public static VirtQueue legacy(PhysicalMemory memory, int size, long pfn) {
        long table = pfn << 12;
        long avail = table + 16L * size;
        long used = (avail + 6 + 2L * size + 4095) & ~4095L;
        return new VirtQueue(memory, size, table, avail, used);
    }

    public int size() {
        return size;
    }

    /** True when the rings the driver set up lie inside RAM. */
    public boolean valid() {
        return memory.contains(descriptorTable, 16L * size) && memory.contains(availableRing, 6 + 2L * size)
                && memory.contains(usedRing, 6 + 8L * size);
    }

    /**
     * The next chain head the driver made available, or -1 when none.
     * @throws VirtioException when the driver's index ran more than a queue ahead (a broken driver)
     */
    public int nextAvailableHead() throws VirtioException {
        int driverIndex = memory.read16(availableRing + 2);
        VarHandle.acquireFence(); // read ring entries only after the index that published them
        int pending = (driverIndex - lastAvailable) & 0xffff;
        if (pending == 0) {
            return -1;
        }
        if (pending > size) {
            throw new VirtioException("available index ran " + pending + " entries ahead of a queue of " + size);
        }
        int head = memory.read16(availableRing + 4 + 2L * (lastAvailable % size));
        lastAvailable = (lastAvailable + 1) & 0xffff;
        return head;
    }

    public DescriptorChain chain(int head) throws VirtioException {
        return DescriptorChain.read(memory, descriptorTable, size, head);
    }

    /** Returns a chain to the driver with the number of bytes the device wrote into it. */
    public void addUsed(int head, int writtenLength) {
        int usedIndex = memory.read16(usedRing + 2);
        long entry = usedRing + 4 + 8L * (usedIndex % size);
        memory.write32(entry, head);
        memory.write32(entry + 4, writtenLength);
        VarHandle.releaseFence(); // the entry must be visible before the index that publishes it
        memory.write16(usedRing + 2, (usedIndex + 1) & 0xffff);
    }

    public int usedIndex() {
        return memory.read16(usedRing + 2);
    }
}
