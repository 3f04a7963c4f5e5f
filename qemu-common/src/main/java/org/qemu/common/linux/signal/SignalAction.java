package org.qemu.common.linux.signal;

/** One signal's disposition as the guest set it: handler (or SIG_DFL 0 / SIG_IGN 1), flags, restorer, mask. */
public record SignalAction(long handler, long flags, long restorer, long mask) {
    public static final long SIG_DFL = 0;
    public static final long SIG_IGN = 1;
    public static final SignalAction DEFAULT = new SignalAction(SIG_DFL, 0, 0, 0);

    public static final long SA_NOCLDSTOP = 0x1;
    public static final long SA_SIGINFO = 0x4;
    public static final long SA_ONSTACK = 0x08000000L;
    public static final long SA_RESTART = 0x10000000L;
    public static final long SA_NODEFER = 0x40000000L;
    public static final long SA_RESETHAND = 0x80000000L;
    public static final long SA_RESTORER = 0x04000000L;

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }
}
