package org.qemu.common.linux.syscall;

import java.lang.foreign.MemorySegment;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/** Clocks and sleeps. Sleeps wait in Java so that a signal for the guest can end them (EINTR). */
final class TimeSyscalls extends SyscallSupport {
    private static final int CLOCK_REALTIME = 0;
    private static final int TIMER_ABSTIME = 1;

    TimeSyscalls(LinuxProcess process) {
        super(process);
    }

    private long hostClock(int clock, boolean resolution) {
        Scratch s = Scratch.begin();
        MemorySegment ts = s.allocate(16);
        long r = HostSyscall.call(resolution ? HostNr.CLOCK_GETRES : HostNr.CLOCK_GETTIME, clock, addr(ts));
        if (r < 0) {
            return Long.MIN_VALUE + (-r);
        }
        return i64(ts, 0) * 1_000_000_000L + i64(ts, 8);
    }

    private static boolean failed(long v) {
        return v < Long.MIN_VALUE + 4096;
    }

    private static long errnoOf(long v) {
        return -(v - Long.MIN_VALUE);
    }

    long clockGettime(int clock, long tsAddr, boolean time64, boolean resolution) {
        long n = hostClock(clock, resolution);
        if (failed(n)) {
            return errnoOf(n);
        }
        if (tsAddr != 0) {
            writeTimespec(tsAddr, n, time64);
        }
        return 0;
    }

    long gettimeofday(long tv, long tz) {
        long n = hostClock(CLOCK_REALTIME, false);
        if (tv != 0) {
            putWordPair(tv, n / 1_000_000_000L, (n % 1_000_000_000L) / 1000);
        }
        if (tz != 0) {
            data.put32(tz, 0);
            data.put32(tz + 4, 0);
        }
        return 0;
    }

    long time(long tloc) {
        long sec = hostClock(CLOCK_REALTIME, false) / 1_000_000_000L;
        if (tloc != 0) {
            data.putWord(tloc, sec);
        }
        return sec;
    }

    long nanosleep(LinuxThread thread, long req, long rem, boolean time64) {
        long nanos = readTimespecNanos(req, time64);
        if (nanos < 0) {
            return err(Errno.EINVAL);
        }
        return sleep(thread, nanos, rem, time64);
    }

    private long sleep(LinuxThread thread, long nanos, long rem, boolean time64) {
        long start = System.nanoTime();
        if (process.waitForSignal(thread, nanos)) {
            if (rem != 0) {
                writeTimespec(rem, Math.max(0, nanos - (System.nanoTime() - start)), time64);
            }
            return err(Errno.EINTR);
        }
        return 0;
    }

    long clockNanosleep(LinuxThread thread, int clock, int flags, long req, long rem, boolean time64) {
        long nanos = readTimespecNanos(req, time64);
        if (nanos < 0) {
            return err(Errno.EINVAL);
        }
        if ((flags & TIMER_ABSTIME) != 0) {
            long now = hostClock(clock, false);
            if (failed(now)) {
                return errnoOf(now);
            }
            nanos = Math.max(0, nanos - now);
            rem = 0;
        }
        return sleep(thread, nanos, rem, time64);
    }
}
