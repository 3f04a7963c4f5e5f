package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** System mode's device pages: accesses reach the handler with the guest's value and size; RAM stays RAM. */
class GuestMemoryIoTest {
    private static final long RAM = 1 << 20;
    private static final long DEVICE = 0xfee00000L;

    private final List<String> accesses = new ArrayList<>();

    private GuestMemory memory() {
        GuestMemory m = new GuestMemory(32);
        m.map(0, RAM, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        m.mapIo(DEVICE, GuestMemory.PAGE_SIZE, new GuestMemory.IoHandler() {
            @Override
            public long read(long address, int size) {
                accesses.add("read " + Long.toHexString(address) + "/" + size);
                return 0x1122334455667788L & (size == 8 ? -1L : (1L << (8 * size)) - 1);
            }

            @Override
            public void write(long address, int size, long value) {
                accesses.add("write " + Long.toHexString(address) + "/" + size + "=" + Long.toHexString(value));
            }
        });
        return m;
    }

    @Test
    void loadsAndStoresOnDevicePagesGoToTheHandler() {
        try (GuestMemory m = memory()) {
            assertThat(m.read32(DEVICE + 0x20)).isEqualTo(0x55667788);
            assertThat(m.read8(DEVICE + 0x30)).isEqualTo(0x88);
            assertThat(m.read16(DEVICE + 0x30)).isEqualTo(0x7788);
            assertThat(m.read64(DEVICE + 8)).isEqualTo(0x1122334455667788L);
            m.write32(DEVICE + 0xb0, 0xdeadbeef);
            m.write8(DEVICE + 0xb4, 0x1ff);
            m.write16(DEVICE + 0xb6, 0xabcd);
            assertThat(accesses).containsExactly("read fee00020/4", "read fee00030/1", "read fee00030/2", "read fee00008/8",
                    "write fee000b0/4=deadbeef", "write fee000b4/1=ff", "write fee000b6/2=abcd");
        }
    }

    @Test
    void ramAccessesNeverReachTheHandler() {
        try (GuestMemory m = memory()) {
            m.write32(0x1000, 0x12345678);
            assertThat(m.read32(0x1000)).isEqualTo(0x12345678);
            assertThat(accesses).isEmpty();
        }
    }

    @Test
    void codeCannotBeFetchedFromDevicePagesAndBulkCopiesStayInRam() {
        try (GuestMemory m = memory()) {
            assertThatThrownBy(() -> m.fetch8(DEVICE)).isInstanceOf(GuestMemoryFault.class);
            assertThatThrownBy(() -> m.read(DEVICE, new byte[4], 0, 4)).isInstanceOf(GuestMemoryFault.class);
            assertThat(accesses).isEmpty();
        }
    }

    @Test
    void deviceWritesDropTranslationsOfTheCodePagesTheyTouchOnly() {
        try (GuestMemory m = memory()) {
            List<Long> dropped = new ArrayList<>();
            m.setCodeWriteListener(dropped::add);
            m.markCode(2);
            m.markCode(5);
            m.externalWrite(0x1800, 0x1000); // pages 1 and 2
            m.externalWrite(0x5000, 4);
            m.externalWrite(0x5000, 4); // page 5 holds no code any more
            assertThat(dropped).containsExactly(2L, 5L);
        }
    }
}
