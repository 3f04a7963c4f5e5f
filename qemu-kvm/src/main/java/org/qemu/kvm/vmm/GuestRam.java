package org.qemu.kvm.vmm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.Libc;

/** Guest RAM: one anonymous private mapping, registered with KVM and handed to the devices. */
final class GuestRam {
    private GuestRam() {
    }

    static MemorySegment map(long bytes) throws ErrnoException {
        return Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS | Libc.MAP_NORESERVE, -1, 0, "guest RAM");
    }

    /** KVM memory slots are whole pages: -m 1000K becomes 1000 KiB rounded up to 4 KiB. */
    static long pageAligned(long bytes) {
        return (bytes + 4095) & ~4095L;
    }

    /** The host's physical memory from /proc/meminfo, or -1 when unknown. */
    static long hostMemoryBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
