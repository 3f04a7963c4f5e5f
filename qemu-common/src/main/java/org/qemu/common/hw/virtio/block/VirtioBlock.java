package org.qemu.common.hw.virtio.block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.PhysicalMemoryException;
import org.qemu.common.hw.virtio.Descriptor;
import org.qemu.common.hw.virtio.DescriptorChain;
import org.qemu.common.hw.virtio.VirtQueue;
import org.qemu.common.hw.virtio.VirtioDevice;
import org.qemu.common.hw.virtio.VirtioException;

/**
 * The virtio block device: one request queue, served synchronously when the driver kicks it.
 * Parsing lives in {@link BlockRequest}, storage in {@link BlockBackend}; this class is the state
 * machine between them. A malformed request completes with an error status; a driver that
 * corrupts the ring itself puts the device in a failed state until it resets it.
 */
public final class VirtioBlock implements VirtioDevice {
    public static final int DEVICE_TYPE = 2;
    public static final int PCI_CLASS = 0x010000; // the class QEMU gives virtio-blk (SCSI storage)
    public static final int S_OK = 0;
    public static final int S_IOERR = 1;
    public static final int S_UNSUPP = 2;
    private static final long F_SEG_MAX = 1L << 2;
    private static final long F_RO = 1L << 5;
    private static final long F_BLK_SIZE = 1L << 6;
    private static final long F_FLUSH = 1L << 9;
    private static final int QUEUE_SIZE = 256;

    private final PhysicalMemory memory;
    private final BlockBackend backend;
    private final long capacitySectors;
    private final byte[] config = new byte[24];
    private final String serial;
    private VirtQueue queue;
    private Runnable interrupt = () -> { };
    private boolean broken;
    private long completed;
    private long failed;

    public VirtioBlock(PhysicalMemory memory, BlockBackend backend, String serial) {
        this.memory = memory;
        this.backend = backend;
        this.serial = serial;
        this.capacitySectors = backend.sizeBytes() / BlockRequest.SECTOR_SIZE;
        ByteBuffer c = ByteBuffer.wrap(config).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, capacitySectors);
        c.putInt(12, QUEUE_SIZE - 2);           // seg_max: a chain also holds the header and the status
        c.putInt(20, BlockRequest.SECTOR_SIZE); // blk_size
    }

    @Override
    public int deviceType() {
        return DEVICE_TYPE;
    }

    @Override
    public long features() {
        return F_SEG_MAX | F_FLUSH | F_BLK_SIZE | (backend.readOnly() ? F_RO : 0);
    }

    @Override
    public int queueCount() {
        return 1;
    }

    @Override
    public int maxQueueSize() {
        return QUEUE_SIZE;
    }

    public long capacitySectors() {
        return capacitySectors;
    }

    @Override
    public int readConfig(int offset, int size) {
        int v = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            v |= (at >= 0 && at < config.length ? config[at] & 0xff : 0) << (8 * i);
        }
        return v;
    }

    @Override
    public void writeConfig(int offset, int size, int value) {
        // The block configuration is read-only for the driver.
    }

    @Override
    public synchronized void activate(long acceptedFeatures, List<VirtQueue> queues, Runnable interrupt) {
        this.queue = queues.get(0);
        this.interrupt = interrupt;
        this.broken = false;
    }

    @Override
    public synchronized void reset() {
        queue = null;
        broken = false;
    }

    /** Requests completed successfully and with an error status, for tests and diagnostics. */
    public synchronized long[] counters() {
        return new long[] {completed, failed};
    }

    public synchronized boolean broken() {
        return broken;
    }

    @Override
    public synchronized void notifyQueue(int index) {
        if (index != 0 || queue == null || broken) {
            return;
        }
        boolean any = false;
        try {
            for (int head = queue.nextAvailableHead(); head >= 0; head = queue.nextAvailableHead()) {
                serve(head);
                any = true;
            }
        } catch (VirtioException | PhysicalMemoryException e) {
            broken = true; // the ring itself is unusable; wait for the driver to reset the device
        }
        if (any) {
            interrupt.run();
        }
    }

    private void serve(int head) {
        DescriptorChain chain;
        try {
            chain = queue.chain(head);
        } catch (VirtioException e) {
            failed++;
            queue.addUsed(head, 0); // give the buffer back; nothing in it can be trusted
            return;
        }
        int status;
        long written = 0;
        long statusAddress = BlockRequest.statusAddressOf(chain);
        try {
            BlockRequest request = BlockRequest.parse(memory, chain, capacitySectors);
            statusAddress = request.statusAddress();
            written = execute(request);
            status = written < 0 ? S_UNSUPP : S_OK;
            written = Math.max(0, written);
        } catch (VirtioException e) {
            status = S_IOERR;
        } catch (IOException e) {
            status = S_IOERR;
            written = 0;
        }
        if (status == S_OK) {
            completed++;
        } else {
            failed++;
        }
        if (statusAddress >= 0) {
            memory.write8(statusAddress, status);
            written += 1;
        }
        queue.addUsed(head, (int) Math.min(written, Integer.MAX_VALUE));
    }

    /** Runs a valid request; returns the bytes written into guest buffers, or -1 for an unsupported type. */
    private long execute(BlockRequest request) throws IOException, VirtioException {
        switch (request.type()) {
            case BlockRequest.T_IN -> {
                long position = request.sector() * BlockRequest.SECTOR_SIZE;
                for (Descriptor d : request.data()) {
                    backend.read(position, memory.sliceForWrite(d.address(), Integer.toUnsignedLong(d.length())).asByteBuffer());
                    position += Integer.toUnsignedLong(d.length());
                }
                return request.dataLength();
            }
            case BlockRequest.T_OUT -> {
                if (backend.readOnly()) {
                    throw new VirtioException("write to a read-only disk");
                }
                long position = request.sector() * BlockRequest.SECTOR_SIZE;
                for (Descriptor d : request.data()) {
                    backend.write(position, memory.slice(d.address(), Integer.toUnsignedLong(d.length())).asByteBuffer());
                    position += Integer.toUnsignedLong(d.length());
                }
                return 0;
            }
            case BlockRequest.T_FLUSH -> {
                backend.flush();
                return 0;
            }
            case BlockRequest.T_GET_ID -> {
                byte[] id = new byte[BlockRequest.ID_BYTES];
                byte[] s = serial.getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(s, 0, id, 0, Math.min(s.length, id.length));
                int off = 0;
                for (Descriptor d : request.data()) {
                    int n = (int) Math.min(Integer.toUnsignedLong(d.length()), id.length - off);
                    if (n <= 0) {
                        break;
                    }
                    memory.write(d.address(), java.util.Arrays.copyOfRange(id, off, off + n));
                    off += n;
                }
                return off;
            }
            default -> {
                return -1;
            }
        }
    }
}
