package org.qemu.common.linux;

/** Unwinds a guest thread's run loop: exit (one thread) or exit_group / a fatal signal (the process). */
public final class ProcessExit extends RuntimeException {
    private final int status;
    private final int signal;
    private final boolean wholeProcess;

    private ProcessExit(int status, int signal, boolean wholeProcess) {
        super(null, null, false, false);
        this.status = status;
        this.signal = signal;
        this.wholeProcess = wholeProcess;
    }

    public static ProcessExit exitGroup(int status) {
        return new ProcessExit(status & 0xff, 0, true);
    }

    public static ProcessExit threadExit(int status) {
        return new ProcessExit(status & 0xff, 0, false);
    }

    public static ProcessExit killedBy(int signal) {
        return new ProcessExit(128 + signal, signal, true);
    }

    /** Exit status as a shell sees it (128+N for death by signal N). */
    public int status() {
        return status;
    }

    /** The signal that killed the process, or 0 for a normal exit. */
    public int signal() {
        return signal;
    }

    public boolean wholeProcess() {
        return wholeProcess;
    }
}
