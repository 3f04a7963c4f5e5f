package org.qemu.common.hw.legacy;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortDevice;
import org.qemu.common.hw.Resettable;

/**
 * The MC146818 CMOS clock and NVRAM at 0x70 (index) / 0x71 (data), as its data sheet describes
 * it: the time in BCD or binary, 24- or 12-hour mode, starting from the host clock (UTC) and
 * moved by guest writes; the SET bit freezes it while the guest writes; register C's flags for
 * the periodic interrupt (rate from register A), the update-ended interrupt once a second and the
 * alarm (with "don't care" bytes), each raising IRQ 8 when enabled in register B until register C
 * is read. The memory-size bytes firmware and kernels read are filled in from the board's RAM.
 */
public final class CmosRtc implements IoPortDevice, Resettable {
    public static final int BASE = 0x70;
    public static final int IRQ = 8;
    private static final int REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c, REG_D = 0x0d;
    private static final int B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_SQWE = 0x08, B_BINARY = 0x04,
            B_24_HOUR = 0x02;
    private static final int C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
    private static final long SECOND = 1_000_000_000L;

    private final byte[] nvram = new byte[128];
    private final Clock clock;
    private final LongSupplier nanoClock;
    private final InterruptLine irq;
    private int index;
    /** Guest time = host time + offset, while the clock runs. */
    private Duration offset = Duration.ZERO;
    /** The guest time while SET holds the clock, else null. */
    private ZonedDateTime held;
    /** Host nanoseconds of the last register C read: flags count events after it. */
    private long lastFlagsRead;
    /** The guest's epoch second at the last read of register C: update-ended and alarm count from there. */
    private long lastFlagsGuestSecond;
    private int pendingFlags;
    private Thread timerThread;
    private boolean closed;

    public CmosRtc(long below4g, long above4g, Clock clock) {
        this(below4g, above4g, clock, InterruptLine.NONE, System::nanoTime);
    }

    /** {@code below4g}/{@code above4g}: guest RAM under the PCI hole and from 4 GiB (firmware reads both here). */
    public CmosRtc(long below4g, long above4g, Clock clock, InterruptLine irq, LongSupplier nanoClock) {
        this.clock = clock;
        this.irq = irq;
        this.nanoClock = nanoClock;
        this.lastFlagsRead = nanoClock.getAsLong();
        this.lastFlagsGuestSecond = now().toEpochSecond();
        nvram[REG_A] = 0x26;           // 32.768 kHz divider, 1024 Hz rate, no update in progress
        nvram[REG_B] = B_24_HOUR;      // 24-hour, BCD
        nvram[REG_D] = (byte) 0x80;    // battery good
        long extendedKb = Math.min(Math.max(0, below4g - (1L << 20)) >> 10, 0xffff);
        nvram[0x17] = nvram[0x30] = (byte) extendedKb;
        nvram[0x18] = nvram[0x31] = (byte) (extendedKb >> 8);
        long above16m = Math.min(Math.max(0, below4g - (16L << 20)) >> 16, 0xffff);
        nvram[0x34] = (byte) above16m;
        nvram[0x35] = (byte) (above16m >> 8);
        long above4gUnits = above4g >> 16;
        nvram[0x5b] = (byte) above4gUnits;
        nvram[0x5c] = (byte) (above4gUnits >> 8);
        nvram[0x5d] = (byte) (above4gUnits >> 16);
    }

    /** As QEMU's reset: the interrupt enables and flags clear, the NVRAM and the time stay. */
    @Override
    public synchronized void reset() {
        nvram[REG_B] &= (byte) ~(B_PIE | B_AIE | B_SQWE);
        pendingFlags = 0;
        lastFlagsRead = nanoClock.getAsLong();
        lastFlagsGuestSecond = now().toEpochSecond();
        irq.set(false);
        notifyAll();
    }

    private ZonedDateTime now() {
        if (held != null) {
            return held;
        }
        return ZonedDateTime.ofInstant(clock.instant().plus(offset), ZoneOffset.UTC);
    }

