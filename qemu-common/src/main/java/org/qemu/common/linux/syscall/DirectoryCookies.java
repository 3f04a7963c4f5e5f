package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * Directory positions of a 32-bit guest. A 64-bit host hands out 63-bit directory cookies
 * (ext4 hashes) that a 32-bit off_t cannot hold, so getdents64 gives the guest a 31-bit cut of
 * each; this remembers which full cookie every cut stands for, so that seekdir's lseek on a
 * directory lands where telldir was. Cuts of two cookies can collide (the later one wins); the
 * table is bounded and forgets everything when full, after which old positions act as plain cuts.
 */
final class DirectoryCookies {
    private static final int LIMIT = 1 << 20;
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    /** st_mode in the x86-64 struct stat. */
    private static final int HOST_STAT_MODE = 24;

    private final ConcurrentHashMap<Long, Long> fullByCut = new ConcurrentHashMap<>();

    /** The value a 32-bit guest sees for {@code cookie}. */
    long cut(long cookie) {
        if (cookie == (int) cookie && cookie >= 0) {
            return cookie;
        }
        long cut = cookie & 0x7fffffffL;
        if (fullByCut.size() >= LIMIT) {
            fullByCut.clear();
        }
        fullByCut.put(cut, cookie);
        return cut;
    }

    /** The host offset for an absolute seek on {@code fd}: the full cookie if fd is a directory and offset a cut one. */
    long hostOffset(int fd, long offset) {
        Long full = fullByCut.get(offset);
        if (full == null) {
            return offset;
        }
        MemorySegment st = Scratch.begin().allocate(HostStat.SIZE);
        if (HostSyscall.call(HostNr.FSTAT, fd, st.address()) < 0) {
            return offset;
        }
        int mode = st.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, HOST_STAT_MODE);
        return (mode & S_IFMT) == S_IFDIR ? full : offset;
    }
}
