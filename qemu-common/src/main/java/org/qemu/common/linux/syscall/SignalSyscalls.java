package org.qemu.common.linux.syscall;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.signal.HostSignals;
import org.qemu.common.linux.signal.IntervalTimer;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.common.linux.signal.Signals;

/** Dispositions, masks, sending, waiting, sigreturn, sigaltstack, alarm and interval timers. */
final class SignalSyscalls extends SyscallSupport {
    private static final int SIG_BLOCK = 0;
    private static final int SIG_UNBLOCK = 1;
    private static final int SIG_SETMASK = 2;
    private final IntervalTimer timer;

    SignalSyscalls(LinuxProcess process) {
        super(process);
        this.timer = new IntervalTimer(process);
    }

    /** A sigset_t of 64 signals: two 32-bit words on 32-bit ABIs (low signals first), one u64 otherwise. */
    long readSigset(long at) {
        if (word == 4) {
            return data.u32(at) | (data.u32(at + 4) << 32);
        }
        return data.u64(at);
    }

    void writeSigset(long at, long set) {
        if (word == 4) {
            data.put32(at, (int) set);
            data.put32(at + 4, (int) (set >>> 32));
        } else {
            data.put64(at, set);
        }
    }

    long sigaction(int sig, long act, long oldAct, boolean old) {
        if (sig < 1 || sig > Signals.NSIG) {
            return err(Errno.EINVAL);
        }
        SignalAction current = process.signals().action(sig);
        SignalAction requested = null;
        if (act != 0) {
            if (sig == Signals.SIGKILL || sig == Signals.SIGSTOP) {
                return err(Errno.EINVAL);
            }
            requested = process.abi().structs().readSigaction(data, act, old);
        }
        if (oldAct != 0) {
            process.abi().structs().writeSigaction(data, oldAct, current, old);
        }
        if (requested != null) {
            process.signals().setAction(sig, requested);
            HostSignals.follow(process, sig, requested);
        }
        return 0;
    }

    long sigprocmask(LinuxThread thread, int how, long set, long oldSet, boolean old) {
        long current = thread.blocked();
        if (oldSet != 0) {
            if (old) {
                data.putWord(oldSet, current & 0xffffffffL);
            } else {
                writeSigset(oldSet, current);
            }
        }
        if (set != 0) {
            long s = old ? data.word(set) & 0xffffffffL : readSigset(set);
            long next = switch (how) {
                case SIG_BLOCK -> current | s;
                case SIG_UNBLOCK -> current & ~s;
                case SIG_SETMASK -> old ? (current & ~0xffffffffL) | s : s;
                default -> -1;
            };
            if (how < SIG_BLOCK || how > SIG_SETMASK) {
                return err(Errno.EINVAL);
            }
            thread.setBlocked(next);
        }
        return 0;
    }

    long sigpending(LinuxThread thread, long set) {
        long pending = (thread.pendingForThread() | process.signals().pending()) & thread.blocked();
        writeSigset(set, pending);
        return 0;
    }

    long kill(LinuxThread thread, int pid, int sig) {
        if (sig < 0 || sig > Signals.NSIG) {
            return err(Errno.EINVAL);
        }
        if (pid == process.pid()) {
            if (sig != 0) {
                process.signals().raise(sig, process.pid(), Signals.SI_USER);
                process.signalArrived();
            }
            return 0;
        }
        long r = HostSyscall.call(HostNr.KILL, pid, sig);
        // kill(0, sig) and kill(-1, sig) also reach this process through the host: the forwarded
        // host signal delivers it to the guest if the guest handles it.
        return r;
    }

    long tgkill(LinuxThread thread, int tgid, int tid, int sig) {
        if (sig < 0 || sig > Signals.NSIG) {
            return err(Errno.EINVAL);
        }
        LinuxThread target = process.threads().get(tid);
        if (target != null && (tgid == -1 || tgid == process.pid())) {
            if (sig != 0) {
                target.raise(new SignalInfo(sig, Signals.SI_TKILL, process.pid(), 0, 0, 0));
            }
            return 0;
        }
        return tgid == -1 ? HostSyscall.call(HostNr.TKILL, tid, sig) : HostSyscall.call(HostNr.TGKILL, tgid, tid, sig);
    }

