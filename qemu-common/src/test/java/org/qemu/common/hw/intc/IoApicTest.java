package org.qemu.common.hw.intc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The I/O APIC as the Intel 82093AA data sheet describes its registers, redirection and remote IRR. */
class IoApicTest {
    private final ApicBus bus = new ApicBus(new LocalApic.IpiSender() {
        @Override
        public void init(int destination) {
        }

        @Override
        public void startup(int destination, int vector) {
        }
    });
    private final LocalApic cpu0 = new LocalApic(0, true, bus, () -> { });
    private final LocalApic cpu1 = new LocalApic(1, false, bus, () -> { });
    private final IoApic ioApic = new IoApic(2, bus);

    IoApicTest() {
        bus.attach(cpu0);
        bus.attach(cpu1);
        bus.connect(ioApic);
    }

    private void writeRegister(int index, int value) {
        ioApic.write(0x00, 4, index);
        ioApic.write(0x10, 4, value & 0xffffffffL);
    }

    private int readRegister(int index) {
        ioApic.write(0x00, 4, index);
        return (int) ioApic.read(0x10, 4);
    }

    private void route(int pin, int low, int destination) {
        writeRegister(0x11 + 2 * pin, destination << 24);
        writeRegister(0x10 + 2 * pin, low);
    }

    @Test
    void identificationVersionAndMaskedEntriesAtReset() {
        assertThat(readRegister(0x00)).isEqualTo(2 << 24);
        assertThat(readRegister(0x01)).as("version 0x11, 24 entries").isEqualTo(0x00170011);
        for (int pin = 0; pin < 24; pin++) {
            assertThat(readRegister(0x10 + 2 * pin) & (1 << 16)).as("pin %d masked", pin).isNotZero();
        }
        writeRegister(0x00, 0x05000000);
        assertThat(readRegister(0x00)).isEqualTo(0x05000000);
        assertThat(ioApic.read(0x00, 4)).as("IOREGSEL reads back").isEqualTo(0);
    }

    @Test
    void edgeTriggeredPinSendsOnRisingEdgesOnlyWhileUnmasked() {
        ioApic.setInput(2, true);
        ioApic.setInput(2, false);
        assertThat(cpu0.interruptPending()).as("masked: the edge is lost").isFalse();
        route(2, 0x30, 0); // vector 0x30, fixed, physical, edge, unmasked, to APIC 0
        ioApic.setInput(2, true);
        assertThat(cpu0.acknowledge()).isEqualTo(0x30);
        cpu0.write(0xb0, 4, 0);
        ioApic.setInput(2, true);
        assertThat(cpu0.interruptPending()).as("no new edge while held high").isFalse();
        ioApic.setInput(2, false);
        ioApic.setInput(2, true);
        assertThat(cpu0.interruptPending()).isTrue();
        assertThat(cpu1.interruptPending()).isFalse();
    }

    @Test
    void levelTriggeredPinHoldsRemoteIrrUntilEoiAndResendsWhileAsserted() {
        route(10, 0xa051, 1); // vector 0x51, level (bit 15), active low (bit 13), to APIC 1
        ioApic.setInput(10, true);
        assertThat(readRegister(0x10 + 20) & (1 << 14)).as("remote IRR").isNotZero();
        assertThat(cpu1.acknowledge()).isEqualTo(0x51);
        assertThat(cpu1.read(0x180 + 0x20, 4) & (1L << 0x11)).as("TMR bit of a level vector").isNotZero();
        ioApic.setInput(10, true);
        assertThat(cpu1.interruptPending()).as("remote IRR blocks a second message").isFalse();
        cpu1.write(0xb0, 4, 0); // EOI: broadcast to the I/O APIC, the line is still asserted
        assertThat(cpu1.acknowledge()).isEqualTo(0x51);
        ioApic.setInput(10, false);
        cpu1.write(0xb0, 4, 0);
        assertThat(readRegister(0x10 + 20) & (1 << 14)).as("remote IRR cleared").isZero();
        assertThat(cpu1.interruptPending()).isFalse();
    }

    @Test
    void unmaskingAnAssertedLevelPinDeliversIt() {
        route(11, 0x18052, 0); // masked, level, vector 0x52
        ioApic.setInput(11, true);
        assertThat(cpu0.interruptPending()).isFalse();
        route(11, 0x8052, 0);
        assertThat(cpu0.acknowledge()).isEqualTo(0x52);
    }

    @Test
    void logicalDestinationAndLowestPriority() {
        cpu0.write(0xd0, 4, 0x01L << 24);
        cpu1.write(0xd0, 4, 0x02L << 24);
        route(4, 0x0860, 0x02); // logical, MDA 0x02
        ioApic.setInput(4, true);
        assertThat(cpu1.interruptPending()).isTrue();
        assertThat(cpu0.interruptPending()).isFalse();
        cpu1.acknowledge();
        cpu1.write(0xb0, 4, 0);
        cpu0.write(0x80, 4, 0x20);
        route(5, 0x0961, 0x03); // lowest priority, logical, both CPUs: the one with the lower TPR
        ioApic.setInput(5, true);
        assertThat(cpu1.interruptPending()).isTrue();
        assertThat(cpu0.interruptPending()).isFalse();
        List.of(cpu0, cpu1).forEach(LocalApic::close);
    }
}
