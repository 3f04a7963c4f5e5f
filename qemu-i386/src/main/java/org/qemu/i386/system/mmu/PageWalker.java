package org.qemu.i386.system.mmu;

/**
 * The paging walks of Intel's SDM vol. 3, ch. 4: 32-bit paging (4.3: a page directory and page
 * tables of 4-byte entries, 4 MiB pages when CR4.PSE is set), PAE paging (4.4: four PDPTEs
 * named by CR3, then 8-byte directory and table entries, 2 MiB pages) and 4-level paging (4.5:
 * PML4, PDPT, directory, table; used when EFER.LMA is set), with the execute-disable bit when
 * EFER.NXE is set (4.6). The accessed and dirty bits are written back as the processor does,
 * the U/S and R/W checks (with CR0.WP for supervisor writes) combine every level, and faults
 * carry the page-fault error code (4.7). Pure logic over a physical-memory port, so it is
 * tested on its own.
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
    public static final int CR4_PAE = 1 << 5;
    public static final long EFER_NXE = 1L << 11;
    public static final long EFER_LMA = 1L << 10;
    /** The execute-disable bit of a PAE or 4-level entry (bit 63). */
    public static final long EXECUTE_DISABLE = 1L << 63;

    /**
     * The physical-address width the walks check entries against: 36 bits, the SDM's value for a
     * processor whose CPUID has no leaf 0x80000008 (ours has none). Entry bits from here to 51 are
     * reserved (RSVD fault), as is bit 63 without EFER.NXE.
     */
    public static final int PHYSICAL_ADDRESS_BITS = 36;
    private static final long ADDRESS_MASK = ((1L << PHYSICAL_ADDRESS_BITS) - 1) & ~0xfffL;
    private static final long HIGH_RESERVED = ((1L << 52) - 1) & ~((1L << PHYSICAL_ADDRESS_BITS) - 1);

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

        /** An 8-byte entry of PAE or 4-level paging. */
        default long read64(long physicalAddress) {
            return (read32(physicalAddress) & 0xffffffffL) | (long) read32(physicalAddress + 4) << 32;
        }
    }

    /**
     * The outcome of a walk: either a translation (the physical address of the 4 KiB page holding
     * the linear address, and what the access may do there) or a page fault with its error code.
     */
    public record Translation(long physicalPage, boolean writable, boolean user, boolean global, boolean dirty,
                              boolean largePage, boolean executable, int faultErrorCode) {
        public Translation(long physicalPage, boolean writable, boolean user, boolean global, boolean dirty,
                           boolean largePage, int faultErrorCode) {
            this(physicalPage, writable, user, global, dirty, largePage, true, faultErrorCode);
        }

        public boolean faulted() {
            return faultErrorCode >= 0;
        }

        static Translation fault(int errorCode) {
            return new Translation(-1, false, false, false, false, false, false, errorCode);
        }
    }

    private final PhysicalWords memory;

    public PageWalker(PhysicalWords memory) {
        this.memory = memory;
    }

    /**
     * Translates {@code linear} under the paging mode CR4.PAE and EFER.LMA select: 32-bit, PAE or
     * 4-level paging; the execute-disable bit and the I/D error bit exist when EFER.NXE is set
     * with PAE or 4-level paging (SDM 4.6, 4.7).
     */
    public Translation walk(long linear, Access access, boolean user, int cr0, long cr3, int cr4, long efer) {
        if ((cr4 & CR4_PAE) == 0) {
            return walk(linear, access, user, cr0, (int) cr3, cr4, false);
        }
        return walkWide(linear, access, user, cr0, cr3, cr4, efer);
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

    /**
     * PAE (SDM 4.4) and 4-level (4.5) paging: 8-byte entries, 512 to a table. PDPTEs of PAE paging
     * carry no rights and no accessed bit; a large page is 2 MiB in a directory entry (the SDM's
     * 1 GiB pages in a PDPTE are not claimed by our CPUID, so PS there is a reserved bit).
     */
    private Translation walkWide(long linear, Access access, boolean user, int cr0, long cr3, int cr4, long efer) {
        boolean nx = (efer & EFER_NXE) != 0;
        boolean longMode = (efer & EFER_LMA) != 0;
        int baseError = (access == Access.WRITE ? ERROR_WRITE : 0) | (user ? ERROR_USER : 0)
                | (access == Access.FETCH && nx ? ERROR_FETCH : 0);
        long reserved = HIGH_RESERVED | (nx ? 0 : EXECUTE_DISABLE);
        long[] entries = new long[4];
        long[] addresses = new long[4];
        int levels = 0;
        long table;
        if (longMode) {
            long pml4eAddress = (cr3 & ADDRESS_MASK) | ((linear >>> 39) & 0x1ff) << 3;
            long pml4e = memory.read64(pml4eAddress);
            if ((pml4e & PRESENT) == 0) {
                return Translation.fault(baseError);
            }
            if ((pml4e & (reserved | LARGE)) != 0) {
                return Translation.fault(baseError | ERROR_PRESENT | ERROR_RESERVED);
            }
            entries[levels] = pml4e;
            addresses[levels++] = pml4eAddress;
            table = pml4e & ADDRESS_MASK;
        } else {
            table = cr3 & 0xffffffe0L;
        }
        long pdpteAddress = longMode ? table | ((linear >>> 30) & 0x1ff) << 3 : table | ((linear >>> 30) & 3) << 3;
        long pdpte = memory.read64(pdpteAddress);
        if ((pdpte & PRESENT) == 0) {
            return Translation.fault(baseError);
        }
        // PAE PDPTEs: bits 2:1, 8:5 and 63 are reserved too (SDM table 4-8)
        long pdpteReserved = longMode ? reserved | LARGE : HIGH_RESERVED | EXECUTE_DISABLE | 0x1e6;
        if ((pdpte & pdpteReserved) != 0) {
            return Translation.fault(baseError | ERROR_PRESENT | ERROR_RESERVED);
        }
        if (longMode) {
            entries[levels] = pdpte;
            addresses[levels++] = pdpteAddress;
        }
        long pdeAddress = (pdpte & ADDRESS_MASK) | ((linear >>> 21) & 0x1ff) << 3;
        long pde = memory.read64(pdeAddress);
        if ((pde & PRESENT) == 0) {
            return Translation.fault(baseError);
        }
        boolean large = (pde & LARGE) != 0;
        // a 2 MiB page's bits 20:13 are reserved (bit 12 is its PAT bit)
        if ((pde & reserved) != 0 || (large && (pde & 0x1fe000L) != 0)) {
            return Translation.fault(baseError | ERROR_PRESENT | ERROR_RESERVED);
        }
        entries[levels] = pde;
        addresses[levels++] = pdeAddress;
        long physicalPage;
        if (large) {
            physicalPage = (pde & ADDRESS_MASK & ~0x1fffffL) | (linear & 0x1ff000L);
        } else {
            long pteAddress = (pde & ADDRESS_MASK) | ((linear >>> 12) & 0x1ff) << 3;
            long pte = memory.read64(pteAddress);
            if ((pte & PRESENT) == 0) {
                return Translation.fault(baseError);
            }
            if ((pte & reserved) != 0) {
                return Translation.fault(baseError | ERROR_PRESENT | ERROR_RESERVED);
            }
            entries[levels] = pte;
            addresses[levels++] = pteAddress;
            physicalPage = pte & ADDRESS_MASK;
        }
        long rights = USER | WRITABLE;
        boolean executable = true;
        for (int i = 0; i < levels; i++) {
            rights &= entries[i];
            executable &= !nx || (entries[i] & EXECUTE_DISABLE) == 0;
        }
        boolean userPage = (rights & USER) != 0;
        boolean writablePage = (rights & WRITABLE) != 0;
        if (user && !userPage) {
            return Translation.fault(baseError | ERROR_PRESENT);
        }
        boolean mayWrite = writablePage || (!user && (cr0 & CR0_WP) == 0);
        if (access == Access.WRITE && !mayWrite) {
            return Translation.fault(baseError | ERROR_PRESENT);
        }
        if (access == Access.FETCH && !executable) {
            return Translation.fault(baseError | ERROR_PRESENT);
        }
        for (int i = 0; i < levels; i++) {
            if ((entries[i] & ACCESSED) == 0) {
                entries[i] |= ACCESSED;
                memory.write32(addresses[i], (int) entries[i]);
            }
        }
        int leafLevel = levels - 1;
        if (access == Access.WRITE && (entries[leafLevel] & DIRTY) == 0) {
            entries[leafLevel] |= DIRTY;
            memory.write32(addresses[leafLevel], (int) entries[leafLevel]);
        }
        long leaf = entries[leafLevel];
        boolean global = (leaf & GLOBAL) != 0 && (cr4 & CR4_PGE) != 0;
        return new Translation(physicalPage, mayWrite, userPage, global, (leaf & DIRTY) != 0, large, executable, -1);
    }
}
