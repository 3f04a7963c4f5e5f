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

    /**
     * Offset of l_start in {@code struct flock64}: 4 where 64-bit members are 4-aligned
     * (i386), 8 where they are 8-aligned (ppc32); l_len and l_pid follow at +8 and +16.
     */
    default int flock64StartOffset() {
        return 4;
    }
}
