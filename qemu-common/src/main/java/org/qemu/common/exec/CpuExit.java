package org.qemu.common.exec;

/** Why a guest CPU handed control back to whoever runs it (the Linux runtime or a machine). */
public enum CpuExit {
    /** The guest asked for a system call (int 0x80, syscall, sc); the pc is already past it. */
    SYSCALL,
    /** The guest raised a synchronous exception; {@link GuestCpu#lastTrap()} says which. */
    TRAP,
    /** Someone called {@link GuestCpu#requestExit()}: a signal to deliver, an exit_group, an interrupt. */
    EXIT_REQUEST,
    /** The guest halted (system mode: hlt with interrupts enabled). */
    HALT
}
