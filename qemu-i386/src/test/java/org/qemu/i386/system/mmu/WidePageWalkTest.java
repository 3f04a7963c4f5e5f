package org.qemu.i386.system.mmu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.i386.system.mmu.PageWalker.Access;
import org.qemu.i386.system.mmu.PageWalker.Translation;

/**
 * PAE and 4-level paging against Intel's SDM vol. 3: 4.4 (PAE: PDPTEs from CR3 bits 31:5, 2 MiB
 * pages, PDPTE reserved bits), 4.5 (4-level: PML4 from CR3, four levels, rights combined over
 * all of them), 4.6 (execute-disable with EFER.NXE), 4.7 (error codes: I/D only with NXE, RSVD
 * with P) and 4.8 (accessed bits on every level that has one, dirty in the leaf). Tables are
 * written by hand as 8-byte entries; expected values come from those sections.
 */
class WidePageWalkTest {
    private static final int CR0 = 0x80000001;
    private static final int CR0_WP = 1 << 16;
    private static final int CR4_PAE = 1 << 5;
    private static final long EFER_NXE = 1L << 11;
    private static final long EFER_LMA = 1L << 10;
    private static final long XD = 1L << 63;

    private final Map<Long, Integer> ram = new HashMap<>();
    private PageWalker walker;

    @BeforeEach
    void setUp() {
        walker = new PageWalker(new PageWalker.PhysicalWords() {
            @Override
            public int read32(long address) {
                return ram.getOrDefault(address, 0);
            }

            @Override
            public void write32(long address, int value) {
                ram.put(address, value);
            }
        });
    }

    private void entry(long address, long value) {
        ram.put(address, (int) value);
        ram.put(address + 4, (int) (value >>> 32));
    }

    private long entryAt(long address) {
        return (ram.getOrDefault(address, 0) & 0xffffffffL) | (long) ram.getOrDefault(address + 4, 0) << 32;
    }

    // PAE: CR3 = 0x1020 (32-byte aligned PDPT), PDPT[2] -> directory 0x3000, directory[1] -> table 0x4000
    private static final long PDPT = 0x1020;
    private static final long PAE_DIRECTORY = 0x3000;
    private static final long PAE_TABLE = 0x4000;
    /** Linear 0x80200000 + 0x5000 + 0x123: PDPT index 2, directory index 1, table index 5. */
    private static final long PAE_LINEAR = 0x80205123L;

    private void paeTables(long pteFlags) {
        entry(PDPT + 2 * 8, PAE_DIRECTORY | 1);
        entry(PAE_DIRECTORY + 8, PAE_TABLE | 0x7);
        entry(PAE_TABLE + 5 * 8, 0x0abcd000L | pteFlags);
    }

    private Translation pae(long linear, Access access, boolean user, long efer) {
        return walker.walk(linear, access, user, CR0, PDPT, CR4_PAE, efer);
    }

    @Test
    void paeWalkUsesThreeLevelsAndSetsAccessedAndDirtyBelowThePdpt() {
        paeTables(0x7);
        Translation t = pae(PAE_LINEAR, Access.WRITE, false, 0);
        assertThat(t.faulted()).isFalse();
        assertThat(t.physicalPage()).isEqualTo(0x0abcd000L);
        assertThat(entryAt(PAE_TABLE + 40) & 0x60).isEqualTo(0x60);
        assertThat(entryAt(PAE_DIRECTORY + 8) & 0x20).isEqualTo(0x20);
        // a PAE PDPTE has no accessed bit (SDM table 4-8: bits 8:5 are reserved)
        assertThat(entryAt(PDPT + 16)).isEqualTo(PAE_DIRECTORY | 1);
    }

    @Test
    void paeLargePageIsTwoMebibytesWhateverCr4Pse() {
        entry(PDPT + 2 * 8, PAE_DIRECTORY | 1);
        entry(PAE_DIRECTORY + 8, 0x00600000L | 0x83);
        Translation t = pae(PAE_LINEAR, Access.READ, false, 0);
        assertThat(t.largePage()).isTrue();
        assertThat(t.physicalPage()).isEqualTo(0x00600000L + 0x5000);
    }

