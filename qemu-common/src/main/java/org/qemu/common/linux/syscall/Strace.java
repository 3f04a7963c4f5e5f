package org.qemu.common.linux.syscall;

import java.io.PrintStream;
import java.util.Set;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.ProcessExit;

/** -strace: one line per call on stderr, {@code PID name(args) = result}, as QEMU prints them. */
final class Strace {
    /** Calls whose first argument is a path, printed as a string. */
    private static final Set<String> FIRST_PATH = Set.of("open", "creat", "stat64", "lstat64", "stat", "lstat",
            "access", "readlink", "unlink", "rmdir", "mkdir", "chdir", "chmod", "chown", "chown32", "lchown32",
            "truncate", "truncate64", "execve", "statfs", "statfs64", "utimes", "utime", "rename", "link", "symlink");
    /** Calls whose second argument is a path (the first is a directory descriptor). */
    private static final Set<String> SECOND_PATH = Set.of("openat", "fstatat64", "newfstatat", "statx", "faccessat",
            "faccessat2", "readlinkat", "unlinkat", "mkdirat", "fchmodat", "fchownat", "utimensat", "renameat",
            "renameat2", "linkat", "mknodat");

    private final LinuxProcess process;
    private final PrintStream log;
    private final ThreadLocal<StringBuilder> pending = new ThreadLocal<>();

    Strace(LinuxProcess process) {
        this.process = process;
        this.log = process.options().log();
    }

    void enter(LinuxThread thread, int nr, String name, long[] a) {
        StringBuilder sb = new StringBuilder();
        sb.append(thread.tid()).append(' ').append(name == null ? "syscall_" + nr : name).append('(');
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(',');
            }
            boolean isPath = name != null && ((i == 0 && FIRST_PATH.contains(name)) || (i == 1 && SECOND_PATH.contains(name)));
            if (isPath && a[i] != 0) {
                try {
                    sb.append('"').append(process.memory().readCString(a[i], 256)).append('"');
                    continue;
                } catch (RuntimeException e) {
                    // fall through to the raw value
                }
            }
            sb.append(format(a[i]));
        }
        sb.append(')');
        pending.set(sb);
    }

    private static String format(long v) {
        long u = v & 0xffffffffL;
        return u < 0x10000 || (int) v < 0 && (int) v > -4096 ? Integer.toString((int) v) : "0x" + Long.toHexString(v);
    }

    void result(LinuxThread thread, String name, long r) {
        StringBuilder sb = pending.get();
        if (sb == null) {
            return;
        }
        if (r == SyscallDispatcher.NO_RESULT) {
            sb.append(" = 0");
        } else if (r < 0 && r > -4096) {
            sb.append(" = -1 errno=").append(-r).append(" (").append(Errno.describe((int) -r)).append(')');
        } else {
            sb.append(" = ").append(r > 0xffff ? "0x" + Long.toHexString(r) : Long.toString(r));
        }
        log.println(sb);
        pending.remove();
    }

    void flushPending() {
        StringBuilder sb = pending.get();
        if (sb != null) {
            log.println(sb);
            log.flush();
            pending.remove();
        }
    }

    void exit(LinuxThread thread, String name, ProcessExit exit) {
        StringBuilder sb = pending.get();
        if (sb != null) {
            log.println(sb);
            pending.remove();
        }
        log.flush();
    }
}
