package org.qemu.common.board;

import java.util.List;
import java.util.function.Consumer;

/**
 * What the management interfaces (QMP, the human monitor) may do to a running machine, whatever
 * accelerator runs it. Every method is safe to call from a monitor thread while CPUs run.
 */
public interface ManagedMachine {
    /** QEMU's RunState spelling: {@code running}, {@code paused}, {@code shutdown}. */
    String status();

    /** Stops every CPU at an instruction boundary; returns when all have stopped. */
    void pause();

    void resume();

    List<CpuInfo> cpus();

    /** The state of one CPU as the human monitor prints it ({@code info registers}). */
    String registerDump(int cpuIndex);

    /** A host-requested reset (QMP {@code system_reset}). */
    void requestReset();

    /** Presses the power button the guest sees (ACPI); the guest decides what to do. */
    void requestPowerdown();

    /** Ends the machine as QMP {@code quit} does: exit status 0, SHUTDOWN host-qmp-quit. */
    void quit();

    void addEventListener(Consumer<MachineEvent> listener);
}
