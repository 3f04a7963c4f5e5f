package org.qemu.common.board;

import java.util.Map;

/**
 * Something a running machine reports to its management interfaces, named and shaped as QMP's
 * events are ({@code STOP}, {@code RESUME}, {@code SHUTDOWN}, {@code RESET}, {@code POWERDOWN}),
 * so the QMP server can pass it on without translation.
 */
public record MachineEvent(String name, Map<String, Object> data) {
    public static MachineEvent stop() {
        return new MachineEvent("STOP", Map.of());
    }

    public static MachineEvent resume() {
        return new MachineEvent("RESUME", Map.of());
    }

    public static MachineEvent powerdown() {
        return new MachineEvent("POWERDOWN", Map.of());
    }

    /** {@code guest}: the guest asked for it; {@code reason}: QMP's ShutdownCause spelling. */
    public static MachineEvent shutdown(boolean guest, String reason) {
        return new MachineEvent("SHUTDOWN", Map.of("guest", guest, "reason", reason));
    }

    public static MachineEvent reset(boolean guest, String reason) {
        return new MachineEvent("RESET", Map.of("guest", guest, "reason", reason));
    }
}
