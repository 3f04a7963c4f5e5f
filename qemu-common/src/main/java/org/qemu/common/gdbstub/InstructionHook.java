package org.qemu.common.gdbstub;

/**
 * What a CPU's run loop calls before each block while a debugger may be attached (with one
 * instruction per block, before each instruction). The call may block the guest thread while
 * the debugger looks at it; afterwards the CPU must re-read its pc, which the debugger may
 * have changed. CPUs without a hook pay one null check per block.
 */
@FunctionalInterface
public interface InstructionHook {
    /** {@code cpu} identifies the calling CPU (the object the target's {@link DebugTarget} knows). */
    void beforeInstruction(Object cpu, long pc);
}
