package org.qemu.common.hw.pci;

import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.IoPortDevice;

/**
 * A PCI function's 256-byte configuration space with up to six BARs. Only I/O BARs are
 * supported: each is placed on the I/O port bus while I/O decoding is enabled in the command register.
 */
public abstract class PciDevice {
    public static final int COMMAND_IO = 0x1;
    public static final int COMMAND_MEMORY = 0x2;
    public static final int COMMAND_BUS_MASTER = 0x4;
    private static final int BAR0 = 0x10;

    private final byte[] config = new byte[256];
    private final int[] barSizes = new int[6];
    private final IoPortDevice[] barDevices = new IoPortDevice[6];
    private final int[] mappedBase = {-1, -1, -1, -1, -1, -1};
    private IoPortBus ioBus;

    protected PciDevice(int vendor, int device, int classCode, int revision, int subsystemVendor, int subsystem) {
        set16(0x00, vendor);
        set16(0x02, device);
        config[0x08] = (byte) revision;
        config[0x09] = (byte) classCode;
        config[0x0a] = (byte) (classCode >> 8);
        config[0x0b] = (byte) (classCode >> 16);
        set16(0x2c, subsystemVendor);
        set16(0x2e, subsystem);
    }

    /** Declares an I/O BAR of {@code size} bytes (a power of two, at least 4). */
    protected final void ioBar(int index, int size, IoPortDevice device) {
        barSizes[index] = size;
        barDevices[index] = device;
        set32(BAR0 + 4 * index, 0x1);
    }

    /** Wires INTx: the pin (1 = INTA) and the IRQ the board routed it to (config byte 0x3C). */
    public final void interrupt(int pin, int line) {
        config[0x3c] = (byte) line;
        config[0x3d] = (byte) pin;
    }

    final void attach(IoPortBus bus) {
        this.ioBus = bus;
    }

    /**
     * Power-on state of the writable configuration (command register off, BARs unassigned) and of
     * the function behind it; the board's firmware step assigns the BARs again afterwards.
     */
    public final void reset() {
        synchronized (this) {
            set16(0x04, 0);
            config[0x0c] = 0;
            config[0x0d] = 0;
            for (int i = 0; i < 6; i++) {
                set32(BAR0 + 4 * i, barSizes[i] != 0 ? 0x1 : 0);
            }
            remap();
        }
        resetFunction();
    }

    /** The function's own state (a virtio transport's status and queues); nothing by default. */
    protected void resetFunction() {
    }

    /** What firmware would do: place an I/O BAR and enable decoding and bus mastering. */
    public final synchronized void assignIoBar(int index, int base) {
        set32(BAR0 + 4 * index, base | 0x1);
        set16(0x04, get16(0x04) | COMMAND_IO | COMMAND_BUS_MASTER);
        remap();
    }

    public final synchronized int readConfig(int offset, int size) {
        int v = 0;
        for (int i = 0; i < size; i++) {
            v |= (config[(offset + i) & 0xff] & 0xff) << (8 * i);
        }
        return v;
    }

    public final synchronized void writeConfig(int offset, int size, int value) {
        for (int i = 0; i < size; i++) {
            int at = (offset + i) & 0xff;
            if (writable(at) || functionRegisterWritable(at)) {
                config[at] = (byte) (value >>> (8 * i));
            }
        }
        if (offset >= BAR0 && offset < BAR0 + 24) {
            int bar = (offset - BAR0) / 4;
            if (barSizes[bar] != 0) {
                int raw = get32(BAR0 + 4 * bar);
                set32(BAR0 + 4 * bar, (raw & ~(barSizes[bar] - 1)) | 0x1);
            } else {
                set32(BAR0 + 4 * bar, 0);
            }
        }
        remap();
        configWritten(offset, size);
    }

    /** Configuration bytes past the standard header that this function lets the guest write. */
    protected boolean functionRegisterWritable(int offset) {
        return false;
    }

    /** Told after every guest write to configuration space (the device lock is held). */
    protected void configWritten(int offset, int size) {
    }

    /** Sets a configuration byte as hardware or firmware would, whatever the guest may write. */
    protected final synchronized void presetConfigByte(int offset, int value) {
        config[offset & 0xff] = (byte) value;
    }

    private static boolean writable(int offset) {
        return offset == 0x04 || offset == 0x05 || offset == 0x0c || offset == 0x0d
                || (offset >= 0x10 && offset < 0x28) || offset == 0x3c;
    }

    private void remap() {
        if (ioBus == null) {
            return;
        }
        boolean decode = (get16(0x04) & COMMAND_IO) != 0;
        for (int i = 0; i < 6; i++) {
            if (barSizes[i] == 0) {
                continue;
            }
            int base = get32(BAR0 + 4 * i) & ~0x3 & 0xffff;
            int wanted = decode && base != 0 && base + barSizes[i] <= 0x10000 ? base : -1;
            if (wanted != mappedBase[i]) {
                if (mappedBase[i] >= 0) {
                    ioBus.unregister(mappedBase[i], barSizes[i], barDevices[i]);
                }
                mappedBase[i] = -1;
                if (wanted >= 0) {
                    try {
                        ioBus.register(wanted, barSizes[i], barDevices[i]);
                        mappedBase[i] = wanted;
                    } catch (IllegalStateException e) {
                        // A BAR placed over another device does not decode, as a conflicting card would not.
                    }
                }
            }
        }
    }

    /** The I/O base a BAR currently decodes at, or -1. */
    public final synchronized int ioBase(int index) {
        return mappedBase[index];
    }

    public final boolean busMasterEnabled() {
        return (readConfig(0x04, 2) & COMMAND_BUS_MASTER) != 0;
    }

    private int get16(int offset) {
        return (config[offset] & 0xff) | (config[offset + 1] & 0xff) << 8;
    }

    private int get32(int offset) {
        return get16(offset) | get16(offset + 2) << 16;
    }

    private void set16(int offset, int v) {
        config[offset] = (byte) v;
        config[offset + 1] = (byte) (v >> 8);
    }

    private void set32(int offset, int v) {
        set16(offset, v);
        set16(offset + 2, v >>> 16);
    }
}
