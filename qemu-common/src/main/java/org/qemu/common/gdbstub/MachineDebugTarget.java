package org.qemu.common.gdbstub;

import java.util.ArrayList;
import java.util.List;

import org.qemu.common.memory.GuestMemory;

/**
 * A system emulator's machine as the debugger sees it: each CPU is a gdb thread (ids 1, 2,
 * ... in CPU order); memory is guest-physical (paging is off in the machines we emulate).
 */
public final class MachineDebugTarget implements DebugTarget {
    private final CpuDebugSupport support;
    private final DebugMemory memory;
    private final List<?> cpus;
    private final Runnable kill;

    /**
     * {@code cpus}: the objects the CPUs pass to the hook, read live (a machine that resets
     * replaces its CPUs); {@code kill}: ends the machine.
     */
    public MachineDebugTarget(CpuDebugSupport support, GuestMemory memory, List<?> cpus, Runnable kill) {
        this(support, DebugMemory.of(memory), cpus, kill);
    }

    public MachineDebugTarget(CpuDebugSupport support, DebugMemory memory, List<?> cpus, Runnable kill) {
        this.support = support;
        this.memory = memory;
        this.cpus = cpus;
        this.kill = kill;
    }

    @Override
    public GuestMemory watchableMemory() {
        return memory.watchable();
    }

    @Override
    public TargetDescription description() {
        return support.description();
    }

    @Override
    public List<DebugThread> threads() {
        List<DebugThread> out = new ArrayList<>();
        for (int i = 0; i < cpus.size(); i++) {
            out.add(new DebugThread(i + 1, cpus.get(i), support.registers(cpus.get(i))));
        }
        return out;
    }

    @Override
    public byte[] readMemory(long address, int length) {
        return memory.read(address, length);
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        memory.write(address, data);
    }

    @Override
    public void kill() {
        kill.run();
    }

    @Override
    public void installHook(InstructionHook hook) {
        cpus.forEach(cpu -> support.installHook(cpu, hook));
    }
}
