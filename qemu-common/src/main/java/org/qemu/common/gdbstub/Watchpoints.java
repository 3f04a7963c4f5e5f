package org.qemu.common.gdbstub;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.qemu.common.memory.GuestMemory;

/**
 * GDB's watchpoints ({@code Z2} write, {@code Z3} read, {@code Z4} access) over a
 * {@link GuestMemory}: the pages they cover are marked watched, so only accesses to those pages
 * leave the memory fast path; the slow path reports each one here, and a match makes the
 * accessing CPU stop before its next instruction with {@code watch:}/{@code rwatch:}/{@code awatch:}
 * and the watchpoint's address, as the remote protocol's stop reply names them.
 */
public final class Watchpoints implements GuestMemory.WatchListener {
    /** The three kinds, numbered as in the Z packet, with their stop-reply names. */
    public enum Kind {
        WRITE(2, "watch"), READ(3, "rwatch"), ACCESS(4, "awatch");

        private final int packetType;
        private final String replyName;

        Kind(int packetType, String replyName) {
            this.packetType = packetType;
            this.replyName = replyName;
        }

        static Kind ofPacketType(int type) {
            for (Kind k : values()) {
                if (k.packetType == type) {
                    return k;
                }
            }
            throw new IllegalArgumentException("not a watchpoint type: " + type);
        }

        boolean matches(boolean write) {
            return this == ACCESS || (this == WRITE) == write;
        }
    }

    private record Watch(Kind kind, long address, long length) {
        boolean overlaps(long from, int bytes) {
            return from < address + length && address < from + bytes;
        }
    }

    private final GuestMemory memory;
    private final ExecutionGate gate;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    public Watchpoints(GuestMemory memory, ExecutionGate gate) {
        this.memory = memory;
        this.gate = gate;
        memory.setWatchListener(this);
    }

    /** Adds a watchpoint ({@code type} 2, 3 or 4 as in the Z packet). */
    public synchronized void add(int type, long address, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("empty watchpoint");
        }
        watches.add(new Watch(Kind.ofPacketType(type), address, length));
        forEachPage(address, length, page -> memory.watchPage(page, true));
    }

    /** Removes one watchpoint like it; false if there was none. */
    public synchronized boolean remove(int type, long address, long length) {
        boolean removed = watches.remove(new Watch(Kind.ofPacketType(type), address, length));
        if (removed) {
            forEachPage(address, length, page -> {
                if (watches.stream().noneMatch(w -> w.overlaps(page << GuestMemory.PAGE_SHIFT, (int) GuestMemory.PAGE_SIZE))) {
                    memory.watchPage(page, false);
                }
            });
        }
        return removed;
    }

    /** Drops every watchpoint (the debugger went away): the pages get their fast path back. */
    public synchronized void clear() {
        for (Watch w : watches) {
            forEachPage(w.address(), w.length(), page -> memory.watchPage(page, false));
        }
        watches.clear();
    }

    private static void forEachPage(long address, long length, java.util.function.LongConsumer action) {
        for (long page = address >>> GuestMemory.PAGE_SHIFT, last = (address + length - 1) >>> GuestMemory.PAGE_SHIFT; page <= last; page++) {
            action.accept(page);
        }
    }

    @Override
    public void accessed(long address, int bytes, boolean write) {
        for (Watch w : watches) {
            if (w.kind().matches(write) && w.overlaps(address, bytes)) {
                gate.watchHit(w.kind().replyName + ":" + Long.toHexString(w.address()));
                return;
            }
        }
    }
}
