package org.qemu.common.hw.intc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;

/**
 * The 8259A pair programmed through its ports the way a PC kernel does it (ICW1-ICW4, OCW1-OCW3),
 * checked against the behaviour the Intel 8259A data sheet describes.
 */
class DualPicTest {
    private final AtomicInteger requests = new AtomicInteger();
    private final IoPortBus io = new IoPortBus();
    private DualPic pic;

    @BeforeEach
    void initialise() {
        pic = new DualPic(requests::incrementAndGet);
        pic.register(io);
        initialise(0x11, 0x01);
        io.out(0x21, 1, 0x00);
        io.out(0xa1, 1, 0x00);
    }

    /** ICW1 (edge, cascade, ICW4 needed), ICW2 vectors 0x20/0x28, ICW3 wiring, ICW4. */
    private void initialise(int icw1, int icw4) {
        io.out(0x20, 1, icw1);
        io.out(0xa0, 1, icw1);
        io.out(0x21, 1, 0x20);
        io.out(0xa1, 1, 0x28);
        io.out(0x21, 1, 0x04);
        io.out(0xa1, 1, 0x02);
        io.out(0x21, 1, icw4);
        io.out(0xa1, 1, icw4);
    }

    private int readIsr(int port) {
        io.out(port, 1, 0x0b);
        return io.in(port, 1);
    }

    private int readIrr(int port) {
        io.out(port, 1, 0x0a);
        return io.in(port, 1);
    }

    @Test
    void requestBecomesVectorAndStaysInServiceUntilEoi() {
        assertThat(pic.interruptPending()).isFalse();
        pic.line(0).pulse();
        assertThat(pic.interruptPending()).isTrue();
        assertThat(requests.get()).isPositive();
        assertThat(readIrr(0x20)).isEqualTo(0x01);
        assertThat(pic.acknowledge()).isEqualTo(0x20);
        assertThat(readIsr(0x20)).isEqualTo(0x01);
        assertThat(readIrr(0x20)).isZero();
        pic.line(0).pulse();
        assertThat(pic.interruptPending()).as("IR0 again while IR0 is in service").isFalse();
        io.out(0x20, 1, 0x20); // non-specific EOI
        assertThat(readIsr(0x20)).isZero();
        assertThat(pic.interruptPending()).isTrue();
    }

    @Test
    void lowerNumberedInputsHaveHigherPriorityAndNest() {
        pic.line(3).pulse();
        pic.line(1).pulse();
        assertThat(pic.acknowledge()).isEqualTo(0x21);
        assertThat(pic.interruptPending()).as("IR3 waits behind IR1 in service").isFalse();
        pic.line(0).pulse();
        assertThat(pic.interruptPending()).as("IR0 outranks IR1 in service").isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x20);
        assertThat(readIsr(0x20)).isEqualTo(0x03);
        io.out(0x20, 1, 0x20); // clears the highest-priority in-service bit: IR0
        assertThat(readIsr(0x20)).isEqualTo(0x02);
        io.out(0x20, 1, 0x61); // specific EOI for IR1
        assertThat(pic.acknowledge()).isEqualTo(0x23);
    }

    @Test
    void maskedRequestsAreLatchedButNotSignalled() {
        io.out(0x21, 1, 0x01);
        assertThat(io.in(0x21, 1)).isEqualTo(0x01);
        pic.line(0).pulse();
        assertThat(pic.interruptPending()).isFalse();
        assertThat(readIrr(0x20)).isEqualTo(0x01);
        io.out(0x21, 1, 0x00);
        assertThat(pic.interruptPending()).isTrue();
    }

    @Test
    void edgeTriggeredInputNeedsANewRisingEdge() {
        pic.setIrq(4, true);
        assertThat(pic.acknowledge()).isEqualTo(0x24);
        io.out(0x20, 1, 0x20);
        assertThat(pic.interruptPending()).as("line still high, no new edge").isFalse();
        pic.setIrq(4, false);
        pic.setIrq(4, true);
        assertThat(pic.interruptPending()).isTrue();
    }

    @Test
    void slaveInterruptsArriveThroughTheCascadeInput() {
        pic.line(12).pulse();
        assertThat(pic.interruptPending()).isTrue();
        assertThat(pic.acknowledge()).isEqualTo(0x2c);
        assertThat(readIsr(0xa0)).isEqualTo(0x10);
        assertThat(readIsr(0x20)).isEqualTo(0x04);
        io.out(0xa0, 1, 0x20);
        io.out(0x20, 1, 0x20);
        assertThat(readIsr(0xa0)).isZero();
        assertThat(readIsr(0x20)).isZero();
    }

    @Test
    void acknowledgeWithNothingPendingIsSpuriousIr7WithoutInService() {
        assertThat(pic.acknowledge()).isEqualTo(0x27);
        assertThat(readIsr(0x20)).isZero();
    }

    @Test
    void automaticEoiLeavesNothingInService() {
        initialise(0x11, 0x03);
        pic.line(5).pulse();
        assertThat(pic.acknowledge()).isEqualTo(0x25);
        assertThat(readIsr(0x20)).isZero();
    }

    @Test
    void icw1ClearsTheMask() {
        io.out(0x21, 1, 0xff);
        initialise(0x11, 0x01);
        assertThat(io.in(0x21, 1)).isZero();
    }

    @Test
    void levelTriggeredInputSelectedInElcrInterruptsAgainWhileAsserted() {
        io.out(0x4d0, 1, 0x20); // IRQ5 level-triggered
        assertThat(io.in(0x4d0, 1)).isEqualTo(0x20);
        pic.setIrq(5, true);
        assertThat(pic.acknowledge()).isEqualTo(0x25);
        io.out(0x20, 1, 0x20);
        assertThat(pic.interruptPending()).as("line still asserted after EOI").isTrue();
        pic.setIrq(5, false);
        assertThat(pic.interruptPending()).as("request withdrawn with the line").isFalse();
        assertThat(pic.acknowledge()).as("nothing left: spurious IRQ7").isEqualTo(0x27);
    }
}
