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

    /** Every change that may take an access right away moves the epoch kept page caches are checked against. */
    @Test
    void theProtectionEpochMovesWithEveryChangeThatMayRevokeAnAccess() {
        List<String> unmoved = new ArrayList<>();
        java.util.Map<String, Runnable> changes = new java.util.LinkedHashMap<>();
        changes.put("map", () -> memory.map(0x10000, 0x3000, GuestMemory.READ | GuestMemory.WRITE));
        changes.put("map over", () -> memory.map(0x11000, 0x1000, GuestMemory.READ));
        changes.put("protect", () -> memory.protect(0x10000, 0x1000, GuestMemory.READ));
        changes.put("markCode", () -> memory.markCode(0x12));
        changes.put("watchPage", () -> memory.watchPage(0x10, true));
        changes.put("unmap", () -> memory.unmap(0x12000, 0x1000));
        changes.put("setPageAccess", () -> memory.setPageAccess(0x20, GuestMemory.READ));
        changes.put("revokePageAccess", () -> memory.revokePageAccess(0x20));
        changes.put("dropPage", () -> memory.dropPage(0x20));
        changes.put("markCodeWrites", () -> memory.markCodeWrites(0x11));
        changes.put("mapIoPage", () -> memory.mapIoPage(0x21, null));
        changes.put("mapIo", () -> memory.mapIo(0x30000, 0x1000, null));
        for (var change : changes.entrySet()) {
            int before = memory.protectionEpoch();
            change.getValue().run();
            if (memory.protectionEpoch() == before) {
                unmoved.add(change.getKey());
            }
        }
        assertThat(unmoved).isEmpty();
        // a page already marked as code loses nothing more: the epoch stays (translations mark pages all the time)
        memory.map(0x40000, 0x1000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.markCode(0x40);
        int marked = memory.protectionEpoch();
        memory.markCode(0x40);
        assertThat(memory.protectionEpoch()).isEqualTo(marked);
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
    void sixteenByteAccessesCrossPagesAndFaultWithoutAPartialEffect() {
        memory.map(0x70000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(0x71000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.write128(0x70ff8, 0x1111111111111111L, 0x2222222222222222L);
        assertThat(memory.read64(0x70ff8)).isEqualTo(0x1111111111111111L);
        assertThat(memory.read64(0x71000)).isEqualTo(0x2222222222222222L);
        long[] xmm = new long[4];
        memory.read128(0x70ff8, xmm, 2);
        assertThat(xmm).containsExactly(0, 0, 0x1111111111111111L, 0x2222222222222222L);
        memory.write128(0x70010, 5, 6);
        memory.read128(0x70010, xmm, 0);
        assertThat(xmm).containsExactly(5, 6, 0x1111111111111111L, 0x2222222222222222L);

        memory.map(0x72000, 0x1000, GuestMemory.READ);
        assertThatThrownBy(() -> memory.write128(0x71ff8, 7, 8)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.address()).isEqualTo(0x72000));
        assertThat(memory.read64(0x71ff8)).as("the half in the writable page").isZero();
        assertThatThrownBy(() -> memory.read128(0x72ff8, xmm, 0)).isInstanceOfSatisfying(GuestMemoryFault.class,
                f -> assertThat(f.address()).isEqualTo(0x73000));
        assertThat(xmm).containsExactly(5, 6, 0x1111111111111111L, 0x2222222222222222L);
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

    @Test
    void addressesOutsideTheSpaceFaultAsUnmappedWhateverTheirHighBits() {
        memory.map(0, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(0xfffff000L, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        // Addresses whose low 32 bits name a mapped page must not alias onto it.
        for (long bad : new long[] {1L << 32, (1L << 32) + 0x10, -4096, -1, Long.MIN_VALUE, 1L << 44, Long.MAX_VALUE & ~0xfffL}) {
            assertThatThrownBy(() -> memory.read32(bad)).isInstanceOfSatisfying(GuestMemoryFault.class,
                    f -> assertThat(f.mapped()).isFalse());
            assertThatThrownBy(() -> memory.write8(bad, 1)).isInstanceOf(GuestMemoryFault.class);
            assertThatThrownBy(() -> memory.read64be(bad)).isInstanceOf(GuestMemoryFault.class);
        }
        // The last bytes of the space are reachable; one byte past them is not.
        memory.write32(0xfffffffcL, 0x01020304);
        assertThat(memory.read8(0xffffffffL)).isEqualTo(0x01);
        assertThat(memory.read16(0xfffffffeL)).isEqualTo(0x0102);
        assertThatThrownBy(() -> memory.read16(0xffffffffL)).isInstanceOf(GuestMemoryFault.class);
        assertThatThrownBy(() -> memory.write64(0xfffffffcL, 0)).isInstanceOf(GuestMemoryFault.class);
    }

    @Test
    void accessesStraddlingTwoMappedPagesWorkForEverySizeAndOffset() {
        memory.map(0x70000, 0x2000, GuestMemory.READ | GuestMemory.WRITE);
        for (int size : new int[] {2, 4, 8}) {
            for (long a = 0x71000 - size + 1; a < 0x71000; a++) {
                memory.write64(0x70ff0, 0);
                memory.write64(0x70ff8, 0);
                memory.write64(0x71000, 0);
                switch (size) {
                    case 2 -> memory.write16be(a, 0xa1b2);
                    case 4 -> memory.write32be(a, 0xa1b2c3d4);
                    default -> memory.write64be(a, 0xa1b2c3d4e5f60718L);
                }
                assertThat(memory.read8(a)).isEqualTo(0xa1);
                assertThat(memory.read8(a + size - 1)).isEqualTo(size == 2 ? 0xb2 : size == 4 ? 0xd4 : 0x18);
                switch (size) {
                    case 2 -> assertThat(memory.read16(a)).isEqualTo(0xb2a1);
                    case 4 -> assertThat(memory.read32(a)).isEqualTo(0xd4c3b2a1);
                    default -> assertThat(memory.read64(a)).isEqualTo(0x1807f6e5d4c3b2a1L);
                }
            }
        }
    }

    @Test
    void aWriteStraddlingIntoAReadOnlyPageFaultsThereAndWritesNothing() {
        memory.map(0x80000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(0x81000, 0x1000, GuestMemory.READ);
        assertThatThrownBy(() -> memory.write32(0x80ffe, -1)).isInstanceOfSatisfying(GuestMemoryFault.class, f -> {
            assertThat(f.address()).isEqualTo(0x81000);
            assertThat(f.mapped()).isTrue();
            assertThat(f.access()).isEqualTo(GuestMemoryFault.Access.WRITE);
        });
        assertThat(memory.read16(0x80ffe)).isZero();
    }

    @Test
    void codePagesKeepReportingAfterProtectionChangesAndRearming() {
        List<Long> written = new ArrayList<>();
        memory.setCodeWriteListener(written::add);
        memory.map(0x90000, 0x1000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.markCode(0x90);
        memory.protect(0x90000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.write8(0x90001, 1);
        assertThat(written).containsExactly(0x90L);
        memory.write8(0x90002, 1);
        assertThat(written).hasSize(1);
        memory.markCode(0x90);
        memory.write64be(0x90008, 1);
        assertThat(written).containsExactly(0x90L, 0x90L);
        // A page made read-only and back keeps neither stale write permission nor a lost code mark.
        memory.markCode(0x90);
        memory.protect(0x90000, 0x1000, GuestMemory.READ);
        assertThatThrownBy(() -> memory.write8(0x90000, 1)).isInstanceOf(GuestMemoryFault.class);
        memory.protect(0x90000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.write16(0x90010, 1);
        assertThat(written).hasSize(3);
        assertThat(memory.protectionAt(0x90000)).isEqualTo(GuestMemory.READ | GuestMemory.WRITE);
    }

    @Test
    void testsRunTheDirectAccessPathTheLauncherUses() {
        // The root pom gives the test JVMs --sun-misc-unsafe-memory-access=allow, as bin/qemu-launcher does.
        assertThat(HostLoadStore.direct())
                .isEqualTo("allow".equals(System.getProperty("sun.misc.unsafe.memory.access")));
    }

    @Test
    void nextMappedPageSkipsUnmappedSpaceAndSeesProtNone() {
        assertThat(memory.nextMappedPage(0)).isEqualTo(-1);
        memory.map(0x123000, 0x2000, 0);
        memory.map(0xfffff000L, 0x1000, GuestMemory.READ);
        assertThat(memory.nextMappedPage(0)).isEqualTo(0x123);
        assertThat(memory.nextMappedPage(0x124)).isEqualTo(0x124);
        assertThat(memory.nextMappedPage(0x125)).isEqualTo(0xfffffL);
        assertThat(memory.nextMappedPage(0x100000)).isEqualTo(-1);
    }
}
