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
 * The MMU over real host mappings: guest page tables written into a small memfd RAM, a CPU's
 * linear space filled on demand. Expected values come from the page tables the test writes
 * (what the SDM says the walk must find), never from the MMU.
 */
class MmuTest {
    private static final long RAM = 4L << 20;
    private static final int DIRECTORY = 0x1000;
    private static final int TABLE = 0x2000;

    private SharedRam ram;
    private MemorySegment physical;
    private GuestMemory linear;
    private Mmu mmu;
    private final List<Long> droppedTranslations = new ArrayList<>();
    private final List<Long> parked = new ArrayList<>();
    private final List<Long> revived = new ArrayList<>();
    private final List<Long> devicePages = new ArrayList<>();
    private int cr0 = 0x80010001;
    private int cpl;

    @BeforeEach
    void setUp() {
        ram = SharedRam.create(RAM);
        physical = ram.segment();
        linear = new GuestMemory(32);
        linear.setCodeWriteListener(droppedTranslations::add); // stands for the translation cache
        linear.setCodeParking(new GuestMemory.CodeParking() {
            @Override
            public void park(long page) {
                parked.add(page);
            }

            @Override
            public void revive(long page) {
                revived.add(page);
            }
        });
        GuestMemory.IoHandler devices = new GuestMemory.IoHandler() {
            @Override
            public long read(long address, int size) {
                devicePages.add(address);
                return 0x1234;
            }

            @Override
            public void write(long address, int size, long value) {
                devicePages.add(address);
            }
        };
        mmu = new Mmu(linear, ram, RAM, devices, new PhysicalCodePages(RAM >>> 12));
        mmu.bind(new Mmu.Registers() {
            @Override
            public int cr0() {
                return cr0;
            }

            @Override
            public int cr3() {
                return DIRECTORY;
            }

            @Override
            public int cr4() {
                return 0x90; // PSE, PGE
            }

            @Override
            public int cpl() {
                return cpl;
            }
        });
        mmu.runsOn(Thread.currentThread()); // the test plays the CPU
        put(DIRECTORY, TABLE | 0x7);
    }

    @AfterEach
    void tearDown() {
        linear.close();
        ram.close();
    }

    private void put(long physicalAddress, int value) {
        physical.set(ValueLayout.JAVA_INT_UNALIGNED, physicalAddress, value);
    }

    private int get(long physicalAddress) {
        return physical.get(ValueLayout.JAVA_INT_UNALIGNED, physicalAddress);
    }

    private void pte(int index, int value) {
        put(TABLE + 4L * index, value);
    }

    private void pagingOn() {
        mmu.controlChanged();
        assertThat(mmu.pagingEnabled()).isTrue();
    }

    @Test
    void identityMapWhilePagingIsOff() {
        cr0 = 0x11;
        put(0x3456, 0xabcdef01);
        assertThat(linear.read32(0x3456)).isEqualTo(0xabcdef01);
        linear.write32(0x3000, 7);
        assertThat(get(0x3000)).isEqualTo(7);
        assertThat(linear.read32(0xfec00000L)).as("outside RAM: the devices").isEqualTo(0x1234);
        assertThat(devicePages).containsExactly(0xfec00000L);
    }

    @Test
    void linearPageShowsThePhysicalPageItsEntryNames() {
        pte(5, 0x00300000 | 0x7);
        pagingOn();
        put(0x00300010, 0x55aa55aa);
        assertThat(linear.read32(0x5010)).isEqualTo(0x55aa55aa);
        linear.write32(0x5020, 0x12345678);
        assertThat(get(0x00300020)).as("the write lands in physical RAM").isEqualTo(0x12345678);
        assertThat(get(TABLE + 4 * 5) & 0x60).as("accessed and dirty").isEqualTo(0x60);
    }

    @Test
    void twoLinearPagesOverOnePhysicalPageSeeEachOther() {
        pte(1, 0x00200000 | 0x3);
        pte(2, 0x00200000 | 0x3);
        pagingOn();
        linear.write32(0x1100, 42);
        assertThat(linear.read32(0x2100)).isEqualTo(42);
    }

    @Test
    void notPresentPageFaultsWithItsErrorCode() {
        pagingOn();
        assertThatThrownBy(() -> linear.write32(0x7004, 1)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).isEqualTo(0b010);
        assertThat(mmu.faultAddress()).isEqualTo(0x7004);
        assertThat(mmu.takeFaultError()).as("taken once").isEqualTo(-1);
    }

