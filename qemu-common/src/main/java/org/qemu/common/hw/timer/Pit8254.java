package org.qemu.common.hw.timer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.IoPortDevice;
import org.qemu.common.hw.Resettable;

/**
 * The Intel 8254 programmable interval timer at ports 0x40-0x43, counting at 1.193182 MHz of
 * host time, and the PC's system control port B at 0x61 that wires counter 2 (gate in bit 0,
 * speaker data enable in bit 1, OUT2 readable in bit 5, the refresh toggle in bit 4).
 * <p>
 * Every counter has the data sheet's six modes, the access modes (LSB, MSB, LSB then MSB), the
 * counter latch and read-back (count and status) commands. Counters 0 and 1 have their gates
 * tied high as on a PC; counter 2's gate is bit 0 of port 0x61: low stops modes 0, 2, 3 and 4
 * (and forces OUT high in modes 2 and 3), a rising edge restarts modes 1, 2, 3 and 5. Counter 0's
 * OUT rising edges raise IRQ0 from a timer thread. Not modelled: BCD counting, the speaker's sound.
 */
public final class Pit8254 implements IoPortDevice, Resettable {
    public static final int BASE = 0x40;
    public static final int LENGTH = 4;
    public static final int PORT_B = 0x61;
    public static final long FREQUENCY_HZ = 1_193_182;
    /** DRAM refresh requests come every 15.085 µs; bit 4 of port B toggles with each. */
    private static final long REFRESH_PERIOD_NANOS = 15_085;

    private final InterruptLine irq0;
    private final LongSupplier nanoClock;
    private final Counter[] counters = {new Counter(), new Counter(), new Counter()};
    private boolean speakerData;
    private Thread timerThread;
    private boolean closed;

    private static final class Counter {
        int mode;
        int access = 3;
        /** Initial count; 0 stands for 65536. */
        int reload = 0x10000;
        /** A count has been written since the last control word. */
        boolean loaded;
        /** Modes 1 and 5 wait for a gate rising edge after the count is written. */
        boolean triggered;
        boolean gate = true;
        /** Clock ticks counted before the current run (modes 0 and 4 pause while the gate is low). */
        long ticksBefore;
        /** Host nanoseconds when the current run began, or -1 while the counter does not count. */
        long runningSince = -1;
        boolean writeHighNext;
        int pendingLow;
        boolean readHighNext;
        int latched = -1;
        boolean latchedHighNext;
        int latchedStatus = -1;
        /** Counter 0: index of the next period whose end raises IRQ0. */
        long nextPeriod;
        boolean oneShotDone;

        boolean waitsForTrigger() {
            return mode == 1 || mode == 5;
        }

        boolean periodic() {
            return mode == 2 || mode == 3;
        }
    }

    public Pit8254(InterruptLine irq0) {
        this(irq0, System::nanoTime);
    }

    /** {@code nanoClock}: a monotonic nanosecond clock (tests pass their own). */
    public Pit8254(InterruptLine irq0, LongSupplier nanoClock) {
        this.irq0 = irq0;
        this.nanoClock = nanoClock;
        counters[2].gate = false;
    }

    /** Ports 0x40-0x43 and port B (0x61). */
    public void register(IoPortBus bus) {
        bus.register(BASE, LENGTH, this);
        bus.register(PORT_B, 1, new IoPortDevice() {
            @Override
            public int read(int offset, int size) {
                return readPortB();
            }

            @Override
            public void write(int offset, int size, int value) {
                writePortB(value);
            }
        });
    }

    /** Power-on: no counter counts, counter 2's gate and the speaker are off. */
    @Override
    public synchronized void reset() {
        for (int i = 0; i < 3; i++) {
            counters[i] = new Counter();
        }
        counters[2].gate = false;
        speakerData = false;
        notifyAll();
    }

    synchronized int readPortB() {
        int refresh = (int) (nanoClock.getAsLong() / REFRESH_PERIOD_NANOS) & 1;
        return (counters[2].gate ? 0x01 : 0) | (speakerData ? 0x02 : 0) | refresh << 4 | (output(counters[2]) ? 0x20 : 0);
    }

    synchronized void writePortB(int value) {
        speakerData = (value & 0x02) != 0;
        setGate(counters[2], (value & 0x01) != 0);
    }

