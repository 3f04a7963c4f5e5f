package org.qemu.common.linux.signal;

/**
 * Process-wide signal state: the dispositions (shared by all threads, as CLONE_SIGHAND
 * threads share them) and the signals pending for the process as a whole.
 */
public final class SignalState {
    private final SignalAction[] actions = new SignalAction[Signals.NSIG + 1];
    private long pending;
    private final long[] pendingSender = new long[Signals.NSIG + 1];

    public SignalState() {
        java.util.Arrays.fill(actions, SignalAction.DEFAULT);
    }

    public synchronized SignalAction action(int sig) {
        return actions[sig];
    }

    public synchronized SignalAction setAction(int sig, SignalAction action) {
        SignalAction old = actions[sig];
        actions[sig] = action;
        return old;
    }

    public synchronized SignalAction[] actions() {
        return actions.clone();
    }

    /** Marks {@code sig} pending for the process; {@code sender} packs pid (low) and si_code (high). */
    public synchronized void raise(int sig, int senderPid, int code) {
        pending |= Signals.bit(sig);
        pendingSender[sig] = (senderPid & 0xffffffffL) | ((long) code << 32);
    }

    public synchronized long pending() {
        return pending;
    }

    /** Takes {@code sig} off the pending set; returns the packed sender, or -1 if it was not pending. */
    public synchronized long take(int sig) {
        if ((pending & Signals.bit(sig)) == 0) {
            return -1;
        }
        pending &= ~Signals.bit(sig);
        return pendingSender[sig];
    }

    /** execve: handled signals go back to default; ignored ones stay ignored. */
    public synchronized void resetHandlersForExec() {
        for (int i = 1; i <= Signals.NSIG; i++) {
            if (actions[i].handler() != SignalAction.SIG_IGN) {
                actions[i] = SignalAction.DEFAULT;
            }
        }
    }
}