    @Test
    void firstReadMapsACleanPageReadOnlySoTheFirstWriteSetsDirty() {
        pte(3, 0x00100000 | 0x7);
        pagingOn();
        linear.read32(0x3000);
        assertThat(get(TABLE + 4 * 3) & 0x60).isEqualTo(0x20);
        assertThat(linear.protectionAt(0x3000) & GuestMemory.WRITE).isZero();
        linear.write8(0x3001, 1);
        assertThat(get(TABLE + 4 * 3) & 0x60).isEqualTo(0x60);
    }

    @Test
    void enteringUserModeWithdrawsSupervisorPages() {
        pte(4, 0x00100000 | 0x3); // supervisor
        pte(6, 0x00110000 | 0x7); // user
        pagingOn();
        linear.write32(0x4000, 9);
        linear.write32(0x6000, 8);
        cpl = 3;
        mmu.privilegeChanged(3);
        assertThat(linear.read32(0x6000)).isEqualTo(8);
        assertThatThrownBy(() -> linear.read32(0x4000)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).isEqualTo(0b101);
        assertThat(mmu.readSupervisor(0x4000, 4)).as("implicit supervisor access from ring 3").isEqualTo(9);
        cpl = 0;
        mmu.privilegeChanged(0);
        assertThat(linear.read32(0x4000)).isEqualTo(9);
    }

    @Test
    void cr3WriteForgetsNonGlobalPagesButKeepsGlobalOnes() {
        pte(1, 0x00100000 | 0x3);
        pte(2, 0x00110000 | 0x103); // global
        pagingOn();
        linear.read32(0x1000);
        linear.read32(0x2000);
        pte(1, 0x00120000 | 0x3);
        pte(2, 0x00130000 | 0x103);
        put(0x00120000, 1);
        put(0x00130000, 2);
        put(0x00110000, 3);
        mmu.addressSpaceChanged();
        assertThat(linear.read32(0x1000)).as("re-walked").isEqualTo(1);
        assertThat(linear.read32(0x2000)).as("global: the old translation stays").isEqualTo(3);
        mmu.invalidate(0x2000);
        assertThat(linear.read32(0x2000)).as("invlpg drops it").isEqualTo(2);
    }

    @Test
    void aGlobalPageWalkedAgainAsNonGlobalIsForgottenByTheNextCr3Write() {
        pte(2, 0x00110000 | 0x101); // global, read-only: the write below misses and walks again
        pagingOn();
        put(0x00110000, 3);
        assertThat(linear.read32(0x2000)).isEqualTo(3);
        pte(2, 0x00110000 | 0x3); // the entry loses G (and becomes writable) without an invlpg
        linear.write32(0x2004, 5);
        pte(2, 0x00130000 | 0x3);
        put(0x00130000, 2);
        mmu.addressSpaceChanged();
        assertThat(linear.read32(0x2000)).as("the TLB entry the write made was not global").isEqualTo(2);
    }

    @Test
    void aPageDroppedAndTrackedAgainThousandsOfTimesIsStillForgottenByACr3Write() {
        pte(1, 0x00100000 | 0x3);
        pagingOn();
        for (int i = 0; i < 5000; i++) { // each round lists the page again: the lists compact
            linear.read32(0x1000);
            mmu.invalidate(0x1000);
        }
        linear.read32(0x1000);
        pte(1, 0x00120000 | 0x3);
        put(0x00120000, 7);
        mmu.addressSpaceChanged();
        assertThat(linear.read32(0x1000)).isEqualTo(7);
    }

    @Test
    void writeThroughAnotherMappingDropsTranslationsOfCode() {
        pte(1, 0x00200000 | 0x3);
        pte(2, 0x00200000 | 0x3);
        pagingOn();
        linear.checkExecute(0x1000);  // a fetch: the translator takes code from linear page 1
        linear.markCode(1);
        linear.write32(0x2010, 0x90909090); // through linear page 2
        assertThat(droppedTranslations).contains(1L);
    }