    @Test
    void absentPdpteAndReservedPdpteBits() {
        paeTables(0x7);
        assertThat(pae(0xc0000000L, Access.READ, false, 0).faultErrorCode()).isZero();
        entry(PDPT + 2 * 8, PAE_DIRECTORY | 1 | 2); // bit 1 is reserved in a PAE PDPTE
        assertThat(pae(PAE_LINEAR, Access.READ, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_RESERVED);
    }

    @Test
    void executeDisableNeedsNxeAndIsReservedWithoutIt() {
        paeTables(0x7 | XD);
        // NXE clear: bit 63 is reserved
        assertThat(pae(PAE_LINEAR, Access.READ, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_RESERVED);
        // NXE set: reads and writes pass, fetches fault with P and I/D
        assertThat(pae(PAE_LINEAR, Access.READ, false, EFER_NXE).faulted()).isFalse();
        Translation fetch = pae(PAE_LINEAR, Access.FETCH, false, EFER_NXE);
        assertThat(fetch.faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_FETCH);
        assertThat(pae(PAE_LINEAR, Access.FETCH, true, EFER_NXE).faultErrorCode())
                .isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_FETCH | PageWalker.ERROR_USER);
    }

    @Test
    void fetchFaultCarriesIdOnlyWithNxe() {
        assertThat(pae(PAE_LINEAR, Access.FETCH, false, 0).faultErrorCode()).isZero();
        assertThat(pae(PAE_LINEAR, Access.FETCH, false, EFER_NXE).faultErrorCode()).isEqualTo(PageWalker.ERROR_FETCH);
    }

    @Test
    void paeRightsCombineDirectoryAndTable() {
        paeTables(0x5); // user, read-only table entry under a writable user directory entry
        assertThat(pae(PAE_LINEAR, Access.WRITE, true, 0).faultErrorCode())
                .isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_WRITE | PageWalker.ERROR_USER);
        assertThat(pae(PAE_LINEAR, Access.WRITE, false, 0).faulted()).isFalse(); // WP clear
        assertThat(walker.walk(PAE_LINEAR, Access.WRITE, false, CR0 | CR0_WP, PDPT, CR4_PAE, 0).faultErrorCode())
                .isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_WRITE);
    }

    // 4-level: CR3 = 0x10000 (PML4), PML4[1] -> 0x11000, PDPT[3] -> 0x12000, PD[4] -> 0x13000
    private static final long PML4 = 0x10000;
    /** PML4 index 1, PDPT index 3, directory index 4, table index 6. */
    private static final long LONG_LINEAR = (1L << 39) | (3L << 30) | (4L << 21) | (6L << 12) | 0x10;

    private void fourLevels(long pml4e, long pdpte, long pde, long pte) {
        entry(PML4 + 8, 0x11000 | pml4e);
        entry(0x11000 + 3 * 8, 0x12000 | pdpte);
        entry(0x12000 + 4 * 8, 0x13000 | pde);
        entry(0x13000 + 6 * 8, 0x00777000L | pte);
    }

    private Translation longWalk(Access access, boolean user, long efer) {
        return walker.walk(LONG_LINEAR, access, user, CR0 | CR0_WP, PML4, CR4_PAE, EFER_LMA | efer);
    }

    @Test
    void fourLevelWalkSetsAccessedOnEveryLevel() {
        fourLevels(0x7, 0x7, 0x7, 0x7);
        Translation t = longWalk(Access.WRITE, true, 0);
        assertThat(t.faulted()).isFalse();
        assertThat(t.physicalPage()).isEqualTo(0x00777000L);
        assertThat(entryAt(PML4 + 8) & 0x20).isEqualTo(0x20);
        assertThat(entryAt(0x11000 + 24) & 0x20).isEqualTo(0x20);
        assertThat(entryAt(0x12000 + 32) & 0x20).isEqualTo(0x20);
        assertThat(entryAt(0x13000 + 48) & 0x60).isEqualTo(0x60);
        // the dirty bit only in the leaf
        assertThat(entryAt(0x12000 + 32) & 0x40).isZero();
    }

    @Test
    void fourLevelRightsComeFromEveryLevel() {
        fourLevels(0x3, 0x7, 0x7, 0x7); // PML4E without U/S
        assertThat(longWalk(Access.READ, true, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_USER);
        fourLevels(0x7, 0x5, 0x7, 0x7); // PDPTE read-only
        assertThat(longWalk(Access.WRITE, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_WRITE);
        fourLevels(0x7 | XD, 0x7, 0x7, 0x7); // XD at the top covers everything below it
        assertThat(longWalk(Access.FETCH, false, EFER_NXE).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_FETCH);
    }

    @Test
    void fourLevelAbsentEntriesAtEachLevel() {
        fourLevels(0x6, 0x7, 0x7, 0x7);
        assertThat(longWalk(Access.WRITE, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_WRITE);
        fourLevels(0x7, 0x7, 0x7, 0x6);
        assertThat(longWalk(Access.READ, true, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_USER);
    }

    @Test
    void oneGibibytePagesAreNotClaimedSoPsInAPdpteIsReserved() {
        fourLevels(0x7, 0x7 | 0x80, 0x7, 0x7);
        assertThat(longWalk(Access.READ, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_RESERVED);
    }

    @Test
    void addressBitsAboveTheWidthAreReserved() {
        fourLevels(0x7, 0x7, 0x7, 0x7);
        entry(0x13000 + 6 * 8, (1L << PageWalker.PHYSICAL_ADDRESS_BITS) | 0x00777000L | 0x7);
        assertThat(longWalk(Access.READ, false, 0).faultErrorCode()).isEqualTo(PageWalker.ERROR_PRESENT | PageWalker.ERROR_RESERVED);
    }

    @Test
    void twoMebibytePageInFourLevelPaging() {
        fourLevels(0x7, 0x7, 0, 0);
        entry(0x12000 + 4 * 8, 0x40000000L | 0x83 | 0x100);
        Translation t = walker.walk(LONG_LINEAR, Access.READ, false, CR0, PML4, CR4_PAE | 0x80, EFER_LMA);
        assertThat(t.largePage()).isTrue();
        assertThat(t.global()).isTrue();
        assertThat(t.physicalPage()).isEqualTo(0x40000000L + (6L << 12));
    }
}
