package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A host (x86-64) {@code struct statfs} (120 bytes, every field 8 bytes but f_fsid's two ints). */
public record HostStatfs(long type, long bsize, long blocks, long bfree, long bavail, long files, long ffree,
                         int fsid0, int fsid1, long namelen, long frsize, long flags) {
    public static final int SIZE = 120;

    public static HostStatfs decode(MemorySegment s) {
        ValueLayout.OfLong q = ValueLayout.JAVA_LONG_UNALIGNED;
        ValueLayout.OfInt i = ValueLayout.JAVA_INT_UNALIGNED;
        return new HostStatfs(s.get(q, 0), s.get(q, 8), s.get(q, 16), s.get(q, 24), s.get(q, 32), s.get(q, 40),
                s.get(q, 48), s.get(i, 56), s.get(i, 60), s.get(q, 64), s.get(q, 72), s.get(q, 80));
    }
}
