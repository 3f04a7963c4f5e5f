package org.qemu.ppc.cpu;

import org.qemu.common.exec.GuestTrap;

/**
 * A synchronous guest exception raised inside translated code (trap instructions, illegal or
 * privileged opcodes, misaligned reservations). The instruction's address is already in
 * {@code pc}; the runner reports it as a {@link org.qemu.common.exec.CpuExit#TRAP}.
 */
public final class TrapException extends RuntimeException {
    private final transient GuestTrap trap;

    public TrapException(GuestTrap trap) {
        super(null, null, false, false); // control flow for the guest, no stack trace needed
        this.trap = trap;
    }

    public GuestTrap trap() {
        return trap;
    }
}
