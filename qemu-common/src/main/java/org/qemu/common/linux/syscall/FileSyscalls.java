package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * Files, directories and descriptors. Guest descriptors are host descriptors and most
 * structs here have the same bytes on both sides (dirent64, pollfd, fd_set, statx, termios),
 * so most calls are one host call on guest memory; the rest convert word-sized fields.
 */
final class FileSyscalls extends SyscallSupport {
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int SEEK_SET = 0;
    private final FdTable fds;
    private final DirectoryCookies cookies = new DirectoryCookies();

    FileSyscalls(LinuxProcess process, FdTable fds) {
        super(process);
        this.fds = fds;
    }

    long read(int fd, long buf, long count) {
        if (count == 0) {
            return HostSyscall.call(HostNr.READ, fd, 0, 0);
        }
        return HostSyscall.call(HostNr.READ, fd, host(buf, count, true), count);
    }

    long write(LinuxThread thread, int fd, long buf, long count) {
        long r = HostSyscall.call(HostNr.WRITE, fd, count == 0 ? 0 : host(buf, count, false), count);
        return brokenPipe(thread, r);
    }


    long pread(int fd, long buf, long count, long offset) {
        return HostSyscall.call(HostNr.PREAD64, fd, count == 0 ? 0 : host(buf, count, true), count, offset);
    }

    long pwrite(int fd, long buf, long count, long offset) {
        return HostSyscall.call(HostNr.PWRITE64, fd, count == 0 ? 0 : host(buf, count, false), count, offset);
    }

    /** readv/writev: the guest iovec array (word base, word length) becomes a host one. */
    long vectored(LinuxThread thread, int fd, long iov, int count, boolean write) {
        if (count < 0 || count > 1024) {
            return err(Errno.EINVAL);
        }
        MemorySegment hostIov = hostIovecs(Scratch.begin(), iov, count, !write);
        long r = HostSyscall.call(write ? HostNr.WRITEV : HostNr.READV, fd, addr(hostIov), count);
        return write ? brokenPipe(thread, r) : r;
    }

    long openat(int dirfd, long pathAddr, int flags, int mode) {
        String guestPath = pathString(pathAddr);
        if (isOwnMaps(guestPath)) {
            return opened(ownMaps((flags & 0x80000) != 0 ? 1 : 0)); // O_CLOEXEC: MFD_CLOEXEC
        }
        return opened(HostSyscall.call(HostNr.OPENAT, dirfd, addr(path(Scratch.begin(), guestPath)), flags, mode));
    }

    /** {@code /proc/self/maps} and its other names for this process: the guest's map, not the emulator's. */
    private boolean isOwnMaps(String guestPath) {
        return guestPath.startsWith("/proc/") && guestPath.endsWith("/maps") && (guestPath.equals("/proc/self/maps")
                || guestPath.equals("/proc/thread-self/maps") || guestPath.equals("/proc/" + process.pid() + "/maps"));
    }

    /** The guest's map ({@link ProcSelfMaps}) in a memfd read from its start, or -errno. */
    private long ownMaps(int memfdFlags) {
        byte[] text;
        try {
            text = ProcSelfMaps.render(process, process.syscalls().memory());
        } catch (java.io.IOException | RuntimeException e) {
            return err(Errno.EIO);
        }
        Scratch s = Scratch.begin();
        long fd = HostSyscall.call(HostNr.MEMFD_CREATE, addr(s.cString("maps")), memfdFlags);
        if (fd < 0) {
            return fd;
        }
        java.lang.foreign.MemorySegment buffer = s.allocate(Math.max(1, text.length));
        java.lang.foreign.MemorySegment.copy(text, 0, buffer, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, text.length);
        for (long done = 0; done < text.length; ) {
            long n = HostSyscall.call(HostNr.WRITE, fd, addr(buffer) + done, text.length - done);
            if (n <= 0) {
                HostSyscall.call(HostNr.CLOSE, fd);
                return n < 0 ? n : err(Errno.EIO);
            }
            done += n;
        }
        HostSyscall.call(HostNr.LSEEK, fd, 0, 0);
        return fd;
    }

    /** Records a descriptor the guest just got. */
    private long opened(long fd) {
        fds.add(fd);
        return fd;
    }