    private int registerB() {
        return nvram[REG_B] & 0xff;
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == 0) {
            return 0xff;
        }
        ZonedDateTime now = now();
        return switch (index) {
            case 0x00 -> encode(now.getSecond());
            case 0x02 -> encode(now.getMinute());
            case 0x04 -> encodeHour(now.getHour());
            case 0x06 -> encode(now.getDayOfWeek().getValue() % 7 + 1);
            case 0x07 -> encode(now.getDayOfMonth());
            case 0x08 -> encode(now.getMonthValue());
            case 0x09 -> encode(now.getYear() % 100);
            case 0x32 -> encode(now.getYear() / 100);
            case REG_C -> readFlags();
            default -> nvram[index] & 0xff;
        };
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        value &= 0xff;
        if (offset == 0) {
            index = value & 0x7f; // bit 7 masks NMI, which has no meaning here
            return;
        }
        switch (index) {
            case REG_C, REG_D -> { } // read-only
            case 0x00, 0x02, 0x04, 0x07, 0x08, 0x09, 0x32 -> setTime(index, value);
            case 0x06 -> nvram[index] = (byte) value; // the day of week follows the date here
            case REG_B -> {
                boolean wasHeld = held != null;
                nvram[REG_B] = (byte) value;
                if ((value & B_SET) != 0 && !wasHeld) {
                    held = now();
                } else if ((value & B_SET) == 0 && wasHeld) {
                    this.offset = Duration.between(clock.instant(), held.toInstant());
                    lastFlagsGuestSecond = held.toEpochSecond();
                    held = null;
                }
                if ((value & B_SET) != 0) {
                    nvram[REG_B] &= (byte) ~B_UIE; // setting SET clears UIE (data sheet)
                }
                raiseIfEnabled();
                notifyAll();
                startTimerThread();
            }
            case REG_A -> {
                nvram[REG_A] = (byte) (value & 0x7f); // UIP is read-only
                notifyAll();
            }
            default -> nvram[index] = (byte) value;
        }
    }

    private void setTime(int register, int value) {
        ZonedDateTime now = now();
        int v = register == 0x04 ? decodeHour(value) : decode(value);
        ZonedDateTime changed;
        try {
            changed = switch (register) {
                case 0x00 -> now.withSecond(v);
                case 0x02 -> now.withMinute(v);
                case 0x04 -> now.withHour(v);
                case 0x07 -> now.withDayOfMonth(v);
                case 0x08 -> now.withMonth(v);
                case 0x09 -> now.withYear(now.getYear() / 100 * 100 + v);
                default -> now.withYear(v * 100 + now.getYear() % 100);
            };
        } catch (java.time.DateTimeException e) {
            return; // an impossible date (day 31 of a 30-day month while the guest writes field by field) waits for the next field
        }
        if (held != null) {
            held = changed;
        } else {
            this.offset = this.offset.plus(Duration.between(now, changed));
        }
        lastFlagsGuestSecond = changed.toEpochSecond(); // a moved clock does not count as passed seconds
    }

    private int encode(int value) {
        if ((registerB() & B_BINARY) != 0) {
            return value;
        }
        return ((value / 10) << 4) | (value % 10);
    }

    private int decode(int value) {
        if ((registerB() & B_BINARY) != 0) {
            return value;
        }
        return (value >> 4) * 10 + (value & 0xf);
    }

    private int encodeHour(int hour) {
        if ((registerB() & B_24_HOUR) != 0) {
            return encode(hour);
        }
        int twelve = hour % 12 == 0 ? 12 : hour % 12;
        return encode(twelve) | (hour >= 12 ? 0x80 : 0);
    }

    private int decodeHour(int value) {
        if ((registerB() & B_24_HOUR) != 0) {
            return decode(value);
        }
        int hour = decode(value & 0x7f) % 12;
        return (value & 0x80) != 0 ? hour + 12 : hour;
    }

    /** Periodic interrupt period from register A's rate select, or -1 when off (rate 0 or the divider held). */
    private long periodNanos() {
        int a = nvram[REG_A] & 0xff;
        int rate = a & 0xf;
        if (rate == 0 || ((a >> 4) & 7) != 2) {
            return -1;
        }
        long hertz = rate <= 2 ? 256 >> (rate - 1) : 65536 >> rate;
        return SECOND / hertz;
    }

    /** Events since the last read of register C, as flags (PF, UF, AF). */
    private int eventsSince(long since) {
        long now = nanoClock.getAsLong();
        int flags = 0;
        long period = periodNanos();
        if (period > 0 && Math.floorDiv(now, period) > Math.floorDiv(since, period)) {
            flags |= C_PF;
        }
        if (held == null) {
            ZonedDateTime guest = now();
            long current = guest.toEpochSecond();
            if (current > lastFlagsGuestSecond) {
                flags |= C_UF;
                long first = Math.max(lastFlagsGuestSecond + 1, current - 86_400);
                for (long second = first; second <= current; second++) {
                    ZonedDateTime t = guest.minusSeconds(current - second);
                    if (alarmField(0x01, t.getSecond()) && alarmField(0x03, t.getMinute()) && alarmField(0x05, t.getHour())) {
                        flags |= C_AF;
                        break;
                    }
                }
            }
        }
        return flags;
    }

    private boolean alarmField(int register, int value) {
        int alarm = nvram[register] & 0xff;
        return alarm >= 0xc0 || alarm == (register == 0x05 ? encodeHour(value) : encode(value));
    }

    private int readFlags() {
        int flags = pendingFlags | eventsSince(lastFlagsRead);
        lastFlagsRead = nanoClock.getAsLong();
        lastFlagsGuestSecond = now().toEpochSecond();
        pendingFlags = 0;
        irq.set(false);
        notifyAll();
        if ((flags & registerB() & (C_PF | C_AF | C_UF)) != 0) {
            flags |= C_IRQF;
        }
        return flags;
    }

    private void raiseIfEnabled() {
        int flags = pendingFlags | eventsSince(lastFlagsRead);
        if ((flags & registerB() & (C_PF | C_AF | C_UF)) != 0) {
            pendingFlags = flags;
            irq.set(true);
        }
    }

    /** Host nanoseconds of the next event that would raise IRQ 8, or -1 when none is enabled. */
    private long nextInterruptAt() {
        int b = registerB();
        if ((pendingFlags & b & (C_PF | C_AF | C_UF)) != 0) {
            return -1; // raised already; waits for register C to be read
        }
        long next = -1;
        long now = nanoClock.getAsLong();
        long period = periodNanos();
        if ((b & B_PIE) != 0 && period > 0) {
            next = (Math.floorDiv(lastFlagsRead, period) + 1) * period;
        }
        if ((b & (B_UIE | B_AIE)) != 0 && held == null) {
            // the first second boundary after the last read of register C, in host nanoseconds
            long untilBoundary = Duration.between(now().toInstant(), java.time.Instant.ofEpochSecond(lastFlagsGuestSecond + 1)).toNanos();
            long second = now + Math.max(0, untilBoundary);
            next = next < 0 ? second : Math.min(next, second);
        }
        return next;
    }

    private void startTimerThread() {
        if (timerThread == null && !closed && (registerB() & (B_PIE | B_UIE | B_AIE)) != 0) {
            timerThread = Thread.ofPlatform().daemon().name("cmos-rtc").start(this::runTimer);
        }
    }

    /** Raises IRQ 8 when an enabled event happens; it stays raised until register C is read. */
    private void runTimer() {
        synchronized (this) {
            while (!closed) {
                long due = nextInterruptAt();
                long now = nanoClock.getAsLong();
                if (due >= 0 && due <= now) {
                    raiseIfEnabled();
                    if ((pendingFlags & registerB() & (C_PF | C_AF | C_UF)) != 0) {
                        continue;
                    }
                    due = now + 100_000; // the event's flag is not visible yet at this instant
                }
                long wait = due < 0 ? TimeUnit.SECONDS.toNanos(1) : due - now;
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, wait));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops the timer thread. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
