package org.qemu.common.linux.syscall;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.signal.SignalAction;

/**
 * The structs whose layout is particular to one ABI (beyond "every long is a word"):
 * the stat family, statfs, and the kernel's sigaction.
 */
public interface StructLayouts {
    /** Writes the struct the ABI's stat64/fstat64/fstatat64 (or plain stat on 64-bit) fill. */
    void putStat64(GuestData data, long address, HostStat stat);

    /** Writes the ABI's old {@code struct stat} (stat/fstat/lstat); false if the ABI has none. */
    boolean putStat(GuestData data, long address, HostStat stat);

    /** Writes {@code struct statfs64} (is64) or {@code struct statfs}. */
    void putStatfs(GuestData data, long address, HostStatfs statfs, boolean is64);

    /** Reads the kernel {@code struct sigaction} of rt_sigaction (or old sigaction when {@code old}). */
    SignalAction readSigaction(GuestData data, long address, boolean old);

    void writeSigaction(GuestData data, long address, SignalAction action, boolean old);
}
