package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.TreeMap;

import org.qemu.common.linux.AddressSpace;
import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.memory.GuestMemory;

/**
 * brk, mmap, munmap, mprotect, mremap, madvise. Private file mappings are copies of the
 * file; shared mappings are real host mappings placed inside the guest reservation, so writes
 * reach the file and other processes: of the guest's file, or of a memfd for MAP_SHARED |
 * MAP_ANONYMOUS. Each keeps a host descriptor of its own (close-on-exec, out of the guest's
 * sight), so a forked child maps the same pages again whatever the guest closed since. The page
 * protections the guest sees are always GuestMemory's.
 */
public final class MemorySyscalls extends SyscallSupport {
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    private static final int HOST_PROT_READ = 1;
    private static final int HOST_PROT_WRITE = 2;
    private static final int HOST_MAP_PRIVATE = 0x02;
    private static final int HOST_MAP_SHARED = 0x01;
    private static final int HOST_MAP_FIXED = 0x10;
    private static final int HOST_MAP_ANONYMOUS = 0x20;
    private static final int HOST_MAP_NORESERVE = 0x4000;

    private final AddressSpace space;
    /** Shared mappings by start, which must be turned back into private anonymous memory when unmapped. */
    private final TreeMap<Long, SharedMapping> shared = new TreeMap<>();

    /**
     * Guest pages {@code [start, end)} mapped MAP_SHARED from host descriptor {@code hostFd} at
     * {@code fileOffset}, with host protection {@code hostProt}. The descriptor is the emulator's
     * (close-on-exec, at or above {@link #PRIVATE_FD_FLOOR}), shared by the pieces of a split mapping.
     */
    public record SharedMapping(long start, long end, int hostFd, long fileOffset, int hostProt) {
    }

    /**
     * Where the descriptors kept for shared mappings go: high, so the numbers a guest's open()
     * gets stay the ones it would get natively (where a mapping keeps no descriptor).
     */
    static final int PRIVATE_FD_FLOOR = 700;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int MFD_CLOEXEC = 1;

    MemorySyscalls(LinuxProcess process) {
        super(process);
        this.space = process.space();
    }

    long brk(long requested) {
        if (requested == 0) {
            return space.brk();
        }
        return space.setBrk(requested);
    }

