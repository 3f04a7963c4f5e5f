package org.qemu.common.linux;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.Signals;
import org.qemu.common.linux.syscall.MemorySyscalls;
import org.qemu.common.memory.GuestMemory;

/**
 * What a forked child needs to continue where its parent was: the mapped pages, the program
 * break, the CPU of the forking thread, its signal mask and the signal dispositions. Kernel
 * state (descriptors, cwd, umask) reaches the child through the host spawn itself.
 *
 * <p>Layout of the snapshot file: a header (everything but page contents, then one record per
 * run of mapped pages with one protection and either all-zero or all-nonzero contents), then,
 * from the next page boundary, the contents of the nonzero runs. The contents move between
 * guest memory and the file with one host pwrite/pread per run, so no page passes through the
 * Java heap: an 8.7 MiB snapshot used to take 40-110 ms to write and 130-500 ms to restore
 * with the JVM still cold, copying page by page.
 */
public final class ProcessSnapshot {
    private static final int MAGIC = 0x51464f52; // "QFOR"
    private static final long PAGE = GuestMemory.PAGE_SIZE;
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[(int) PAGE]);

    /** The child's own fork details: which tid pointer to fill, and what clone asked for. */
    public record ForkDetails(long cloneFlags, long childTidAddress, long newStack, int[] guestFds, int[] closeOnExecFds) {
    }

    /** Writes the snapshot into {@code fd} (an empty file, e.g. a memfd), from offset 0. */
    public static void write(int fd, LinuxProcess process, LinuxThread thread, ForkDetails fork) throws IOException {
        GuestMemory memory = process.memory();
        var memorySyscalls = process.syscalls().memory();
        List<MemorySyscalls.SharedMapping> sharedMappings = memorySyscalls.sharedMappings();
        List<PageRun> runs = pageRuns(memory, memorySyscalls::isShared);
        ByteArrayOutputStream header = new ByteArrayOutputStream(1 << 14);
        DataOutputStream out = new DataOutputStream(header);
        out.writeInt(MAGIC);
        out.writeInt(0); // the header's length, filled in below: page contents start at the next page boundary
        out.writeUTF(process.paths().program());
        byte[] cpu = process.abi().saveCpu(thread.cpu());
        out.writeInt(cpu.length);
        out.write(cpu);
        out.writeLong(thread.blocked());
        out.writeLong(fork.cloneFlags());
        out.writeLong(fork.childTidAddress());
        out.writeLong(fork.newStack());
        writeInts(out, fork.guestFds());
        writeInts(out, fork.closeOnExecFds());
        out.writeLong(thread.altStackBase());
        out.writeLong(thread.altStackSize());
        out.writeInt(thread.altStackFlags());
        out.writeLong(process.space().brkStart());
        out.writeLong(process.space().brk());
        SignalAction[] actions = process.signals().actions();
        for (int sig = 1; sig <= Signals.NSIG; sig++) {
            SignalAction a = actions[sig];
            out.writeLong(a.handler());
            out.writeLong(a.flags());
            out.writeLong(a.restorer());
            out.writeLong(a.mask());
        }
        out.writeInt(runs.size());
        for (PageRun run : runs) {
            out.writeLong(run.address());
            out.writeLong(run.pages());
            out.writeByte(run.protection());
            out.writeBoolean(run.hasContents());
            out.writeBoolean(run.shared());
        }
        // shared mappings are not copied: the child maps the same host pages from the same descriptors
        out.writeInt(sharedMappings.size());
        for (MemorySyscalls.SharedMapping m : sharedMappings) {
            out.writeLong(m.start());
            out.writeLong(m.end());
            out.writeInt(m.hostFd());
            out.writeLong(m.fileOffset());
            out.writeInt(m.hostProt());
        }
        out.flush();
        byte[] bytes = header.toByteArray();
        ByteBuffer.wrap(bytes).putInt(4, bytes.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, copy, ValueLayout.JAVA_BYTE, 0, bytes.length);
            transfer(HostNr.PWRITE64, fd, copy.address(), bytes.length, 0);
        }
        long offset = pageUp(bytes.length);
        long base = memory.segment().address();
        for (PageRun run : runs) {
            if (run.hasContents()) {
                transfer(HostNr.PWRITE64, fd, base + run.address(), run.pages() * PAGE, offset);
                offset += run.pages() * PAGE;
            }
        }
    }

    /** A run of mapped pages with one protection, all zero or all holding data, or all in shared mappings (no contents). */
    private record PageRun(long address, long pages, int protection, boolean hasContents, boolean shared) {
    }

    private static List<PageRun> pageRuns(GuestMemory memory, java.util.function.LongPredicate sharedPage) {
        MemorySegment space = memory.segment();
        List<PageRun> runs = new ArrayList<>();
        long pages = memory.size() / PAGE;
        long p = 0;
        while ((p = memory.nextMappedPage(p)) >= 0) {
            long addr = p * PAGE;
            int prot = memory.accessAt(addr);
            boolean shared = sharedPage.test(addr);
            boolean data = !shared && !isZero(space, addr);
            long run = 1;
            while (p + run < pages && memory.isMapped((p + run) * PAGE, PAGE)
                    && memory.accessAt((p + run) * PAGE) == prot && sharedPage.test((p + run) * PAGE) == shared
                    && (shared || !isZero(space, (p + run) * PAGE) == data)) {
                run++;
            }
            runs.add(new PageRun(addr, run, prot, data, shared));
            p += run;
        }
        return runs;
    }

    private static boolean isZero(MemorySegment space, long address) {
        return MemorySegment.mismatch(space, address, address + PAGE, ZERO_PAGE, 0, PAGE) < 0;
    }

    /** pread/pwrite of a whole range, continuing after short transfers. */
    private static void transfer(int call, int fd, long hostAddress, long length, long offset) throws IOException {
        long done = 0;
        while (done < length) {
            long n = HostSyscall.call(call, fd, hostAddress + done, length - done, offset + done);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n <= 0) {
                throw new IOException("fork snapshot " + (call == HostNr.PWRITE64 ? "write" : "read")
                        + " failed: " + (n < 0 ? "errno " + -n : "file too short"));
            }
            done += n;
        }
    }

    private static long pageUp(long n) {
        return (n + PAGE - 1) & -PAGE;
    }

    private static void writeInts(DataOutputStream out, int[] values) throws IOException {
        out.writeInt(values.length);
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static int[] readInts(DataInputStream in) throws IOException {
        int[] values = new int[in.readInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = in.readInt();
        }
        return values;
    }

    /** Rebuilds the process in this emulator from snapshot file {@code fd}; returns the fork details for the runtime to finish the child. */
    public static ForkDetails read(int fd, LinuxProcess process, LinuxThread thread) throws IOException {
        // A new open file description: its offset is ours, and page contents are read with pread anyway.
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream("/proc/self/fd/" + fd), 1 << 14));
        try (in) {
            return read(in, fd, process, thread);
        }
    }

    private static ForkDetails read(DataInputStream in, int fd, LinuxProcess process, LinuxThread thread)
            throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a fork snapshot");
        }
        int headerLength = in.readInt();
        String program = in.readUTF();
        process.paths().setProgram(program);
        byte[] cpu = new byte[in.readInt()];
        in.readFully(cpu);
        process.abi().restoreCpu(thread.cpu(), cpu);
        thread.setBlocked(in.readLong());
        ForkDetails fork = new ForkDetails(in.readLong(), in.readLong(), in.readLong(), readInts(in), readInts(in));
        thread.setAltStack(in.readLong(), in.readLong(), in.readInt());
        long brkStart = in.readLong();
        long brk = in.readLong();
        process.space().restoreBrk(brkStart, brk);
        for (int sig = 1; sig <= Signals.NSIG; sig++) {
            SignalAction a = new SignalAction(in.readLong(), in.readLong(), in.readLong(), in.readLong());
            process.signals().setAction(sig, a);
        }
        int count = in.readInt();
        List<PageRun> runs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            runs.add(new PageRun(in.readLong(), in.readLong(), in.readByte(), in.readBoolean(), in.readBoolean()));
        }
        int sharedCount = in.readInt();
        for (int i = 0; i < sharedCount; i++) {
            process.syscalls().memory().adoptShared(new MemorySyscalls.SharedMapping(in.readLong(), in.readLong(), in.readInt(),
                    in.readLong(), in.readInt()));
        }
        GuestMemory memory = process.memory();
        long base = memory.segment().address();
        long offset = pageUp(headerLength);
        for (PageRun run : runs) {
            long length = run.pages() * PAGE;
            if (run.shared()) {
                // mapped from its descriptor above: the guest's view of the pages only
                memory.map(run.address(), length, run.protection());
                continue;
            }
            memory.map(run.address(), length, GuestMemory.READ | GuestMemory.WRITE);
            if (run.hasContents()) {
                transfer(HostNr.PREAD64, fd, base + run.address(), length, offset);
                offset += length;
            }
            memory.protect(run.address(), length, run.protection());
        }
        return fork;
    }

    private ProcessSnapshot() {
    }
}
