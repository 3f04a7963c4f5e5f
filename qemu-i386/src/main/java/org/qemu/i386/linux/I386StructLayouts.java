package org.qemu.i386.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.syscall.HostStat;
import org.qemu.common.linux.syscall.HostStatfs;
import org.qemu.common.linux.syscall.StructLayouts;

/** i386 struct layouts (asm/stat.h, asm/statfs.h, the kernel's sigaction): offsets are ABI facts. */
final class I386StructLayouts implements StructLayouts {

    /** struct stat64: 96 bytes, 64-bit fields only 4-byte aligned. */
    @Override
    public void putStat64(GuestData d, long a, HostStat s) {
        d.put64(a, s.dev());
        d.put32(a + 8, 0);
        d.put32(a + 12, (int) s.ino());
        d.put32(a + 16, s.mode());
        d.put32(a + 20, (int) s.nlink());
        d.put32(a + 24, s.uid());
        d.put32(a + 28, s.gid());
        d.put64(a + 32, s.rdev());
        d.put32(a + 40, 0);
        d.put64(a + 44, s.size());
        d.put32(a + 52, (int) s.blksize());
        d.put64(a + 56, s.blocks());
        d.put32(a + 64, (int) s.atime());
        d.put32(a + 68, (int) s.atimeNsec());
        d.put32(a + 72, (int) s.mtime());
        d.put32(a + 76, (int) s.mtimeNsec());
        d.put32(a + 80, (int) s.ctime());
        d.put32(a + 84, (int) s.ctimeNsec());
        d.put64(a + 88, s.ino());
    }

    /** The old struct stat: 64 bytes, 16-bit mode/nlink/uid/gid. */
    @Override
    public boolean putStat(GuestData d, long a, HostStat s) {
        d.put32(a, (int) s.dev());
        d.put32(a + 4, (int) s.ino());
        d.put16(a + 8, s.mode());
        d.put16(a + 10, (int) s.nlink());
        d.put16(a + 12, s.uid());
        d.put16(a + 14, s.gid());
        d.put32(a + 16, (int) s.rdev());
        d.put32(a + 20, (int) s.size());
        d.put32(a + 24, (int) s.blksize());
        d.put32(a + 28, (int) s.blocks());
        d.put32(a + 32, (int) s.atime());
        d.put32(a + 36, (int) s.atimeNsec());
        d.put32(a + 40, (int) s.mtime());
        d.put32(a + 44, (int) s.mtimeNsec());
        d.put32(a + 48, (int) s.ctime());
        d.put32(a + 52, (int) s.ctimeNsec());
        d.put32(a + 56, 0);
        d.put32(a + 60, 0);
        return true;
    }

    /** struct statfs64 (84 bytes, packed to 4) or struct statfs (64 bytes). */
    @Override
    public void putStatfs(GuestData d, long a, HostStatfs s, boolean is64) {
        d.put32(a, (int) s.type());
        d.put32(a + 4, (int) s.bsize());
        long p = a + 8;
        long[] counts = {s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree()};
        for (long c : counts) {
            if (is64) {
                d.put64(p, c);
                p += 8;
            } else {
                d.put32(p, (int) Math.min(c, 0xffffffffL));
                p += 4;
            }
        }
        d.put32(p, s.fsid0());
        d.put32(p + 4, s.fsid1());
        d.put32(p + 8, (int) s.namelen());
        d.put32(p + 12, (int) s.frsize());
        d.put32(p + 16, (int) s.flags());
        for (int i = 0; i < 4; i++) {
            d.put32(p + 20 + 4L * i, 0);
        }
    }

    /** rt: {handler, flags, restorer, sigset_t mask (8 bytes)}; old: {handler, u32 mask, flags, restorer}. */
    @Override
    public SignalAction readSigaction(GuestData d, long a, boolean old) {
        if (old) {
            return new SignalAction(d.u32(a), d.u32(a + 8), d.u32(a + 12), d.u32(a + 4));
        }
        return new SignalAction(d.u32(a), d.u32(a + 4), d.u32(a + 8), d.u32(a + 12) | (d.u32(a + 16) << 32));
    }

    @Override
    public void writeSigaction(GuestData d, long a, SignalAction s, boolean old) {
        if (old) {
            d.put32(a, (int) s.handler());
            d.put32(a + 4, (int) s.mask());
            d.put32(a + 8, (int) s.flags());
            d.put32(a + 12, (int) s.restorer());
            return;
        }
        d.put32(a, (int) s.handler());
        d.put32(a + 4, (int) s.flags());
        d.put32(a + 8, (int) s.restorer());
        d.put32(a + 12, (int) s.mask());
        d.put32(a + 16, (int) (s.mask() >>> 32));
    }
}
