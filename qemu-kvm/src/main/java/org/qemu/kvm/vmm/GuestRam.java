package org.qemu.kvm.vmm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.board.PcMemoryMap;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.Libc;

/**
 * Guest RAM: one anonymous private mapping, cut into the KVM memory slots the PC's layout needs
 * (below the PCI hole from address 0, the rest from 4 GiB), and handed to the devices as
 * {@link PhysicalMemory} over the same host pages.
 */
final class GuestRam {
    /** One {@code KVM_SET_USER_MEMORY_REGION} slot: which part of the mapping, at which guest address. */
    record SlotLayout(int index, long guestAddress, long hostOffset, long size) {
    }

    record Slot(int index, long guestAddress, MemorySegment host) {
    }

    private final List<Slot> slots = new ArrayList<>();
    private final PhysicalMemory physical;

    private GuestRam(MemorySegment mapping, PcMemoryMap.RamLayout layout) {
        for (SlotLayout s : slotLayout(layout)) {
            slots.add(new Slot(s.index(), s.guestAddress(), mapping.asSlice(s.hostOffset(), s.size())));
        }
        MemorySegment below = mapping.asSlice(0, layout.below4g());
        MemorySegment above = layout.above4g() == 0 ? MemorySegment.NULL : mapping.asSlice(layout.below4g(), layout.above4g());
        physical = new PhysicalMemory(below, above);
    }

    /** Maps {@code bytes} (page-aligned) of guest RAM. */
    static GuestRam map(long bytes) throws ErrnoException {
        MemorySegment mapping = Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0, "guest RAM");
        return new GuestRam(mapping, PcMemoryMap.layout(bytes));
    }

    /** Slot 0: RAM from guest address 0 up to the PCI hole; slot 1 (when RAM does not fit there): the rest from 4 GiB. */
    static List<SlotLayout> slotLayout(PcMemoryMap.RamLayout layout) {
        List<SlotLayout> slots = new ArrayList<>();
        slots.add(new SlotLayout(0, 0, 0, layout.below4g()));
        if (layout.above4g() > 0) {
            slots.add(new SlotLayout(1, PcMemoryMap.HIGH_RAM_START, layout.below4g(), layout.above4g()));
        }
        return slots;
    }

    List<Slot> slots() {
        return slots;
    }

    PhysicalMemory physical() {
        return physical;
    }

    /** KVM memory slots are whole pages: -m 1000K becomes 1000 KiB rounded up to 4 KiB. */
    static long pageAligned(long bytes) {
        return (bytes + 4095) & ~4095L;
    }

    /** The host's physical memory from /proc/meminfo, or -1 when unknown. */
    static long hostMemoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
