package org.qemu.common.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * Start-up phase marks for {@code QEMU_DEBUG=1}: each mark prints the calling thread's CPU time,
 * the whole process's CPU time (JIT compiler and GC threads included) and the wall time since
 * the previous mark. Thread CPU time is what makes the marks usable on a machine where other
 * builds share the cores: wall time there is mostly waiting for a core.
 */
public final class StartupTrace {
    private static final boolean ENABLED = System.getenv("QEMU_DEBUG") != null;
    private static final int CLOCK_PROCESS_CPUTIME_ID = 2;
    private static final int CLOCK_THREAD_CPUTIME_ID = 3;

    private static long lastWall;
    private static long lastThread;
    private static long lastProcess;

    public static boolean enabled() {
        return ENABLED;
    }

    /** Prints one phase line when tracing is on; the first mark reports everything since the JVM started. */
    public static synchronized void mark(String phase) {
        if (!ENABLED) {
            return;
        }
        long wall = System.nanoTime();
        if (lastWall == 0) {
            // The first host call links the runtime's one FFM downcall: that cost is a phase of its own,
            // timed with the scheduler's count of this thread's run time, which needs no host call.
            long before = scheduledNanos();
            clock(CLOCK_THREAD_CPUTIME_ID);
            System.err.printf("qemu: start-up: linking the syscall downcall took %.1f ms CPU, %.1f ms wall%n",
                    (scheduledNanos() - before) / 1e6, (System.nanoTime() - wall) / 1e6);
        }
        long thread = clock(CLOCK_THREAD_CPUTIME_ID);
        long process = clock(CLOCK_PROCESS_CPUTIME_ID);
        System.err.printf("qemu: start-up: %-28s thread %6.1f ms CPU, process %6.1f ms CPU, %s%n", phase,
                (thread - lastThread) / 1e6, (process - lastProcess) / 1e6,
                lastWall == 0 ? "first mark" : String.format("%.1f ms wall", (wall - lastWall) / 1e6));
        lastWall = wall;
        lastThread = thread;
        lastProcess = process;
    }

    private static long scheduledNanos() {
        try {
            String text = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/schedstat"));
            return Long.parseLong(text.substring(0, text.indexOf(' ')));
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long clock(int id) {
        MemorySegment timespec = Scratch.begin().allocate(16);
        if (HostSyscall.call(HostNr.CLOCK_GETTIME, id, timespec.address()) != 0) {
            return 0;
        }
        return timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + timespec.get(ValueLayout.JAVA_LONG, 8);
    }

    private StartupTrace() {
    }
}
