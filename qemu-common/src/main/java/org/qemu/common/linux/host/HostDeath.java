package org.qemu.common.linux.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Makes this emulator process die from a signal, so that whoever waits for it (a shell, a
 * guest parent) sees WIFSIGNALED with the guest's signal: the host disposition is reset to
 * SIG_DFL with the raw rt_sigaction (bypassing the JVM's handlers), the signal unblocked and
 * sent to ourselves. Core dumps are switched off first: the core of a JVM is no use to anyone.
 */
public final class HostDeath {
    private static final int RLIMIT_CORE = 4;

    public static void dieFromSignal(int sig) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16);
            HostSyscall.call(HostNr.PRLIMIT64, 0, RLIMIT_CORE, limit.address(), 0);
            // struct kernel_sigaction on x86-64: handler, flags, restorer, mask (8 bytes each).
            MemorySegment action = arena.allocate(32);
            HostSyscall.call(HostNr.RT_SIGACTION, sig, action.address(), 0, 8);
            MemorySegment set = arena.allocate(8);
            set.set(ValueLayout.JAVA_LONG, 0, 1L << (sig - 1));
            HostSyscall.call(HostNr.RT_SIGPROCMASK, 1 /* SIG_UNBLOCK */, set.address(), 0, 8);
            HostSyscall.call(HostNr.KILL, HostSyscall.call(HostNr.GETPID), sig);
            try {
                Thread.sleep(1000);
            } catch (InterruptedException ignored) {
                // fall through to halt
            }
        }
        // A signal whose default action does not terminate (or that could not be delivered).
        Runtime.getRuntime().halt(128 + sig);
    }

    private HostDeath() {
    }
}