    long sigsuspend(LinuxThread thread, long mask) {
        long saved = thread.blocked();
        thread.setBlocked(mask);
        thread.setSuspendSavedMask(saved);
        process.waitForSignal(thread, -1);
        return err(Errno.EINTR);
    }

    long pause(LinuxThread thread) {
        process.waitForSignal(thread, -1);
        return err(Errno.EINTR);
    }

    long sigtimedwait(LinuxThread thread, long setAddr, long info, long timeout, boolean time64) {
        long set = readSigset(setAddr) & ~Signals.UNBLOCKABLE;
        long nanos = timeout == 0 ? -1 : readTimespecNanos(timeout, time64);
        if (timeout != 0 && nanos < 0) {
            return err(Errno.EINVAL);
        }
        long deadline = nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        long savedMask = thread.blocked();
        // Waited-for signals count as deliverable while waiting, so waitForSignal notices them.
        thread.setBlocked(savedMask & ~set);
        try {
            while (true) {
                long pending = process.signals().pending() & set;
                if (pending != 0) {
                    int sig = Long.numberOfTrailingZeros(pending) + 1;
                    long sender = process.signals().take(sig);
                    if (sender != -1) {
                        if (info != 0) {
                            new SignalInfo(sig, (int) (sender >> 32), (int) sender, 0, 0, 0).write(data, info);
                        }
                        return sig;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return err(Errno.EAGAIN);
                }
                if (thread.hasDeliverableSignal() && (process.signals().pending() & set) == 0) {
                    return err(Errno.EINTR);
                }
                process.waitForSignal(thread, Math.min(left, 50_000_000L));
            }
        } finally {
            thread.setBlocked(savedMask);
        }
    }

    /** stack_t: {void *ss_sp; int ss_flags; size_t ss_size} with word-sized pointer and size. */
    long sigaltstack(LinuxThread thread, long ss, long oldSs) {
        final int ssDisable = 2;
        long flagsOffset = word;
        long sizeOffset = word == 4 ? 8 : 16;
        if (oldSs != 0) {
            data.putWord(oldSs, thread.altStackBase());
            data.put32(oldSs + flagsOffset, thread.altStackFlags());
            data.putWord(oldSs + sizeOffset, thread.altStackSize());
        }
        if (ss != 0) {
            long sp = data.word(ss);
            int flags = data.s32(ss + flagsOffset);
            long size = data.word(ss + sizeOffset);
            if ((flags & ~ssDisable) != 0) {
                return err(Errno.EINVAL);
            }
            if ((flags & ssDisable) == 0 && size < 2048) {
                return err(12); // ENOMEM: below MINSIGSTKSZ
            }
            thread.setAltStack(sp, size, flags);
        }
        return 0;
    }

    long alarm(long seconds) {
        return timer.alarm(seconds);
    }

    /** struct itimerval: two timevals (interval, value) in the ABI's word size. */
    long setitimer(int which, long newValue, long oldValue) {
        if (which != 0) {
            return err(Errno.EINVAL); // only ITIMER_REAL
        }
        long[] old = timer.current();
        if (oldValue != 0) {
            putTimeval(oldValue, old[0]);
            putTimeval(oldValue + 2L * word, old[1]);
        }
        if (newValue != 0) {
            timer.set(readTimeval(newValue), readTimeval(newValue + 2L * word));
        }
        return 0;
    }

    long getitimer(int which, long value) {
        if (which != 0) {
            return err(Errno.EINVAL);
        }
        long[] cur = timer.current();
        putTimeval(value, cur[0]);
        putTimeval(value + 2L * word, cur[1]);
        return 0;
    }

    private long readTimeval(long at) {
        return signedWord(at) * 1_000_000_000L + signedWord(at + word) * 1000;
    }

    private void putTimeval(long at, long nanos) {
        putWordPair(at, nanos / 1_000_000_000L, (nanos % 1_000_000_000L) / 1000);
    }
}
