package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private final GuestMemory memory = new GuestMemory(32);

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void byteOrderFollowsTheAccessorNotTheHost() {
        memory.map(0x10000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.write32(0x10000, 0x11223344);
        assertThat(memory.read8(0x10000)).isEqualTo(0x44);
        assertThat(memory.read32be(0x10000)).isEqualTo(0x44332211);
        memory.write64be(0x10008, 0x0102030405060708L);
        assertThat(memory.read8(0x10008)).isEqualTo(1);
        assertThat(memory.read64(0x10008)).isEqualTo(0x0807060504030201L);
    }

    @Test
    void unmappedAndProtectedPagesFaultWithTheRightKind() {
        assertThatThrownBy(() -> memory.read32(0x5000)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.mapped()).isFalse());
        memory.map(0x20000, 0x1000, GuestMemory.READ);
        assertThat(memory.read32(0x20000)).isZero();
        assertThatThrownBy(() -> memory.write8(0x20010, 1)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.mapped()).isTrue());
        memory.map(0x30000, 0x1000, 0); // PROT_NONE
        assertThatThrownBy(() -> memory.read8(0x30000)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.mapped()).isTrue());
    }

    @Test
    void anAccessStraddlingIntoAnUnmappedPageFaultsAtThatPage() {
        memory.map(0x40000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        assertThatThrownBy(() -> memory.read32(0x40ffe)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.address()).isEqualTo(0x41000));
        assertThatThrownBy(() -> memory.read32(0xfffffffeL)).isInstanceOf(GuestMemoryFault.class);
    }

    @Test
    void writesToCodePagesAreReportedOnce() {
        List<Long> written = new ArrayList<>();
        memory.setCodeWriteListener(written::add);
        memory.map(0x50000, 0x2000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.markCode(0x51);
        memory.write32(0x50000, 1);
        assertThat(written).isEmpty();
        memory.write32(0x51004, 1);
        memory.write32(0x51008, 1);
        assertThat(written).containsExactly(0x51L);
    }

    @Test
    void remappedMemoryReadsAsZero() {
        memory.map(0x60000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.write32(0x60000, -1);
        memory.unmap(0x60000, 0x1000);
        memory.map(0x60000, 0x1000, GuestMemory.READ);
        assertThat(memory.read32(0x60000)).isZero();
    }
}
