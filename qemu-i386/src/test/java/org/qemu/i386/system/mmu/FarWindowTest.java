package org.qemu.i386.system.mmu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.common.memory.SharedRam;

/**
 * Long mode's far addresses (above the 4 GiB of a CPU's low space) through the windows that fold
 * them onto host-mapped pages: the 4-level tables are written by the test into a memfd RAM, and
 * what each access must find is what those tables name (SDM vol. 3, 4.5), never what the MMU
 * computed. Covers more slices than there are windows, so windows are taken back and reused.
 */
class FarWindowTest {
    private static final long RAM = 8L << 20;
    private static final long PML4 = 0x10000;
    /** Next free physical page for page-table pages. */
    private long nextTable = 0x11000;
    private static final int WINDOWS = 3;

    private SharedRam ram;
    private MemorySegment physical;
    private GuestMemory linear;
    private Mmu mmu;
    private PhysicalCodePages code;
    private final List<Long> droppedTranslations = new ArrayList<>();
    private long cr3 = PML4;

    @BeforeEach
    void setUp() {
        ram = SharedRam.create(RAM);
        physical = ram.segment();
        linear = new GuestMemory(32, WINDOWS);
        linear.setCodeWriteListener(droppedTranslations::add); // stands for the translation cache
        GuestMemory.IoHandler devices = new GuestMemory.IoHandler() {
            @Override
            public long read(long address, int size) {
                return 0x1234;
            }

            @Override
            public void write(long address, int size, long value) {
            }
        };
        code = new PhysicalCodePages(RAM >>> 12);
        mmu = new Mmu(linear, ram, RAM, devices, code);
        mmu.bind(new Mmu.Registers() {
            @Override
            public int cr0() {
                return 0x80010001; // PG, WP, PE
            }

            @Override
            public int cr3() {
                return (int) cr3;
            }

            @Override
            public int cr4() {
                return PageWalker.CR4_PAE | PageWalker.CR4_PGE;
            }

            @Override
            public int cpl() {
                return 0;
            }

            @Override
            public long efer() {
                return PageWalker.EFER_LMA | PageWalker.EFER_NXE | (1L << 8);
            }
        });
        mmu.controlChanged();
    }

    @AfterEach
    void tearDown() {
        linear.close();
        ram.close();
    }

    private long entry(long physicalAddress) {
        return physical.get(ValueLayout.JAVA_LONG_UNALIGNED, physicalAddress);
    }

    private void setEntry(long physicalAddress, long value) {
        physical.set(ValueLayout.JAVA_LONG_UNALIGNED, physicalAddress, value);
    }

    /** The table an entry points to, made (zeroed) if the entry is absent. */
    private long tableBelow(long entryAddress) {
        long e = entry(entryAddress);
        if ((e & 1) == 0) {
            long table = nextTable;
            nextTable += 0x1000;
            physical.asSlice(table, 0x1000).fill((byte) 0);
            setEntry(entryAddress, table | 0x3);
            return table;
        }
        return e & 0x000ffffffffff000L;
    }

    /** Maps the 4 KiB page at {@code linearAddress} to {@code physicalPage} with {@code flags}; returns the PTE's address. */
    private long map(long linearAddress, long physicalPage, long flags) {
        long pdpt = tableBelow(cr3 + 8 * ((linearAddress >>> 39) & 511));
        long pd = tableBelow(pdpt + 8 * ((linearAddress >>> 30) & 511));
        long pt = tableBelow(pd + 8 * ((linearAddress >>> 21) & 511));
        long pte = pt + 8 * ((linearAddress >>> 12) & 511);
        setEntry(pte, physicalPage | flags);
        return pte;
    }

