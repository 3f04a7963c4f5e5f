package org.qemu.common.hw.virtio.block;

import java.util.List;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.virtio.Descriptor;
import org.qemu.common.hw.virtio.DescriptorChain;
import org.qemu.common.hw.virtio.VirtioException;

/**
 * One virtio-blk request, parsed and validated from its descriptor chain: a 16-byte header the
 * device reads, data buffers in the direction the type demands, and a final one-byte status the
 * device writes. Nothing here touches the backend.
 */
public record BlockRequest(int type, long sector, List<Descriptor> data, long statusAddress) {
    public static final int T_IN = 0;
    public static final int T_OUT = 1;
    public static final int T_FLUSH = 4;
    public static final int T_GET_ID = 8;
    public static final int SECTOR_SIZE = 512;
    private static final int HEADER_SIZE = 16;
    public static final int ID_BYTES = 20;

    public long dataLength() {
        long total = 0;
        for (Descriptor d : data) {
            total += Integer.toUnsignedLong(d.length());
        }
        return total;
    }

    /**
     * The status byte's address when the chain ends in something the device may write, so an
     * error can be reported even for a request that fails to parse; -1 otherwise.
     */
    public static long statusAddressOf(DescriptorChain chain) {
        List<Descriptor> ds = chain.descriptors();
        Descriptor last = ds.get(ds.size() - 1);
        return ds.size() >= 2 && last.deviceWritable() && last.length() != 0 ? last.address() + last.length() - 1 : -1;
    }

    public static BlockRequest parse(PhysicalMemory memory, DescriptorChain chain, long capacitySectors) throws VirtioException {
        List<Descriptor> ds = chain.descriptors();
        if (ds.size() < 2) {
            throw new VirtioException("request needs a header and a status descriptor");
        }
        Descriptor header = ds.get(0);
        if (header.deviceWritable() || Integer.toUnsignedLong(header.length()) < HEADER_SIZE) {
            throw new VirtioException("header descriptor must be device-readable and 16 bytes");
        }
        int type = memory.read32(header.address());
        long sector = memory.read64(header.address() + 8);
        long status = statusAddressOf(chain);
        if (status < 0) {
            throw new VirtioException("status descriptor must be device-writable");
        }
        List<Descriptor> data = ds.subList(1, ds.size() - 1);
        BlockRequest request = new BlockRequest(type, sector, data, status);
        switch (type) {
            case T_IN, T_OUT -> {
                boolean deviceWrites = type == T_IN;
                for (Descriptor d : data) {
                    if (d.length() < 0) {
                        throw new VirtioException("data descriptor of 2 GiB or more");
                    }
                    if (d.deviceWritable() != deviceWrites) {
                        throw new VirtioException("data descriptor direction does not match the request type");
                    }
                }
                long length = request.dataLength();
                if (length % SECTOR_SIZE != 0) {
                    throw new VirtioException("data length " + length + " is not a multiple of 512");
                }
                long sectors = length / SECTOR_SIZE;
                if (sector < 0 || sector > capacitySectors || sectors > capacitySectors - sector) {
                    throw new VirtioException("sectors " + Long.toUnsignedString(sector) + "+" + sectors
                            + " beyond the disk's " + capacitySectors);
                }
            }
            case T_GET_ID -> {
                for (Descriptor d : data) {
                    if (!d.deviceWritable()) {
                        throw new VirtioException("GET_ID buffer must be device-writable");
                    }
                }
            }
            default -> { }
        }
        return request;
    }
}
