package org.qemu.common.hw.acpi;

import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortDevice;
import org.qemu.common.hw.Resettable;

/**
 * The ACPI fixed-hardware registers a PIIX4-style power management function decodes at its
 * PMBASE (ACPI spec 4.8.3; PIIX4 data sheet 7.2): PM1 status (write 1 to clear), PM1 enable,
 * PM1 control, and the 24-bit power management timer. A status bit whose enable bit is set holds
 * the SCI line up; a write of SLP_EN to PM1 control asks the machine to enter the sleep state
 * SLP_TYP names. GPE blocks and the timer's overflow status are not modelled.
 */
public final class AcpiPm1Block implements IoPortDevice, Resettable {
    /** The PIIX4 power management I/O space is 64 bytes. */
    public static final int LENGTH = 64;
    public static final int PM1_STATUS = 0x00;
    public static final int PM1_ENABLE = 0x02;
    public static final int PM1_CONTROL = 0x04;
    public static final int PM_TIMER = 0x08;
    public static final int POWER_BUTTON = 1 << 8;
    public static final int SCI_ENABLE = 1;
    public static final int SLEEP_ENABLE = 1 << 13;
    /** Status bits that raise the SCI when enabled: timer, global, power button, RTC. */
    private static final int SCI_SOURCES = 1 | 1 << 5 | POWER_BUTTON | 1 << 10;
    private static final double TIMER_HZ = 3_579_545.0;

    /** What the machine does when the guest writes SLP_EN. */
    @FunctionalInterface
    public interface SleepHandler {
        void sleep(int sleepType);
    }

    private final InterruptLine sci;
    private final SleepHandler sleepHandler;
    private final long timerOrigin = System.nanoTime();
    private int status;
    private int enable;
    private int control;

    public AcpiPm1Block(InterruptLine sci, SleepHandler sleepHandler) {
        this.sci = sci;
        this.sleepHandler = sleepHandler;
    }

    /** The power button was pressed (QMP {@code system_powerdown}): PWRBTN_STS, and the SCI if enabled. */
    public synchronized void pressPowerButton() {
        status |= POWER_BUTTON;
        updateSci();
    }

    /** Power-on: nothing pending, nothing enabled, SCI low. */
    @Override
    public synchronized void reset() {
        status = 0;
        enable = 0;
        control = 0;
        updateSci();
    }

    @Override
    public synchronized int read(int offset, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) {
            value |= registerByte(offset + i) << (8 * i);
        }
        return value;
    }

    @Override
    public void write(int offset, int size, int value) {
        int sleepType = -1;
        synchronized (this) {
            for (int i = 0; i < size; i++) {
                int at = offset + i;
                int b = (value >>> (8 * i)) & 0xff;
                switch (at) {
                    case PM1_STATUS, PM1_STATUS + 1 -> status &= ~(b << (8 * (at - PM1_STATUS)));
                    case PM1_ENABLE, PM1_ENABLE + 1 -> enable = replaceByte(enable, at - PM1_ENABLE, b);
                    case PM1_CONTROL -> control = replaceByte(control, 0, b);
                    case PM1_CONTROL + 1 -> {
                        // SLP_EN is write-only: it triggers the transition and never reads back.
                        control = replaceByte(control, 1, b & ~(SLEEP_ENABLE >> 8));
                        if ((b << 8 & SLEEP_ENABLE) != 0) {
                            sleepType = (b >> 2) & 7;
                        }
                    }
                    default -> { }
                }
            }
            updateSci();
        }
        if (sleepType >= 0) {
            sleepHandler.sleep(sleepType);
        }
    }

    private int registerByte(int offset) {
        return switch (offset) {
            case PM1_STATUS, PM1_STATUS + 1 -> (status >> (8 * (offset - PM1_STATUS))) & 0xff;
            case PM1_ENABLE, PM1_ENABLE + 1 -> (enable >> (8 * (offset - PM1_ENABLE))) & 0xff;
            case PM1_CONTROL, PM1_CONTROL + 1 -> (control >> (8 * (offset - PM1_CONTROL))) & 0xff;
            case PM_TIMER, PM_TIMER + 1, PM_TIMER + 2 -> (timer() >> (8 * (offset - PM_TIMER))) & 0xff;
            default -> 0; // PM_TIMER + 3: the counter is 24 bits wide
        };
    }

    private int timer() {
        long ticks = (long) ((System.nanoTime() - timerOrigin) * (TIMER_HZ / 1e9));
        return (int) (ticks & 0xffffff);
    }

    private static int replaceByte(int word, int index, int b) {
        return (word & ~(0xff << (8 * index))) | b << (8 * index);
    }

    private void updateSci() {
        sci.set((status & enable & SCI_SOURCES) != 0);
    }
}