    @Test
    void kernelHalfAddressesReachTheRamTheirEntriesName() {
        long directMap = 0xffff888000123000L;
        long text = 0xffffffff81000000L;
        long pte1 = map(directMap, 0x300000, 0x3);
        map(text, 0x301000, 0x3);
        physical.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x300008, 0x1122334455667788L);
        assertThat(linear.read64(directMap + 8)).isEqualTo(0x1122334455667788L);
        assertThat(linear.read8(directMap + 9)).isEqualTo(0x77);
        linear.write32(text + 0x40, 0xcafebabe);
        assertThat(physical.get(ValueLayout.JAVA_INT_UNALIGNED, 0x301040)).isEqualTo(0xcafebabe);
        linear.write16(directMap + 0xffe, 0xbeef);
        assertThat(physical.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0x300ffe)).isEqualTo((short) 0xbeef);
        assertThat(entry(pte1) & 0x60).as("accessed and dirty in the PTE").isEqualTo(0x60);
        assertThat(mmu.windowClaims()).as("one window per 4 GiB slice").isEqualTo(2);
    }

    @Test
    void anAccessCrossingIntoTheNextFarPageSeesBothPages() {
        long a = 0xffffc90000004000L;
        map(a, 0x302000, 0x3);
        map(a + 0x1000, 0x305000, 0x3);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x302ffc, 0x44332211);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x305000, 0x88776655);
        assertThat(linear.read64(a + 0xffc)).isEqualTo(0x8877665544332211L);
    }

    @Test
    void absentFarPageIsAPageFaultAtTheFarAddress() {
        long a = 0xffffea0000040000L;
        map(a, 0x303000, 0x1); // read-only
        assertThat(linear.read32(a)).isZero();
        assertThatThrownBy(() -> linear.write32(a + 0x10, 1)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).as("present, write").isEqualTo(0b011);
        assertThat(mmu.faultAddress()).isEqualTo(a + 0x10);
        assertThatThrownBy(() -> linear.read32(a + 0x1000)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).as("not present, read").isEqualTo(0);
        assertThat(mmu.faultAddress()).isEqualTo(a + 0x1000);
    }

    @Test
    void moreSlicesThanWindowsTakeWindowsBackAndStillReadRight() {
        long[] slices = {0xffff888000000000L, 0xffffc90000000000L, 0xffffea0000000000L, 0xfffffe0000000000L,
            0xffffffff80000000L, 0x00007ffc00000000L};
        for (int i = 0; i < slices.length; i++) {
            map(slices[i] + 0x5000, 0x400000 + 0x1000L * i, 0x3);
            physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x400000 + 0x1000L * i + 0x20, 100 + i);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < slices.length; i++) {
                assertThat(linear.read32(slices[i] + 0x5020)).isEqualTo(100 + i);
                linear.write32(slices[i] + 0x5024, 200 + i + round);
            }
        }
        for (int i = 0; i < slices.length; i++) {
            assertThat(physical.get(ValueLayout.JAVA_INT_UNALIGNED, 0x400000 + 0x1000L * i + 0x24)).isEqualTo(202 + i);
        }
        map(0x5000, 0x410000, 0x3);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x410020, 77);
        assertThat(linear.read32(0x5020)).as("the low space is never folded").isEqualTo(77);
    }

    @Test
    void slicesSharingTheHeldIndexByteAndReusedWindowsReadAndWriteTheirOwnPages() {
        // bits 40-47 alike (0x88): GuestMemory's held-window table has room for one of them
        long[] slices = {0xffff888000000000L, 0xffff88ff00000000L, 0xffff880000000000L};
        for (int i = 0; i < slices.length; i++) {
            map(slices[i] + 0x7000, 0x500000 + 0x1000L * i, 0x3);
            physical.set(ValueLayout.JAVA_LONG_UNALIGNED, 0x500000 + 0x1000L * i + 0x40, 0x0101010101010101L * (i + 1));
        }
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < slices.length; i++) {
                long a = slices[i] + 0x7040;
                long v = 0x0101010101010101L * (i + 1);
                assertThat(linear.read64(a)).as("slice %d round %d", i, round).isEqualTo(v);
                assertThat(linear.read32(a + 4)).isEqualTo((int) v);
                assertThat(linear.read16(a + 2)).isEqualTo((int) v & 0xffff);
                assertThat(linear.read8(a + 1)).isEqualTo((int) v & 0xff);
                linear.write64(a + 0x100, v + round);
                linear.write32(a + 0x108, (int) v + round);
                linear.write16(a + 0x10c, round);
                linear.write8(a + 0x10e, i);
                // the last bytes of the page and the first of an absent next page: a fault at the next page
                long end = slices[i] + 0x7ffc;
                assertThatThrownBy(() -> linear.read64(end)).isInstanceOf(GuestMemoryFault.class);
                assertThat(mmu.faultAddress()).isEqualTo(slices[i] + 0x8000);
            }
        }
        for (int i = 0; i < slices.length; i++) {
            long page = 0x500000 + 0x1000L * i;
            long v = 0x0101010101010101L * (i + 1);
            assertThat(physical.get(ValueLayout.JAVA_LONG_UNALIGNED, page + 0x140)).isEqualTo(v + 3);
            assertThat(physical.get(ValueLayout.JAVA_INT_UNALIGNED, page + 0x148)).isEqualTo((int) v + 3);
            assertThat(physical.get(ValueLayout.JAVA_SHORT_UNALIGNED, page + 0x14c)).isEqualTo((short) 3);
            assertThat(physical.get(ValueLayout.JAVA_BYTE, page + 0x14e)).isEqualTo((byte) i);
        }
        assertThat(mmu.windowClaims()).as("three slices through two windows: taken back in turn").isGreaterThan(3);
    }

    @Test
    void aReadOnlyFarPageReadFromAHeldWindowStillFaultsOnAWrite() {
        long a = 0xffffffff81234000L;
        map(a, 0x320000, 0x1);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x320010, 42);
        assertThat(linear.read32(a + 0x10)).isEqualTo(42);
        assertThat(linear.read32(a + 0x10)).isEqualTo(42);
        assertThatThrownBy(() -> linear.write32(a + 0x10, 7)).isInstanceOf(GuestMemoryFault.class);
        assertThat(physical.get(ValueLayout.JAVA_INT_UNALIGNED, 0x320010)).isEqualTo(42);
    }

    @Test
    void invlpgOfAFarAddressShowsTheNewMapping() {
        long a = 0xffff888000200000L;
        long pte = map(a, 0x306000, 0x3);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x306000, 1);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x307000, 2);
        assertThat(linear.read32(a)).isEqualTo(1);
        setEntry(pte, 0x307000 | 0x3);
        assertThat(linear.read32(a)).as("kept until invlpg, as a TLB does").isEqualTo(1);
        mmu.invalidate(a);
        assertThat(linear.read32(a)).isEqualTo(2);
    }

    @Test
    void cr3WriteForgetsNonGlobalFarPagesAndKeepsGlobalOnes() {
        long local = 0x00007ffc00001000L;
        long global = 0xffffffff81001000L;
        long localPte = map(local, 0x308000, 0x7);
        long globalPte = map(global, 0x309000, 0x103);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x308000, 1);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x309000, 3);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x30a000, 2);
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, 0x30b000, 4);
        assertThat(linear.read32(local)).isEqualTo(1);
        assertThat(linear.read32(global)).isEqualTo(3);
        setEntry(localPte, 0x30a000 | 0x7);
        setEntry(globalPte, 0x30b000 | 0x103);
        mmu.addressSpaceChanged();
        assertThat(linear.read32(local)).isEqualTo(2);
        assertThat(linear.read32(global)).as("a global page survives a CR3 write").isEqualTo(3);
    }

    @Test
    void writeThroughTheDirectMapDropsCodeTranslatedFromTheKernelText() {
        long text = 0xffffffff81002000L;
        long direct = 0xffff888000310000L;
        map(text, 0x310000, 0x103);
        map(direct, 0x310000, 0x103);
        assertThat(linear.read32(direct)).isZero(); // the direct map page is filled (writable) before the code exists
        linear.markCode(text >>> 12); // a block was translated from the text page
        linear.write8(direct + 5, 0x90);
        assertThat(droppedTranslations).as("the text page's translations die").contains(text >>> 12);
        assertThat(physical.get(ValueLayout.JAVA_BYTE, 0x310005)).isEqualTo((byte) 0x90);
    }

    @Test
    void nonCanonicalAddressIsAGeneralProtectionFault() {
        assertThatThrownBy(() -> linear.read32(0x0000900000000000L)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).isEqualTo(Mmu.NON_CANONICAL);
    }

    @Test
    void stringFastPathsWorkOnFoldedPages() {
        long a = 0xffff888000400000L;
        map(a, 0x320000, 0x3);
        map(a + 0x1000, 0x321000, 0x3);
        linear.write8(a, 1); // fills both windows' pages
        linear.write8(a + 0x1000, 1);
        assertThat(linear.fillWithinPage(a + 0x100, 64, (byte) 0x5a)).isTrue();
        assertThat(physical.get(ValueLayout.JAVA_BYTE, 0x320100 + 63)).isEqualTo((byte) 0x5a);
        assertThat(linear.copyWithinPages(a + 0x1000, a + 0x100, 64)).isTrue();
        assertThat(physical.get(ValueLayout.JAVA_BYTE, 0x321000 + 10)).isEqualTo((byte) 0x5a);
    }

    @Test
    void copiesBetweenALowAndAFarPageGoInBulkBothWays() {
        long kernel = 0xffff888000400000L;
        long user = 0x00600000L;
        map(kernel, 0x330000, 0x3);
        map(user, 0x340000, 0x7);
        assertThat(linear.fillWithinPage(user, 64, (byte) 1)).as("a page not met yet: the bulk path refuses it").isFalse();
        linear.write8(kernel, 1);
        linear.write8(user, 1);
        physical.asSlice(0x330200, 32).fill((byte) 0x6b);
        assertThat(linear.copyWithinPages(user + 0x80, kernel + 0x200, 32)).as("copy_to_user's shape").isTrue();
        assertThat(physical.get(ValueLayout.JAVA_BYTE, 0x340080 + 31)).isEqualTo((byte) 0x6b);
        physical.asSlice(0x340300, 16).fill((byte) 0x2c);
        assertThat(linear.copyWithinPages(kernel + 0x700, user + 0x300, 16)).as("copy_from_user's shape").isTrue();
        assertThat(physical.get(ValueLayout.JAVA_BYTE, 0x330700 + 15)).isEqualTo((byte) 0x2c);
        assertThat(linear.copyWithinPages(user + 0xff0, kernel, 32)).as("a range crossing its page").isFalse();
    }
}
