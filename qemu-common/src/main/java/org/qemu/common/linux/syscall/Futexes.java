package org.qemu.common.linux.syscall;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;

/**
 * Futexes of one address space, in Java: one wait queue per guest address, the compare of
 * FUTEX_WAIT done under the same lock that wakers take, so no wake-up is lost.
 *
 * <p>A futex word in a page shared with other processes (MAP_SHARED: a process-shared semaphore
 * or mutex) can be woken from another emulator JVM, whose queues these are not: a wait there
 * also looks at the word every millisecond and returns when it changed, and returns anyway after
 * {@link #CROSS_PROCESS_RECHECK_NANOS} (FUTEX_WAIT may wake spuriously; its callers look again).
 */
public final class Futexes {
    private final GuestData data;
    private final Map<Long, List<Waiter>> queues = new HashMap<>();
    /** Whether a guest address lies in memory other processes share (set by the process). */
    private java.util.function.LongPredicate sharedPage = address -> false;
    static final long CROSS_PROCESS_RECHECK_NANOS = 20_000_000L;

    private static final class Waiter {
        final int bitset;
        /** The address whose queue holds this waiter (requeue moves it). */
        long key;
        boolean woken;
        boolean interrupted;

        Waiter(int bitset) {
            this.bitset = bitset;
        }
    }

    public Futexes(GuestData data) {
        this.data = data;
    }

    /** Tells which guest addresses other processes share: waits on words there also watch the word. */
    public void sharedPages(java.util.function.LongPredicate shared) {
        this.sharedPage = shared;
    }

    /**
     * FUTEX_WAIT(_BITSET): sleeps if the word at {@code address} still holds {@code expected}.
     * {@code timeoutNanos} < 0 waits forever. {@code interrupt} says whether a signal ends the wait.
     */
    public int wait(long address, int expected, long timeoutNanos, int bitset, java.util.function.BooleanSupplier signalPending) {
        Waiter me = new Waiter(bitset);
        me.key = address;
        boolean crossProcess = sharedPage.test(address);
        synchronized (this) {
            if (data.s32(address) != expected) {
                return -Errno.EAGAIN;
            }
            queues.computeIfAbsent(address, a -> new ArrayList<>()).add(me);
            long deadline = timeoutNanos < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
            long recheck = crossProcess ? System.nanoTime() + CROSS_PROCESS_RECHECK_NANOS : Long.MAX_VALUE;
            try {
                while (!me.woken) {
                    if (me.interrupted || signalPending.getAsBoolean()) {
                        return -Errno.EINTR;
                    }
                    if (crossProcess && (data.s32(address) != expected || System.nanoTime() >= recheck)) {
                        return 0; // another process changed the word (and woke us there), or time to look again
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return -Errno.ETIMEDOUT;
                    }
                    // Bounded waits so a signal raised without interruptAll is still noticed.
                    wait(crossProcess ? 1 : Math.max(1, Math.min(left / 1_000_000, 100)));
                }
                return 0;
            } catch (InterruptedException e) {
                return -Errno.EINTR;
            } finally {
                if (!me.woken) {
                    List<Waiter> q = queues.get(me.key);
                    if (q != null) {
                        q.remove(me);
                        if (q.isEmpty()) {
                            queues.remove(me.key);
                        }
                    }
                }
            }
        }
    }

    /** FUTEX_WAKE(_BITSET): wakes up to {@code count} waiters whose bitset matches; returns how many. */
    public synchronized int wake(long address, int count, int bitset) {
        List<Waiter> q = queues.get(address);
        if (q == null) {
            return 0;
        }
        int n = 0;
        for (var it = q.iterator(); it.hasNext() && n < count; ) {
            Waiter w = it.next();
            if ((w.bitset & bitset) != 0) {
                w.woken = true;
                it.remove();
                n++;
            }
        }
        if (q.isEmpty()) {
            queues.remove(address);
        }
        if (n > 0) {
            notifyAll();
        }
        return n;
    }

    /** FUTEX_(CMP_)REQUEUE: wakes {@code wake} waiters, moves up to {@code requeue} others to {@code target}. */
    public synchronized int requeue(long address, int wake, int requeue, long target, Integer expected) {
        if (expected != null && data.s32(address) != expected) {
            return -Errno.EAGAIN;
        }
        int woken = wake(address, wake, -1);
        List<Waiter> q = queues.get(address);
        int moved = 0;
        if (q != null) {
            List<Waiter> dest = queues.computeIfAbsent(target, a -> new ArrayList<>());
            while (!q.isEmpty() && moved < requeue) {
                Waiter w = q.remove(0);
                w.key = target;
                dest.add(w);
                moved++;
            }
            if (q.isEmpty()) {
                queues.remove(address);
            }
            if (dest.isEmpty()) {
                queues.remove(target);
            }
        }
        return woken + moved;
    }

    /** FUTEX_WAKE_OP: atomically updates the word at {@code address2}, wakes at both addresses. */
    public synchronized int wakeOp(long address, int wake, long address2, int wake2, int op) {
        int opType = (op >>> 28) & 7;
        boolean shift = ((op >>> 28) & 8) != 0;
        int cmp = (op >>> 24) & 15;
        int oparg = (op << 8) >> 20;
        int cmparg = (op << 20) >> 20;
        if (shift) {
            oparg = 1 << (oparg & 31);
        }
        int old = data.s32(address2);
        int updated = switch (opType) {
            case 0 -> oparg;
            case 1 -> old + oparg;
            case 2 -> old | oparg;
            case 3 -> old & ~oparg;
            case 4 -> old ^ oparg;
            default -> old;
        };
        data.put32(address2, updated);
        int n = wake(address, wake, -1);
        boolean cond = switch (cmp) {
            case 0 -> old == cmparg;
            case 1 -> old != cmparg;
            case 2 -> old < cmparg;
            case 3 -> old <= cmparg;
            case 4 -> old > cmparg;
            case 5 -> old >= cmparg;
            default -> false;
        };
        if (cond) {
            n += wake(address2, wake2, -1);
        }
        return n;
    }

    /** Makes every waiter re-check for signals. */
    public synchronized void interruptAll() {
        notifyAll();
    }
}
