package org.qemu.common.hw.timer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;

/** The 8254 through its ports, as the Intel 8254 data sheet describes counting, latching and access modes. */
class Pit8254Test {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final IoPortBus io = new IoPortBus();

    private Pit8254 pit(AtomicInteger interrupts) {
        Pit8254 pit = new Pit8254(level -> {
            if (level) {
                interrupts.incrementAndGet();
            }
        }, now::get);
        pit.register(io);
        return pit;
    }

    private int readPair(int port) {
        int low = io.in(port, 1);
        return low | io.in(port, 1) << 8;
    }

    @Test
    void latchedCountIsTheInitialCountMinusElapsedClockTicks() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x43, 1, 0x34); // counter 0, LSB then MSB, mode 2
        io.out(0x40, 1, 50000 & 0xff);
        io.out(0x40, 1, 50000 >> 8);
        now.addAndGet(1_000_000); // 1 ms: 1193 ticks of 1.193182 MHz
        io.out(0x43, 1, 0x00); // counter latch command for counter 0
        now.addAndGet(5_000_000); // the latch holds while time goes on
        assertThat(readPair(0x40)).isEqualTo(50000 - 1193);
        pit.close();
    }

    @Test
    void rateGeneratorReloadsAfterEachPeriod() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x43, 1, 0x34);
        io.out(0x40, 1, 1000 & 0xff);
        io.out(0x40, 1, 1000 >> 8);
        now.addAndGet(1_000_000_000L * 2500 / Pit8254.FREQUENCY_HZ + 1); // 2500 ticks: two periods and 500
        io.out(0x43, 1, 0x00);
        assertThat(readPair(0x40)).isEqualTo(500);
        pit.close();
    }

    @Test
    void singleByteAccessModesReadAndWriteOneHalf() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x43, 1, 0xa0); // counter 2, MSB only, mode 0
        io.out(0x42, 1, 0x12); // count 0x1200
        assertThat(io.in(0x42, 1)).as("MSB of a count that has not moved").isEqualTo(0x12);
        io.out(0x43, 1, 0x50); // counter 1, LSB only, mode 0
        io.out(0x41, 1, 0x34);
        assertThat(io.in(0x41, 1)).isEqualTo(0x34);
        pit.close();
    }

    @Test
    void readBackCommandLatchesTheSelectedCounters() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x43, 1, 0x74); // counter 1, LSB then MSB, mode 2
        io.out(0x41, 1, 0x00);
        io.out(0x41, 1, 0x80); // 0x8000
        now.addAndGet(1_000_000_000L * 0x100 / Pit8254.FREQUENCY_HZ + 1);
        io.out(0x43, 1, 0xd4); // read-back: latch the count (bit 5 clear), not the status (bit 4 set), of counter 1
        now.addAndGet(10_000_000);
        assertThat(readPair(0x41)).isEqualTo(0x8000 - 0x100);
        pit.close();
    }

    @Test
    void counterZeroInterruptsPeriodicallyInHostTime() throws Exception {
        AtomicInteger interrupts = new AtomicInteger();
        Pit8254 pit = new Pit8254(level -> {
            if (level) {
                interrupts.incrementAndGet();
            }
        });
        pit.register(io);
        int count = (int) (Pit8254.FREQUENCY_HZ / 200); // 5 ms
        io.out(0x43, 1, 0x34);
        io.out(0x40, 1, count & 0xff);
        io.out(0x40, 1, count >> 8);
        Thread.sleep(300);
        pit.close();
        // 60 periods; a busy host may skip some, but never adds any
        assertThat(interrupts.get()).isBetween(20, 61);
    }

    @Test
    void oneShotModeInterruptsOnce() throws Exception {
        AtomicInteger interrupts = new AtomicInteger();
        Pit8254 pit = new Pit8254(level -> {
            if (level) {
                interrupts.incrementAndGet();
            }
        });
        pit.register(io);
        io.out(0x43, 1, 0x30); // counter 0, LSB then MSB, mode 0
        io.out(0x40, 1, 0x00);
        io.out(0x40, 1, 0x10); // 4096 ticks: 3.4 ms
        Thread.sleep(100);
        pit.close();
        assertThat(interrupts.get()).isEqualTo(1);
    }

    private long nanosFor(long ticks) {
        return 1_000_000_000L * ticks / Pit8254.FREQUENCY_HZ + 1;
    }

    private boolean out2() {
        return (io.in(0x61, 1) & 0x20) != 0;
    }

    private int latched2() {
        io.out(0x43, 1, 0x80);
        return readPair(0x42);
    }

    private void program2(int mode, int count) {
        io.out(0x43, 1, 0xb0 | mode << 1);
        io.out(0x42, 1, count & 0xff);
        io.out(0x42, 1, count >> 8);
    }

    /** Data sheet, mode 0: OUT low once the count is written, high at the terminal count; gate low disables counting. */
    @Test
    void counterTwoModeZeroCountsOnlyWhileTheGateIsHighAndRaisesOut2AtTerminalCount() {
        Pit8254 pit = pit(new AtomicInteger());
        assertThat(io.in(0x61, 1) & 0x03).as("power-on: gate and speaker off").isZero();
        program2(0, 1000);
        now.addAndGet(nanosFor(5000));
        assertThat(latched2()).as("gate low: counting disabled").isEqualTo(1000);
        assertThat(out2()).isFalse();
        io.out(0x61, 1, 0x01);
        assertThat(io.in(0x61, 1) & 0x03).isEqualTo(0x01);
        now.addAndGet(nanosFor(400));
        assertThat(latched2()).isEqualTo(600);
        io.out(0x61, 1, 0x00);
        now.addAndGet(nanosFor(5000));
        assertThat(latched2()).as("gate low again: the count holds").isEqualTo(600);
        io.out(0x61, 1, 0x01);
        now.addAndGet(nanosFor(599));
        assertThat(out2()).as("one tick before the terminal count").isFalse();
        now.addAndGet(nanosFor(2));
        assertThat(out2()).as("terminal count reached").isTrue();
        now.addAndGet(nanosFor(100));
        assertThat(out2()).as("OUT stays high until a new count").isTrue();
        pit.close();
    }

    /** Mode 2: gate low forces OUT high and stops counting; a rising gate reloads the initial count. */
    @Test
    void rateGeneratorGateLowForcesOutHighAndTheRisingEdgeReloads() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x61, 1, 0x01);
        program2(2, 100);
        now.addAndGet(nanosFor(99));
        assertThat(out2()).as("OUT low for the clock at count 1").isFalse();
        now.addAndGet(nanosFor(1));
        assertThat(out2()).isTrue();
        now.addAndGet(nanosFor(30));
        io.out(0x61, 1, 0x00);
        int held = latched2();
        now.addAndGet(nanosFor(1000));
        assertThat(latched2()).isEqualTo(held);
        assertThat(out2()).isTrue();
        io.out(0x61, 1, 0x01);
        assertThat(latched2()).as("rising edge reloads").isEqualTo(100);
        pit.close();
    }

    /** Mode 1: OUT high until the gate triggers, low while counting, high at terminal count; retriggerable. */
    @Test
    void hardwareRetriggerableOneShotStartsOnTheGateRisingEdge() {
        Pit8254 pit = pit(new AtomicInteger());
        program2(1, 200);
        now.addAndGet(nanosFor(1000));
        assertThat(out2()).as("waiting for a trigger").isTrue();
        assertThat(latched2()).isEqualTo(200);
        io.out(0x61, 1, 0x01);
        now.addAndGet(nanosFor(150));
        assertThat(out2()).as("counting").isFalse();
        io.out(0x61, 1, 0x00);
        io.out(0x61, 1, 0x01); // retrigger: counting starts over
        now.addAndGet(nanosFor(150));
        assertThat(out2()).isFalse();
        now.addAndGet(nanosFor(51));
        assertThat(out2()).isTrue();
        pit.close();
    }

    /** Mode 4: OUT high, low for one clock at the terminal count. */
    @Test
    void softwareStrobePulsesOutLowForOneClock() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x61, 1, 0x01);
        program2(4, 50);
        assertThat(out2()).isTrue();
        now.addAndGet(nanosFor(50));
        assertThat(out2()).isFalse();
        now.addAndGet(nanosFor(1));
        assertThat(out2()).isTrue();
        pit.close();
    }

    /** Read-back status byte: OUT (bit 7), null count (bit 6), access (bits 5-4), mode (bits 3-1). */
    @Test
    void readBackStatusReportsOutNullCountAccessAndMode() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x43, 1, 0xb0); // counter 2, LSB then MSB, mode 0
        io.out(0x43, 1, 0xe8); // read-back status of counter 2
        assertThat(io.in(0x42, 1)).as("null count, OUT low in mode 0").isEqualTo(0x40 | 0x30);
        io.out(0x61, 1, 0x01);
        io.out(0x42, 1, 10);
        io.out(0x42, 1, 0);
        now.addAndGet(nanosFor(20));
        io.out(0x43, 1, 0xe8);
        assertThat(io.in(0x42, 1)).as("count loaded, terminal count reached").isEqualTo(0x80 | 0x30);
        pit.close();
    }

    @Test
    void portBKeepsTheSpeakerBitAndTogglesTheRefreshBit() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x61, 1, 0x02);
        assertThat(io.in(0x61, 1) & 0x03).isEqualTo(0x02);
        int before = io.in(0x61, 1) & 0x10;
        now.addAndGet(15_085);
        assertThat(io.in(0x61, 1) & 0x10).isNotEqualTo(before);
        pit.close();
    }

    @Test
    void resetStopsTheCountersAndLowersTheGate() {
        Pit8254 pit = pit(new AtomicInteger());
        io.out(0x61, 1, 0x01);
        program2(0, 1000);
        now.addAndGet(nanosFor(100));
        pit.reset();
        assertThat(io.in(0x61, 1) & 0x03).isZero();
        now.addAndGet(nanosFor(100));
        assertThat(latched2()).as("a counter without a count does not move").isEqualTo(latched2());
        pit.close();
    }
}