    long close(int fd) {
        if (!fds.isGuest(fd)) {
            return err(Errno.EBADF);
        }
        fds.remove(fd);
        return HostSyscall.call(HostNr.CLOSE, fd);
    }

    long lseek(int fd, long offset, int whence) {
        long hostOffset = word == 4 && whence == SEEK_SET ? cookies.hostOffset(fd, offset) : offset;
        long r = HostSyscall.call(HostNr.LSEEK, fd, hostOffset, whence);
        if (r >= 0 && hostOffset != offset) {
            return offset; // a directory at a full cookie: the guest knows the position by its cut
        }
        if (r >= 0 && word == 4 && r > Integer.MAX_VALUE) {
            return err(75); // EOVERFLOW: the result does not fit the 32-bit off_t
        }
        return r;
    }

    long llseek(int fd, long high, long low, long resultAddr, int whence) {
        long offset = (high << 32) | (low & 0xffffffffL);
        long hostOffset = word == 4 && whence == SEEK_SET ? cookies.hostOffset(fd, offset) : offset;
        long r = HostSyscall.call(HostNr.LSEEK, fd, hostOffset, whence);
        if (r >= 0 && hostOffset != offset) {
            r = offset; // a directory at a full cookie: the guest knows the position by its cut
        }
        if (r >= 0) {
            data.put64(resultAddr, r);
            return 0;
        }
        return r;
    }

    long dup(int fd) {
        return opened(HostSyscall.call(HostNr.DUP, fd));
    }

    long dup3(int oldFd, int newFd, int flags, boolean isDup2) {
        if (fds.isEmulatorOwned(newFd)) {
            return err(Errno.EBUSY);
        }
        if (isDup2) {
            return opened(HostSyscall.call(HostNr.DUP2, oldFd, newFd));
        }
        return opened(HostSyscall.call(HostNr.DUP3, oldFd, newFd, flags));
    }

