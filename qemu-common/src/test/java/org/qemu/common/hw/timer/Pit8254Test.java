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
}
