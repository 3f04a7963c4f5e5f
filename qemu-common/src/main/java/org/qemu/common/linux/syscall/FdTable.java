package org.qemu.common.linux.syscall;

import java.util.BitSet;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/**
 * Which host descriptors belong to the guest. Guest descriptors are host descriptors, and
 * the JVM holds its own in the same table (class path jars, internals, opened at any time):
 * the guest may only close or overwrite its own, and only its own travel to a forked child.
 * At start the guest owns 0-2 and whatever was inherited without close-on-exec.
 */
public final class FdTable {
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    private final BitSet guest = new BitSet();

    public static FdTable ofCurrentProcess() {
        FdTable table = new FdTable();
        BitSet open = new BitSet();
        // java.io.File.list rather than a Files.list stream: this runs at every start-up, in the interpreter.
        String[] entries = new java.io.File("/proc/self/fd").list();
        if (entries == null) {
            open.set(0, 3);
        } else {
            for (String entry : entries) {
                try {
                    open.set(Integer.parseInt(entry));
                } catch (NumberFormatException ignored) {
                    // not a descriptor entry
                }
            }
        }
        // Checked after the listing's own descriptor is closed, so it is not counted.
        for (int fd = open.nextSetBit(0); fd >= 0; fd = open.nextSetBit(fd + 1)) {
            long flags = HostSyscall.call(HostNr.FCNTL, fd, F_GETFD, 0);
            if (flags >= 0 && (fd <= 2 || (flags & FD_CLOEXEC) == 0)) {
                table.guest.set(fd);
            }
        }
        return table;
    }

    public synchronized boolean isGuest(int fd) {
        return fd >= 0 && guest.get(fd);
    }

    /** True if the descriptor is open and belongs to the emulator itself. */
    public synchronized boolean isEmulatorOwned(int fd) {
        return fd >= 0 && !guest.get(fd) && HostSyscall.call(HostNr.FCNTL, fd, F_GETFD, 0) >= 0;
    }

    public synchronized void add(long fd) {
        if (fd >= 0) {
            guest.set((int) fd);
        }
    }

    public synchronized void remove(int fd) {
        if (fd >= 0) {
            guest.clear(fd);
        }
    }

    public synchronized int[] guestDescriptors() {
        return guest.stream().toArray();
    }

    /** Guest descriptors that are still open and carry close-on-exec (lost by a plain spawn). */
    public synchronized int[] closeOnExec() {
        return guest.stream().filter(fd -> {
            long flags = HostSyscall.call(HostNr.FCNTL, fd, F_GETFD, 0);
            return flags >= 0 && (flags & FD_CLOEXEC) != 0;
        }).toArray();
    }
}
