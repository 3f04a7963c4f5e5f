package org.qemu.common.monitor;

import java.util.List;

import org.qemu.common.log.LogOptions;

/** How the outside reaches a running machine: QMP servers ({@code -qmp}), the human monitor ({@code -monitor}), logging ({@code -d}, {@code -D}). */
public record MachineControlOptions(List<ChardevSpec> qmp, ChardevSpec monitor, LogOptions log) {
    public static final MachineControlOptions NONE = new MachineControlOptions(List.of(), null, LogOptions.NONE);

    public boolean monitorOnStdio() {
        return monitor != null && monitor.kind() == ChardevSpec.Kind.STDIO;
    }
}
