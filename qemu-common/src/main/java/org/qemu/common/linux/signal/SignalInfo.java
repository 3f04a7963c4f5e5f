package org.qemu.common.linux.signal;

import org.qemu.common.linux.GuestData;

/**
 * A siginfo_t to hand to an SA_SIGINFO handler. The union after si_signo/si_errno/si_code starts
 * at offset 12 on 32-bit ABIs and 16 on 64-bit ones; the whole struct is 128 bytes on both.
 */
public record SignalInfo(int signal, int code, int pid, int uid, long address, int status) {
    public static final int SIZE = 128;

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