    private void setGate(Counter c, boolean high) {
        if (high == c.gate) {
            return;
        }
        c.gate = high;
        if (!c.loaded) {
            return;
        }
        if (high) {
            if (c.mode == 0 || c.mode == 4) {
                c.runningSince = nanoClock.getAsLong(); // resume where the count stopped
            } else {
                start(c); // rising edge: modes 1 and 5 trigger, modes 2 and 3 reload
                c.triggered = true;
            }
        } else if (c.mode != 1 && c.mode != 5 && c.runningSince >= 0) {
            c.ticksBefore = effectiveTicks(c);
            c.runningSince = -1;
        }
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == 3) {
            return 0xff; // the control word register cannot be read
        }
        Counter c = counters[offset];
        if (c.latchedStatus >= 0) {
            int status = c.latchedStatus;
            c.latchedStatus = -1;
            return status;
        }
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
        if (select == 3) { // read-back: bit 5 clear latches counts, bit 4 clear latches status
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) != 0) {
                    if ((value & 0x10) == 0 && counters[i].latchedStatus < 0) {
                        counters[i].latchedStatus = status(counters[i]);
                    }
                    if ((value & 0x20) == 0) {
                        latch(counters[i]);
                    }
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
        c.loaded = false;
        c.triggered = false;
        c.runningSince = -1;
        c.ticksBefore = 0;
        c.writeHighNext = false;
        c.readHighNext = false;
        c.latched = -1;
        if (select == 0) {
            notifyAll();
        }
    }

    /** The read-back status byte: OUT, null count, access, mode (BCD always 0). */
    private int status(Counter c) {
        return (output(c) ? 0x80 : 0) | (c.loaded ? 0 : 0x40) | c.access << 4 | c.mode << 1;
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
        c.loaded = true;
        c.oneShotDone = false;
        if (c.waitsForTrigger()) {
            // A new count takes effect at the next trigger; a counter already counting goes on.
            if (!c.triggered) {
                c.runningSince = -1;
            }
        } else {
            start(c);
            if (!c.gate) {
                c.runningSince = -1; // loaded but held until the gate rises
            }
        }
        if (index == 0) {
            startTimerThread();
            notifyAll();
        }
    }

    private void start(Counter c) {
        c.ticksBefore = 0;
        c.runningSince = nanoClock.getAsLong();
        c.nextPeriod = 1;
        c.oneShotDone = false;
    }

    private long ticksSince(long nanos) {
        long elapsed = Math.max(0, nanoClock.getAsLong() - nanos);
        return elapsed / 1_000_000_000L * FREQUENCY_HZ + elapsed % 1_000_000_000L * FREQUENCY_HZ / 1_000_000_000L;
    }

    /** Clock ticks the counter has counted since its count was (re)loaded. */
    private long effectiveTicks(Counter c) {
        return c.ticksBefore + (c.runningSince >= 0 ? ticksSince(c.runningSince) : 0);
    }

    private boolean counting(Counter c) {
        return c.loaded && (!c.waitsForTrigger() || c.triggered);
    }

    private int currentCount(Counter c) {
        if (!counting(c)) {
            return c.reload & 0xffff;
        }
        long ticks = effectiveTicks(c);
        int n = c.reload;
        long count = switch (c.mode) {
            case 2 -> n - ticks % n;
            case 3 -> {
                long phase = ticks % n;
                long high = (n + 1) / 2;
                long half = phase < high ? phase : phase - high;
                yield n - 2 * half; // counts down by two through each half period
            }
            default -> n - ticks; // modes 0, 1, 4, 5 wrap through 0xFFFF after the terminal count
        };
        return (int) count & 0xffff;
    }

    /** The OUT pin, from the data sheet's waveform for each mode. */
    private boolean output(Counter c) {
        if (!c.loaded) {
            return c.mode != 0; // mode 0 sets OUT low when programmed; every other mode sets it high
        }
        if (!counting(c)) {
            return true;
        }
        long ticks = effectiveTicks(c);
        int n = c.reload;
        return switch (c.mode) {
            case 0, 1 -> ticks >= n;
            case 2 -> !c.gate || ticks % n != n - 1;
            case 3 -> !c.gate || ticks % n < (n + 1) / 2;
            default -> ticks != n; // modes 4 and 5: one low clock at the terminal count
        };
    }

    /** Host nanoseconds at which counter 0's output next raises IRQ0, or -1 when it will not. */
    private long nextInterruptAt() {
        Counter c = counters[0];
        if (!counting(c) || c.runningSince < 0) {
            return -1;
        }
        if (!c.periodic() && c.oneShotDone) {
            return -1;
        }
        long period = periodNanos(c.reload);
        return c.runningSince + (c.periodic() ? c.nextPeriod * period : period);
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
                if (c.periodic()) {
                    long period = periodNanos(c.reload);
                    long behind = (nanoClock.getAsLong() - c.runningSince) / period;
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
