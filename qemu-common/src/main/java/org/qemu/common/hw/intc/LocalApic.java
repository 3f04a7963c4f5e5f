package org.qemu.common.hw.intc;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.qemu.common.hw.MmioDevice;

/**
 * One CPU's local APIC at 0xFEE00000 (Intel SDM vol. 3, chapter 11): ID, version, TPR, PPR,
 * EOI, LDR/DFR, the spurious-interrupt vector (software enable), ISR/TMR/IRR, the LVT, the
 * interrupt command register (fixed, lowest-priority, INIT and STARTUP IPIs by physical or
 * logical destination or shorthand, through the {@link ApicBus}) and the timer (one-shot and
 * periodic, divide configuration, current count).
 * <p>
 * Interrupts are accepted into IRR; the CPU takes the highest whose priority class is above PPR
 * ({@link #acknowledge()} moves it to ISR), and an EOI retires the highest in service,
 * telling the I/O APIC when it was level-triggered. The timer counts at 1 GHz of host time
 * divided by the divide configuration, as QEMU's APIC does. Not modelled: NMI, SMI and ExtINT
 * messages, the TSC-deadline timer mode, the thermal and performance LVT entries' sources,
 * error detection (ESR reads 0).
 */
public final class LocalApic implements MmioDevice {
    public static final long DEFAULT_BASE = 0xfee00000L;
    public static final long SIZE = 0x1000;
    /** Version 0x14 (integrated APIC) with 6 LVT entries, as on P6-family processors. */
    public static final int VERSION = 0x00050014;
    /** QEMU's APIC bus clock: the timer counts nanoseconds before division. */
    public static final long TIMER_FREQUENCY_HZ = 1_000_000_000L;

    static final int ID = 0x20, VERSION_REGISTER = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xa0, EOI = 0xb0, LDR = 0xd0,
            DFR = 0xe0, SVR = 0xf0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, ICR_LOW = 0x300,
            ICR_HIGH = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PERFORMANCE = 0x340, LVT_LINT0 = 0x350,
            LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TIMER_INITIAL = 0x380, TIMER_CURRENT = 0x390, TIMER_DIVIDE = 0x3e0;
    private static final int[] LVTS = {LVT_TIMER, LVT_THERMAL, LVT_PERFORMANCE, LVT_LINT0, LVT_LINT1, LVT_ERROR};
    private static final int LVT_MASKED = 1 << 16;
    private static final int SVR_ENABLED = 1 << 8;
    private static final int TIMER_PERIODIC = 1 << 17;

    /** Where INIT and STARTUP IPIs go: the machine, which knows the CPUs' run states. */
    public interface IpiSender {
        void init(int destinationApicId);

        void startup(int destinationApicId, int vector);
    }

    private final int apicId;
    private final ApicBus bus;
    private final Runnable wakeup;
    private final LongSupplier nanoClock;
    private final int[] registers = new int[0x400 / 4];
    private final int[] irr = new int[8];
    private final int[] isr = new int[8];
    private final int[] tmr = new int[8];
    /** Host nanoseconds when the initial count was written; the timer counts from there. */
    private long timerStart;
    private boolean timerArmed;
    /** Periodic mode: index of the next period whose end raises the timer interrupt. */
    private long timerNextPeriod;
    private Thread timerThread;
    private boolean closed;

    /**
     * {@code wakeup} runs whenever an interrupt may have become deliverable (the CPU looks at
     * {@link #interruptPending()} next); the boot processor's LINT0 starts as ExtINT, as QEMU
     * sets it at reset so that the 8259 reaches the CPU without firmware.
     */
    public LocalApic(int apicId, boolean bootProcessor, ApicBus bus, Runnable wakeup) {
        this(apicId, bootProcessor, bus, wakeup, System::nanoTime);
    }

    public LocalApic(int apicId, boolean bootProcessor, ApicBus bus, Runnable wakeup, LongSupplier nanoClock) {
        this.apicId = apicId;
        this.bus = bus;
        this.wakeup = wakeup;
        this.nanoClock = nanoClock;
        registers[ID / 4] = apicId << 24;
        registers[VERSION_REGISTER / 4] = VERSION;
        registers[DFR / 4] = -1;
        registers[SVR / 4] = 0xff;
        for (int lvt : LVTS) {
            registers[lvt / 4] = LVT_MASKED;
        }
        if (bootProcessor) {
            registers[LVT_LINT0 / 4] = ApicBus.EXTINT << 8;
        }
    }

    public int apicId() {
        return apicId;
    }

