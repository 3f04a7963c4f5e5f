package org.qemu.common.linux;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;

import static org.assertj.core.api.Assertions.assertThat;

class AddressSpaceTest {
    private final GuestMemory memory = new GuestMemory(32);
    private final AddressSpace space = new AddressSpace(memory, 0xf0000000L, 0x10000L);

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void findFreeGoesTopDownAndSkipsMappings() {
        long first = space.findFree(3 * AddressSpace.PAGE);
        assertThat(first).isEqualTo(0xf0000000L - 3 * AddressSpace.PAGE);
        memory.map(first, 3 * AddressSpace.PAGE, GuestMemory.READ);
        long second = space.findFree(AddressSpace.PAGE * 2);
        assertThat(second + 2 * AddressSpace.PAGE).isLessThanOrEqualTo(first);
        assertThat(memory.isFree(second, 2 * AddressSpace.PAGE)).isTrue();
    }

    @Test
    void brkGrowsIntoFreePagesAndRefusesMappedOnes() {
        space.initBrk(0x08050123L);
        assertThat(space.brk()).isEqualTo(0x08051000L);
        assertThat(space.setBrk(0x08060000L)).isEqualTo(0x08060000L);
        memory.write32(0x0805fffcL, 42);
        assertThat(memory.read32(0x0805fffcL)).isEqualTo(42);
        memory.map(0x08070000L, AddressSpace.PAGE, GuestMemory.READ);
        assertThat(space.setBrk(0x08080000L)).as("blocked by a mapping").isEqualTo(0x08060000L);
        assertThat(space.setBrk(0x08052000L)).isEqualTo(0x08052000L);
        assertThat(memory.isMapped(0x08055000L, 1)).isFalse();
        assertThat(space.setBrk(0x08000000L)).as("below the start").isEqualTo(0x08052000L);
    }
}
