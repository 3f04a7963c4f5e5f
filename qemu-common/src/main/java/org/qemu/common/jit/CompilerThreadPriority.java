package org.qemu.common.jit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.qemu.common.linux.host.HostSyscall;

/**
 * Gives the threads that compile guest code (HotSpot's C1 and C2 threads and a translator's own
 * background compiler) a higher nice value than the guest's CPU threads
 * ({@code -Dqemu.tcg.compiler-nice=N}, 0 leaves them alone).
 *
 * <p>Why: on a host with as few cores as compile threads plus CPU threads, the kernel's fair
 * scheduler gives every runnable thread the same share, so a guest CPU thread gets two thirds of a
 * core while C1 and C2 both compile. A kernel boot compiles thousands of block classes, most of
 * which never run often enough to repay their compile; a CPU thread that runs at full speed
 * while compiles wait for the other core gets more done. Raising a thread's own nice value needs
 * no privilege; the JVM's {@code -XX:ThreadPriorityPolicy=1} would need root and prints a warning
 * on the guest's console otherwise.
 */
public final class CompilerThreadPriority {
    /** The nice value compile threads get; 0: unchanged. */
    public static final int NICE = Integer.getInteger("qemu.tcg.compiler-nice", 0);

    /** x86-64 Linux system call numbers (the host the emulators run on). */
    private static final long SETPRIORITY = 141, GETTID = 186;
    private static final long PRIO_PROCESS = 0;
    private static final boolean SUPPORTED = "amd64".equals(System.getProperty("os.arch"))
            && Files.isDirectory(Path.of("/proc/self/task"));

    private CompilerThreadPriority() {
    }

    /** Lowers HotSpot's compiler threads (by their names in /proc), once, when asked for. */
    public static void lowerJitThreads() {
        if (NICE == 0 || !SUPPORTED) {
            return;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).strip();
                } catch (IOException gone) {
                    continue;
                }
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    HostSyscall.call(SETPRIORITY, PRIO_PROCESS, Long.parseLong(task.getFileName().toString()), NICE);
                }
            }
        } catch (IOException | RuntimeException e) {
            // a priority is an optimisation: a host that refuses it runs as before
        }
    }

    /** Lowers the calling thread (a translator's background compiler), when asked for. */
    public static void lowerCurrentThread() {
        if (NICE == 0 || !SUPPORTED) {
            return;
        }
        HostSyscall.call(SETPRIORITY, PRIO_PROCESS, HostSyscall.call(GETTID), NICE);
    }
}
