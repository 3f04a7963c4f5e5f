package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A host (x86-64) {@code struct stat}, decoded; offsets from asm/stat.h for x86-64 (144 bytes). */
public record HostStat(long dev, long ino, long nlink, int mode, int uid, int gid, long rdev, long size,
                       long blksize, long blocks, long atime, long atimeNsec, long mtime, long mtimeNsec,
                       long ctime, long ctimeNsec) {
    public static final int SIZE = 144;

    public static HostStat decode(MemorySegment s) {
        ValueLayout.OfLong q = ValueLayout.JAVA_LONG_UNALIGNED;
        ValueLayout.OfInt i = ValueLayout.JAVA_INT_UNALIGNED;
        return new HostStat(s.get(q, 0), s.get(q, 8), s.get(q, 16), s.get(i, 24), s.get(i, 28), s.get(i, 32),
                s.get(q, 40), s.get(q, 48), s.get(q, 56), s.get(q, 64), s.get(q, 72), s.get(q, 80),
                s.get(q, 88), s.get(q, 96), s.get(q, 104), s.get(q, 112));
    }
}
