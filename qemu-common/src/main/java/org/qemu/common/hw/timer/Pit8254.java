package org.qemu.common.hw.timer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.IoPortDevice;

/**
 * The Intel 8254 programmable interval timer at ports 0x40-0x43, counting at 1.193182 MHz of
 * host time: three counters with the control word's access modes (LSB, MSB, LSB then MSB),
 * counter latch and read-back commands; counter 0's output edges raise IRQ0. Counter 0 in modes
 * 2 and 3 (rate generator, square wave) interrupts periodically, in the other modes once when
 * the count reaches zero. Not modelled: BCD counting, the gate inputs (always high), the output
 * pins of counters 1 and 2 (DRAM refresh, PC speaker).
 */
public final class Pit8254 implements IoPortDevice {
    public static final int BASE = 0x40;
    public static final int LENGTH = 4;
    public static final long FREQUENCY_HZ = 1_193_182;

    private final InterruptLine irq0;
    private final LongSupplier nanoClock;
    private final Counter[] counters = {new Counter(), new Counter(), new Counter()};
    private Thread timerThread;
    private boolean closed;

    private static final class Counter {
        int mode;
        int access = 3;
        /** Initial count; 0 stands for 65536. */
        int reload = 0x10000;
        long loadedAt;
        boolean counting;
        boolean writeHighNext;
        int pendingLow;
        boolean readHighNext;
        int latched = -1;
        boolean latchedHighNext;
        /** Counter 0: index of the next period whose end raises IRQ0. */
        long nextPeriod;
        boolean oneShotDone;
    }

    public Pit8254(InterruptLine irq0) {
        this(irq0, System::nanoTime);
    }

    /** {@code nanoClock}: a monotonic nanosecond clock (tests pass their own). */
    public Pit8254(InterruptLine irq0, LongSupplier nanoClock) {
        this.irq0 = irq0;
        this.nanoClock = nanoClock;
    }

    public void register(IoPortBus bus) {
        bus.register(BASE, LENGTH, this);
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == 3) {
            return 0xff; // the control word register cannot be read
        }
        Counter c = counters[offset];
        if (c.latched >= 0) {
            int value = byteOf(c, c.latched, c.latchedHighNext);
            if (c.access == 3 && !c.latchedHighNext) {
                c.latchedHighNext = true;
            } else {
                c.latched = -1;
                c.latchedHighNext = false;
            }
            return value;
        }
        int count = currentCount(c);
        int value = byteOf(c, count, c.readHighNext);
        if (c.access == 3) {
            c.readHighNext = !c.readHighNext;
        }
        return value;
    }

    private static int byteOf(Counter c, int count, boolean highOfPair) {
        return switch (c.access) {
            case 1 -> count & 0xff;
            case 2 -> (count >> 8) & 0xff;
            default -> highOfPair ? (count >> 8) & 0xff : count & 0xff;
        };
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xff;
        if (offset == 3) {
            controlWord(value);
            return;
        }
        Counter c = counters[offset];
        switch (c.access) {
            case 1 -> load(offset, value);
            case 2 -> load(offset, value << 8);
            default -> {
                if (!c.writeHighNext) {
                    c.pendingLow = value;
                    c.writeHighNext = true;
                } else {
                    c.writeHighNext = false;
                    load(offset, c.pendingLow | value << 8);
                }
            }
        }
    }

    private void controlWord(int value) {
        int select = value >> 6;
        if (select == 3) { // read-back: bit 5 clear latches the counts of the selected counters
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) != 0 && (value & 0x20) == 0) {
                    latch(counters[i]);
                }
            }
            return;
        }
        Counter c = counters[select];
        int access = (value >> 4) & 3;
        if (access == 0) {
            latch(c);
            return;
        }
        c.access = access;
        int mode = (value >> 1) & 7;
        c.mode = mode > 5 ? mode - 4 : mode;
        c.counting = false;
        c.writeHighNext = false;
        c.readHighNext = false;
        c.latched = -1;
        if (select == 0) {
            notifyAll();
        }
    }

    private void latch(Counter c) {
        if (c.latched < 0) {
            c.latched = currentCount(c);
            c.latchedHighNext = false;
        }
    }

    private void load(int index, int count) {
        Counter c = counters[index];
        c.reload = count == 0 ? 0x10000 : count;
        c.loadedAt = nanoClock.getAsLong();
        c.counting = true;
        c.nextPeriod = 1;
        c.oneShotDone = false;
        if (index == 0) {
            startTimerThread();
            notifyAll();
        }
    }

    private long ticksSince(long nanos) {
        long elapsed = Math.max(0, nanoClock.getAsLong() - nanos);
        return elapsed / 1_000_000_000L * FREQUENCY_HZ + elapsed % 1_000_000_000L * FREQUENCY_HZ / 1_000_000_000L;
    }

    private int currentCount(Counter c) {
        if (!c.counting) {
            return c.reload & 0xffff;
        }
        long ticks = ticksSince(c.loadedAt);
        boolean periodic = c.mode == 2 || c.mode == 3;
        long count = periodic ? c.reload - ticks % c.reload : (c.reload - ticks) & 0xffff;
        return (int) count & 0xffff;
    }

    /** Host nanoseconds at which counter 0's output next raises IRQ0, or -1 when it will not. */
    private long nextInterruptAt() {
        Counter c = counters[0];
        if (!c.counting) {
            return -1;
        }
        boolean periodic = c.mode == 2 || c.mode == 3;
        if (!periodic && c.oneShotDone) {
            return -1;
        }
        long period = periodNanos(c.reload);
        return c.loadedAt + (periodic ? c.nextPeriod * period : period);
    }

    private static long periodNanos(int reload) {
        return Math.max(1, reload * 1_000_000_000L / FREQUENCY_HZ);
    }

    private void startTimerThread() {
        if (timerThread == null && !closed) {
            timerThread = Thread.ofPlatform().daemon().name("pit").start(this::runTimer);
        }
    }

    /** Raises IRQ0 at counter 0's output edges; a host that falls behind skips the missed ones. */
    private void runTimer() {
        while (true) {
            synchronized (this) {
                long due;
                while (!closed && ((due = nextInterruptAt()) < 0 || due > nanoClock.getAsLong())) {
                    long wait = due < 0 ? TimeUnit.SECONDS.toNanos(1) : due - nanoClock.getAsLong();
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, wait));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                Counter c = counters[0];
                if (c.mode == 2 || c.mode == 3) {
                    long period = periodNanos(c.reload);
                    long behind = (nanoClock.getAsLong() - c.loadedAt) / period;
                    c.nextPeriod = Math.max(c.nextPeriod + 1, behind + 1);
                } else {
                    c.oneShotDone = true;
                }
            }
            irq0.pulse();
        }
    }

    /** Stops the timer thread. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
