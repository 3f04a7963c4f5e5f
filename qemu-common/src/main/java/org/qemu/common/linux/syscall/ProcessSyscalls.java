package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/** Identity, limits, accounting and uname: mostly host calls with word-sized structs converted. */
final class ProcessSyscalls extends SyscallSupport {
    private static final int UTS_FIELD = 65;

    ProcessSyscalls(LinuxProcess process) {
        super(process);
    }

    long uname(long buf) {
        Scratch s = Scratch.begin();
        MemorySegment u = s.allocate(6 * UTS_FIELD);
        long r = HostSyscall.call(HostNr.UNAME, addr(u));
        if (r < 0) {
            return r;
        }
        byte[] bytes = u.toArray(ValueLayout.JAVA_BYTE);
        putField(bytes, 4, process.abi().unameMachine());
        String release = process.options().unameRelease();
        if (release != null) {
            putField(bytes, 2, release);
        }
        memory.write(buf, bytes, 0, bytes.length);
        return 0;
    }

    private static void putField(byte[] uts, int index, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(uts, index * UTS_FIELD, (index + 1) * UTS_FIELD, (byte) 0);
        System.arraycopy(v, 0, uts, index * UTS_FIELD, Math.min(v.length, UTS_FIELD - 1));
    }

    /** struct sysinfo: longs, then procs (u16), pad, totalhigh, freehigh, mem_unit. */
    long sysinfo(long buf) {
        Scratch s = Scratch.begin();
        MemorySegment h = s.allocate(112);
        long r = HostSyscall.call(HostNr.SYSINFO, addr(h));
        if (r < 0) {
            return r;
        }
        int unit = i32(h, 104);
        long scale = 1;
        if (word == 4) {
            // Report memory in units large enough that 32-bit fields do not overflow, as Linux does.
            long total = i64(h, 32);
            while (total / scale > 0xffffffffL) {
                scale <<= 1;
            }
        }
        long at = buf;
        data.putWord(at, i64(h, 0));
        for (int i = 0; i < 3; i++) {
            data.putWord(at + (long) (1 + i) * word, i64(h, 8 + 8L * i));
        }
        for (int i = 0; i < 6; i++) {
            data.putWord(at + (long) (4 + i) * word, i64(h, 32 + 8L * i) / scale);
        }
        long o = at + 10L * word;
        data.put16(o, h.get(ValueLayout.JAVA_SHORT_UNALIGNED, 80));
        data.put16(o + 2, 0);
        long o2 = (o + 4 + word - 1) & -word;
        data.putWord(o2, 0);
        data.putWord(o2 + word, 0);
        data.put32(o2 + 2L * word, (int) (unit * scale));
        return 0;
    }

    /** getrlimit/ugetrlimit: struct rlimit of two words, RLIM_INFINITY clamped to the word. */
    long getrlimit(int resource, long buf) {
        Scratch s = Scratch.begin();
        MemorySegment rl = s.allocate(16);
        long r = HostSyscall.call(HostNr.PRLIMIT64, 0, resource, 0, addr(rl));
        if (r < 0) {
            return r;
        }
        data.putWord(buf, clampLimit(i64(rl, 0)));
        data.putWord(buf + word, clampLimit(i64(rl, 8)));
        return 0;
    }

    private long clampLimit(long v) {
        if (word == 4 && (v < 0 || v > 0xffffffffL)) {
            return 0xffffffffL;
        }
        return v;
    }

