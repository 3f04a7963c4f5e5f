package org.qemu.common.hw.virtio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.qemu.common.hw.PhysicalMemory;

/**
 * Follows a descriptor chain from its head, refusing anything a hostile driver could use
 * against the device: indexes beyond the table, buffers outside RAM, chains longer than the
 * queue (which is how a loop shows), total lengths beyond 4 GiB, and indirect tables (not offered).
 */
public final class DescriptorChain {
    private static final long DESCRIPTOR_SIZE = 16;
    private static final long MAX_TOTAL_LENGTH = 0xffffffffL;

    private final int head;
    private final List<Descriptor> descriptors;

    private DescriptorChain(int head, List<Descriptor> descriptors) {
        this.head = head;
        this.descriptors = descriptors;
    }

    public int head() {
        return head;
    }

    public List<Descriptor> descriptors() {
        return descriptors;
    }

    public static DescriptorChain read(PhysicalMemory memory, long table, int queueSize, int head) throws VirtioException {
        if (head < 0 || head >= queueSize) {
            throw new VirtioException("descriptor index " + head + " beyond queue size " + queueSize);
        }
        if (!memory.contains(table, DESCRIPTOR_SIZE * queueSize)) {
            throw new VirtioException("descriptor table outside guest RAM");
        }
        List<Descriptor> chain = new ArrayList<>();
        long total = 0;
        int index = head;
        while (true) {
            if (chain.size() >= queueSize) {
                throw new VirtioException("descriptor chain longer than the queue (a loop)");
            }
            long at = table + DESCRIPTOR_SIZE * index;
            long address = memory.read64(at);
            int length = memory.read32(at + 8);
            int flags = memory.read16(at + 12);
            int next = memory.read16(at + 14);
            if ((flags & Descriptor.F_INDIRECT) != 0) {
                throw new VirtioException("indirect descriptors were not negotiated");
            }
            long unsignedLength = Integer.toUnsignedLong(length);
            if (!memory.contains(address, unsignedLength)) {
                throw new VirtioException(String.format("buffer 0x%x+0x%x outside guest RAM", address, unsignedLength));
            }
            total += unsignedLength;
            if (total > MAX_TOTAL_LENGTH) {
                throw new VirtioException("descriptor chain longer than 4 GiB in total");
            }
            chain.add(new Descriptor(address, length, flags, next));
            if ((flags & Descriptor.F_NEXT) == 0) {
                return new DescriptorChain(head, Collections.unmodifiableList(chain));
            }
            if (next >= queueSize) {
                throw new VirtioException("next descriptor " + next + " beyond queue size " + queueSize);
            }
            index = next;
        }
    }
}
