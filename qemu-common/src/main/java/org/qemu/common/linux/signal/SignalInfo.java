package org.qemu.common.linux.signal;

import org.qemu.common.linux.GuestData;

/**
 * A siginfo_t to hand to an SA_SIGINFO handler. The union after si_signo/si_errno/si_code starts
 * at offset 12 on 32-bit ABIs and 16 on 64-bit ones; the whole struct is 128 bytes on both.
 *
 * <p>{@code trapNumber} and {@code errorCode}: for a signal a CPU exception raised, the
 * exception's vector and error code, which the x86 signal frames' sigcontext reports as trapno
 * and err (a page fault's err tells a write from a read; AddressSanitizer reads it); -1 and 0
 * for any other signal.
 */
public record SignalInfo(int signal, int code, int pid, int uid, long address, int status, int trapNumber, int errorCode) {
    public static final int SIZE = 128;

    /** A signal no CPU exception raised. */
    public SignalInfo(int signal, int code, int pid, int uid, long address, int status) {
        this(signal, code, pid, uid, address, status, -1, 0);
    }

    /** True when a CPU exception raised this signal. */
    public boolean fromTrap() {
        return trapNumber >= 0;
    }

    public static SignalInfo user(int signal, int pid, int uid) {
        return new SignalInfo(signal, Signals.SI_USER, pid, uid, 0, 0);
    }

    public void write(GuestData data, long at) {
        for (int i = 0; i < SIZE; i += 4) {
            data.put32(at + i, 0);
        }
        data.put32(at, signal);
        data.put32(at + 4, 0);
        data.put32(at + 8, code);
        long union = data.wordSize() == 8 ? 16 : 12;
        switch (signal) {
            case Signals.SIGSEGV, Signals.SIGBUS, Signals.SIGILL, Signals.SIGFPE, Signals.SIGTRAP ->
                    data.putWord(at + union, address);
            case Signals.SIGCHLD -> {
                data.put32(at + union, pid);
                data.put32(at + union + 4, uid);
                data.put32(at + union + 8, status);
            }
            default -> {
                data.put32(at + union, pid);
                data.put32(at + union + 4, uid);
            }
        }
    }
}
