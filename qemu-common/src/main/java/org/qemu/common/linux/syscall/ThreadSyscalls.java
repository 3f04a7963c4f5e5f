package org.qemu.common.linux.syscall;

import java.util.concurrent.CountDownLatch;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/** clone for threads (CLONE_VM) and futex. */
final class ThreadSyscalls extends SyscallSupport {
    static final int CLONE_VM = 0x100;
    static final int CLONE_VFORK = 0x4000;
    static final int CLONE_THREAD = 0x10000;
    static final int CLONE_SETTLS = 0x80000;
    static final int CLONE_PARENT_SETTID = 0x100000;
    static final int CLONE_CHILD_CLEARTID = 0x200000;
    static final int CLONE_CHILD_SETTID = 0x1000000;

    ThreadSyscalls(LinuxProcess process) {
        super(process);
    }

    /** A new guest thread sharing this address space; returns its tid to the parent. */
    long cloneThread(LinuxThread parent, long flags, long newStack, long parentTid, long tls, long childTid) {
        if ((flags & CLONE_THREAD) == 0) {
            // A CLONE_VM child that is its own process (posix_spawn's vfork-like clone) cannot share our memory.
            return err(Errno.ENOSYS);
        }
        GuestCpu cpu = process.abi().cloneCpu(parent.cpu(), process, newStack);
        LinuxThread child = new LinuxThread(process, cpu, 0);
        child.setBlocked(parent.blocked());
        if ((flags & CLONE_SETTLS) != 0) {
            long r = process.abi().setTls(child, tls);
            if (r < 0) {
                return r;
            }
        }
        if ((flags & CLONE_CHILD_CLEARTID) != 0) {
            child.setClearChildTid(childTid);
        }
        CountDownLatch started = new CountDownLatch(1);
        int[] tid = new int[1];
        // The host thread id is only known on the new thread itself; the parent waits for it.
        Runnable identify = () -> {
            tid[0] = (int) HostSyscall.call(HostNr.GETTID);
            child.assignTid(tid[0]);
            if ((flags & CLONE_CHILD_SETTID) != 0) {
                data.put32(childTid, tid[0]);
            }
            if ((flags & CLONE_PARENT_SETTID) != 0) {
                data.put32(parentTid, tid[0]);
            }
            started.countDown();
        };
        process.startThread(child, identify);
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return tid[0];
    }

    long futex(LinuxThread thread, long uaddr, int op, long val, long timeoutOrVal2, long uaddr2, long val3, boolean time64) {
        final int wait = 0, wake = 1, requeue = 3, cmpRequeue = 4, wakeOp = 5, waitBitset = 9, wakeBitset = 10;
        int cmd = op & 0x7f;
        if ((uaddr & 3) != 0) {
            return err(Errno.EINVAL);
        }
        Futexes f = process.futexes();
        switch (cmd) {
            case wait, waitBitset -> {
                int bitset = cmd == waitBitset ? (int) val3 : -1;
                if (bitset == 0) {
                    return err(Errno.EINVAL);
                }
                long nanos = -1;
                if (timeoutOrVal2 != 0) {
                    nanos = readTimespecNanos(timeoutOrVal2, time64);
                    if (nanos < 0) {
                        return err(Errno.EINVAL);
                    }
                    if (cmd == waitBitset) {
                        // WAIT_BITSET takes an absolute time on CLOCK_MONOTONIC (or REALTIME with flag 256).
                        int clock = (op & 256) != 0 ? 0 : 1;
                        var s = org.qemu.common.linux.host.Scratch.begin();
                        var ts = s.allocate(16);
                        HostSyscall.call(HostNr.CLOCK_GETTIME, clock, addr(ts));
                        long now = i64(ts, 0) * 1_000_000_000L + i64(ts, 8);
                        nanos = Math.max(0, nanos - now);
                    }
                }
                return f.wait(uaddr, (int) val, nanos, bitset, thread::hasDeliverableSignal);
            }
            case wake, wakeBitset -> {
                int bitset = cmd == wakeBitset ? (int) val3 : -1;
                if (bitset == 0) {
                    return err(Errno.EINVAL);
                }
                return f.wake(uaddr, (int) Math.min(val, Integer.MAX_VALUE), bitset);
            }
            case requeue -> {
                return f.requeue(uaddr, (int) val, (int) timeoutOrVal2, uaddr2, null);
            }
            case cmpRequeue -> {
                return f.requeue(uaddr, (int) val, (int) timeoutOrVal2, uaddr2, (int) val3);
            }
            case wakeOp -> {
                return f.wakeOp(uaddr, (int) val, uaddr2, (int) timeoutOrVal2, (int) val3);
            }
            default -> {
                return err(Errno.ENOSYS);
            }
        }
    }
}
