package org.qemu.i386.cpu;

import org.qemu.common.exec.GuestTrap;

/**
 * Thrown by an op for a CPU exception (#UD, #DE, #GP, #BP). Carries the trap as Linux reports it
 * and whether the saved eip is the next instruction (int3 and other traps) or the faulting one.
 */
public final class X86Trap extends RuntimeException {
    private final GuestTrap trap;
    private final boolean resumeAfter;

    public X86Trap(GuestTrap trap, boolean resumeAfter) {
        super(null, null, false, false);
        this.trap = trap;
        this.resumeAfter = resumeAfter;
    }

    public GuestTrap trap() {
        return trap;
    }

    public boolean resumeAfter() {
        return resumeAfter;
    }

    /** #UD: SIGILL/ILL_ILLOPN at the instruction, as Linux's x86 trap handler and QEMU report it. */
    public static X86Trap invalidOpcode(long address) {
        return new X86Trap(new GuestTrap(GuestTrap.SIGILL, GuestTrap.ILL_ILLOPN, address, 6, 0), false);
    }

    /** #DE: SIGFPE/FPE_INTDIV at the instruction (Linux reports overflow the same way). */
    public static X86Trap divideError(long address) {
        return new X86Trap(new GuestTrap(GuestTrap.SIGFPE, GuestTrap.FPE_INTDIV, address, 0, 0), false);
    }

    /** #GP from user mode (privileged instruction, bad selector): SIGSEGV/SI_KERNEL, address 0. */
    public static X86Trap generalProtection(int errorCode) {
        return new X86Trap(new GuestTrap(GuestTrap.SIGSEGV, GuestTrap.SI_KERNEL, 0, 13, errorCode), false);
    }

    /** #BR from bound: a fault at the instruction; Linux sends SIGSEGV/SI_KERNEL with trapno 5. */
    public static X86Trap boundRangeExceeded() {
        return new X86Trap(new GuestTrap(GuestTrap.SIGSEGV, GuestTrap.SI_KERNEL, 0, 5, 0), false);
    }

    /**
     * #OF from into (OF set) or {@code int 4}, whose gate Linux opens to user mode: a trap, so
     * SIGSEGV/SI_KERNEL with trapno 4 and eip after the instruction (measured with {@code int 4}
     * in 64-bit code on this host).
     */
    public static X86Trap overflow() {
        return new X86Trap(new GuestTrap(GuestTrap.SIGSEGV, GuestTrap.SI_KERNEL, 0, 4, 0), true);
    }

    /**
     * {@code int n} through a gate user mode may not use: #GP with the error code naming the IDT
     * entry (vector * 8 + 2), at the instruction, as Linux reports it (err 0x40a for int 0x81).
     */
    public static X86Trap closedGate(int vector) {
        return generalProtection(vector * 8 + 2);
    }

    /** #BP from int3: SIGTRAP/SI_KERNEL, eip after the int3. */
    public static X86Trap breakpoint() {
        return new X86Trap(new GuestTrap(GuestTrap.SIGTRAP, GuestTrap.SI_KERNEL, 0, 3, 0), true);
    }
}
