package org.qemu.ppc.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.syscall.HostStat;
import org.qemu.common.linux.syscall.HostStatfs;
import org.qemu.common.linux.syscall.StructLayouts;

/**
 * ppc32 struct layouts, offsets from the kernel's asm/stat.h, asm-generic/statfs.h and
 * asm/signal.h for 32-bit PowerPC (big-endian; 64-bit members are 8-byte aligned, unlike i386).
 */
final class PpcStructLayouts implements StructLayouts {
    /** struct stat64: 104 bytes. */
    static final int STAT64_SIZE = 104;
    /** Old struct stat: 72 bytes (mode is 32-bit, nlink 16-bit on ppc32). */
    static final int STAT_SIZE = 72;

    @Override
    public void putStat64(GuestData d, long a, HostStat s) {
        for (int i = 0; i < STAT64_SIZE; i += 4) {
            d.put32(a + i, 0);
        }
        d.put64(a, s.dev());
        d.put64(a + 8, s.ino());
        d.put32(a + 16, s.mode());
        d.put32(a + 20, (int) s.nlink());
        d.put32(a + 24, s.uid());
        d.put32(a + 28, s.gid());
        d.put64(a + 32, s.rdev());
        // unsigned short __pad2 at 40, then long long st_size aligned to 8.
        d.put64(a + 48, s.size());
        d.put32(a + 56, (int) s.blksize());
        d.put64(a + 64, s.blocks());
        d.put32(a + 72, (int) s.atime());
        d.put32(a + 76, (int) s.atimeNsec());
        d.put32(a + 80, (int) s.mtime());
        d.put32(a + 84, (int) s.mtimeNsec());
        d.put32(a + 88, (int) s.ctime());
        d.put32(a + 92, (int) s.ctimeNsec());
    }

    @Override
    public boolean putStat(GuestData d, long a, HostStat s) {
        for (int i = 0; i < STAT_SIZE; i += 4) {
            d.put32(a + i, 0);
        }
        d.put32(a, (int) s.dev());
        d.put32(a + 4, (int) s.ino());
        d.put32(a + 8, s.mode());
        d.put16(a + 12, (int) Math.min(s.nlink(), 0xffff));
        d.put32(a + 16, s.uid());
        d.put32(a + 20, s.gid());
        d.put32(a + 24, (int) s.rdev());
        d.put32(a + 28, (int) s.size());
        d.put32(a + 32, (int) s.blksize());
        d.put32(a + 36, (int) s.blocks());
        d.put32(a + 40, (int) s.atime());
        d.put32(a + 44, (int) s.atimeNsec());
        d.put32(a + 48, (int) s.mtime());
        d.put32(a + 52, (int) s.mtimeNsec());
        d.put32(a + 56, (int) s.ctime());
        d.put32(a + 60, (int) s.ctimeNsec());
        return true;
    }

    @Override
    public void putStatfs(GuestData d, long a, HostStatfs s, boolean is64) {
        if (is64) {
            // struct statfs64: two words, five u64 (8-aligned from offset 8), fsid, then words; 88 bytes.
            for (int i = 0; i < 88; i += 4) {
                d.put32(a + i, 0);
            }
            d.put32(a, (int) s.type());
            d.put32(a + 4, (int) s.bsize());
            d.put64(a + 8, s.blocks());
            d.put64(a + 16, s.bfree());
            d.put64(a + 24, s.bavail());
            d.put64(a + 32, s.files());
            d.put64(a + 40, s.ffree());
            d.put32(a + 48, s.fsid0());
            d.put32(a + 52, s.fsid1());
            d.put32(a + 56, (int) s.namelen());
            d.put32(a + 60, (int) s.frsize());
            d.put32(a + 64, (int) s.flags());
        } else {
            for (int i = 0; i < 64; i += 4) {
                d.put32(a + i, 0);
            }
            long[] words = {s.type(), s.bsize(), s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree()};
            for (int i = 0; i < words.length; i++) {
                d.put32(a + 4L * i, (int) Math.min(words[i], 0xffffffffL));
            }
            d.put32(a + 28, s.fsid0());
            d.put32(a + 32, s.fsid1());
            d.put32(a + 36, (int) s.namelen());
            d.put32(a + 40, (int) s.frsize());
            d.put32(a + 44, (int) s.flags());
        }
    }

    /**
     * rt_sigaction's struct sigaction: handler, flags, restorer, then sigset_t as two words
     * (sig[0] = signals 1..32 first). The old one: handler, one-word mask, flags, restorer.
     */
    @Override
    public SignalAction readSigaction(GuestData d, long a, boolean old) {
        if (old) {
            return new SignalAction(d.u32(a), d.u32(a + 8), d.u32(a + 12), d.u32(a + 4));
        }
        long mask = d.u32(a + 12) | d.u32(a + 16) << 32;
        return new SignalAction(d.u32(a), d.u32(a + 4), d.u32(a + 8), mask);
    }

    @Override
    public void writeSigaction(GuestData d, long a, SignalAction action, boolean old) {
        if (old) {
            d.put32(a, (int) action.handler());
            d.put32(a + 4, (int) action.mask());
            d.put32(a + 8, (int) action.flags());
            d.put32(a + 12, (int) action.restorer());
            return;
        }
        d.put32(a, (int) action.handler());
        d.put32(a + 4, (int) action.flags());
        d.put32(a + 8, (int) action.restorer());
        d.put32(a + 12, (int) action.mask());
        d.put32(a + 16, (int) (action.mask() >>> 32));
    }

    /** ppc32's struct flock64 aligns its __kernel_loff_t l_start to 8: short, short, pad, start, len, pid. */
    @Override
    public int flock64StartOffset() {
        return 8;
    }
}
