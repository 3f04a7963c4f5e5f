package org.qemu.common.linux;

import java.util.ArrayDeque;
import java.util.Deque;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestCpu;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.common.linux.signal.Signals;
import org.qemu.common.memory.GuestMemoryFault;

/**
 * One guest thread: its CPU, its thread id, its signal mask and thread-directed pending
 * signals, and the run loop (run guest code, serve system calls, deliver signals).
 */
public final class LinuxThread {
    /** QEMU_DEBUG in the environment: report every synchronous trap on stderr. */
    private static final boolean DEBUG = System.getenv("QEMU_DEBUG") != null;

    private final LinuxProcess process;
    private final GuestCpu cpu;
    private volatile int tid;
    private long blocked;
    private long pending;
    private final SignalInfo[] pendingInfo = new SignalInfo[Signals.NSIG + 1];
    private long clearChildTid;
    private long altStackBase;
    private long altStackSize;
    private int altStackFlags = 2; // SS_DISABLE
    /** Mask saved by sigsuspend, restored once the handler it waited for has been entered. */
    private long suspendSavedMask = -1;
    /** Target-private per-frame data (e.g. FPU state not kept in the guest frame). */
    private final Deque<Object> frameExtras = new ArrayDeque<>();

    public LinuxThread(LinuxProcess process, GuestCpu cpu, int tid) {
        this.process = process;
        this.cpu = cpu;
        this.tid = tid;
    }

    public LinuxProcess process() {
        return process;
    }

    public GuestCpu cpu() {
        return cpu;
    }

    public int tid() {
        return tid;
    }

    /** Set once by a new thread itself, when it learns its host thread id. */
    public void assignTid(int tid) {
        this.tid = tid;
        process.threads().put(tid, this);
    }

    public synchronized long blocked() {
        return blocked;
    }

    public synchronized void setBlocked(long mask) {
        this.blocked = mask & ~Signals.UNBLOCKABLE;
    }

    public long clearChildTid() {
        return clearChildTid;
    }

    public void setClearChildTid(long address) {
        this.clearChildTid = address;
    }

    public long altStackBase() {
        return altStackBase;
    }

    public long altStackSize() {
        return altStackSize;
    }

    public int altStackFlags() {
        return altStackFlags;
    }

    public void setAltStack(long base, long size, int flags) {
        this.altStackBase = base;
        this.altStackSize = size;
        this.altStackFlags = flags;
    }

    public Deque<Object> frameExtras() {
        return frameExtras;
    }

    public synchronized void setSuspendSavedMask(long mask) {
        this.suspendSavedMask = mask;
    }

    /** Queues a signal for this thread only (tgkill, synchronous faults). */
    public void raise(SignalInfo info) {
        synchronized (this) {
            pending |= Signals.bit(info.signal());
            pendingInfo[info.signal()] = info;
        }
        process.signalArrived();
    }

    public synchronized long pendingForThread() {
        return pending;
    }

    /** True if some pending signal (thread or process) is not blocked. */
    public boolean hasDeliverableSignal() {
        long mask;
        long p;
        synchronized (this) {
            mask = blocked;
            p = pending;
        }
        return ((p | process.signals().pending()) & ~mask) != 0;
    }

    /** Runs guest code until this thread or the whole process exits. */
    public void runLoop() {
        while (true) {
            CpuExit exit;
            try {
                exit = cpu.run();
            } catch (GuestMemoryFault fault) {
                // A CPU that lets a memory fault escape still means SIGSEGV at that address.
                raiseTrap(new GuestTrap(GuestTrap.SIGSEGV, fault.mapped() ? GuestTrap.SEGV_ACCERR : GuestTrap.SEGV_MAPERR,
                        fault.address(), 14, 0));
                deliverSignals();
                continue;
            }
            switch (exit) {
                case SYSCALL -> process.syscalls().dispatch(this);
                case TRAP -> {
                    GuestTrap trap = cpu.lastTrap();
                    if (!process.abi().handleTrap(this, trap)) {
                        raiseTrap(trap);
                    }
                }
                case EXIT_REQUEST, HALT -> process.checkExiting(this);
            }
            deliverSignals();
        }
    }

