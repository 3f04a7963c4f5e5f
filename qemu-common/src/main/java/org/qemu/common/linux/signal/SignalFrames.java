package org.qemu.common.linux.signal;

import org.qemu.common.linux.LinuxThread;

/** The architecture's signal frames: how a handler is entered and how sigreturn comes back. */
public interface SignalFrames {
    /**
     * Pushes a frame for {@code info.signal()} onto {@code stackPointer} and points the CPU at the
     * handler; {@code savedMask} is the mask to restore on return. Throws
     * {@link org.qemu.common.memory.GuestMemoryFault} if the stack cannot take the frame.
     */
    void setup(LinuxThread thread, SignalAction action, SignalInfo info, long savedMask, long stackPointer);

    /** sigreturn ({@code rt} false) or rt_sigreturn: restores the CPU from the frame, returns the saved mask. */
    long restore(LinuxThread thread, boolean rt);

    /** The thread's current stack pointer (to pick the stack a frame goes on). */
    long stackPointer(LinuxThread thread);
}
