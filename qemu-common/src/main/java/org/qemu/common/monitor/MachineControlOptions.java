package org.qemu.common.monitor;

import java.util.List;

import org.qemu.common.log.LogOptions;

/**
 * How the outside reaches a running machine: QMP servers ({@code -qmp}), the human monitor ({@code -monitor}), logging
 * ({@code -d}, {@code -D}), and whether the CPUs wait for a monitor's {@code cont} before they start ({@code -S}).
 */
public record MachineControlOptions(List<ChardevSpec> qmp, ChardevSpec monitor, LogOptions log, boolean startPaused) {
    public static final MachineControlOptions NONE = new MachineControlOptions(List.of(), null, LogOptions.NONE, false);

    public boolean monitorOnStdio() {
        return monitor != null && monitor.kind() == ChardevSpec.Kind.STDIO;
    }

    /** {@code -qmp stdio}: a QMP session owns stdin and stdout. */
    public boolean qmpOnStdio() {
        return qmp.stream().anyMatch(c -> c.kind() == ChardevSpec.Kind.STDIO);
    }
}
