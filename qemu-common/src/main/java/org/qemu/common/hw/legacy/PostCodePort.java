package org.qemu.common.hw.legacy;

import org.qemu.common.hw.IoPortDevice;

/** Port 0x80: firmware progress codes, and the dummy write Linux uses as an I/O delay. */
public final class PostCodePort implements IoPortDevice {
    public static final int PORT = 0x80;
    private volatile int lastCode;

    public int lastCode() {
        return lastCode;
    }

    @Override
    public int read(int offset, int size) {
        return lastCode;
    }

    @Override
    public void write(int offset, int size, int value) {
        lastCode = value & 0xff;
    }
}
