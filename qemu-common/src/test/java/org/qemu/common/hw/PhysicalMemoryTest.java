package org.qemu.common.hw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

/** RAM on both sides of the PCI hole: addresses reach the right host bytes, the hole reaches none. */
class PhysicalMemoryTest {
    private static final long FOUR_GIB = 1L << 32;

    @Test
    void addressesFromFourGibibytesReachTheSecondRange() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment low = arena.allocate(1 << 20, 4096);
            MemorySegment high = arena.allocate(1 << 20, 4096);
            PhysicalMemory memory = new PhysicalMemory(low, high);
            memory.write32(FOUR_GIB + 0x10, 0x12345678);
            memory.write32(0x10, 0x0badf00d);
            assertThat(high.get(ValueLayout.JAVA_INT_UNALIGNED, 0x10)).isEqualTo(0x12345678);
            assertThat(low.get(ValueLayout.JAVA_INT_UNALIGNED, 0x10)).isEqualTo(0x0badf00d);
            assertThat(memory.read32(FOUR_GIB + 0x10)).isEqualTo(0x12345678);
            assertThat(memory.size()).isEqualTo(2 << 20);
            assertThat(memory.contains(FOUR_GIB + (1 << 20) - 4, 4)).isTrue();
            assertThat(memory.contains(FOUR_GIB + (1 << 20) - 4, 5)).as("past the end of high RAM").isFalse();
            assertThat(memory.contains((1 << 20) - 2, 4)).as("across the end of low RAM").isFalse();
            assertThat(memory.contains(0xe0000000L, 4)).as("the PCI hole").isFalse();
            assertThatThrownBy(() -> memory.read8(FOUR_GIB - 1)).isInstanceOf(PhysicalMemoryException.class);
        }
    }

    @Test
    void withoutHighRamNothingAboveFourGibibytesExists() {
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory memory = new PhysicalMemory(arena.allocate(1 << 20, 4096));
            assertThat(memory.contains(FOUR_GIB, 0)).isFalse();
            assertThat(memory.contains(FOUR_GIB, 1)).isFalse();
            assertThat(memory.above4gSize()).isZero();
        }
    }
}