    public synchronized long mmap(long address, long length, int prot, int flags, int fd, long offset) {
        if (length == 0 || (offset & (AddressSpace.PAGE - 1)) != 0) {
            return err(Errno.EINVAL);
        }
        long len = AddressSpace.pageUp(length);
        if (len <= 0 || len > memory.size()) {
            return err(Errno.ENOMEM);
        }
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        boolean isShared = (flags & 0x03) == MAP_SHARED;
        long at;
        if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0) {
            if ((address & (AddressSpace.PAGE - 1)) != 0 || address + len > memory.size() || address < 0) {
                return err(Errno.EINVAL);
            }
            if ((flags & MAP_FIXED_NOREPLACE) != 0 && !memory.isFree(address, len)) {
                return err(Errno.EEXIST);
            }
            at = address;
        } else if (address != 0 && (address & (AddressSpace.PAGE - 1)) == 0 && address + len <= memory.size()
                && address >= process.abi().mmapBottom() && memory.isFree(address, len)) {
            at = address;
        } else {
            at = space.findFree(len);
            if (at < 0) {
                return err(Errno.ENOMEM);
            }
        }
        int guestProt = prot & 7;
        if (!anonymous) {
            long check = HostSyscall.call(HostNr.FCNTL, fd, 3, 0); // F_GETFL: also validates fd
            if (check < 0) {
                return check;
            }
        }
        releaseShared(at, len);
        if (!isShared) {
            memory.map(at, len, GuestMemory.READ | GuestMemory.WRITE);
            if (!anonymous) {
                long mapped = mapFilePages(fd, at, len, offset);
                long r = mapped >= length ? 0 : copyFile(fd, at + mapped, length - mapped, offset + mapped);
                if (r < 0) {
                    memory.unmap(at, len);
                    return r;
                }
            }
            memory.protect(at, len, toGuest(guestProt));
            return at;
        }
        // MAP_SHARED: map the file itself (or, anonymous, a memfd) over this part of the reservation
        long hostFd;
        int hostProt;
        long fileOffset;
        if (anonymous) {
            hostFd = sharedAnonymousMemory(len);
            hostProt = HOST_PROT_READ | HOST_PROT_WRITE;
            fileOffset = 0;
        } else {
            hostFd = HostSyscall.call(HostNr.FCNTL, fd, F_DUPFD_CLOEXEC, PRIVATE_FD_FLOOR);
            hostProt = HOST_PROT_READ | ((guestProt & 2) != 0 ? HOST_PROT_WRITE : 0);
            fileOffset = offset;
        }
        if (hostFd < 0) {
            return hostFd;
        }
        long r = HostSyscall.call(HostNr.MMAP, memory.segment().address() + at, len, hostProt,
                HOST_MAP_SHARED | HOST_MAP_FIXED, hostFd, fileOffset);
        if (r < 0) {
            HostSyscall.call(HostNr.CLOSE, hostFd);
            anonymousAgain(at, len);
            return r;
        }
        memory.map(at, len, toGuest(guestProt));
        shared.put(at, new SharedMapping(at, at + len, (int) hostFd, fileOffset, hostProt));
        memory.shareWithOtherProcesses();
        return at;
    }

    /** A memfd of {@code length} zero bytes for MAP_SHARED | MAP_ANONYMOUS, as a kept descriptor; or -errno. */
    private static long sharedAnonymousMemory(long length) {
        long memfd = HostSyscall.call(HostNr.MEMFD_CREATE, Scratch.begin().cString("qemu-shared-anonymous").address(), MFD_CLOEXEC);
        if (memfd < 0) {
            return memfd;
        }
        try {
            long r = HostSyscall.call(HostNr.FTRUNCATE, memfd, length);
            return r < 0 ? r : HostSyscall.call(HostNr.FCNTL, memfd, F_DUPFD_CLOEXEC, PRIVATE_FD_FLOOR);
        } finally {
            HostSyscall.call(HostNr.CLOSE, memfd);
        }
    }

    /** The shared mappings, for a fork snapshot: the child maps each again from its descriptor. */
    public synchronized java.util.List<SharedMapping> sharedMappings() {
        return java.util.List.copyOf(shared.values());
    }

    /**
     * The fork child's side: maps {@code m} from its descriptor (inherited from the parent) over
     * the reservation and keeps it; the page protections come with the snapshot's page runs.
     */
    public synchronized void adoptShared(SharedMapping m) throws java.io.IOException {
        HostSyscall.call(HostNr.FCNTL, m.hostFd(), 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        long r = HostSyscall.call(HostNr.MMAP, memory.segment().address() + m.start(), m.end() - m.start(), m.hostProt(),
                HOST_MAP_SHARED | HOST_MAP_FIXED, m.hostFd(), m.fileOffset());
        if (r < 0) {
            throw new java.io.IOException("fork: cannot map the shared pages at 0x" + Long.toHexString(m.start()) + " again (errno " + -r + ")");
        }
        shared.put(m.start(), m);
        memory.shareWithOtherProcesses();
    }

    /**
     * MAP_PRIVATE of a regular file: the whole pages the file covers are mapped from it (copy on
     * write), so only what the guest touches is read: the dynamic loader maps every library
     * this way, most of whose pages a short program never reads. Pages at or past the end of the
     * file are left to {@link #copyFile} (a host access past the end would be SIGBUS). Returns
     * how many bytes from {@code at} are mapped (0 when the host refuses or it is no regular file).
     */
    private long mapFilePages(int fd, long at, long len, long offset) {
        MemorySegment stat = Scratch.begin().allocate(STAT_SIZE);
        if (HostSyscall.call(HostNr.FSTAT, fd, stat.address()) != 0
                || (stat.get(ValueLayout.JAVA_INT, STAT_MODE) & S_IFMT) != S_IFREG) {
            return 0;
        }
        long fileSize = stat.get(ValueLayout.JAVA_LONG, STAT_SIZE_FIELD);
        long pages = Math.min(len, AddressSpace.pageUp(Math.max(0, fileSize - offset)));
        if (pages <= 0 || !memory.mapFile(at, pages, fd, offset, GuestMemory.READ | GuestMemory.WRITE)) {
            return 0;
        }
        return pages;
    }

    /** struct stat of x86-64 Linux: size, st_mode and st_size offsets. */
    private static final int STAT_SIZE = 144;
    private static final int STAT_MODE = 24;
    private static final int STAT_SIZE_FIELD = 48;
    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;

    /** MAP_PRIVATE of a file: its bytes copied in (past end of file stays zero). */
    private long copyFile(int fd, long at, long length, long offset) {
        long done = 0;
        long base = memory.segment().address();
        while (done < length) {
            long n = HostSyscall.call(HostNr.PREAD64, fd, base + at + done, length - done, offset + done);
            if (n < 0) {
                return n;
            }
            if (n == 0) {
                break;
            }
            done += n;
        }
        return 0;
    }

    private static int toGuest(int prot) {
        int g = 0;
        if ((prot & 1) != 0) {
            g |= GuestMemory.READ;
        }
        if ((prot & 2) != 0) {
            g |= GuestMemory.WRITE | GuestMemory.READ;
        }
        if ((prot & 4) != 0) {
            g |= GuestMemory.EXEC | GuestMemory.READ;
        }
        return g;
    }

    public synchronized long munmap(long address, long length) {
        if ((address & (AddressSpace.PAGE - 1)) != 0 || length <= 0) {
            return err(Errno.EINVAL);
        }
        long len = AddressSpace.pageUp(length);
        if (address + len > memory.size()) {
            return err(Errno.EINVAL);
        }
        releaseShared(address, len);
        memory.unmap(address, len);
        return 0;
    }

    /** Puts private anonymous memory back where shared file mappings overlapped the range. */
    private void releaseShared(long address, long len) {
        long end = address + len;
        var overlapping = new java.util.ArrayList<Long>();
        for (var e : shared.entrySet()) {
            if (e.getKey() < end && e.getValue().end() > address) {
                overlapping.add(e.getKey());
            }
        }
        for (long start : overlapping) {
            SharedMapping m = shared.remove(start);
            long from = Math.max(start, address);
            long to = Math.min(m.end(), end);
            anonymousAgain(from, to - from);
            memory.unmap(from, to - from);
            if (start < from) {
                shared.put(start, new SharedMapping(start, from, m.hostFd(), m.fileOffset(), m.hostProt()));
            }
            if (m.end() > to) {
                shared.put(to, new SharedMapping(to, m.end(), m.hostFd(), m.fileOffset() + (to - start), m.hostProt()));
            }
            if (shared.values().stream().noneMatch(other -> other.hostFd() == m.hostFd())) {
                HostSyscall.call(HostNr.CLOSE, m.hostFd());
            }
        }
    }

    private void anonymousAgain(long at, long len) {
        HostSyscall.call(HostNr.MMAP, memory.segment().address() + at, len, HOST_PROT_READ | HOST_PROT_WRITE,
                HOST_MAP_PRIVATE | HOST_MAP_ANONYMOUS | HOST_MAP_FIXED | HOST_MAP_NORESERVE, -1, 0);
    }

    public synchronized long mprotect(long address, long length, int prot) {
        if ((address & (AddressSpace.PAGE - 1)) != 0) {
            return err(Errno.EINVAL);
        }
        long len = AddressSpace.pageUp(length);
        if (len == 0) {
            return 0;
        }
        if (address + len > memory.size()) {
            return err(Errno.ENOMEM);
        }
        if ((prot & 2) != 0) {
            for (var e : shared.entrySet()) {
                if (e.getKey() < address + len && e.getValue().end() > address && (e.getValue().hostProt() & HOST_PROT_WRITE) == 0) {
                    // The host mapping is read-only; Linux refuses as well when the file is.
                    return err(Errno.EACCES);
                }
            }
        }
        return memory.protect(address, len, toGuest(prot)) ? 0 : err(Errno.ENOMEM);
    }

    public synchronized long mremap(long oldAddress, long oldSize, long newSize, int flags, long newAddress) {
        final int mayMove = 1;
        final int fixed = 2;
        if ((oldAddress & (AddressSpace.PAGE - 1)) != 0 || newSize == 0) {
            return err(Errno.EINVAL);
        }
        long oldLen = AddressSpace.pageUp(oldSize);
        long newLen = AddressSpace.pageUp(newSize);
        if (!memory.isMapped(oldAddress, Math.max(oldLen, AddressSpace.PAGE))) {
            return err(Errno.EFAULT);
        }
        if ((flags & fixed) == 0) {
            if (newLen <= oldLen) {
                if (newLen < oldLen) {
                    munmap(oldAddress + newLen, oldLen - newLen);
                }
                return oldAddress;
            }
            if (oldAddress + newLen <= memory.size() && memory.isFree(oldAddress + oldLen, newLen - oldLen)) {
                memory.map(oldAddress + oldLen, newLen - oldLen, memory.accessAt(oldAddress));
                return oldAddress;
            }
            if ((flags & mayMove) == 0) {
                return err(Errno.ENOMEM);
            }
        }
        long target = (flags & fixed) != 0 ? newAddress : space.findFree(newLen);
        if (target < 0) {
            return err(Errno.ENOMEM);
        }
        if ((flags & fixed) != 0) {
            munmap(target, newLen);
        }
        memory.map(target, newLen, GuestMemory.READ | GuestMemory.WRITE);
        MemorySegment seg = memory.segment();
        MemorySegment.copy(seg, oldAddress, seg, target, Math.min(oldLen, newLen));
        for (long p = 0; p < newLen; p += AddressSpace.PAGE) {
            long src = oldAddress + Math.min(p, oldLen - AddressSpace.PAGE);
            memory.protect(target + p, AddressSpace.PAGE, memory.accessAt(src));
        }
        munmap(oldAddress, oldLen);
        return target;
    }

    long madvise(long address, long length, int advice) {
        final int dontNeed = 4;
        if ((address & (AddressSpace.PAGE - 1)) != 0) {
            return err(Errno.EINVAL);
        }
        if (advice == dontNeed && length > 0) {
            long len = AddressSpace.pageUp(length);
            if (!memory.isMapped(address, len)) {
                return err(Errno.ENOMEM);
            }
            HostSyscall.call(HostNr.MADVISE, memory.segment().address() + address, len, dontNeed);
        }
        return 0;
    }

    /** True when {@code address} lies in a shared mapping (other processes may see and change it). */
    public synchronized boolean isShared(long address) {
        var e = shared.floorEntry(address);
        return e != null && e.getValue().end() > address;
    }
}
