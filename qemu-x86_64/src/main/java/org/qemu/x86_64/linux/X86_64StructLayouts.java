package org.qemu.x86_64.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.syscall.HostStat;
import org.qemu.common.linux.syscall.HostStatfs;
import org.qemu.common.linux.syscall.StructLayouts;

/**
 * x86-64 struct layouts (asm/stat.h, asm-generic/statfs.h, the kernel's struct sigaction, and the
 * LP64 structs the runtime passes by word size). The guest ABI is the host's own, so every
 * struct the host kernel writes is already in guest form; the constants below record the
 * offsets the runtime relies on, and the tests check each one against the real headers.
 */
final class X86_64StructLayouts implements StructLayouts {
    /** struct stat: 144 bytes; there is no stat64 on x86-64. */
    static final int STAT_SIZE = 144;
    static final int STAT_DEV = 0;
    static final int STAT_INO = 8;
    static final int STAT_NLINK = 16;
    static final int STAT_MODE = 24;
    static final int STAT_UID = 28;
    static final int STAT_GID = 32;
    static final int STAT_RDEV = 40;
    static final int STAT_SIZE_FIELD = 48;
    static final int STAT_BLKSIZE = 56;
    static final int STAT_BLOCKS = 64;
    static final int STAT_ATIME = 72;
    static final int STAT_ATIME_NSEC = 80;
    static final int STAT_MTIME = 88;
    static final int STAT_MTIME_NSEC = 96;
    static final int STAT_CTIME = 104;
    static final int STAT_CTIME_NSEC = 112;

    /** struct statfs: 120 bytes, every field a long but f_fsid's two ints; statfs64 is the same struct. */
    static final int STATFS_SIZE = 120;
    static final int STATFS_TYPE = 0;
    static final int STATFS_BSIZE = 8;
    static final int STATFS_BLOCKS = 16;
    static final int STATFS_BFREE = 24;
    static final int STATFS_BAVAIL = 32;
    static final int STATFS_FILES = 40;
    static final int STATFS_FFREE = 48;
    static final int STATFS_FSID = 56;
    static final int STATFS_NAMELEN = 64;
    static final int STATFS_FRSIZE = 72;
    static final int STATFS_FLAGS = 80;
    static final int STATFS_SPARE = 88;

    /** The kernel's struct sigaction (rt_sigaction): handler, flags, restorer, one 64-bit sigset word. */
    static final int SIGACTION_SIZE = 32;
    static final int SIGACTION_HANDLER = 0;
    static final int SIGACTION_FLAGS = 8;
    static final int SIGACTION_RESTORER = 16;
    static final int SIGACTION_MASK = 24;

    /** struct linux_dirent64 (getdents64): d_ino, d_off, d_reclen, d_type, then the name. */
    static final int DIRENT64_INO = 0;
    static final int DIRENT64_OFF = 8;
    static final int DIRENT64_RECLEN = 16;
    static final int DIRENT64_TYPE = 18;
    static final int DIRENT64_NAME = 19;

    /** struct timespec and struct timeval: two 64-bit longs each. */
    static final int TIMESPEC_SIZE = 16;
    static final int TIMESPEC_NSEC = 8;
    static final int TIMEVAL_SIZE = 16;
    static final int TIMEVAL_USEC = 8;

    /** struct rlimit: two unsigned longs, the same bytes as rlimit64. */
    static final int RLIMIT_SIZE = 16;
    static final int RLIMIT_MAX = 8;

    /** struct new_utsname: six 65-byte strings. */
    static final int UTSNAME_FIELD = 65;
    static final int UTSNAME_SIZE = 6 * UTSNAME_FIELD;

    @Override
    public void putStat64(GuestData d, long a, HostStat s) {
        for (int i = 0; i < STAT_SIZE; i += 8) {
            d.put64(a + i, 0); // __pad0 and __unused[3] read as zero, as the kernel leaves them
        }
        d.put64(a + STAT_DEV, s.dev());
        d.put64(a + STAT_INO, s.ino());
        d.put64(a + STAT_NLINK, s.nlink());
        d.put32(a + STAT_MODE, s.mode());
        d.put32(a + STAT_UID, s.uid());
        d.put32(a + STAT_GID, s.gid());
        d.put64(a + STAT_RDEV, s.rdev());
        d.put64(a + STAT_SIZE_FIELD, s.size());
        d.put64(a + STAT_BLKSIZE, s.blksize());
        d.put64(a + STAT_BLOCKS, s.blocks());
        d.put64(a + STAT_ATIME, s.atime());
        d.put64(a + STAT_ATIME_NSEC, s.atimeNsec());
        d.put64(a + STAT_MTIME, s.mtime());
        d.put64(a + STAT_MTIME_NSEC, s.mtimeNsec());
        d.put64(a + STAT_CTIME, s.ctime());
        d.put64(a + STAT_CTIME_NSEC, s.ctimeNsec());
    }

    /** x86-64 never had the 16-bit old stat: stat/lstat/fstat fill the 144-byte struct (putStat64). */
    @Override
    public boolean putStat(GuestData d, long a, HostStat s) {
        return false;
    }

    @Override
    public void putStatfs(GuestData d, long a, HostStatfs s, boolean is64) {
        for (int i = 0; i < STATFS_SIZE; i += 8) {
            d.put64(a + i, 0);
        }
        d.put64(a + STATFS_TYPE, s.type());
        d.put64(a + STATFS_BSIZE, s.bsize());
        d.put64(a + STATFS_BLOCKS, s.blocks());
        d.put64(a + STATFS_BFREE, s.bfree());
        d.put64(a + STATFS_BAVAIL, s.bavail());
        d.put64(a + STATFS_FILES, s.files());
        d.put64(a + STATFS_FFREE, s.ffree());
        d.put32(a + STATFS_FSID, s.fsid0());
        d.put32(a + STATFS_FSID + 4, s.fsid1());
        d.put64(a + STATFS_NAMELEN, s.namelen());
        d.put64(a + STATFS_FRSIZE, s.frsize());
        d.put64(a + STATFS_FLAGS, s.flags());
    }

    /** x86-64 has only rt_sigaction; {@code old} never arrives (no "sigaction" number), so it is ignored. */
    @Override
    public SignalAction readSigaction(GuestData d, long a, boolean old) {
        return new SignalAction(d.u64(a + SIGACTION_HANDLER), d.u64(a + SIGACTION_FLAGS),
                d.u64(a + SIGACTION_RESTORER), d.u64(a + SIGACTION_MASK));
    }

    @Override
    public void writeSigaction(GuestData d, long a, SignalAction s, boolean old) {
        d.put64(a + SIGACTION_HANDLER, s.handler());
        d.put64(a + SIGACTION_FLAGS, s.flags());
        d.put64(a + SIGACTION_RESTORER, s.restorer());
        d.put64(a + SIGACTION_MASK, s.mask());
    }
}