    long setrlimit(int resource, long buf) {
        Scratch s = Scratch.begin();
        MemorySegment rl = s.allocate(16);
        for (int i = 0; i < 2; i++) {
            long v = data.word(buf + (long) i * word);
            rl.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8L, word == 4 && v == 0xffffffffL ? -1L : v);
        }
        return HostSyscall.call(HostNr.PRLIMIT64, 0, resource, addr(rl), 0);
    }

    long prlimit64(int pid, int resource, long newLimit, long oldLimit) {
        if (data.bigEndian()) {
            // The host reads and writes struct rlimit64 in place: present it in host order meanwhile.
            if (newLimit != 0) {
                host(newLimit, 16, false);
                GuestStructFixups.rlimit64(memory, newLimit);
            }
            long r = HostSyscall.call(HostNr.PRLIMIT64, pid, resource, newLimit == 0 ? 0 : host(newLimit, 16, false),
                    oldLimit == 0 ? 0 : host(oldLimit, 16, true));
            if (newLimit != 0) {
                GuestStructFixups.rlimit64(memory, newLimit);
            }
            if (r == 0 && oldLimit != 0) {
                GuestStructFixups.rlimit64(memory, oldLimit);
            }
            return r;
        }
        return HostSyscall.call(HostNr.PRLIMIT64, pid, resource, newLimit == 0 ? 0 : host(newLimit, 16, false),
                oldLimit == 0 ? 0 : host(oldLimit, 16, true));
    }

    long getrusage(int who, long buf) {
        Scratch s = Scratch.begin();
        MemorySegment ru = s.allocate(144);
        long r = HostSyscall.call(HostNr.GETRUSAGE, who, addr(ru));
        if (r < 0) {
            return r;
        }
        putRusage(buf, ru);
        return 0;
    }

    /** struct rusage: two timevals then 14 longs, all in the ABI's word size. */
    void putRusage(long buf, MemorySegment hostRusage) {
        for (int i = 0; i < 18; i++) {
            data.putWord(buf + (long) i * word, i64(hostRusage, 8L * i));
        }
    }

    long times(long buf) {
        Scratch s = Scratch.begin();
        MemorySegment t = s.allocate(32);
        long r = HostSyscall.call(HostNr.TIMES, addr(t));
        if (r < 0 && r > -4096) {
            return r;
        }
        if (buf != 0) {
            for (int i = 0; i < 4; i++) {
                data.putWord(buf + (long) i * word, i64(t, 8L * i));
            }
        }
        return word == 4 ? (int) r : r;
    }

    long prctl(LinuxThread thread, int option, long arg2) {
        return switch (option) {
            case 15, 16 -> HostSyscall.call(HostNr.PRCTL, option, host(arg2, 16, option == 16)); // PR_SET_NAME, PR_GET_NAME
            case 1, 3, 4, 36, 37 -> HostSyscall.call(HostNr.PRCTL, option, arg2); // PDEATHSIG, DUMPABLE, CHILD_SUBREAPER
            case 2 -> HostSyscall.call(HostNr.PRCTL, option, host(arg2, 4, true)); // PR_GET_PDEATHSIG
            default -> err(Errno.EINVAL);
        };
    }

    /** getgroups with 16-bit gid_t (old i386 calls) or 32-bit. */
    long getgroups(int size, long list, boolean wide) {
        Scratch s = Scratch.begin();
        MemorySegment g = s.allocate(4L * 65536);
        long n = HostSyscall.call(HostNr.GETGROUPS, Math.min(size, 65536), size == 0 ? 0 : addr(g));
        if (n <= 0 || size == 0) {
            return n;
        }
        for (int i = 0; i < n; i++) {
            int gid = i32(g, 4L * i);
            if (wide) {
                data.put32(list + 4L * i, gid);
            } else {
                data.put16(list + 2L * i, gid > 0xffff ? 65534 : gid);
            }
        }
        return n;
    }

    long getres(int hostNr, long a, long b, long c, boolean wide) {
        Scratch s = Scratch.begin();
        MemorySegment ids = s.allocate(12);
        long r = HostSyscall.call(hostNr, addr(ids), addr(ids) + 4, addr(ids) + 8);
        if (r < 0) {
            return r;
        }
        long[] out = {a, b, c};
        for (int i = 0; i < 3; i++) {
            int id = i32(ids, 4L * i);
            if (wide) {
                data.put32(out[i], id);
            } else {
                data.put16(out[i], id > 0xffff ? 65534 : id);
            }
        }
        return 0;
    }

    long getrandom(long buf, long len, int flags) {
        return HostSyscall.call(HostNr.GETRANDOM, host(buf, len, true), len, flags);
    }

    /** getcpu(cpu, node, cache): two optional u32 results; the cache argument is unused since Linux 2.6.24. */
    long getcpu(long cpu, long node) {
        Scratch s = Scratch.begin();
        MemorySegment out = s.allocate(8);
        long r = HostSyscall.call(HostNr.GETCPU, addr(out), addr(out) + 4, 0);
        if (r == 0) {
            if (cpu != 0) {
                data.put32(cpu, i32(out, 0));
            }
            if (node != 0) {
                data.put32(node, i32(out, 4));
            }
        }
        return r;
    }

    long schedGetaffinity(int pid, long len, long mask) {
        long hostLen = Math.max(8, len & ~7L);
        Scratch s = Scratch.begin();
        MemorySegment m = s.allocate(hostLen);
        long r = HostSyscall.call(HostNr.SCHED_GETAFFINITY, pid, hostLen, addr(m));
        if (r < 0) {
            return r;
        }
        long n = Math.min(r, len);
        MemorySegment.copy(m, 0, memory.segment(), host(mask, n, true) - memory.segment().address(), n);
        return n;
    }
}
