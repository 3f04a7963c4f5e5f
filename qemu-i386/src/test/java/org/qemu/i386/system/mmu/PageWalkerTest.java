package org.qemu.i386.system.mmu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.i386.system.mmu.PageWalker.Access;
import org.qemu.i386.system.mmu.PageWalker.Translation;

/**
 * The 32-bit paging walk against the rules of Intel's SDM vol. 3: 4.3 (the walk, 4 KiB and 4 MiB
 * pages), 4.6 (access rights: U/S and R/W combined over both levels, CR0.WP), 4.8 (accessed and
 * dirty bits) and 4.7 (the page-fault error code). Page tables are built by hand in a sparse
 * physical memory; every expected value comes from those sections, not from the walker.
 */
class PageWalkerTest {
    private static final int CR0_PG_PE = 0x80000001;
    private static final int CR0_WP = 1 << 16;
    private static final int CR4_PSE = 1 << 4;
    private static final int CR4_PGE = 1 << 7;
    private static final int DIRECTORY = 0x1000;
    private static final int TABLE = 0x2000;

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

    private void pde(int index, int value) {
        ram.put((long) DIRECTORY + 4L * index, value);
    }

    private void pte(int index, int value) {
        ram.put((long) TABLE + 4L * index, value);
    }

    private int pdeAt(int index) {
        return ram.getOrDefault((long) DIRECTORY + 4L * index, 0);
    }

    private int pteAt(int index) {
        return ram.getOrDefault((long) TABLE + 4L * index, 0);
    }

    private Translation walk(long linear, Access access, boolean user, int cr0, int cr4) {
        return walker.walk(linear, access, user, cr0, DIRECTORY, cr4, false);
    }

    @Test
    void fourKilobytePageTranslatesThroughDirectoryAndTable() {
        // linear 0x00403abc: directory index 1, table index 3, offset 0xabc
        pde(1, TABLE | 0x7);
        pte(3, 0x00567000 | 0x7);
        Translation t = walk(0x00403abcL, Access.READ, false, CR0_PG_PE, 0);
        assertThat(t.faulted()).isFalse();
        assertThat(t.physicalPage()).isEqualTo(0x00567000L);
        assertThat(t.largePage()).isFalse();
    }

    @Test
    void fourMegabytePageNeedsCr4Pse() {
        // PDE with PS=1 maps 4 MiB at 0x00800000; linear 0x00c12345 (index 3) -> 0x00812345
        pde(3, 0x00800000 | 0x80 | 0x3);
        Translation t = walk(0x00c12345L, Access.READ, false, CR0_PG_PE, CR4_PSE);
        assertThat(t.physicalPage()).isEqualTo(0x00812000L);
        assertThat(t.largePage()).isTrue();
        // without CR4.PSE the PS bit is ignored: the entry points at a page table (at 0x00800000, empty here)
        ram.put(0x00800000L + 4 * 0x012, 0x00abc000 | 0x1);
        Translation small = walk(0x00c12345L, Access.READ, false, CR0_PG_PE, 0);
        assertThat(small.physicalPage()).isEqualTo(0x00abc000L);
        assertThat(small.largePage()).isFalse();
    }

    @Test
    void accessedBitsAreSetOnBothLevelsAndDirtyOnlyByWrites() {
        pde(0, TABLE | 0x7);
        pte(5, 0x00100000 | 0x7);
        walk(0x5000, Access.READ, false, CR0_PG_PE, 0);
        assertThat(pdeAt(0) & 0x20).isEqualTo(0x20);
        assertThat(pteAt(5) & 0x20).isEqualTo(0x20);
        assertThat(pteAt(5) & 0x40).isZero();
        assertThat(pdeAt(0) & 0x40).as("a PDE pointing to a table has no dirty bit").isZero();
        Translation w = walk(0x5000, Access.WRITE, false, CR0_PG_PE, 0);
        assertThat(pteAt(5) & 0x40).isEqualTo(0x40);
        assertThat(w.dirty()).isTrue();
    }

    @Test
    void largePageGetsItsDirtyBitInTheDirectoryEntry() {
        pde(2, 0x00c00000 | 0x80 | 0x3);
        walk(0x00800000L, Access.WRITE, false, CR0_PG_PE, CR4_PSE);
        assertThat(pdeAt(2) & 0x60).isEqualTo(0x60);
    }

