package org.qemu.common.linux.signal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.qemu.common.linux.LinuxProcess;

/** ITIMER_REAL (alarm, setitimer): raises SIGALRM for the process from a timer thread. */
public final class IntervalTimer {
    private final LinuxProcess process;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> pending;
    private long intervalNanos;
    private long expiresAt;

    public IntervalTimer(LinuxProcess process) {
        this.process = process;
    }

    /** Returns {interval, remaining} in nanoseconds. */
    public synchronized long[] current() {
        long remaining = pending == null || pending.isDone() && intervalNanos == 0 ? 0 : Math.max(1000, expiresAt - System.nanoTime());
        return new long[] {intervalNanos, pending == null ? 0 : remaining};
    }

    public synchronized void set(long intervalNanos, long valueNanos) {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        this.intervalNanos = intervalNanos;
        if (valueNanos > 0) {
            schedule(valueNanos);
        }
    }

    private void schedule(long nanos) {
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "guest-itimer");
                t.setDaemon(true);
                return t;
            });
        }
        expiresAt = System.nanoTime() + nanos;
        pending = executor.schedule(this::fire, nanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        synchronized (this) {
            pending = null;
            if (intervalNanos > 0) {
                schedule(intervalNanos);
            }
        }
        process.signals().raise(Signals.SIGALRM, process.pid(), 0x80);
        process.signalArrived();
    }

    /** alarm(2): returns the seconds left on the previous alarm (rounded up), 0 if none. */
    public synchronized long alarm(long seconds) {
        long left = pending == null ? 0 : Math.max(0, expiresAt - System.nanoTime());
        set(0, seconds * 1_000_000_000L);
        return (left + 999_999_999L) / 1_000_000_000L;
    }
}