    long fcntl(int fd, int cmd, long arg, boolean is64) {
        final int getlk = 5, setlk = 6, setlkw = 7, getlk64 = 12, setlk64 = 13, setlkw64 = 14;
        switch (cmd) {
            case getlk, setlk, setlkw, getlk64, setlk64, setlkw64 -> {
                boolean wide = cmd >= getlk64;
                Scratch s = Scratch.begin();
                MemorySegment fl = s.allocate(32);
                // struct flock: short type, short whence, off start, off len, int pid (off is a word,
                // word-aligned: at 4 on 32-bit ABIs, at 8 on 64-bit ones).
                int offSize = wide ? 8 : word;
                int startAt = wide ? process.abi().structs().flock64StartOffset() : word;
                long start = wide ? data.u64(arg + startAt) : signedWord(arg + startAt);
                long len = wide ? data.u64(arg + startAt + offSize) : signedWord(arg + startAt + offSize);
                fl.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) data.u16(arg));
                fl.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2, (short) data.u16(arg + 2));
                fl.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, start);
                fl.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 16, len);
                int hostCmd = cmd == getlk || cmd == getlk64 ? getlk : cmd == setlk || cmd == setlk64 ? setlk : setlkw;
                long r = HostSyscall.call(HostNr.FCNTL, fd, hostCmd, addr(fl));
                if (r == 0 && hostCmd == getlk) {
                    data.put16(arg, fl.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0));
                    data.put16(arg + 2, fl.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2));
                    if (wide) {
                        data.put64(arg + startAt, i64(fl, 8));
                        data.put64(arg + startAt + 8, i64(fl, 16));
                        data.put32(arg + startAt + 16, i32(fl, 24));
                    } else {
                        data.putWord(arg + startAt, i64(fl, 8));
                        data.putWord(arg + startAt + word, i64(fl, 16));
                        data.put32(arg + startAt + 2L * word, i32(fl, 24));
                    }
                }
                return r;
            }
            case 0, 1030 -> {
                return opened(HostSyscall.call(HostNr.FCNTL, fd, cmd, arg)); // F_DUPFD, F_DUPFD_CLOEXEC
            }
            default -> {
                return HostSyscall.call(HostNr.FCNTL, fd, cmd, arg);
            }
        }
    }

    /** stat64 family: the host's fstatat, then the ABI's struct layout. */
    long fstatat(int dirfd, long pathAddr, long statAddr, int flags, boolean oldLayout) {
        Scratch s = Scratch.begin();
        MemorySegment st = s.allocate(HostStat.SIZE);
        MemorySegment p = pathAddr == 0 && (flags & AT_EMPTY_PATH) != 0 ? s.cString("") : path(s, pathAddr);
        long r = HostSyscall.call(HostNr.NEWFSTATAT, dirfd, addr(p), addr(st), flags);
        if (r < 0) {
            return r;
        }
        return putStat(statAddr, HostStat.decode(st), oldLayout);
    }

    long fstat(int fd, long statAddr, boolean oldLayout) {
        Scratch s = Scratch.begin();
        MemorySegment st = s.allocate(HostStat.SIZE);
        long r = HostSyscall.call(HostNr.FSTAT, fd, addr(st));
        if (r < 0) {
            return r;
        }
        return putStat(statAddr, HostStat.decode(st), oldLayout);
    }

    private long putStat(long statAddr, HostStat stat, boolean oldLayout) {
        if (oldLayout) {
            return process.abi().structs().putStat(data, statAddr, stat) ? 0 : err(Errno.ENOSYS);
        }
        process.abi().structs().putStat64(data, statAddr, stat);
        return 0;
    }

    long statx(int dirfd, long pathAddr, int flags, int mask, long buf) {
        Scratch s = Scratch.begin();
        MemorySegment p = pathAddr == 0 ? s.cString("") : path(s, pathAddr);
        long r = HostSyscall.call(HostNr.STATX, dirfd, addr(p), flags, mask, host(buf, 256, true), 0);
        if (r == 0 && data.bigEndian()) {
            GuestStructFixups.statx(memory, buf);
        }
        return r;
    }

    long faccessat(int dirfd, long pathAddr, int mode, int flags) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.FACCESSAT2, dirfd, addr(path(s, pathAddr)), mode, flags);
    }

    long readlinkat(int dirfd, long pathAddr, long buf, long size) {
        String guestPath = pathString(pathAddr);
        if (size <= 0) {
            return err(Errno.EINVAL);
        }
        if (guestPath.equals("/proc/self/exe")) {
            byte[] target = process.paths().program().getBytes(StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size);
            memory.write(buf, target, 0, n);
            return n;
        }
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.READLINKAT, dirfd, addr(s.cString(process.paths().translate(guestPath))),
                host(buf, size, true), size);
    }

    /** Calls taking (dirfd, path, extra...) straight through: unlinkat, mkdirat, fchmodat, fchownat, mknodat. */
    long pathCall(int hostNr, int dirfd, long pathAddr, long a, long b, long c) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(hostNr, dirfd, addr(path(s, pathAddr)), a, b, c, 0);
    }

    /** Calls taking two paths: renameat2, linkat, symlinkat (the first "path" of symlink is its text, untranslated). */
    long renameat(int olddir, long oldPath, int newdir, long newPath, int flags) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.RENAMEAT2, olddir, addr(path(s, oldPath)), newdir, addr(path(s, newPath)), flags, 0);
    }

    long linkat(int olddir, long oldPath, int newdir, long newPath, int flags) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.LINKAT, olddir, addr(path(s, oldPath)), newdir, addr(path(s, newPath)), flags, 0);
    }

    long symlinkat(long target, int newdir, long linkPath) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.SYMLINKAT, addr(s.cString(pathString(target))), newdir, addr(path(s, linkPath)));
    }

    long chdir(long pathAddr) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.CHDIR, addr(path(s, pathAddr)));
    }

    long getcwd(long buf, long size) {
        if (size == 0) {
            return err(Errno.EINVAL);
        }
        return HostSyscall.call(HostNr.GETCWD, host(buf, size, true), size);
    }

    long truncate(long pathAddr, long length) {
        Scratch s = Scratch.begin();
        return HostSyscall.call(HostNr.TRUNCATE, addr(path(s, pathAddr)), length);
    }

    /** utimensat with 32-bit ({@code time64} false) or 64-bit timespecs. */
    long utimensat(int dirfd, long pathAddr, long times, int flags, boolean time64) {
        Scratch s = Scratch.begin();
        MemorySegment ts = null;
        if (times != 0) {
            ts = s.allocate(32);
            for (int i = 0; i < 2; i++) {
                long at = times + (long) i * (time64 ? 16 : 2L * word);
                long sec = time64 ? data.u64(at) : signedWord(at);
                long nsec = time64 ? (int) data.u64(at + 8) : signedWord(at + word);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * 16L, sec);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * 16L + 8, nsec);
            }
        }
        MemorySegment p = pathAddr == 0 ? MemorySegment.NULL : path(s, pathAddr);
        return HostSyscall.call(HostNr.UTIMENSAT, dirfd, addr(p), ts == null ? 0 : addr(ts), flags);
    }

    /** utimes(path, timeval[2]) and utime(path, utimbuf) through utimensat. */
    long utimes(long pathAddr, long times, boolean utimbuf) {
        Scratch s = Scratch.begin();
        MemorySegment ts = null;
        if (times != 0) {
            ts = s.allocate(32);
            for (int i = 0; i < 2; i++) {
                long sec = utimbuf ? signedWord(times + (long) i * word) : signedWord(times + (long) i * 2 * word);
                long nsec = utimbuf ? 0 : signedWord(times + (long) i * 2 * word + word) * 1000;
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * 16L, sec);
                ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, i * 16L + 8, nsec);
            }
        }
        return HostSyscall.call(HostNr.UTIMENSAT, AT_FDCWD, addr(path(s, pathAddr)), ts == null ? 0 : addr(ts), 0);
    }

    /** ioctl: only requests whose argument has the same bytes on both sides are passed on. */
    long ioctl(int fd, long request, long arg) {
        int req = (int) request;
        return switch (req) {
            // TCGETS, TCSETS, TCSETSW, TCSETSF: struct termios, 36 bytes on i386 and x86-64.
            case 0x5401, 0x5402, 0x5403, 0x5404 -> HostSyscall.call(HostNr.IOCTL, fd, req, host(arg, 36, req == 0x5401));
            // TIOCGWINSZ, TIOCSWINSZ: struct winsize, 8 bytes.
            case 0x5413, 0x5414 -> HostSyscall.call(HostNr.IOCTL, fd, req, host(arg, 8, req == 0x5413));
            // TIOCGPGRP, TIOCSPGRP, FIONREAD, FIONBIO, TIOCGSID, TIOCOUTQ: an int.
            case 0x540F, 0x5410, 0x541B, 0x5421, 0x5429, 0x5411 -> HostSyscall.call(HostNr.IOCTL, fd, req,
                    host(arg, 4, req != 0x5410 && req != 0x5421));
            // TIOCSCTTY, TIOCNOTTY, FIONCLEX, FIOCLEX, TCSBRK, TCXONC, TCFLSH: an integer argument or none.
            case 0x540E, 0x5422, 0x5450, 0x5451, 0x5409, 0x540A, 0x540B -> HostSyscall.call(HostNr.IOCTL, fd, req, arg);
            default -> err(Errno.ENOTTY);
        };
    }

    long poll(long fdsAddr, long nfds, int timeoutMs) {
        if (nfds > 4096) {
            return err(Errno.EINVAL);
        }
        long hostFds = fdsAddr == 0 ? 0 : host(fdsAddr, nfds * 8, true);
        if (hostFds != 0 && data.bigEndian()) {
            GuestStructFixups.pollfds(memory, fdsAddr, nfds);
        }
        long r = HostSyscall.call(HostNr.POLL, hostFds, nfds, timeoutMs);
        if (hostFds != 0 && data.bigEndian()) {
            GuestStructFixups.pollfds(memory, fdsAddr, nfds);
        }
        return r;
    }

    long ppoll(long fdsAddr, long nfds, long tsAddr, long sigmask, boolean time64) {
        Scratch s = Scratch.begin();
        MemorySegment ts = MemorySegment.NULL;
        if (tsAddr != 0) {
            long n = readTimespecNanos(tsAddr, time64);
            if (n < 0) {
                return err(Errno.EINVAL);
            }
            ts = s.allocate(16);
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, n / 1_000_000_000L);
            ts.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, n % 1_000_000_000L);
        }
        long hostFds = fdsAddr == 0 ? 0 : host(fdsAddr, nfds * 8, true);
        if (hostFds != 0 && data.bigEndian()) {
            GuestStructFixups.pollfds(memory, fdsAddr, nfds);
        }
        long r = HostSyscall.call(HostNr.PPOLL, hostFds, nfds, addr(ts), 0, 8, 0);
        if (hostFds != 0 && data.bigEndian()) {
            GuestStructFixups.pollfds(memory, fdsAddr, nfds);
        }
        return r;
    }

    /** select with a timeval in the ABI's word size; fd_set bitmaps are byte-identical on little-endian ABIs. */
    long select(int nfds, long readfds, long writefds, long exceptfds, long timeout) {
        long nanos = timeout == 0 ? -1 : signedWord(timeout) * 1_000_000_000L + signedWord(timeout + word) * 1000;
        long[] left = {0};
        long r = selectCore(nfds, readfds, writefds, exceptfds, nanos, left);
        if (r >= 0 && timeout != 0) {
            putWordPair(timeout, left[0] / 1_000_000_000L, (left[0] % 1_000_000_000L) / 1000);
        }
        return r;
    }

    /** pselect6 (the signal mask argument is not applied: signals reach the guest between calls). */
    long pselect6(int nfds, long readfds, long writefds, long exceptfds, long timeout, boolean time64) {
        long nanos = timeout == 0 ? -1 : readTimespecNanos(timeout, time64);
        if (timeout != 0 && nanos < 0) {
            return err(Errno.EINVAL);
        }
        long[] left = {0};
        long r = selectCore(nfds, readfds, writefds, exceptfds, nanos, left);
        if (r >= 0 && timeout != 0) {
            writeTimespec(timeout, left[0], time64);
        }
        return r;
    }

    private long selectCore(int nfds, long readfds, long writefds, long exceptfds, long timeoutNanos, long[] left) {
        if (nfds < 0 || nfds > 1024) {
            return err(Errno.EINVAL);
        }
        long setBytes = ((nfds + 63) / 64) * 8L;
        // A big-endian guest's fd_set is an array of its words: copy whole words and reorder their bytes.
        long guestBytes = data.bigEndian() ? ((nfds + 8L * word - 1) / (8L * word)) * word : (nfds + 7) / 8;
        Scratch s = Scratch.begin();
        MemorySegment tv = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            tv = s.allocate(16);
            tv.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, timeoutNanos / 1_000_000_000L);
            tv.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, (timeoutNanos % 1_000_000_000L) / 1000);
        }
        MemorySegment[] sets = new MemorySegment[3];
        long[] guest = {readfds, writefds, exceptfds};
        for (int i = 0; i < 3; i++) {
            if (guest[i] != 0) {
                // Guest sets may be only 4-byte multiples long: copy into 8-byte aligned host sets.
                sets[i] = s.allocate(Math.max(setBytes, 8));
                host(guest[i], guestBytes, true);
                MemorySegment.copy(memory.segment(), guest[i], sets[i], 0, guestBytes);
                if (data.bigEndian()) {
                    GuestStructFixups.reverseWords(sets[i], guestBytes, word);
                }
            }
        }
        long r = HostSyscall.call(HostNr.SELECT, nfds, sets[0] == null ? 0 : addr(sets[0]),
                sets[1] == null ? 0 : addr(sets[1]), sets[2] == null ? 0 : addr(sets[2]),
                timeoutNanos < 0 ? 0 : addr(tv), 0);
        if (r >= 0) {
            for (int i = 0; i < 3; i++) {
                if (sets[i] != null) {
                    if (data.bigEndian()) {
                        GuestStructFixups.reverseWords(sets[i], guestBytes, word);
                    }
                    MemorySegment.copy(sets[i], 0, memory.segment(), guest[i], guestBytes);
                }
            }
            if (timeoutNanos >= 0) {
                left[0] = i64(tv, 0) * 1_000_000_000L + i64(tv, 8) * 1000;
            }
        }
        return r;
    }

    long pipe2(long fdsAddr, int flags) {
        long r = HostSyscall.call(HostNr.PIPE2, host(fdsAddr, 8, true), flags);
        if (r == 0 && data.bigEndian()) {
            GuestStructFixups.intPair(memory, fdsAddr);
        }
        if (r == 0) {
            fds.add(data.s32(fdsAddr));
            fds.add(data.s32(fdsAddr + 4));
        }
        return r;
    }

    long getdents64(int fd, long buf, long count) {
        long r = HostSyscall.call(HostNr.GETDENTS64, fd, host(buf, count, true), count);
        if (r > 0 && (data.bigEndian() || word == 4)) {
            GuestStructFixups.dirents64(memory, buf, r, data.bigEndian(), word == 4 ? cookies : null);
        }
        return r;
    }

    /**
     * Old getdents: struct linux_dirent {ulong ino; ulong off; ushort reclen; char name[]; char pad; char type}
     * with word-sized ino/off, built from the host's dirent64 records.
     */
    long getdents(int fd, long buf, long count) {
        Scratch s = Scratch.begin();
        long hostCount = Math.min(count, 32 * 1024);
        MemorySegment hbuf = s.allocate(hostCount);
        long pos = HostSyscall.call(HostNr.LSEEK, fd, 0, 1);
        long n = HostSyscall.call(HostNr.GETDENTS64, fd, addr(hbuf), hostCount);
        if (n <= 0) {
            return n;
        }
        long out = 0;
        long off = 0;
        while (off < n) {
            long ino = i64(hbuf, off);
            long doff = i64(hbuf, off + 8);
            int reclen = hbuf.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, off + 16) & 0xffff;
            int type = hbuf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + 18);
            int nameLen = 0;
            while (hbuf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, off + 19 + nameLen) != 0) {
                nameLen++;
            }
            long guestRec = (2L * word + 2 + nameLen + 2 + word - 1) & -word;
            if (out + guestRec > count) {
                // No room: rewind the host directory to this entry so the next call returns it.
                HostSyscall.call(HostNr.LSEEK, fd, off == 0 ? pos : i64(hbuf, prevOffset(hbuf, off)), 0);
                break;
            }
            long at = buf + out;
            memory.checkRange(at, guestRec, true);
            data.putWord(at, ino);
            data.putWord(at + word, doff);
            data.put16(at + 2L * word, (int) guestRec);
            byte[] name = new byte[nameLen];
            MemorySegment.copy(hbuf, java.lang.foreign.ValueLayout.JAVA_BYTE, off + 19, name, 0, nameLen);
            memory.write(at + 2L * word + 2, name, 0, nameLen);
            data.put8(at + 2L * word + 2 + nameLen, 0);
            data.put8(at + guestRec - 1, type);
            out += guestRec;
            off += reclen;
        }
        if (out == 0) {
            return err(Errno.EINVAL);
        }
        return out;
    }

    /** Offset (within the host buffer) of the record before the one at {@code off}. */
    private static long prevOffset(MemorySegment hbuf, long off) {
        long p = 0;
        long prev = 0;
        while (p < off) {
            prev = p;
            p += hbuf.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, p + 16) & 0xffff;
        }
        return prev + 8; // d_off of the previous record: where the next read must start
    }

    long statfs(long pathAddr, int fd, long buf, boolean is64) {
        Scratch s = Scratch.begin();
        MemorySegment st = s.allocate(HostStatfs.SIZE);
        long r = pathAddr != 0 ? HostSyscall.call(HostNr.STATFS, addr(path(s, pathAddr)), addr(st))
                : HostSyscall.call(HostNr.FSTATFS, fd, addr(st));
        if (r < 0) {
            return r;
        }
        process.abi().structs().putStatfs(data, buf, HostStatfs.decode(st), is64);
        return 0;
    }

    long sendfile(LinuxThread thread, int out, int in, long offsetAddr, long count, boolean wide) {
        Scratch s = Scratch.begin();
        MemorySegment off = MemorySegment.NULL;
        if (offsetAddr != 0) {
            off = s.allocate(8);
            off.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, wide ? data.u64(offsetAddr) : signedWord(offsetAddr));
        }
        long r = HostSyscall.call(HostNr.SENDFILE, out, in, addr(off), count);
        if (r >= 0 && offsetAddr != 0) {
            if (wide) {
                data.put64(offsetAddr, i64(off, 0));
            } else {
                data.putWord(offsetAddr, i64(off, 0));
            }
        }
        return brokenPipe(thread, r);
    }
}
