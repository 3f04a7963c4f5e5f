package org.qemu.common.exec;

/**
 * A synchronous guest exception, described the way Linux reports it to user space:
 * the signal, its si_code, the faulting address (si_addr), and the architecture's own
 * trap number (x86 vector, PowerPC interrupt offset) for signal frames and system mode.
 * The CPU state is left exactly at the faulting instruction.
 */
public record GuestTrap(int signal, int code, long address, int trapNumber, int errorCode) {
    public static final int SIGILL = 4;
    public static final int SIGTRAP = 5;
    public static final int SIGBUS = 7;
    public static final int SIGFPE = 8;
    public static final int SIGSEGV = 11;

    public static final int ILL_ILLOPC = 1;
    /** What Linux on x86 reports for #UD (do_error_trap with ILL_ILLOPN), ud2 included. */
    public static final int ILL_ILLOPN = 2;
    public static final int FPE_INTDIV = 1;
    public static final int FPE_INTOVF = 2;
    public static final int SEGV_MAPERR = 1;
    public static final int SEGV_ACCERR = 2;
    /** si_code of a signal sent by the kernel for a fault it cannot name more precisely. */
    public static final int SI_KERNEL = 0x80;
}
