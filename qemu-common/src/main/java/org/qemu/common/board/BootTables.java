package org.qemu.common.board;

import org.qemu.common.hw.PhysicalMemory;

/**
 * The descriptor table and page tables a boot loader leaves behind: a flat GDT whose selectors
 * match what the Linux boot protocol expects (0x10 code, 0x18 data; 0x08 also flat 32-bit code
 * for multiboot payloads) and identity page tables for the first 4 GiB in 2 MiB pages.
 */
public final class BootTables {
    public static final int CODE32_SELECTOR = 0x08;
    public static final int CODE_SELECTOR = 0x10;
    public static final int DATA_SELECTOR = 0x18;
    public static final int GDT_LIMIT = 4 * 8 - 1;

    /** Descriptors: null, 32-bit code, code (64-bit when {@code longMode}), data. */
    public static long[] gdtEntries(boolean longMode) {
        // Accessed bits set, as in the segment registers the VMM loads (VMX requires them there).
        return new long[] {0, 0x00cf9b000000ffffL, longMode ? 0x00af9b000000ffffL : 0x00cf9b000000ffffL, 0x00cf93000000ffffL};
    }

    private BootTables() {
    }

    public static void writeGdt(PhysicalMemory memory, boolean longMode) {
        long[] entries = gdtEntries(longMode);
        for (int i = 0; i < entries.length; i++) {
            memory.write64(PcMemoryMap.GDT + 8L * i, entries[i]);
        }
    }

    /** Writes PML4, PDPT and four page directories; returns the CR3 value. */
    public static long writeIdentityPageTables(PhysicalMemory memory) {
        memory.slice(PcMemoryMap.PML4, 0x6000).fill((byte) 0);
        memory.write64(PcMemoryMap.PML4, PcMemoryMap.PDPT | 0x3);
        for (int d = 0; d < 4; d++) {
            long directory = PcMemoryMap.PAGE_DIRECTORIES + 0x1000L * d;
            memory.write64(PcMemoryMap.PDPT + 8L * d, directory | 0x3);
            for (int e = 0; e < 512; e++) {
                long physical = ((long) d << 30) | ((long) e << 21);
                memory.write64(directory + 8L * e, physical | 0x83); // present, writable, 2 MiB page
            }
        }
        return PcMemoryMap.PML4;
    }
}
