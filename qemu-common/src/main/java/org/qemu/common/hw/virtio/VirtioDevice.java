package org.qemu.common.hw.virtio;

import java.util.List;

/** What a virtio device type provides to any transport (PCI legacy here; MMIO could be another). */
public interface VirtioDevice {
    int deviceType();

    /** Feature bits offered (legacy transports see the low 32). */
    long features();

    int queueCount();

    int maxQueueSize();

    int readConfig(int offset, int size);

    void writeConfig(int offset, int size, int value);

    /** The driver set DRIVER_OK: queues are configured and the device may use them. */
    void activate(long acceptedFeatures, List<VirtQueue> queues, Runnable interrupt);

    /** The driver kicked a queue. */
    void notifyQueue(int index);

    /** The driver wrote status 0. */
    void reset();
}
