package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.common.linux.signal.Signals;
import org.qemu.common.memory.GuestMemory;

/** Helpers every group of system calls shares: guest buffers as host addresses, guest paths as C strings. */
abstract class SyscallSupport {
    static final int AT_FDCWD = -100;
    static final int PATH_MAX = 4096;

    final LinuxProcess process;
    final GuestMemory memory;
    final GuestData data;
    final int word;

    SyscallSupport(LinuxProcess process) {
        this.process = process;
        this.memory = process.memory();
        this.data = process.data();
        this.word = data.wordSize();
    }

    /** Host address of a guest buffer, after checking the guest may access all of it. */
    long host(long guestAddress, long length, boolean write) {
        memory.checkRange(guestAddress, length, write);
        return memory.segment().address() + guestAddress;
    }

    /** A guest path, translated (/proc/self/exe, -L prefix), as a host C string in scratch memory. */
    MemorySegment path(Scratch scratch, long guestAddress) {
        return path(scratch, pathString(guestAddress));
    }

    /** {@code guestPath}, already read from guest memory, translated as a host C string in scratch memory. */
    MemorySegment path(Scratch scratch, String guestPath) {
        return scratch.cString(process.paths().translate(guestPath));
    }

    String pathString(long guestAddress) {
        if (guestAddress == 0) {
            throw new org.qemu.common.memory.GuestMemoryFault(0, org.qemu.common.memory.GuestMemoryFault.Access.READ, false);
        }
        return memory.readCString(guestAddress, PATH_MAX);
    }

    static long addr(MemorySegment s) {
        return s.address();
    }

    /** Writes a {@code (long, long)} pair (timespec/timeval in the ABI's word size). */
    void putWordPair(long at, long first, long second) {
        data.putWord(at, first);
        data.putWord(at + word, second);
    }

    long signedWord(long at) {
        long v = data.word(at);
        return word == 4 ? (int) v : v;
    }

    /** A guest timespec in the ABI's native layout, as nanoseconds; -1 for an invalid one. */
    long readTimespecNanos(long at, boolean time64) {
        long sec = time64 ? data.u64(at) : signedWord(at);
        long nsec = time64 ? (int) data.u64(at + 8) : signedWord(at + word);
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) {
            return -1;
        }
        return sec * 1_000_000_000L + nsec;
    }

    void writeTimespec(long at, long nanos, boolean time64) {
        if (time64) {
            data.put64(at, nanos / 1_000_000_000L);
            data.put64(at + 8, nanos % 1_000_000_000L);
        } else {
            putWordPair(at, nanos / 1_000_000_000L, nanos % 1_000_000_000L);
        }
    }

    static long i64(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
    }

    static int i32(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    /**
     * A guest iovec array (word base, word length) as a host one in scratch memory over the same
     * guest buffers; {@code filled}: the host call writes into them (readv, recvmsg).
     */
    MemorySegment hostIovecs(Scratch s, long iov, long count, boolean filled) {
        MemorySegment hostIov = s.allocate(16L * Math.max(count, 1));
        for (int i = 0; i < count; i++) {
            long base = data.word(iov + (long) i * 2 * word);
            long len = data.word(iov + (long) i * 2 * word + word);
            hostIov.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 16L, len == 0 ? 0 : host(base, len, filled));
            hostIov.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 16L + 8, len);
        }
        return hostIov;
    }

    /** The JVM ignores SIGPIPE; a guest writing to a closed pipe or connection must still get it. */
    static long brokenPipe(LinuxThread thread, long result) {
        if (result == -Errno.EPIPE) {
            thread.raise(new SignalInfo(Signals.SIGPIPE, Signals.SI_USER, thread.process().pid(), 0, 0, 0));
        }
        return result;
    }

    static long err(int errno) {
        return -errno;
    }

    static final long EFAULT = -Errno.EFAULT;
}