    @Test
    void notPresentFaultsCarryNoPresentBit() {
        pde(0, TABLE | 0x7);
        // directory entry absent
        assertThat(walk(0x00400000L, Access.READ, false, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0);
        // table entry absent: write from user mode -> W/R and U/S bits
        assertThat(walk(0x1000, Access.WRITE, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b110);
        // nothing set on a faulting walk
        assertThat(pdeAt(0) & 0x20).isZero();
    }

    @Test
    void userAccessToSupervisorPageIsAProtectionFault() {
        pde(0, TABLE | 0x7);
        pte(1, 0x00200000 | 0x3); // supervisor, writable
        assertThat(walk(0x1000, Access.READ, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b101);
        assertThat(walk(0x1000, Access.WRITE, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b111);
        // U/S must be set at both levels (SDM 4.6.1): a supervisor directory entry over a user PTE
        pde(1, TABLE | 0x3);
        pte(2, 0x00300000 | 0x7);
        assertThat(walk(0x00402000L, Access.READ, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b101);
        assertThat(walk(0x00402000L, Access.READ, false, CR0_PG_PE, 0).faulted()).isFalse();
    }

    @Test
    void writeProtectGovernsSupervisorWritesToReadOnlyPages() {
        pde(0, TABLE | 0x7);
        pte(1, 0x00200000 | 0x5); // user, read-only
        Translation noWp = walk(0x1000, Access.WRITE, false, CR0_PG_PE, 0);
        assertThat(noWp.faulted()).as("CR0.WP=0: supervisor writes anywhere").isFalse();
        assertThat(noWp.writable()).isTrue();
        assertThat(walk(0x1000, Access.WRITE, false, CR0_PG_PE | CR0_WP, 0).faultErrorCode()).isEqualTo(0b011);
        assertThat(walk(0x1000, Access.WRITE, true, CR0_PG_PE, 0).faultErrorCode())
                .as("user writes to read-only pages fault whatever WP says").isEqualTo(0b111);
        // R/W clear in the directory entry makes the whole 4 MiB read-only
        pde(0, TABLE | 0x5);
        pte(1, 0x00200000 | 0x7);
        assertThat(walk(0x1000, Access.WRITE, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b111);
    }

    @Test
    void reservedBitsOfALargePageAreAReservedBitFault() {
        pde(1, 0x00400000 | 0x2000 | 0x80 | 0x7); // bit 13 set: reserved without PSE-36
        assertThat(walk(0x00400000L, Access.READ, true, CR0_PG_PE, CR4_PSE).faultErrorCode()).isEqualTo(0b1101);
    }

    @Test
    void instructionFetchBitOnlyWhereTheSdmReportsIt() {
        pde(0, TABLE | 0x7);
        pte(1, 0x00200000 | 0x3);
        // 32-bit paging without SMEP: I/D is never set (SDM 4.7)
        assertThat(walk(0x1000, Access.FETCH, true, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0b101);
        assertThat(walker.walk(0x1000, Access.FETCH, true, CR0_PG_PE, DIRECTORY, 0, true).faultErrorCode()).isEqualTo(0b10101);
        assertThat(walk(0x3000, Access.FETCH, false, CR0_PG_PE, 0).faultErrorCode()).isEqualTo(0);
    }

    @Test
    void globalOnlyWithCr4Pge() {
        pde(0, TABLE | 0x7);
        pte(1, 0x00200000 | 0x100 | 0x3);
        assertThat(walk(0x1000, Access.READ, false, CR0_PG_PE, 0).global()).isFalse();
        assertThat(walk(0x1000, Access.READ, false, CR0_PG_PE, CR4_PGE).global()).isTrue();
    }

    @Test
    void readAccessOfACleanPageIsNotWritableYetButMayBe() {
        pde(0, TABLE | 0x7);
        pte(1, 0x00200000 | 0x7);
        Translation t = walk(0x1000, Access.READ, true, CR0_PG_PE, 0);
        assertThat(t.writable()).isTrue();
        assertThat(t.dirty()).as("D stays clear until a write: the MMU maps the page read-only until then").isFalse();
        assertThat(t.user()).isTrue();
    }
}
