package org.qemu.common.gdbstub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;

/**
 * A Linux user-mode process as the debugger sees it: every guest thread is a gdb thread whose
 * id is its Linux thread id; memory is the process's address space.
 */
public final class UserModeDebugTarget implements DebugTarget {
    private final LinuxProcess process;
    private final CpuDebugSupport support;

    public UserModeDebugTarget(LinuxProcess process, CpuDebugSupport support) {
        this.process = process;
        this.support = support;
    }

    @Override
    public TargetDescription description() {
        return support.description();
    }

    @Override
    public List<DebugThread> threads() {
        List<LinuxThread> live = new ArrayList<>(process.threads().values());
        live.sort(Comparator.comparingInt(LinuxThread::tid));
        List<DebugThread> out = new ArrayList<>();
        for (LinuxThread t : live) {
            out.add(new DebugThread(t.tid(), t.cpu(), support.registers(t.cpu())));
        }
        return out;
    }

    @Override
    public byte[] readMemory(long address, int length) {
        return GuestMemoryAccess.read(process.memory(), address, length);
    }

    @Override
    public void writeMemory(long address, byte[] data) {
        GuestMemoryAccess.write(process.memory(), address, data);
    }

    @Override
    public org.qemu.common.memory.GuestMemory watchableMemory() {
        return process.memory();
    }

    /** Like QEMU's user mode: the emulator ends with status 0. */
    @Override
    public void kill() {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }

    @Override
    public void installHook(InstructionHook hook) {
        for (LinuxThread t : process.threads().values()) {
            support.installHook(t.cpu(), hook);
        }
    }
}
