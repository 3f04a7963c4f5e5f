package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/**
 * The few host memory calls guest memory needs: mmap, munmap, madvise. They go through the
 * runtime's one {@code syscall()} downcall rather than downcalls of their own: every distinct
 * FFM downcall shape costs 12-45 ms of method-handle spinning at start-up (measured here, JDK 25,
 * with the AOT cache), which was most of the time between the JVM's start and the guest's.
 */
final class HostMemory {
    static final int PROT_READ = 1;
    static final int PROT_WRITE = 2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;
    static final int MADV_DONTNEED = 4;

    /** Reserves {@code size} bytes of zero-filled, lazily committed, read-write anonymous memory. */
    static MemorySegment reserve(long size) {
        long p = HostSyscall.call(HostNr.MMAP, 0, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p < 0 && p > -4096) {
            throw new OutOfMemoryError("cannot reserve " + size + " bytes of guest address space (errno " + -p + ")");
        }
        return MemorySegment.ofAddress(p).reinterpret(size);
    }

    static final int MAP_FIXED = 0x10;

    /** Maps a file privately (copy-on-write) over {@code segment}; false if the host refuses. */
    static boolean mapFile(MemorySegment segment, int fd, long offset) {
        long p = HostSyscall.call(HostNr.MMAP, segment.address(), segment.byteSize(), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_FIXED, fd, offset);
        return p == segment.address();
    }

    /** Puts fresh zero-filled anonymous memory where a file was mapped. */
    static void replaceWithAnonymous(MemorySegment segment) {
        long p = HostSyscall.call(HostNr.MMAP, segment.address(), segment.byteSize(), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
        if (p != segment.address()) {
            throw new IllegalStateException("cannot replace a file mapping with anonymous memory (errno " + -p + ")");
        }
    }

    static void release(MemorySegment segment) {
        if (HostSyscall.call(HostNr.MUNMAP, segment.address(), segment.byteSize()) != 0) {
            throw new IllegalStateException("munmap failed");
        }
    }

    /** Gives pages back to the host; they read as zero afterwards. */
    static void discard(MemorySegment segment) {
        if (HostSyscall.call(HostNr.MADVISE, segment.address(), segment.byteSize(), MADV_DONTNEED) != 0) {
            segment.fill((byte) 0);
        }
    }

    /**
     * True when the host page at {@code address} (page-aligned) is in memory for this process, as
     * {@code mincore(2)} sees it: touched anonymous memory, or a file page in the page cache; true
     * too when the host will not say.
     */
    static boolean resident(long address) {
        MemorySegment vector = org.qemu.common.linux.host.Scratch.begin().allocate(1);
        long r = HostSyscall.call(HostNr.MINCORE, address, GuestMemory.PAGE_SIZE, vector.address());
        return r != 0 || (vector.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 1) != 0;
    }

    private HostMemory() {
    }
}
