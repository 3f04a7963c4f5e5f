package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * One lock word that every emulator process of this user shares, for the guest's atomic
 * read-modify-write instructions on memory that other processes map too (MAP_SHARED).
 *
 * <p>Why: a lock-prefixed instruction runs under the address space's Java lock, which orders the
 * threads of one emulator; a forked guest child is another JVM, so a {@code lock cmpxchg} on a
 * page both map (a process-shared semaphore, Python's multiprocessing locks) was two unordered
 * read-then-write sequences and lost updates. Processes with shared mappings take this lock too.
 * It lives in a file under /dev/shm, so unrelated processes mapping the same file agree as well.
 * The word holds the holder's host pid: a waiter that spins long checks that the holder still
 * lives and takes the lock over from one that died holding it.
 */
public final class CrossProcessLock {
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();
    private static final int O_RDWR = 2, O_CREAT = 0100, O_CLOEXEC = 02000000, AT_FDCWD = -100;
    private static final int ESRCH = 3;

    private static volatile CrossProcessLock instance;
    private static volatile boolean unavailable;

    private final MemorySegment word;
    private final int pid;

    private CrossProcessLock(MemorySegment word, int pid) {
        this.word = word;
        this.pid = pid;
    }

    /** The lock, mapped on first use; null when the host offers no /dev/shm (then only one process's threads are ordered). */
    public static CrossProcessLock get() {
        CrossProcessLock l = instance;
        if (l != null || unavailable) {
            return l;
        }
        synchronized (CrossProcessLock.class) {
            if (instance == null && !unavailable) {
                instance = open();
                unavailable = instance == null;
            }
            return instance;
        }
    }

    private static CrossProcessLock open() {
        long uid = HostSyscall.call(HostNr.GETUID);
        MemorySegment path = Scratch.begin().cString("/dev/shm/qemu-java-atomics." + uid);
        long fd = HostSyscall.call(HostNr.OPENAT, AT_FDCWD, path.address(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) {
            return null;
        }
        try {
            if (HostSyscall.call(HostNr.FTRUNCATE, fd, GuestMemory.PAGE_SIZE) != 0) {
                return null;
            }
            long p = HostSyscall.call(HostNr.MMAP, 0, GuestMemory.PAGE_SIZE, HostMemory.PROT_READ | HostMemory.PROT_WRITE, HostMemory.MAP_SHARED, fd, 0);
            if (p < 0 && p > -4096) {
                return null;
            }
            return new CrossProcessLock(MemorySegment.ofAddress(p).reinterpret(GuestMemory.PAGE_SIZE), (int) HostSyscall.call(HostNr.GETPID));
        } finally {
            HostSyscall.call(HostNr.CLOSE, fd);
        }
    }

    /** Takes the lock (spinning: holders keep it for one instruction). */
    public void lock() {
        for (long spins = 0; ; spins++) {
            int holder = (int) WORD.getVolatile(word, 0L);
            if (holder == 0) {
                if (WORD.compareAndSet(word, 0L, 0, pid)) {
                    return;
                }
            } else if ((spins & 0xfffff) == 0xfffff && HostSyscall.call(HostNr.KILL, holder, 0) == -ESRCH) {
                // the holder died between its lock and unlock: the instruction it ran is lost with it
                WORD.compareAndSet(word, 0L, holder, 0);
            }
            if ((spins & 63) == 63) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    public void unlock() {
        WORD.setVolatile(word, 0L, 0);
    }
}
