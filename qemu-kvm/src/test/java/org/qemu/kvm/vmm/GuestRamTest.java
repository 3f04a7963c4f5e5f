package org.qemu.kvm.vmm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.common.board.PcMemoryMap;

/**
 * The KVM slot layout for the PC's RAM. Oracle: the RAM ranges Debian's QEMU 7.2 pc machine
 * reports in the multiboot memory map (observed here: -m 3583 fits below the PCI hole; -m 3584
 * and -m 5G put 3 GiB below it and the rest at 4 GiB).
 */
class GuestRamTest {
    private static final long MIB = 1L << 20;

    @Test
    void ramThatFitsBelowThePciHoleIsOneSlot() {
        List<GuestRam.SlotLayout> slots = GuestRam.slotLayout(PcMemoryMap.layout(3583 * MIB));
        assertThat(slots).containsExactly(new GuestRam.SlotLayout(0, 0, 0, 3583 * MIB));
    }

    @Test
    void largerRamIsSplitIntoThreeGibibytesBelowAndTheRestFromFourGibibytes() {
        assertThat(GuestRam.slotLayout(PcMemoryMap.layout(3584 * MIB))).containsExactly(
                new GuestRam.SlotLayout(0, 0, 0, 3072 * MIB),
                new GuestRam.SlotLayout(1, 4096 * MIB, 3072 * MIB, 512 * MIB));
        assertThat(GuestRam.slotLayout(PcMemoryMap.layout(5120 * MIB))).containsExactly(
                new GuestRam.SlotLayout(0, 0, 0, 3072 * MIB),
                new GuestRam.SlotLayout(1, 4096 * MIB, 3072 * MIB, 2048 * MIB));
    }

    @Test
    void theSlotsCoverTheMappingExactlyOnce() {
        long ram = 7 * 1024 * MIB + 4096;
        List<GuestRam.SlotLayout> slots = GuestRam.slotLayout(PcMemoryMap.layout(ram));
        long covered = 0;
        for (GuestRam.SlotLayout s : slots) {
            assertThat(s.hostOffset()).isEqualTo(covered);
            covered += s.size();
        }
        assertThat(covered).isEqualTo(ram);
    }
}
