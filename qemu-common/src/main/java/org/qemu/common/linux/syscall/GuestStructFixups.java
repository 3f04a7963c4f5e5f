package org.qemu.common.linux.syscall;

import org.qemu.common.memory.GuestMemory;

/**
 * Repairs for the calls that let the (64-bit, little-endian) host kernel read or write a guest
 * buffer in place. On a big-endian guest every multi-byte field of those structs must be
 * reversed after the host wrote it (and before the host reads it). Offsets are the kernel's
 * arch-neutral layouts (struct statx, linux_dirent64, pollfd, rlimit64).
 */
final class GuestStructFixups {
    private GuestStructFixups() {
    }

    private static void swap16(GuestMemory m, long a) {
        m.load(a, new byte[] {(byte) m.read8(a + 1), (byte) m.read8(a)}, 0, 2);
    }

    private static void swap32(GuestMemory m, long a) {
        int v = m.read32(a); // little-endian view; written back most significant byte first
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        m.load(a, b, 0, 4);
    }

    private static void swap64(GuestMemory m, long a) {
        long v = m.read64(a);
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (56 - 8 * i));
        }
        m.load(a, b, 0, 8);
    }

    /** Reverses the bytes of each {@code word}-byte group of a host buffer (a big-endian guest's bitmap of words). */
    static void reverseWords(java.lang.foreign.MemorySegment buffer, long bytes, int word) {
        for (long w = 0; w + word <= bytes; w += word) {
            for (int i = 0; i < word / 2; i++) {
                byte a = buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, w + i);
                byte b = buffer.get(java.lang.foreign.ValueLayout.JAVA_BYTE, w + word - 1 - i);
                buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, w + i, b);
                buffer.set(java.lang.foreign.ValueLayout.JAVA_BYTE, w + word - 1 - i, a);
            }
        }
    }

    /** int fds[2]. */
    static void intPair(GuestMemory m, long a) {
        swap32(m, a);
        swap32(m, a + 4);
    }

    /** struct rlimit64 { u64 cur, max }. */
    static void rlimit64(GuestMemory m, long a) {
        swap64(m, a);
        swap64(m, a + 8);
    }

    /** struct pollfd { int fd; short events, revents; } x n. */
    static void pollfds(GuestMemory m, long a, long n) {
        for (long i = 0; i < n; i++) {
            swap32(m, a + 8 * i);
            swap16(m, a + 8 * i + 4);
            swap16(m, a + 8 * i + 6);
        }
    }

    /** struct statx (256 bytes). */
    static void statx(GuestMemory m, long a) {
        swap32(m, a);          // stx_mask
        swap32(m, a + 4);      // stx_blksize
        swap64(m, a + 8);      // stx_attributes
        swap32(m, a + 16);     // stx_nlink
        swap32(m, a + 20);     // stx_uid
        swap32(m, a + 24);     // stx_gid
        swap16(m, a + 28);     // stx_mode
        swap64(m, a + 32);     // stx_ino
        swap64(m, a + 40);     // stx_size
        swap64(m, a + 48);     // stx_blocks
        swap64(m, a + 56);     // stx_attributes_mask
        for (long t = 64; t <= 112; t += 16) { // atime, btime, ctime, mtime: s64 sec, u32 nsec
            swap64(m, a + t);
            swap32(m, a + t + 8);
        }
        for (long f = 128; f < 144; f += 4) { // rdev and dev major/minor
            swap32(m, a + f);
        }
        swap64(m, a + 144);    // stx_mnt_id
        swap32(m, a + 152);    // stx_dio_mem_align
        swap32(m, a + 156);    // stx_dio_offset_align
    }

    /**
     * A buffer of {@code bytes} bytes of struct linux_dirent64 { u64 ino; s64 off; u16 reclen;
     * u8 type; name }, still in host order. For a 32-bit guest, d_off is cut to 31 bits: a
     * 64-bit host hands out 63-bit directory hash cookies (a 32-bit kernel gives 32-bit ones),
     * and 32-bit glibc's readdir fails with EOVERFLOW on any offset that does not fit its off_t.
     * {@code cookies} remembers the full value behind each cut, for seekdir (null: 64-bit guest).
     */
    static void dirents64(GuestMemory m, long a, long bytes, boolean bigEndian, DirectoryCookies cookies) {
        long p = a;
        while (p < a + bytes) {
            int reclen = m.read16(p + 16);
            if (cookies != null) {
                long off = m.read64(p + 8);
                if (off != (int) off || off < 0) {
                    byte[] b = new byte[8];
                    long cut = cookies.cut(off);
                    for (int i = 0; i < 8; i++) {
                        b[i] = (byte) (cut >>> (8 * i));
                    }
                    m.load(p + 8, b, 0, 8);
                }
            }
            if (bigEndian) {
                swap64(m, p);
                swap64(m, p + 8);
                swap16(m, p + 16);
            }
            if (reclen <= 0) {
                return;
            }
            p += reclen;
        }
    }
}
