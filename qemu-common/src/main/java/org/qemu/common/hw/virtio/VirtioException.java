package org.qemu.common.hw.virtio;

/** A driver handed the device something malformed; the request fails, the device and VMM carry on. */
public final class VirtioException extends Exception {
    public VirtioException(String message) {
        super(message);
    }
}
