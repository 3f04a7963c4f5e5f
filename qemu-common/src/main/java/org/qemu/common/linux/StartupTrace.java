package org.qemu.common.linux;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Start-up phase marks for {@code QEMU_DEBUG=1}: each mark prints the calling thread's CPU time,
 * the whole process's CPU time (JIT compiler and GC threads included) and the wall time since
 * the previous mark. Thread CPU time is what makes the marks usable on a machine where other
 * builds share the cores: wall time there is mostly waiting for a core.
 *
 * <p>The times come from the scheduler's counts in {@code /proc} (nanoseconds of run time per
 * thread), not from a host call: the host-call downcall is linked on another thread while the
 * first phases run, and a mark must not wait for it.
 */
public final class StartupTrace {
    private static final boolean ENABLED = System.getenv("QEMU_DEBUG") != null;

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
        long thread = threadNanos();
        long process = processNanos();
        StringBuilder line = new StringBuilder("qemu: start-up: ").append(phase);
        while (line.length() < 16 + 28) {
            line.append(' ');
        }
        line.append(" thread ").append(millis(thread - lastThread)).append(" ms CPU, process ")
                .append(millis(process - lastProcess)).append(" ms CPU, ")
                .append(lastWall == 0 ? "first mark" : millis(wall - lastWall) + " ms wall");
        // No printf: the formatter's own set-up would land in the next phase.
        System.err.println(line);
        lastWall = wall;
        lastThread = thread;
        lastProcess = process;
    }

    /** Nanoseconds as milliseconds with one decimal. */
    public static String millis(long nanos) {
        long tenths = Math.round(nanos / 1e5);
        return (tenths < 0 ? "-" : "") + Math.abs(tenths) / 10 + "." + Math.abs(tenths) % 10;
    }

    /** The calling thread's CPU time so far, in nanoseconds (0 where /proc cannot tell). */
    public static long threadNanos() {
        return scheduledNanos(Path.of("/proc/thread-self/schedstat"));
    }

    /** The run time of every thread alive now; threads that already ended are missing (few do at start-up). */
    private static long processNanos() {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                total += scheduledNanos(task.resolve("schedstat"));
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static long scheduledNanos(Path schedstat) {
        try {
            String text = Files.readString(schedstat);
            return Long.parseLong(text.substring(0, text.indexOf(' ')));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private StartupTrace() {
    }
}
