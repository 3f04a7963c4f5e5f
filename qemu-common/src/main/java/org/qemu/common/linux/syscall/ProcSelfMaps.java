package org.qemu.common.linux.syscall;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.memory.GuestMemory;

/**
 * The guest's own {@code /proc/self/maps}: one line per run of guest pages with the same
 * permissions and backing, in guest addresses, as Linux formats it. Without it a guest read the
 * emulator's (the JVM's) map, where glibc's pthread_getattr_np, sanitizers and runtimes that
 * look for their own stack or code find nothing of theirs.
 *
 * <p>Where the names come from: file pages the guest maps are real host file mappings inside the
 * reservation (private copy-on-write ones and shared ones), so the host's own map names their
 * file, offset, device and inode at {@code base + guest address}; everything else is anonymous,
 * with {@code [heap]} for the brk area and {@code [stack]} for the run holding the stack's top.
 * Permissions are the guest's (the host maps guest memory read-write).
 */
final class ProcSelfMaps {
    private ProcSelfMaps() {
    }

    /** A host file mapping inside the reservation, in guest addresses. */
    private record FileRange(long start, long end, long offset, String device, long inode, String path) {
    }

    static byte[] render(LinuxProcess process, MemorySyscalls memorySyscalls) throws IOException {
        GuestMemory memory = process.memory();
        long base = memory.segment().address();
        List<FileRange> files = hostFileRanges(base, memory.size());
        long brkStart = process.space().brkStart();
        long brk = process.space().brk();
        long stackTop = process.abi().stackTop();
        StringBuilder out = new StringBuilder();
        long pages = memory.size() / GuestMemory.PAGE_SIZE;
        long p = 0;
        int fileIndex = 0;
        while ((p = memory.nextMappedPage(p)) >= 0) {
            long start = p * GuestMemory.PAGE_SIZE;
            while (fileIndex < files.size() && files.get(fileIndex).end() <= start) {
                fileIndex++;
            }
            FileRange file = fileIndex < files.size() && files.get(fileIndex).start() <= start ? files.get(fileIndex) : null;
            int prot = memory.accessAt(start);
            boolean shared = memorySyscalls.isShared(start);
            boolean heap = start >= brkStart && start < brk;
            long end = start + GuestMemory.PAGE_SIZE;
            long limit = file != null ? file.end()
                    : fileIndex < files.size() ? files.get(fileIndex).start() : Long.MAX_VALUE;
            while (end / GuestMemory.PAGE_SIZE < pages && end < limit && memory.isMapped(end, GuestMemory.PAGE_SIZE)
                    && memory.accessAt(end) == prot && memorySyscalls.isShared(end) == shared
                    && (end >= brkStart && end < brk) == heap) {
                end += GuestMemory.PAGE_SIZE;
            }
            String name = file != null ? file.path() : heap ? "[heap]" : start < stackTop && end >= stackTop ? "[stack]" : "";
            line(out, start, end, prot, shared, file == null ? 0 : file.offset() + (start - file.start()),
                    file == null ? "00:00" : file.device(), file == null ? 0 : file.inode(), name);
            p = end / GuestMemory.PAGE_SIZE;
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One line as Linux's show_map_vma prints it: the name in column 74. */
    private static void line(StringBuilder out, long start, long end, int prot, boolean shared, long offset, String device,
            long inode, String name) {
        int before = out.length();
        out.append(String.format("%08x-%08x %c%c%c%c %08x %s %d ", start, end,
                (prot & GuestMemory.READ) != 0 ? 'r' : '-', (prot & GuestMemory.WRITE) != 0 ? 'w' : '-',
                (prot & GuestMemory.EXEC) != 0 ? 'x' : '-', shared ? 's' : 'p', offset, device, inode));
        if (!name.isEmpty()) {
            out.append(" ".repeat(Math.max(0, 73 - (out.length() - before)))).append(name);
        }
        out.append('\n');
    }

    /** The host's file mappings that lie inside the guest reservation, ordered, in guest addresses. */
    private static List<FileRange> hostFileRanges(long base, long size) throws IOException {
        List<FileRange> ranges = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8)) {
            String[] f = l.trim().split("\\s+", 6);
            if (f.length < 6 || f[4].equals("0") || !f[5].startsWith("/")) {
                continue;
            }
            int dash = f[0].indexOf('-');
            long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            if (start < base || end > base + size) {
                continue;
            }
            // MAP_SHARED | MAP_ANONYMOUS is our memfd (MemorySyscalls): Linux names such pages so
            String path = f[5].startsWith("/memfd:qemu-shared-anonymous") ? "/dev/zero (deleted)" : f[5];
            ranges.add(new FileRange(start - base, end - base, Long.parseUnsignedLong(f[2], 16), f[3], Long.parseLong(f[4]), path));
        }
        ranges.sort(java.util.Comparator.comparingLong(FileRange::start));
        return ranges;
    }
}
