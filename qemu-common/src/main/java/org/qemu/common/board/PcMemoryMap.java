package org.qemu.common.board;

import java.util.ArrayList;
import java.util.List;

/**
 * Where things live in the low megabyte and around it, for every boot path of the PC board,
 * and the E820 map the guest is told about.
 */
public final class PcMemoryMap {
    public static final long GDT = 0x500;
    public static final long MULTIBOOT_INFO = 0x6000;
    public static final long BOOT_PARAMS = 0x7000;
    public static final long PML4 = 0x9000;
    public static final long PDPT = 0xa000;
    /** Four page directories at 0xB000-0xEFFF map the first 4 GiB with 2 MiB pages. */
    public static final long PAGE_DIRECTORIES = 0xb000;
    public static final long MP_TABLE = 0xf0000;
    public static final long CMDLINE = 0x20000;
    public static final int CMDLINE_MAX = 0x10000;
    public static final long EBDA = 0x9fc00;
    public static final long HIGH_MEMORY = 0x100000;
    /** Guest RAM must end below the PCI hole; larger guests would need a second memory slot above 4 GiB. */
    public static final long MAX_RAM = 0xe0000000L;

    public static final int E820_RAM = 1;
    public static final int E820_RESERVED = 2;

    public record E820Entry(long address, long length, int type) {
    }

    private PcMemoryMap() {
    }

    /** Usable RAM below the EBDA, the reserved legacy hole, RAM from 1 MiB to the end. */
    public static List<E820Entry> e820(long ramBytes) {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, EBDA, E820_RAM));
        map.add(new E820Entry(EBDA, HIGH_MEMORY - EBDA, E820_RESERVED));
        map.add(new E820Entry(HIGH_MEMORY, ramBytes - HIGH_MEMORY, E820_RAM));
        return map;
    }
}
