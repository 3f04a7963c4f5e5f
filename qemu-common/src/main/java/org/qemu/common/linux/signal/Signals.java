package org.qemu.common.linux.signal;

/** Linux signal numbers and default actions (x86 and PowerPC share these numbers). */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6,
            SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
            SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20,
            SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27,
            SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
    public static final int NSIG = 64;

    public static final int SI_USER = 0;
    public static final int SI_TKILL = -6;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    public enum DefaultAction { TERMINATE, CORE, IGNORE, STOP, CONTINUE }

    public static DefaultAction defaultAction(int sig) {
        return switch (sig) {
            case SIGCHLD, SIGURG, SIGWINCH -> DefaultAction.IGNORE;
            case SIGCONT -> DefaultAction.CONTINUE;
            case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> DefaultAction.STOP;
            case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS -> DefaultAction.CORE;
            default -> DefaultAction.TERMINATE;
        };
    }

    public static long bit(int sig) {
        return 1L << (sig - 1);
    }

    /** Signals no mask can block. */
    public static final long UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

    private Signals() {
    }
}
