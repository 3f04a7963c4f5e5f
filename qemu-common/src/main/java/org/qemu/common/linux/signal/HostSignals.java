package org.qemu.common.linux.signal;

import org.qemu.common.linux.LinuxProcess;

/**
 * Signals from outside the emulator (kill from another process, Ctrl-C, SIGCHLD from a child)
 * reach the guest through the JVM's own signal handling ({@code sun.misc.Signal}): when the
 * guest installs a handler, a Java handler is registered that queues the signal for the guest;
 * when it ignores one, the host ignores it too. Signals the JVM needs for itself (SEGV, BUS,
 * FPE, ILL, QUIT and PIPE) are never touched: the guest gets those from the CPU or from
 * the runtime (EPIPE becomes SIGPIPE).
 */
public final class HostSignals {
    private static final String[] NAMES = {
        null, "HUP", "INT", null, null, "TRAP", "ABRT", null, null, null, "USR1", null, "USR2", null, "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", null, "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    };

    public static void follow(LinuxProcess process, int sig, SignalAction action) {
        if (sig >= NAMES.length || NAMES[sig] == null) {
            return;
        }
        try {
            sun.misc.Signal signal = new sun.misc.Signal(NAMES[sig]);
            if (action.handler() == SignalAction.SIG_IGN) {
                sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_IGN);
            } else if (action.handler() == SignalAction.SIG_DFL) {
                sun.misc.Signal.handle(signal, sun.misc.SignalHandler.SIG_DFL);
            } else {
                sun.misc.Signal.handle(signal, s -> {
                    process.signals().raise(sig, 0, Signals.SI_USER);
                    process.signalArrived();
                });
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // The JVM reserves this signal (e.g. with -Xrs or a debugger): the guest cannot receive it from outside.
        }
    }

    private HostSignals() {
    }
}