    @Test
    void flushKeepsTranslationsOfCodeWhoseMappingDidNotChange() {
        pte(1, 0x00200000 | 0x3);
        pte(3, 0x00210000 | 0x3);
        pagingOn();
        linear.checkExecute(0x1000);
        linear.markCode(1);
        linear.checkExecute(0x3000);
        linear.markCode(3);
        pte(3, 0x00220000 | 0x3);
        mmu.addressSpaceChanged();
        assertThat(parked).as("page 3 now maps other memory, page 1 does not").containsExactly(3L);
        assertThat(droppedTranslations).isEmpty();
        linear.read32(0x3000);
        assertThat(droppedTranslations).as("its next access finds the other memory").containsExactly(3L);
    }

    /** Linear page 3 holds code taken from physical page 0x210, then loses its mapping at a CR3 write. */
    private void codeOnPage3ThenUnmapped() {
        pte(3, 0x00210000 | 0x3);
        pagingOn();
        linear.checkExecute(0x3000);
        linear.markCode(3);
        pte(3, 0);
        mmu.addressSpaceChanged();
        assertThat(parked).containsExactly(3L);
        assertThat(droppedTranslations).isEmpty();
        assertThatThrownBy(() -> linear.read32(0x3000)).isInstanceOf(GuestMemoryFault.class);
        assertThat(mmu.takeFaultError()).as("not present, read, supervisor").isEqualTo(0);
    }

    @Test
    void parkedCodeComesBackWhenItsPageMapsTheSamePhysicalPageAgain() {
        codeOnPage3ThenUnmapped();
        put(0x210000, 0x12345678);
        pte(3, 0x00210000 | 0x3);
        assertThat(linear.read32(0x3000)).isEqualTo(0x12345678);
        assertThat(revived).containsExactly(3L);
        assertThat(droppedTranslations).isEmpty();
    }

    @Test
    void parkedCodeDiesWhenItsPageMapsAnotherPhysicalPage() {
        codeOnPage3ThenUnmapped();
        pte(3, 0x00220000 | 0x3);
        linear.read32(0x3000);
        assertThat(revived).isEmpty();
        assertThat(droppedTranslations).containsExactly(3L);
    }

    @Test
    void aWriteToTheParkedPhysicalPageKillsTheParkedCode() {
        codeOnPage3ThenUnmapped();
        pte(4, 0x00210000 | 0x3);
        linear.write32(0x4010, 0x90909090); // the same physical page through linear page 4
        assertThat(droppedTranslations).containsExactly(3L);
        pte(3, 0x00210000 | 0x3);
        assertThat(linear.read32(0x3010)).isEqualTo(0x90909090);
        assertThat(revived).as("the bytes changed while it was parked").isEmpty();
    }

    @Test
    void parkedCodeWantedOnAPageStillUnmappedNeitherRevivesNorLeavesAFaultPending() {
        codeOnPage3ThenUnmapped();
        linear.parkedCodeWanted(0x3000);
        assertThat(revived).isEmpty();
        assertThat(mmu.takeFaultError()).isEqualTo(-1);
        pte(3, 0x00210000 | 0x3);
        linear.parkedCodeWanted(0x3000);
        assertThat(revived).containsExactly(3L);
    }

    @Test
    void anotherThreadsLookupOfParkedCodeNeitherWalksNorTouchesTheCpusPendingFault() throws Exception {
        codeOnPage3ThenUnmapped();
        assertThatThrownBy(() -> linear.read32(0x5000)).isInstanceOf(GuestMemoryFault.class); // the CPU's own #PF, not yet taken
        pte(3, 0x00210000 | 0x3);
        Thread compiler = new Thread(() -> linear.parkedCodeWanted(0x3000)); // as the background compiler's lookup
        compiler.start();
        compiler.join();
        assertThat(revived).as("only the CPU's thread walks").isEmpty();
        assertThat(mmu.takeFaultError()).as("the CPU's fault: not present, read, supervisor").isEqualTo(0);
        assertThat(mmu.faultAddress()).isEqualTo(0x5000);
        linear.parkedCodeWanted(0x3000);
        assertThat(revived).containsExactly(3L);
    }

    @Test
    void parkedCodeComesBackOnlyWithTheUserBitItWasTranslatedUnder() {
        codeOnPage3ThenUnmapped();
        pte(3, 0x00210000 | 0x7); // now a user page: the blocks were translated for a supervisor page
        linear.read32(0x3000);
        assertThat(revived).isEmpty();
        assertThat(droppedTranslations).containsExactly(3L);
    }
}