    @Override
    public synchronized long read(long offset, int size) {
        int register = (int) offset & 0xff0;
        if (register >= 0x400 || size != 4 || (offset & 0xf) != 0) {
            return 0;
        }
        int value = switch (register) {
            case PPR -> processorPriority();
            case APR, ESR, EOI -> 0;
            case TIMER_CURRENT -> currentCount();
            default -> {
                if (register >= ISR && register < ISR + 0x80) {
                    yield isr[(register - ISR) / 0x10];
                } else if (register >= TMR && register < TMR + 0x80) {
                    yield tmr[(register - TMR) / 0x10];
                } else if (register >= IRR && register < IRR + 0x80) {
                    yield irr[(register - IRR) / 0x10];
                }
                yield registers[register / 4];
            }
        };
        return value & 0xffffffffL;
    }

    @Override
    public void write(long offset, int size, long value) {
        int register = (int) offset & 0xff0;
        int v = (int) value;
        if (register >= 0x400 || size != 4 || (offset & 0xf) != 0) {
            return;
        }
        boolean sending = false;
        int command = 0;
        int destination = 0;
        boolean wake = false;
        int eoiVector = -1;
        synchronized (this) {
            switch (register) {
                case ID, VERSION_REGISTER, PPR, APR, TIMER_CURRENT, ESR -> {
                    return; // read-only here (ESR: writing only re-arms a register that stays 0)
                }
                case TPR -> {
                    registers[TPR / 4] = v & 0xff;
                    wake = true;
                }
                case EOI -> {
                    int vector = highest(isr);
                    if (vector >= 0) {
                        clear(isr, vector);
                        if (isSet(tmr, vector)) {
                            clear(tmr, vector);
                            eoiVector = vector;
                        }
                        wake = true;
                    }
                }
                case LDR -> registers[LDR / 4] = v & 0xff000000;
                case DFR -> registers[DFR / 4] = v | 0x0fffffff;
                case SVR -> {
                    registers[SVR / 4] = v & 0x3ff;
                    if ((v & SVR_ENABLED) == 0) {
                        for (int lvt : LVTS) {
                            registers[lvt / 4] |= LVT_MASKED; // software disable masks every LVT entry
                        }
                    }
                }
                case ICR_HIGH -> registers[ICR_HIGH / 4] = v & 0xff000000;
                case ICR_LOW -> {
                    registers[ICR_LOW / 4] = v & ~(1 << 12); // delivery is immediate: the status reads idle
                    sending = true;
                    command = v;
                    destination = registers[ICR_HIGH / 4] >>> 24;
                }
                case LVT_TIMER, LVT_THERMAL, LVT_PERFORMANCE, LVT_LINT0, LVT_LINT1, LVT_ERROR -> {
                    registers[register / 4] = softwareEnabled() ? v : v | LVT_MASKED;
                    if (register == LVT_TIMER) {
                        notifyAll();
                    }
                }
                case TIMER_INITIAL -> {
                    registers[TIMER_INITIAL / 4] = v;
                    timerStart = nanoClock.getAsLong();
                    timerArmed = v != 0;
                    timerNextPeriod = 1;
                    if (timerArmed) {
                        startTimerThread();
                    }
                    notifyAll();
                }
                case TIMER_DIVIDE -> registers[TIMER_DIVIDE / 4] = v & 0xb;
                default -> {
                    if (register >= 0x100) {
                        return; // ISR, TMR, IRR and reserved registers
                    }
                    registers[register / 4] = v;
                }
            }
        }
        if (sending) {
            send(command, destination);
        }
        if (eoiVector >= 0) {
            bus.endOfInterrupt(eoiVector);
        }
        if (wake) {
            wakeup.run();
        }
    }

    private boolean softwareEnabled() {
        return (registers[SVR / 4] & SVR_ENABLED) != 0;
    }

    /** The ICR: the message goes on the bus outside this APIC's lock (it may come back to this APIC). */
    private void send(int command, int destination) {
        int mode = (command >> 8) & 7;
        boolean logical = (command & (1 << 11)) != 0;
        boolean level = (command & (1 << 15)) != 0;
        boolean assert_ = (command & (1 << 14)) != 0;
        int shorthand = (command >> 18) & 3;
        if (mode == ApicBus.INIT && level && !assert_) {
            return; // INIT level de-assert: only synchronises arbitration IDs
        }
        bus.deliver(destination, logical, shorthand, mode, command & 0xff, false, this);
    }

    /** True when {@code destination} (a logical MDA) selects this APIC under its DFR model. */
    synchronized boolean matchesLogical(int destination) {
        int logicalId = registers[LDR / 4] >>> 24;
        if (destination == 0xff) {
            return true;
        }
        if ((registers[DFR / 4] >>> 28) == 0xf) {
            return (logicalId & destination) != 0; // flat model: one bit per APIC
        }
        return (logicalId >>> 4) == (destination >>> 4) && (logicalId & destination & 0xf) != 0; // cluster model
    }

    synchronized int taskPriority() {
        return registers[TPR / 4] & 0xff;
    }

