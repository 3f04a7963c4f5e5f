package org.qemu.common.hw.pci;

import java.util.List;

import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.IoPortDevice;

/**
 * PCI configuration mechanism #1 on ports 0xCF8 (address) and 0xCFC-0xCFF (data), one bus,
 * function 0 of each slot plus the functions plugged with {@link #plugFunction}. The bridge itself answers at slot 0 as an Intel 440FX host bridge.
 */
public final class PciHostBridge implements IoPortDevice {
    public static final int BASE = 0xcf8;
    public static final int LENGTH = 8;
    private static final int SLOTS = 32;

    private final PciDevice[] slots = new PciDevice[SLOTS];
    /** Functions 1-7 of multi-function slots (the PIIX's power management at 1.3). */
    private final PciDevice[][] otherFunctions = new PciDevice[SLOTS][8];
    private final IoPortBus ioBus;
    private int address;

    public PciHostBridge(IoPortBus ioBus) {
        this.ioBus = ioBus;
        slots[0] = new PciDevice(0x8086, 0x1237, 0x060000, 0x02, 0, 0) { };
    }

    /** Resets every plugged function and the address latch. */
    public void reset() {
        PciDevice[] plugged;
        synchronized (this) {
            address = 0;
            List<PciDevice> all = new java.util.ArrayList<>(java.util.Arrays.asList(slots));
            for (PciDevice[] functions : otherFunctions) {
                all.addAll(java.util.Arrays.asList(functions));
            }
            plugged = all.toArray(PciDevice[]::new);
        }
        for (PciDevice d : plugged) {
            if (d != null) {
                d.reset();
            }
        }
    }

    /** Plugs a device into the first free slot and returns the slot number. */
    public synchronized int plug(PciDevice device) {
        for (int slot = 1; slot < SLOTS; slot++) {
            if (slots[slot] == null) {
                slots[slot] = device;
                device.attach(ioBus);
                return slot;
            }
        }
        throw new IllegalStateException("no free PCI slot");
    }

    /** Plugs {@code device} as function 1-7 of an occupied slot, as a south bridge's extra functions are. */
    public synchronized void plugFunction(int slot, int function, PciDevice device) {
        if (function < 1 || function > 7 || slots[slot] == null || otherFunctions[slot][function] != null) {
            throw new IllegalStateException("PCI function " + slot + "." + function + " cannot be plugged");
        }
        otherFunctions[slot][function] = device;
        device.attach(ioBus);
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset < 4) {
            return offset == 0 && size == 4 ? address : 0xffffffff;
        }
        PciDevice d = selected();
        if (d == null) {
            return -1;
        }
        return d.readConfig((address & 0xfc) + (offset - 4), size);
    }

    @Override
    public synchronized void write(int offset, int size, int value) {
        if (offset < 4) {
            if (offset == 0 && size == 4) {
                address = value;
            }
            return;
        }
        PciDevice d = selected();
        if (d != null) {
            d.writeConfig((address & 0xfc) + (offset - 4), size, value);
        }
    }

    private PciDevice selected() {
        boolean enabled = (address & 0x80000000) != 0;
        int bus = (address >>> 16) & 0xff;
        int slot = (address >>> 11) & 0x1f;
        int function = (address >>> 8) & 0x7;
        if (!enabled || bus != 0) {
            return null;
        }
        return function == 0 ? slots[slot] : otherFunctions[slot][function];
    }
}