    private void raiseTrap(GuestTrap trap) {
        if (DEBUG) {
            System.err.printf("qemu: pid %d tid %d trap signal %d code %d address 0x%x pc 0x%x%n", process.pid(), tid,
                    trap.signal(), trap.code(), trap.address(), cpu.programCounter());
        }
        SignalInfo info = new SignalInfo(trap.signal(), trap.code(), 0, 0, trap.address(), 0, trap.trapNumber(), trap.errorCode());
        int sig = trap.signal();
        org.qemu.common.gdbstub.DebuggedRun.guestSignal(cpu, sig);
        SignalAction action = process.signals().action(sig);
        boolean blockedNow;
        synchronized (this) {
            blockedNow = (blocked & Signals.bit(sig)) != 0;
        }
        if (blockedNow || action.handler() == SignalAction.SIG_IGN) {
            // Linux forces a synchronous fault that cannot be handled: the process dies from it.
            process.dieFromSignal(sig);
        }
        synchronized (this) {
            pending |= Signals.bit(sig);
            pendingInfo[sig] = info;
        }
    }

    /** Delivers every deliverable pending signal (each may push a frame). */
    public void deliverSignals() {
        process.checkExiting(this);
        for (int guard = 0; guard < Signals.NSIG; guard++) {
            int sig;
            SignalInfo info;
            synchronized (this) {
                long deliverable = (pending | process.signals().pending()) & ~blocked;
                if (deliverable == 0) {
                    return;
                }
                // Synchronous faults first, then the lowest number (as Linux picks).
                long sync = deliverable & (Signals.bit(Signals.SIGSEGV) | Signals.bit(Signals.SIGBUS)
                        | Signals.bit(Signals.SIGILL) | Signals.bit(Signals.SIGFPE) | Signals.bit(Signals.SIGTRAP));
                long pick = sync != 0 ? sync : deliverable;
                sig = Long.numberOfTrailingZeros(pick) + 1;
                if ((pending & Signals.bit(sig)) != 0) {
                    pending &= ~Signals.bit(sig);
                    info = pendingInfo[sig];
                    pendingInfo[sig] = null;
                } else {
                    long sender = process.signals().take(sig);
                    if (sender == -1) {
                        continue;
                    }
                    info = new SignalInfo(sig, (int) (sender >> 32), (int) sender, 0, 0, 0);
                }
            }
            if (info == null) {
                info = SignalInfo.user(sig, 0, 0);
            }
            deliver(info);
        }
    }

    private void deliver(SignalInfo info) {
        int sig = info.signal();
        SignalAction action = process.signals().action(sig);
        if (action.handler() == SignalAction.SIG_IGN) {
            return;
        }
        if (action.handler() == SignalAction.SIG_DFL) {
            switch (Signals.defaultAction(sig)) {
                case IGNORE, CONTINUE, STOP -> {
                    return;
                }
                default -> process.dieFromSignal(sig);
            }
            return;
        }
        long savedMask;
        synchronized (this) {
            savedMask = suspendSavedMask != -1 ? suspendSavedMask : blocked;
            suspendSavedMask = -1;
        }
        long sp = process.abi().signalFrames().stackPointer(this);
        if (action.has(SignalAction.SA_ONSTACK) && altStackFlags == 0 && altStackSize > 0
                && !(sp > altStackBase && sp <= altStackBase + altStackSize)) {
            sp = altStackBase + altStackSize;
        }
        try {
            process.abi().signalFrames().setup(this, action, info, savedMask, sp);
        } catch (GuestMemoryFault fault) {
            process.dieFromSignal(Signals.SIGSEGV);
        }
        synchronized (this) {
            long add = action.mask();
            if (!action.has(SignalAction.SA_NODEFER)) {
                add |= Signals.bit(sig);
            }
            blocked = (blocked | add) & ~Signals.UNBLOCKABLE;
        }
        if (action.has(SignalAction.SA_RESETHAND)) {
            process.signals().setAction(sig, SignalAction.DEFAULT);
        }
    }
}
