package org.qemu.common.linux.syscall;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.stream.Stream;

import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;

/**
 * Guest descriptors are host descriptors, which the JVM shares: the descriptors the JVM
 * itself holds (class path jars, its own internals — all close-on-exec) must not be closed
 * or overwritten by the guest, or the emulator loses its own classes. Those open when the
 * emulator started, close-on-exec and above 2, are the emulator's.
 */
public final class FdGuard {
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    private final BitSet owned = new BitSet();

    public static FdGuard ofCurrentProcess() {
        FdGuard guard = new FdGuard();
        BitSet candidates = new BitSet();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> {
                try {
                    candidates.set(Integer.parseInt(p.getFileName().toString()));
                } catch (NumberFormatException ignored) {
                    // not a descriptor entry
                }
            });
        } catch (IOException e) {
            // No /proc: nothing to protect that we can see.
        }
        // Checked after the listing's own descriptor is closed, so it is not counted.
        candidates.stream().filter(fd -> fd > 2).forEach(fd -> {
            long flags = HostSyscall.call(HostNr.FCNTL, fd, F_GETFD, 0);
            if (flags >= 0 && (flags & FD_CLOEXEC) != 0) {
                guard.owned.set(fd);
            }
        });
        return guard;
    }

    public boolean isEmulatorOwned(int fd) {
        return fd >= 0 && owned.get(fd);
    }

    /** The descriptor was closed by the emulator; the guest may use its number now. */
    public void release(int fd) {
        owned.clear(fd);
    }
}
