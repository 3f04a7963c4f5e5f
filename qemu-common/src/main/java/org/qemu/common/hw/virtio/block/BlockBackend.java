package org.qemu.common.hw.virtio.block;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where a block device's sectors live. Positions and lengths are in bytes. */
public interface BlockBackend extends AutoCloseable {
    long sizeBytes();

    boolean readOnly();

    void read(long position, ByteBuffer into) throws IOException;

    void write(long position, ByteBuffer from) throws IOException;

    /** Makes every completed write durable. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}
