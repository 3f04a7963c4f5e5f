package org.qemu.i386.system;

import org.qemu.common.exec.GuestTrap;
import org.qemu.i386.cpu.X86Trap;

/**
 * The protection exceptions of segment and gate checks, each with its error code (Intel SDM
 * vol. 3, 6.13: the selector index with TI, RPL bits cleared; EXT is left clear, as QEMU does).
 * The signal numbers only matter to user mode; system mode delivers by vector.
 */
final class ProtectionFaults {
    static final int INVALID_TSS = 10;
    static final int SEGMENT_NOT_PRESENT = 11;
    static final int STACK_FAULT = 12;
    static final int GENERAL_PROTECTION = 13;

    private ProtectionFaults() {
    }

    /** The error code naming a selector: index and TI, without the RPL bits. */
    static int selectorError(int selector) {
        return selector & 0xfffc;
    }

    static X86Trap generalProtection(int errorCode) {
        return X86Trap.generalProtection(errorCode);
    }

    /** #GP(selector). */
    static X86Trap badSelector(int selector) {
        return X86Trap.generalProtection(selectorError(selector));
    }

    static X86Trap notPresent(int errorCode) {
        return fault(GuestTrap.SIGBUS, SEGMENT_NOT_PRESENT, errorCode);
    }

    static X86Trap stackFault(int errorCode) {
        return fault(GuestTrap.SIGBUS, STACK_FAULT, errorCode);
    }

    static X86Trap invalidTss(int errorCode) {
        return fault(GuestTrap.SIGSEGV, INVALID_TSS, errorCode);
    }

    private static X86Trap fault(int signal, int vector, int errorCode) {
        return new X86Trap(new GuestTrap(signal, 0, 0, vector, errorCode), false);
    }
}
