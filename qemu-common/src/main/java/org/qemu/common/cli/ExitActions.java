package org.qemu.common.cli;

import java.util.ArrayList;
import java.util.List;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/**
 * What an emulator must do when it exits (close a log, print statistics), in place of JVM
 * shutdown hooks, so that a user-mode emulator can end with {@link #halt}: {@code System.exit}
 * asks for the {@code java.lang.Runtime} system logger to log the exit, and that first logger
 * lookup scans every jar on the class path for a logging service and reads their manifests, in
 * the JVM's interpreter: about 50 ms of CPU at the end of every run (a JDK program with our class
 * path and an AOT cache, measured here: 0.20 s of CPU with {@code System.exit}, 0.15 s with
 * {@code halt}). A process that ends through {@code System.exit} still runs the actions, from
 * one shutdown hook.
 */
public final class ExitActions {
    private static final List<Runnable> ACTIONS = new ArrayList<>();
    private static boolean hookInstalled;
    /**
     * Set by bin/qemu-launcher when the JVM has nothing to write at its exit (no AOT recording,
     * no class-data archive to dump, no diagnostic or agent options): then {@link #halt} ends the
     * process with the host's exit_group instead of the JVM's exit, which waits at its final
     * safepoint, in 10 ms steps, for every JIT compiler thread in the middle of a compile to
     * reach a stop; a short run nearly always ends with compiles in flight (measured here, 20 runs:
     * 1.4-34 ms from the guest's last write to the JVM's exit_group; 0.5-1.3 ms typical after).
     */
    private static final boolean DIRECT_EXIT = Boolean.getBoolean("qemu.direct-exit");

    private ExitActions() {
    }

    /** Runs {@code action} once when the emulator exits normally (not when a signal kills it). */
    public static synchronized void add(Runnable action) {
        ACTIONS.add(action);
        if (!hookInstalled) {
            hookInstalled = true;
            Runtime.getRuntime().addShutdownHook(new Thread(ExitActions::runAll, "exit-actions"));
        }
    }

    /** Runs the actions registered so far, each once, in the order they came. */
    static void runAll() {
        List<Runnable> due;
        synchronized (ExitActions.class) {
            due = List.copyOf(ACTIONS);
            ACTIONS.clear();
        }
        for (Runnable action : due) {
            action.run();
        }
    }

    /** Flushes the standard streams, runs the actions and ends the process with {@code status}, skipping the JVM's shutdown sequence. */
    public static void halt(int status) {
        System.out.flush();
        System.err.flush();
        runAll();
        System.out.flush();
        System.err.flush();
        // Only with the downcall linked (any guest made host calls by now): a first link costs more than the wait.
        if (DIRECT_EXIT && HostSyscall.isLinked()) {
            HostSyscall.call(HostNr.EXIT_GROUP, status);
        }
        Runtime.getRuntime().halt(status);
    }
}
