package org.qemu.common.hw.virtio;

import java.util.ArrayList;
import java.util.List;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.IoPortDevice;
import org.qemu.common.hw.pci.PciDevice;

/**
 * The legacy (0.9.5) virtio-over-PCI transport: a transitional device ID (0x1000 + type - 1)
 * and an I/O BAR with the common registers followed by the device configuration; INTx only, no MSI-X.
 * Linux's virtio_pci falls back to this layout when a device has no virtio capabilities.
 */
public final class VirtioPciLegacy extends PciDevice implements IoPortDevice {
    public static final int VENDOR = 0x1af4;
    public static final int BAR_SIZE = 0x40;

    private static final int HOST_FEATURES = 0x00;
    private static final int GUEST_FEATURES = 0x04;
    private static final int QUEUE_PFN = 0x08;
    private static final int QUEUE_SIZE = 0x0c;
    private static final int QUEUE_SELECT = 0x0e;
    private static final int QUEUE_NOTIFY = 0x10;
    private static final int STATUS = 0x12;
    private static final int ISR = 0x13;
    private static final int CONFIG = 0x14;
    private static final int STATUS_DRIVER_OK = 0x04;
    private static final int STATUS_FAILED = 0x80;

    private final VirtioDevice device;
    private final PhysicalMemory memory;
    private final InterruptLine irq;
    private final long[] pfns;
    private int guestFeatures;
    private int queueSelect;
    private int status;
    /** Guards the ISR and the line level together; a leaf lock, so device and transport locks never invert. */
    private final Object isrLock = new Object();
    private int isr;
    private volatile boolean active;

    public VirtioPciLegacy(VirtioDevice device, PhysicalMemory memory, InterruptLine irq, int pciClass) {
        super(VENDOR, 0x1000 + device.deviceType() - 1, pciClass, 0, VENDOR, device.deviceType());
        this.device = device;
        this.memory = memory;
        this.irq = irq;
        this.pfns = new long[device.queueCount()];
        ioBar(0, BAR_SIZE, this);
    }

    @Override
    public synchronized int read(int offset, int size) {
        if (offset >= CONFIG) {
            return device.readConfig(offset - CONFIG, size);
        }
        return switch (offset) {
            case HOST_FEATURES -> (int) device.features();
            case GUEST_FEATURES -> guestFeatures;
            case QUEUE_PFN -> queueSelect < pfns.length ? (int) pfns[queueSelect] : 0;
            case QUEUE_SIZE -> queueSelect < pfns.length ? device.maxQueueSize() : 0;
            case QUEUE_SELECT -> queueSelect;
            case STATUS -> status;
            case ISR -> {
                synchronized (isrLock) { // reading acknowledges and lowers the line
                    int v = isr;
                    isr = 0;
                    irq.set(false);
                    yield v;
                }
            }
            default -> 0;
        };
    }

    @Override
    public void write(int offset, int size, int value) {
        int kick = -1;
        synchronized (this) {
            if (offset >= CONFIG) {
                device.writeConfig(offset - CONFIG, size, value);
                return;
            }
            switch (offset) {
                case GUEST_FEATURES -> guestFeatures = value & (int) device.features();
                case QUEUE_PFN -> {
                    if (queueSelect < pfns.length) {
                        pfns[queueSelect] = Integer.toUnsignedLong(value);
                    }
                }
                case QUEUE_SELECT -> queueSelect = value & 0xffff;
                case QUEUE_NOTIFY -> kick = value & 0xffff;
                case STATUS -> setStatus(value & 0xff);
                default -> { }
            }
        }
        // Outside the lock: the device raises the interrupt through this transport while it works.
        if (kick >= 0 && kick < pfns.length && active) {
            device.notifyQueue(kick);
        }
    }

    /** The reset line does what a driver's write of status 0 does: queues forgotten, device reset. */
    @Override
    protected synchronized void resetFunction() {
        queueSelect = 0;
        setStatus(0);
    }

    private void setStatus(int value) {
        if (value == 0) {
            status = 0;
            guestFeatures = 0;
            synchronized (isrLock) {
                isr = 0;
                irq.set(false);
            }
            java.util.Arrays.fill(pfns, 0);
            active = false;
            device.reset();
            return;
        }
        status = value;
        if ((value & STATUS_DRIVER_OK) != 0 && !active) {
            List<VirtQueue> queues = new ArrayList<>();
            for (long pfn : pfns) {
                VirtQueue q = VirtQueue.legacy(memory, device.maxQueueSize(), pfn);
                if (pfn == 0 || !q.valid()) {
                    status |= STATUS_FAILED; // rings outside RAM: refuse to run the queues
                    return;
                }
                queues.add(q);
            }
            active = true;
            device.activate(Integer.toUnsignedLong(guestFeatures), queues, this::raiseQueueInterrupt);
        }
    }

    /** Called by the device while it holds its own lock, so it takes only the leaf ISR lock. */
    private void raiseQueueInterrupt() {
        synchronized (isrLock) {
            isr |= 0x1;
            irq.set(true);
        }
    }
}