    /** An interrupt message for this APIC: it waits in IRR until the CPU takes it. */
    public void accept(int vector, boolean level) {
        if (vector < 16) {
            return; // vectors 0-15 are illegal in messages (SDM 11.5.2): the APIC discards them
        }
        synchronized (this) {
            set(irr, vector);
            if (level) {
                set(tmr, vector);
            } else {
                clear(tmr, vector);
            }
        }
        wakeup.run();
    }

    /** True when IRR holds a vector whose priority class is above the processor priority. */
    public synchronized boolean interruptPending() {
        int vector = highest(irr);
        return vector >= 0 && (vector & 0xf0) > (processorPriority() & 0xf0);
    }

    /**
     * The CPU's interrupt acknowledge: the highest deliverable vector moves from IRR to ISR and
     * is returned; with none deliverable, the spurious vector (which sets no ISR bit).
     */
    public synchronized int acknowledge() {
        if (!interruptPending()) {
            return registers[SVR / 4] & 0xff;
        }
        int vector = highest(irr);
        clear(irr, vector);
        set(isr, vector);
        return vector;
    }

    /** LINT0 passes the 8259's INTR when it is unmasked in ExtINT mode. */
    public synchronized boolean acceptsExternalInterrupts() {
        int lint0 = registers[LVT_LINT0 / 4];
        return (lint0 & LVT_MASKED) == 0 && ((lint0 >> 8) & 7) == ApicBus.EXTINT;
    }

    private int processorPriority() {
        int tpr = registers[TPR / 4] & 0xff;
        int inService = highest(isr);
        int isrClass = inService < 0 ? 0 : inService & 0xf0;
        return (tpr & 0xf0) >= isrClass ? tpr : isrClass;
    }

    private static int highest(int[] bits) {
        for (int word = 7; word >= 0; word--) {
            if (bits[word] != 0) {
                return word * 32 + 31 - Integer.numberOfLeadingZeros(bits[word]);
            }
        }
        return -1;
    }

    private static void set(int[] bits, int vector) {
        bits[vector >> 5] |= 1 << (vector & 31);
    }

    private static void clear(int[] bits, int vector) {
        bits[vector >> 5] &= ~(1 << (vector & 31));
    }

    private static boolean isSet(int[] bits, int vector) {
        return (bits[vector >> 5] & (1 << (vector & 31))) != 0;
    }

    /** Divide configuration bits 0, 1 and 3: 000 = 2, 001 = 4, ..., 110 = 128, 111 = 1. */
    private int divisor() {
        int d = registers[TIMER_DIVIDE / 4];
        int code = (d & 3) | (d >> 1 & 4);
        return code == 7 ? 1 : 2 << code;
    }

    private long timerTicksSince(long start) {
        return Math.max(0, nanoClock.getAsLong() - start) / divisor();
    }

    private int currentCount() {
        long initial = Integer.toUnsignedLong(registers[TIMER_INITIAL / 4]);
        if (!timerArmed || initial == 0) {
            return 0;
        }
        long ticks = timerTicksSince(timerStart);
        if ((registers[LVT_TIMER / 4] & TIMER_PERIODIC) != 0) {
            return (int) (initial - ticks % initial);
        }
        return ticks >= initial ? 0 : (int) (initial - ticks);
    }

    /** Host nanoseconds of the next timer interrupt, or -1 when none is due. */
    private long nextTimerInterruptAt() {
        long initial = Integer.toUnsignedLong(registers[TIMER_INITIAL / 4]);
        if (!timerArmed || initial == 0) {
            return -1;
        }
        long period = initial * divisor();
        boolean periodic = (registers[LVT_TIMER / 4] & TIMER_PERIODIC) != 0;
        return timerStart + (periodic ? timerNextPeriod * period : period);
    }

    private void startTimerThread() {
        if (timerThread == null && !closed) {
            timerThread = Thread.ofPlatform().daemon().name("apic-timer" + apicId).start(this::runTimer);
        }
    }

    /** Raises the timer interrupt at each count's end; a host that falls behind skips missed periods. */
    private void runTimer() {
        while (true) {
            int vector;
            synchronized (this) {
                long due;
                while (!closed && ((due = nextTimerInterruptAt()) < 0 || due > nanoClock.getAsLong())) {
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
                int lvt = registers[LVT_TIMER / 4];
                if ((lvt & TIMER_PERIODIC) != 0) {
                    long period = Integer.toUnsignedLong(registers[TIMER_INITIAL / 4]) * divisor();
                    long behind = (nanoClock.getAsLong() - timerStart) / period;
                    timerNextPeriod = Math.max(timerNextPeriod + 1, behind + 1);
                } else {
                    timerArmed = false;
                }
                vector = (lvt & LVT_MASKED) != 0 ? -1 : lvt & 0xff;
            }
            if (vector >= 0) {
                accept(vector, false);
            }
        }
    }

    /** Stops the timer thread (the machine ends or resets). */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
