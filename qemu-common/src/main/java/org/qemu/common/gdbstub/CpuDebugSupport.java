package org.qemu.common.gdbstub;

/**
 * What a target module tells the stub about its CPUs: the register layout GDB gets, a view of
 * one CPU's registers in that layout, and how to hook a CPU's run loop.
 */
public interface CpuDebugSupport {
    TargetDescription description();

    /** The registers of {@code cpu} (the object the run loop passes to the hook). */
    DebugRegisters registers(Object cpu);

    /** Makes {@code cpu} (and the CPUs that share its translations) call {@code hook} before each instruction. */
    void installHook(Object cpu, InstructionHook hook);
}
