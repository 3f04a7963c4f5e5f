package org.qemu.common.gdbstub;

import java.io.IOException;

import org.qemu.common.cli.LauncherException;

/**
 * What an emulator does differently when started with a gdbstub: it translates one
 * instruction per block, without page regions, so the {@link ExecutionGate} sees every
 * instruction boundary (breakpoints anywhere, exact single steps, prompt Ctrl-C). This must
 * happen before the first CPU exists; a run without gdb keeps its full-size blocks.
 */
public final class DebuggedRun {
    private DebuggedRun() {
    }

    /** Call before creating any CPU. */
    public static void prepareTranslators() {
        System.setProperty("qemu.tcg.max-insns", "1");
        System.setProperty("qemu.ppc.regions", "false");
        System.setProperty("qemu.tcg.region-threshold", "0");
    }

    /** The gate of this emulator's gdbstub (one per JVM: a user-mode process or a machine), or null. */
    private static volatile ExecutionGate activeGate;

    /** Starts the server for {@code target}; a port that cannot be bound is one launcher error. */
    public static GdbServer listen(GdbEndpoint endpoint, DebugTarget target) throws LauncherException {
        try {
            GdbServer server = GdbServer.start(endpoint, target);
            activeGate = server.gate();
            return server;
        } catch (IOException e) {
            throw new LauncherException(e.getMessage());
        }
    }

    /**
     * The runtime is about to give a guest thread a synchronous signal (a fault): under a
     * debugger the guest stops first with that signal (GDB's "Program received signal").
     * Without a gdbstub this is one volatile read.
     */
    public static void guestSignal(Object cpu, int signal) {
        ExecutionGate gate = activeGate;
        if (gate != null) {
            gate.reportSignal(cpu, signal);
        }
    }
}
