package org.qemu.common.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What a system launcher hands to the machine builder: QEMU's options, validated
 * ({@code gdb}: the gdbstub from -s/-gdb/-S, null without one).
 */
public record MachineRequest(
        long ramBytes,
        int cpus,
        Path kernel,
        Path initrd,
        String append,
        List<SystemLauncher.DriveSpec> drives,
        boolean nographic,
        String serial,
        boolean noReboot,
        String cpuModel,
        List<String> accelerators,
        String machineType,
        String bios,
        org.qemu.common.gdbstub.GdbEndpoint gdb,
        org.qemu.common.monitor.MachineControlOptions control) {
}
