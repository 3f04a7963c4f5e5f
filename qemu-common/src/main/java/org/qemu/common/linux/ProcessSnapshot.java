package org.qemu.common.linux;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.Signals;
import org.qemu.common.memory.GuestMemory;

/**
 * What a forked child needs to continue where its parent was: the mapped pages (runs of
 * pages with one protection; pages that are all zero are sent as a flag), the program break,
 * the CPU of the forking thread, its signal mask and the signal dispositions. Kernel state
 * (descriptors, cwd, umask) reaches the child through the host spawn itself.
 */
public final class ProcessSnapshot {
    private static final int MAGIC = 0x51464f52; // "QFOR"
    private static final long PAGE = GuestMemory.PAGE_SIZE;

    /** The child's own fork details: which tid pointer to fill, and what clone asked for. */
    public record ForkDetails(long cloneFlags, long childTidAddress, long newStack, int[] guestFds, int[] closeOnExecFds) {
    }

    public static void write(DataOutputStream out, LinuxProcess process, LinuxThread thread, ForkDetails fork)
            throws IOException {
        out.writeInt(MAGIC);
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
        writePages(out, process.memory());
    }

    private static void writePages(DataOutputStream out, GuestMemory memory) throws IOException {
        MemorySegment space = memory.segment();
        byte[] page = new byte[(int) PAGE];
        long pages = memory.size() / PAGE;
        long p = 0;
        final long chunk = 256;
        while (p < pages) {
            long addr = p * PAGE;
            // Most of a 4 GiB space is empty: skip it a megabyte at a time.
            if (p % chunk == 0 && p + chunk <= pages && memory.isFree(addr, chunk * PAGE)) {
                p += chunk;
                continue;
            }
            if (!memory.isMapped(addr, PAGE)) {
                p++;
                continue;
            }
            int prot = memory.protectionAt(addr) & (GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            long run = 1;
            while (p + run < pages && memory.isMapped((p + run) * PAGE, PAGE)
                    && (memory.protectionAt((p + run) * PAGE) & 7) == prot) {
                run++;
            }
            out.writeLong(addr);
            out.writeLong(run);
            out.writeByte(prot);
            for (long i = 0; i < run; i++) {
                MemorySegment.copy(space, ValueLayout.JAVA_BYTE, addr + i * PAGE, page, 0, page.length);
                if (isZero(page)) {
                    out.writeByte(0);
                } else {
                    out.writeByte(1);
                    out.write(page);
                }
            }
            p += run;
        }
        out.writeLong(-1);
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

    private static boolean isZero(byte[] page) {
        for (byte b : page) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** Rebuilds the process in this emulator; returns the fork details for the runtime to finish the child. */
    public static ForkDetails read(DataInputStream in, LinuxProcess process, LinuxThread thread) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IOException("not a fork snapshot");
        }
        process.paths().setProgram(in.readUTF());
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
        GuestMemory memory = process.memory();
        byte[] page = new byte[(int) PAGE];
        while (true) {
            long addr = in.readLong();
            if (addr == -1) {
                break;
            }
            long run = in.readLong();
            int prot = in.readByte();
            memory.map(addr, run * PAGE, GuestMemory.READ | GuestMemory.WRITE);
            for (long i = 0; i < run; i++) {
                if (in.readByte() != 0) {
                    in.readFully(page);
                    memory.load(addr + i * PAGE, page, 0, page.length);
                }
            }
            memory.protect(addr, run * PAGE, prot);
        }
        return fork;
    }

    private ProcessSnapshot() {
    }
}
