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
        System.setProperty("qemu.ppc.noRegions", "true");
    }

    /** Starts the server for {@code target}; a port that cannot be bound is one launcher error. */
    public static GdbServer listen(GdbEndpoint endpoint, DebugTarget target) throws LauncherException {
        try {
            return GdbServer.start(endpoint, target);
        } catch (IOException e) {
            throw new LauncherException(e.getMessage());
        }
    }
}
