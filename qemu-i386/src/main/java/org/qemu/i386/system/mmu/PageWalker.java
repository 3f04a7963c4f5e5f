package org.qemu.i386.system.mmu;

/**
 * The 32-bit paging walk of Intel's SDM vol. 3, 4.3 and 4.6: a page directory and page tables
 * of 4-byte entries, 4 MiB pages when CR4.PSE is set, the accessed and dirty bits written back
 * as the processor does, the U/S and R/W checks (with CR0.WP for supervisor writes) and the
 * page-fault error code. Pure logic over a physical-memory port, so it is tested on its own.
 */
public final class PageWalker {
    public static final int PRESENT = 1;
    public static final int WRITABLE = 1 << 1;
    public static final int USER = 1 << 2;
    public static final int ACCESSED = 1 << 5;
    public static final int DIRTY = 1 << 6;
    public static final int LARGE = 1 << 7;
    public static final int GLOBAL = 1 << 8;

    /** Page-fault error code bits (SDM 4.7). */
    public static final int ERROR_PRESENT = 1;
    public static final int ERROR_WRITE = 1 << 1;
    public static final int ERROR_USER = 1 << 2;
    public static final int ERROR_RESERVED = 1 << 3;
    public static final int ERROR_FETCH = 1 << 4;

    public static final int CR0_WP = 1 << 16;
    public static final int CR4_PSE = 1 << 4;
    public static final int CR4_PGE = 1 << 7;

    /**
     * Bits 21:13 of a 4 MiB page's directory entry: reserved on a processor without PSE-36
     * (we do not claim it), so a set bit is a reserved-bit fault.
     */
    private static final int LARGE_RESERVED = 0x003fe000;

    /** The kind of access, as the walk needs it. */
    public enum Access { READ, WRITE, FETCH }

    /** Physical memory as the walk sees it: 32-bit little-endian words of RAM (page tables live there). */
    public interface PhysicalWords {
        int read32(long physicalAddress);

        void write32(long physicalAddress, int value);
    }

    /**
     * The outcome of a walk: either a translation (the physical address of the 4 KiB page holding
     * the linear address, and what the access may do there) or a page fault with its error code.
     */
    public record Translation(long physicalPage, boolean writable, boolean user, boolean global, boolean dirty,
                              boolean largePage, int faultErrorCode) {
        public boolean faulted() {
            return faultErrorCode >= 0;
        }

        static Translation fault(int errorCode) {
            return new Translation(-1, false, false, false, false, false, errorCode);
        }
    }

    private final PhysicalWords memory;

    public PageWalker(PhysicalWords memory) {
        this.memory = memory;
    }

    /**
     * Translates {@code linear} for {@code access} made from user mode ({@code user}: CPL 3 and not
     * an implicit supervisor access) or supervisor mode, under the given CR0, CR3 and CR4.
     * Sets the accessed bits of the entries used, and the dirty bit on a write, only when the
     * access is allowed. {@code fetchFaultsReported}: whether the I/D bit exists (only with
     * SMEP or PAE with NXE; never for plain 32-bit paging, SDM 4.7).
     */
    public Translation walk(long linear, Access access, boolean user, int cr0, int cr3, int cr4, boolean fetchFaultsReported) {
        int baseError = (access == Access.WRITE ? ERROR_WRITE : 0) | (user ? ERROR_USER : 0)
                | (access == Access.FETCH && fetchFaultsReported ? ERROR_FETCH : 0);
        long pdeAddress = (cr3 & 0xfffff000L) | ((linear >>> 22) & 0x3ff) << 2;
        int pde = memory.read32(pdeAddress);
        if ((pde & PRESENT) == 0) {
            return Translation.fault(baseError);
        }
        boolean large = (pde & LARGE) != 0 && (cr4 & CR4_PSE) != 0;
        if (large && (pde & LARGE_RESERVED) != 0) {
            return Translation.fault(baseError | ERROR_PRESENT | ERROR_RESERVED);
        }
        int leaf;
        long leafAddress;
        long physicalPage;
        int rights;
        if (large) {
            leaf = pde;
            leafAddress = pdeAddress;
            physicalPage = (pde & 0xffc00000L) | (linear & 0x003ff000L);
            rights = pde;
        } else {
            leafAddress = (pde & 0xfffff000L) | ((linear >>> 12) & 0x3ff) << 2;
            leaf = memory.read32(leafAddress);
            if ((leaf & PRESENT) == 0) {
                return Translation.fault(baseError);
            }
            physicalPage = leaf & 0xfffff000L;
            rights = pde & leaf; // both levels must allow U/S and R/W (SDM 4.6.1)
        }
        boolean userPage = (rights & USER) != 0;
        boolean writablePage = (rights & WRITABLE) != 0;
        if (user && !userPage) {
            return Translation.fault(baseError | ERROR_PRESENT);
        }
        // supervisor writes ignore R/W unless CR0.WP; user writes always need it
        boolean mayWrite = writablePage || (!user && (cr0 & CR0_WP) == 0);
        if (access == Access.WRITE && !mayWrite) {
            return Translation.fault(baseError | ERROR_PRESENT);
        }
        if ((pde & ACCESSED) == 0) {
            pde |= ACCESSED;
            memory.write32(pdeAddress, pde);
            if (large) {
                leaf = pde;
            }
        }
        if (!large && (leaf & ACCESSED) == 0) {
            leaf |= ACCESSED;
            memory.write32(leafAddress, leaf);
        }
        if (access == Access.WRITE && (leaf & DIRTY) == 0) {
            leaf |= DIRTY;
            memory.write32(leafAddress, leaf);
        }
        boolean global = (leaf & GLOBAL) != 0 && (cr4 & CR4_PGE) != 0;
        return new Translation(physicalPage, mayWrite, userPage, global, (leaf & DIRTY) != 0, large, -1);
    }
}
