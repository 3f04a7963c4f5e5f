package org.qemu.common.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/**
 * System mode's physical RAM as one host memory file (memfd), so the same RAM page can appear
 * at any number of places: once in the devices' view ({@link #segment()}), and at every linear
 * address a CPU's page tables map it to, as a shared host mapping inside that CPU's
 * {@link GuestMemory} reservation. The translated code then reaches a guest page through the
 * usual one protection-byte test and one host load, with no software TLB in between.
 */
public final class SharedRam implements AutoCloseable {
    private static final int MFD_CLOEXEC = 1;

    private final int fd;
    private final long bytes;
    private final MemorySegment segment;

    private SharedRam(int fd, long bytes, MemorySegment segment) {
        this.fd = fd;
        this.bytes = bytes;
        this.segment = segment;
    }

    /** {@code bytes} (page-rounded) of zero-filled RAM, committed lazily by the host. */
    public static SharedRam create(long bytes) {
        long size = (bytes + GuestMemory.PAGE_MASK) & ~GuestMemory.PAGE_MASK;
        long fd;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom("guest-ram");
            fd = HostSyscall.call(HostNr.MEMFD_CREATE, name.address(), MFD_CLOEXEC);
        }
        if (fd < 0) {
            throw new OutOfMemoryError("memfd_create for guest RAM failed (errno " + -fd + ")");
        }
        long r = HostSyscall.call(HostNr.FTRUNCATE, fd, size);
        if (r != 0) {
            HostSyscall.call(HostNr.CLOSE, fd);
            throw new OutOfMemoryError("cannot size guest RAM to " + size + " bytes (errno " + -r + ")");
        }
        long p = HostSyscall.call(HostNr.MMAP, 0, size, HostMemory.PROT_READ | HostMemory.PROT_WRITE, HostMemory.MAP_SHARED, fd, 0);
        if (p < 0 && p > -4096) {
            HostSyscall.call(HostNr.CLOSE, fd);
            throw new OutOfMemoryError("cannot map guest RAM (errno " + -p + ")");
        }
        return new SharedRam((int) fd, size, MemorySegment.ofAddress(p).reinterpret(size));
    }

    /** The devices' (physical) view of the whole RAM. */
    public MemorySegment segment() {
        return segment;
    }

    public long size() {
        return bytes;
    }

    /**
     * Makes {@code [linearAddress, linearAddress+length)} of {@code space} show RAM from
     * {@code physicalAddress} on (page-aligned; the guest protection is set separately).
     */
    public void mapInto(GuestMemory space, long linearAddress, long physicalAddress, long length) {
        if (physicalAddress < 0 || length <= 0 || physicalAddress + length > bytes || linearAddress + length > space.reservedSize()
                || ((linearAddress | physicalAddress | length) & GuestMemory.PAGE_MASK) != 0) {
            throw new IllegalArgumentException("RAM window 0x" + Long.toHexString(physicalAddress) + "+" + length
                    + " at 0x" + Long.toHexString(linearAddress) + " is outside RAM or not page-aligned");
        }
        long p = HostSyscall.call(HostNr.MMAP, space.segment().address() + linearAddress, length,
                HostMemory.PROT_READ | HostMemory.PROT_WRITE, HostMemory.MAP_SHARED | HostMemory.MAP_FIXED, fd, physicalAddress);
        if (p < 0 && p > -4096) {
            throw new OutOfMemoryError("cannot map a guest RAM page into a CPU's address space (errno " + -p
                    + "; vm.max_map_count may be too low)");
        }
    }

    @Override
    public void close() {
        HostSyscall.call(HostNr.MUNMAP, segment.address(), bytes);
        HostSyscall.call(HostNr.CLOSE, fd);
    }
}
