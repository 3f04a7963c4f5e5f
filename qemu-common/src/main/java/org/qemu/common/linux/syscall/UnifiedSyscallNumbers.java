package org.qemu.common.linux.syscall;

/**
 * The system call numbers every Linux architecture shares: since Linux 5.1 a new call gets the
 * same number on every architecture, from 424 on (each architecture's syscall table agrees there),
 * though an architecture may leave one out. The targets' tables take these from here.
 */
public final class UnifiedSyscallNumbers {
    /** The first shared number. */
    public static final int FIRST = 424;

    private static final String[] NAMES = {
            "pidfd_send_signal",
            "io_uring_setup",
            "io_uring_enter",
            "io_uring_register",
            "open_tree",
            "move_mount",
            "fsopen",
            "fsconfig",
            "fsmount",
            "fspick",
            "pidfd_open",
            "clone3",
            "close_range",
            "openat2",
            "pidfd_getfd",
            "faccessat2",
            "process_madvise",
            "epoll_pwait2",
            "mount_setattr",
            "quotactl_fd",
            "landlock_create_ruleset",
            "landlock_add_rule",
            "landlock_restrict_self",
            "memfd_secret",
            "process_mrelease",
            "futex_waitv",
            "set_mempolicy_home_node",
    };

    private UnifiedSyscallNumbers() {
    }

    /** Puts the shared names at their numbers into {@code names} (indexed by number). */
    public static void fill(String[] names) {
        System.arraycopy(NAMES, 0, names, FIRST, NAMES.length);
    }
}
