package org.qemu.common.board;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.PhysicalMemory;

/** The MP table read back the way the MultiProcessor Specification 1.4 (chapter 4) tells an OS to. */
class MpTableTest {
    @Test
    void floatingPointerAndConfigurationTableAreValid() {
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory memory = new PhysicalMemory(arena.allocate(2 << 20, 4096));
            int[] pci = new int[32];
            Arrays.fill(pci, -1);
            pci[1] = 10;
            MpTable.write(memory, 0xf0000, 3, 3, pci);
            // An OS scans 0xF0000-0xFFFFF on 16-byte boundaries for "_MP_" with a zero byte sum.
            long floating = -1;
            for (long a = 0xf0000; a < 0x100000; a += 16) {
                if (new String(memory.read(a, 4)).equals("_MP_") && sum(memory.read(a, 16)) == 0) {
                    floating = a;
                    break;
                }
            }
            assertThat(floating).isEqualTo(0xf0000);
            assertThat(memory.read8(floating + 8)).as("length in paragraphs").isEqualTo(1);
            assertThat(memory.read8(floating + 9)).as("spec revision 1.4").isEqualTo(4);
            long config = Integer.toUnsignedLong(memory.read32(floating + 4));
            assertThat(new String(memory.read(config, 4))).isEqualTo("PCMP");
            int length = memory.read16(config + 4);
            assertThat(sum(memory.read(config, length))).isZero();
            assertThat(Integer.toUnsignedLong(memory.read32(config + 36))).isEqualTo(0xfee00000L);
            int entries = memory.read16(config + 34);
            List<Integer> cpus = new ArrayList<>();
            int bsp = -1;
            int ioapics = 0;
            List<String> pciIrqs = new ArrayList<>();
            long at = config + 44;
            for (int i = 0; i < entries; i++) {
                int type = memory.read8(at);
                switch (type) {
                    case 0 -> {
                        cpus.add(memory.read8(at + 1));
                        if ((memory.read8(at + 3) & 2) != 0) {
                            bsp = memory.read8(at + 1);
                        }
                        at += 20;
                    }
                    case 2 -> {
                        ioapics++;
                        assertThat(Integer.toUnsignedLong(memory.read32(at + 4))).isEqualTo(0xfec00000L);
                        at += 8;
                    }
                    case 3 -> {
                        if (memory.read8(at + 4) == 0) { // source bus 0 is PCI
                            pciIrqs.add("slot " + (memory.read8(at + 5) >> 2) + " -> pin " + memory.read8(at + 7));
                        }
                        at += 8;
                    }
                    case 1, 4 -> at += 8;
                    default -> throw new AssertionError("unknown MP entry type " + type);
                }
            }
            assertThat(at).isEqualTo(config + length);
            assertThat(cpus).containsExactly(0, 1, 2);
            assertThat(bsp).isZero();
            assertThat(ioapics).isEqualTo(1);
            assertThat(pciIrqs).containsExactly("slot 1 -> pin 10");
        }
    }

    /** ISA IRQ 0's destination pin: 0 for KVM's default routing, 2 as SeaBIOS's table on QEMU's pc says. */
    @Test
    void timerInterruptEntryNamesTheChosenIoApicPin() {
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory memory = new PhysicalMemory(arena.allocate(2 << 20, 4096));
            int[] pci = new int[32];
            Arrays.fill(pci, -1);
            for (int timerPin : new int[] {0, 2}) {
                MpTable.write(memory, 0xf0000, 1, 1, pci, timerPin);
                long config = Integer.toUnsignedLong(memory.read32(0xf0000 + 4));
                int entries = memory.read16(config + 34);
                long at = config + 44;
                int irq0Pin = -1;
                for (int i = 0; i < entries; i++) {
                    int type = memory.read8(at);
                    if (type == 3 && memory.read8(at + 4) == 1 && memory.read8(at + 5) == 0) { // ISA bus, IRQ 0
                        irq0Pin = memory.read8(at + 7);
                    }
                    at += type == 0 ? 20 : 8;
                }
                assertThat(irq0Pin).isEqualTo(timerPin);
            }
        }
    }

    private static int sum(byte[] data) {
        int s = 0;
        for (byte b : data) {
            s += b;
        }
        return s & 0xff;
    }
}
