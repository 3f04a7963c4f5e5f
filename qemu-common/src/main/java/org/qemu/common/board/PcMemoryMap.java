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
    /** Start of the PCI hole: RAM up to this size fits below it whole. */
    public static final long PCI_HOLE = 0xe0000000L;
    /**
     * Where below-4 GiB RAM ends when it does not all fit under the PCI hole: QEMU's pc (i440fx,
     * gigabyte alignment) then keeps 3 GiB below and puts the rest at 4 GiB, so do we.
     */
    public static final long SPLIT_BELOW_4G = 0xc0000000L;
    public static final long HIGH_RAM_START = 1L << 32;
    /** The largest guest this board describes: a 40-bit physical address space, as QEMU's default CPUs have. */
    public static final long MAX_RAM = (1L << 40) - HIGH_RAM_START + SPLIT_BELOW_4G;

    public static final int E820_RAM = 1;
    public static final int E820_RESERVED = 2;

    public record E820Entry(long address, long length, int type) {
    }

    /** Guest RAM as the board places it: {@code below4g} bytes from address 0, {@code above4g} from 4 GiB. */
    public record RamLayout(long below4g, long above4g) {
        public long total() {
            return below4g + above4g;
        }
    }

    /** Splits {@code ramBytes} around the PCI hole as QEMU's pc does. */
    public static RamLayout layout(long ramBytes) {
        if (ramBytes < PCI_HOLE) {
            return new RamLayout(ramBytes, 0);
        }
        return new RamLayout(SPLIT_BELOW_4G, ramBytes - SPLIT_BELOW_4G);
    }

    private PcMemoryMap() {
    }

    /**
     * Usable RAM below the EBDA, the reserved legacy hole, RAM from 1 MiB to the PCI hole, and
     * RAM above 4 GiB when there is any.
     */
    public static List<E820Entry> e820(RamLayout ram) {
        List<E820Entry> map = new ArrayList<>();
        map.add(new E820Entry(0, EBDA, E820_RAM));
        map.add(new E820Entry(EBDA, HIGH_MEMORY - EBDA, E820_RESERVED));
        map.add(new E820Entry(HIGH_MEMORY, ram.below4g() - HIGH_MEMORY, E820_RAM));
        if (ram.above4g() > 0) {
            map.add(new E820Entry(HIGH_RAM_START, ram.above4g(), E820_RAM));
        }
        return map;
    }
}
