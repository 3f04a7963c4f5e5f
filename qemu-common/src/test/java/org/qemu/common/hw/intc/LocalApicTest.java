package org.qemu.common.hw.intc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The local APIC registers and the ICR's INIT/STARTUP IPIs as Intel SDM vol. 3, chapter 11 lays them out. */
class LocalApicTest {
    private final List<String> sent = new ArrayList<>();
    private final LocalApic.IpiSender recorder = new LocalApic.IpiSender() {
        @Override
        public void init(int destination) {
            sent.add("INIT " + destination);
        }

        @Override
        public void startup(int destination, int vector) {
            sent.add("SIPI " + destination + " vector " + Integer.toHexString(vector));
        }
    };

    @Test
    void idAndVersionRegisters() {
        LocalApic apic = new LocalApic(3, 4, recorder);
        assertThat(apic.read(0x20, 4)).isEqualTo(3L << 24);
        assertThat(apic.read(0x30, 4) & 0xff).as("integrated APIC version").isEqualTo(0x14);
        assertThat((apic.read(0x30, 4) >> 16) & 0xff).as("max LVT entry").isEqualTo(5);
        assertThat(apic.read(0xf0, 4)).as("spurious vector register after reset").isEqualTo(0xff);
        apic.write(0x20, 4, 0x7L << 24);
        assertThat(apic.read(0x20, 4)).isEqualTo(3L << 24);
    }

    @Test
    void initSipiSequenceByPhysicalDestination() {
        LocalApic apic = new LocalApic(0, 2, recorder);
        apic.write(0x310, 4, 1L << 24);
        apic.write(0x300, 4, 0x4500); // INIT, level assert
        apic.write(0x300, 4, 0x8500); // INIT level de-assert: no IPI
        apic.write(0x300, 4, 0x4608); // STARTUP vector 8
        assertThat(apic.read(0x300, 4) & (1 << 12)).as("delivery status idle").isZero();
        assertThat(apic.read(0x310, 4)).isEqualTo(1L << 24);
        assertThat(sent).containsExactly("INIT 1", "SIPI 1 vector 8");
    }

    @Test
    void shorthandsSelfAllAndAllButSelf() {
        LocalApic apic = new LocalApic(1, 3, recorder);
        apic.write(0x300, 4, 0xc4500); // all excluding self
        assertThat(sent).containsExactly("INIT 0", "INIT 2");
        sent.clear();
        apic.write(0x300, 4, 0x84610); // all including self
        assertThat(sent).containsExactly("SIPI 0 vector 10", "SIPI 1 vector 10", "SIPI 2 vector 10");
        sent.clear();
        apic.write(0x300, 4, 0x40020); // fixed IPI to self: not built, nothing is sent
        assertThat(sent).isEmpty();
    }
}
