package org.qemu.common.hw.virtio.block;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw image file. Writes go straight to the file with positional writes (so they are in the
 * file, visible to any reader, before the request completes); a guest flush becomes fsync.
 */
public final class FileBlockBackend implements BlockBackend {
    private final FileChannel channel;
    private final long size;
    private final boolean readOnly;

    public FileBlockBackend(Path file, boolean readOnly) throws IOException {
        this.channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.size = channel.size();
        this.readOnly = readOnly;
    }

    @Override
    public long sizeBytes() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long position, ByteBuffer into) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new EOFException("read beyond the end of the image");
            }
            at += n;
        }
    }

    @Override
    public void write(long position, ByteBuffer from) throws IOException {
        long at = position;
        while (from.hasRemaining()) {
            at += channel.write(from, at);
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
