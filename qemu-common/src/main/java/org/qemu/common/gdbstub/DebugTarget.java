package org.qemu.common.gdbstub;

import java.util.List;

/**
 * The debuggee as the stub sees it: its threads (guest threads in user mode, CPUs in system
 * mode), its memory, its register layout, and how to end it.
 */
public interface DebugTarget {
    TargetDescription description();

    /** The live threads, in a stable order (first: the main thread or boot CPU). */
    List<DebugThread> threads();

    /** The thread of a CPU the hook reported, or null if it is not (or no longer) known. */
    default DebugThread threadOf(Object cpu) {
        for (DebugThread t : threads()) {
            if (t.cpu() == cpu) {
                return t;
            }
        }
        return null;
    }

    /** Reads guest memory for the debugger; throws {@link IllegalArgumentException} where nothing is mapped. */
    byte[] readMemory(long address, int length);

    /** Writes guest memory for the debugger (code included: translations of it are dropped). */
    void writeMemory(long address, byte[] data);

    /** The memory watchpoints can watch (every guest access goes through it), or null: none. */
    default org.qemu.common.memory.GuestMemory watchableMemory() {
        return null;
    }

    /** The debugger asked to kill the guest ({@code k}, {@code vKill}). */
    void kill();

    /** Installs the hook into every CPU (present and future) of the target. */
    void installHook(InstructionHook hook);

    /** One gdb thread: a positive id and the CPU behind it. */
    record DebugThread(long id, Object cpu, DebugRegisters registers) {
    }
}
