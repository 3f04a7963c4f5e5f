package org.qemu.common.hw;

import java.util.Arrays;

/**
 * The 64 KiB x86 I/O port space. Devices claim ranges; a port nobody claims reads as all ones
 * and ignores writes, as on a PC with nothing plugged in there.
 */
public final class IoPortBus {
    private static final int PORTS = 0x10000;
    private final IoPortDevice[] devices = new IoPortDevice[PORTS];
    private final int[] bases = new int[PORTS];

    public synchronized void register(int base, int length, IoPortDevice device) {
        if (base < 0 || length <= 0 || base + length > PORTS) {
            throw new IllegalArgumentException("bad I/O range " + base + "+" + length);
        }
        for (int p = base; p < base + length; p++) {
            if (devices[p] != null) {
                throw new IllegalStateException(String.format("I/O port 0x%x is already claimed", p));
            }
        }
        for (int p = base; p < base + length; p++) {
            devices[p] = device;
            bases[p] = base;
        }
    }

    /** Releases a range (a PCI BAR being moved). */
    public synchronized void unregister(int base, int length, IoPortDevice device) {
        for (int p = base; p < Math.min(PORTS, base + length); p++) {
            if (devices[p] == device) {
                devices[p] = null;
            }
        }
    }

    public int in(int port, int size) {
        IoPortDevice d = devices[port & 0xffff];
        if (d == null) {
            return (int) ((1L << (8 * size)) - 1);
        }
        return d.read((port & 0xffff) - bases[port & 0xffff], size);
    }

    public void out(int port, int size, int value) {
        IoPortDevice d = devices[port & 0xffff];
        if (d != null) {
            d.write((port & 0xffff) - bases[port & 0xffff], size, value);
        }
    }

    /** Number of claimed ports, for diagnostics. */
    public long claimedPorts() {
        return Arrays.stream(devices).filter(d -> d != null).count();
    }
}
