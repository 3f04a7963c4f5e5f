package org.qemu.common.hw.legacy;

import java.time.Clock;
import java.time.ZonedDateTime;

import org.qemu.common.hw.IoPortDevice;

/**
 * The MC146818 CMOS clock and NVRAM at 0x70 (index) / 0x71 (data): time from the host clock in
 * BCD, 24-hour mode, and the memory-size bytes firmware and kernels read. Guest writes to the
 * time registers are stored but do not move the clock; periodic and alarm interrupts are not built.
 */
public final class CmosRtc implements IoPortDevice {
    public static final int BASE = 0x70;

    private final byte[] nvram = new byte[128];
    private final Clock clock;
    private int index;

    /** {@code below4g}/{@code above4g}: guest RAM under the PCI hole and from 4 GiB (firmware reads both here). */
    public CmosRtc(long below4g, long above4g, Clock clock) {
        this.clock = clock;
        nvram[0x0a] = 0x26;           // 32.768 kHz divider, 1024 Hz rate, no update in progress
        nvram[0x0b] = 0x02;           // 24-hour, BCD
        nvram[0x0d] = (byte) 0x80;    // battery good
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

    @Override
    public synchronized int read(int offset, int size) {
        if (offset == 0) {
            return 0xff;
        }
        ZonedDateTime now = ZonedDateTime.now(clock);
        return switch (index) {
            case 0x00 -> bcd(now.getSecond());
            case 0x02 -> bcd(now.getMinute());
            case 0x04 -> bcd(now.getHour());
            case 0x06 -> bcd(now.getDayOfWeek().getValue() % 7 + 1);
            case 0x07 -> bcd(now.getDayOfMonth());
            case 0x08 -> bcd(now.getMonthValue());
            case 0x09 -> bcd(now.getYear() % 100);
            case 0x32 -> bcd(now.getYear() / 100);
            case 0x0c -> 0;
            default -> nvram[index] & 0xff;
        };
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        if (offset == 0) {
            index = value & 0x7f; // bit 7 masks NMI, which has no meaning here
        } else if (index != 0x0c && index != 0x0d) {
            nvram[index] = (byte) value;
        }
    }

    private int bcd(int value) {
        if ((nvram[0x0b] & 0x04) != 0) {
            return value;
        }
        return ((value / 10) << 4) | (value % 10);
    }
}
