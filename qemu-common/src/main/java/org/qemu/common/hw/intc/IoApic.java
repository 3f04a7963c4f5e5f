package org.qemu.common.hw.intc;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.MmioDevice;
import org.qemu.common.hw.Resettable;

/**
 * The Intel 82093AA I/O APIC at 0xFEC00000: IOREGSEL at offset 0x00 and IOWIN at 0x10 reach
 * the ID, version and arbitration registers and 24 redirection entries (vector, delivery mode,
 * physical or logical destination, polarity, trigger mode, mask). An edge-triggered pin sends
 * its message on each rising edge while unmasked; a level-triggered pin sends it while asserted
 * and sets remote IRR until a local APIC's EOI for that vector comes back over the
 * {@link ApicBus}, then sends again if the line is still asserted. Input polarity is taken as
 * the board wires it (lines report "asserted"), as QEMU's model does.
 */
public final class IoApic implements MmioDevice, Resettable {
    public static final long DEFAULT_BASE = 0xfec00000L;
    public static final long SIZE = 0x1000;
    public static final int PINS = 24;
    /** 82093AA: version 0x11, maximum redirection entry 23. */
    public static final int VERSION = 0x11 | (PINS - 1) << 16;
    private static final int IOREGSEL = 0x00;
    private static final int IOWIN = 0x10;
    private static final long MASKED = 1L << 16;
    private static final long LEVEL = 1L << 15;
    private static final long REMOTE_IRR = 1L << 14;
    private static final long DELIVERY_PENDING = 1L << 12;
    private static final long LOGICAL = 1L << 11;
    /** Bits the guest may write: all but delivery status and remote IRR. */
    private static final long WRITABLE = ~(REMOTE_IRR | DELIVERY_PENDING);

    private final ApicBus bus;
    private final long[] redirection = new long[PINS];
    private final boolean[] levels = new boolean[PINS];
    private int id;
    private int select;

    public IoApic(int id, ApicBus bus) {
        this.bus = bus;
        this.id = id;
        reset();
    }

    @Override
    public synchronized void reset() {
        java.util.Arrays.fill(redirection, MASKED);
        select = 0;
    }

    /** The input for pin {@code pin} (0-23). */
    public InterruptLine pin(int pin) {
        if (pin < 0 || pin >= PINS) {
            throw new IllegalArgumentException("the I/O APIC has no pin " + pin);
        }
        return asserted -> setInput(pin, asserted);
    }

    public void setInput(int pin, boolean asserted) {
        long message;
        synchronized (this) {
            boolean rising = asserted && !levels[pin];
            levels[pin] = asserted;
            long entry = redirection[pin];
            if ((entry & MASKED) != 0 || !asserted) {
                return;
            }
            if ((entry & LEVEL) != 0) {
                if ((entry & REMOTE_IRR) != 0) {
                    return;
                }
                redirection[pin] |= REMOTE_IRR;
            } else if (!rising) {
                return;
            }
            message = entry;
        }
        send(message);
    }

    private void send(long entry) {
        int destination = (int) (entry >>> 56);
        int mode = (int) (entry >> 8) & 7;
        bus.deliver(destination, (entry & LOGICAL) != 0, ApicBus.NO_SHORTHAND, mode, (int) entry & 0xff,
                (entry & LEVEL) != 0, null);
    }

    /** A local APIC's EOI for a level-triggered {@code vector}: clears remote IRR, resends a still-asserted line. */
    void endOfInterrupt(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long resend = 0;
            synchronized (this) {
                long entry = redirection[pin];
                if ((entry & 0xff) != vector || (entry & REMOTE_IRR) == 0) {
                    continue;
                }
                redirection[pin] &= ~REMOTE_IRR;
                if (levels[pin] && (entry & MASKED) == 0 && (entry & LEVEL) != 0) {
                    redirection[pin] |= REMOTE_IRR;
                    resend = entry;
                }
            }
            if (resend != 0) {
                send(resend);
            }
        }
    }

    @Override
    public long read(long offset, int size) {
        synchronized (this) {
            if (offset == IOREGSEL) {
                return select;
            }
            if (offset != IOWIN) {
                return 0;
            }
            return switch (select) {
                case 0x00 -> id << 24;
                case 0x01 -> VERSION;
                case 0x02 -> id << 24; // arbitration ID
                default -> {
                    int index = (select - 0x10) >> 1;
                    if (select < 0x10 || index >= PINS) {
                        yield 0;
                    }
                    long entry = redirection[index];
                    yield (select & 1) == 0 ? entry & 0xffffffffL : entry >>> 32;
                }
            };
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        int pinToService = -1;
        synchronized (this) {
            if (offset == IOREGSEL) {
                select = (int) value & 0xff;
                return;
            }
            if (offset != IOWIN) {
                return;
            }
            int v = (int) value;
            if (select == 0x00) {
                id = (v >>> 24) & 0xf;
                return;
            }
            int index = (select - 0x10) >> 1;
            if (select < 0x10 || index >= PINS) {
                return;
            }
            long entry = redirection[index];
            long written = (select & 1) == 0
                    ? (entry & 0xffffffff00000000L) | (v & 0xffffffffL)
                    : (entry & 0xffffffffL) | (long) v << 32;
            redirection[index] = (written & WRITABLE) | (entry & REMOTE_IRR);
            if ((redirection[index] & LEVEL) == 0) {
                redirection[index] &= ~REMOTE_IRR;
            }
            if ((redirection[index] & MASKED) == 0 && levels[index] && (redirection[index] & LEVEL) != 0) {
                pinToService = index; // unmasking a level input that is still asserted delivers it
            }
        }
        if (pinToService >= 0) {
            boolean asserted;
            synchronized (this) {
                asserted = levels[pinToService];
                levels[pinToService] = false;
            }
            setInput(pinToService, asserted);
        }
    }
}
