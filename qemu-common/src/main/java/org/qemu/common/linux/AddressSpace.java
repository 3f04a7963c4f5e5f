package org.qemu.common.linux;

import org.qemu.common.memory.GuestMemory;

/**
 * The mmap and brk policy of a user-mode process on top of {@link GuestMemory}: where
 * anonymous and file mappings go (top-down below the stack, like Linux's legacy-free
 * layout), and how the program break grows. Page protections themselves live in GuestMemory.
 */
public final class AddressSpace {
    public static final long PAGE = GuestMemory.PAGE_SIZE;

    private final GuestMemory memory;
    /** Mappings are placed below this address (the stack guard region starts here). */
    private final long mmapTop;
    /** Nothing is placed automatically below this address (catches NULL dereferences). */
    private final long mmapBottom;
    private long brkStart;
    private long brk;

    public AddressSpace(GuestMemory memory, long mmapTop, long mmapBottom) {
        this.memory = memory;
        this.mmapTop = mmapTop;
        this.mmapBottom = mmapBottom;
    }

    public GuestMemory memory() {
        return memory;
    }

    public static long pageUp(long value) {
        return (value + PAGE - 1) & ~(PAGE - 1);
    }

    public static long pageDown(long value) {
        return value & ~(PAGE - 1);
    }

    /** Highest free page-aligned range of {@code length} bytes below the mmap top, or -1. */
    public synchronized long findFree(long length) {
        long len = pageUp(length);
        if (len <= 0 || len > mmapTop - mmapBottom) {
            return -1;
        }
        long candidate = pageDown(mmapTop - len);
        while (candidate >= mmapBottom) {
            long blocking = highestMappedPage(candidate, len);
            if (blocking < 0) {
                return candidate;
            }
            candidate = blocking - len;
        }
        return -1;
    }

    /** Address of the highest mapped page in the range, or -1 when all is free. */
    private long highestMappedPage(long address, long length) {
        for (long p = address + length - PAGE; p >= address; p -= PAGE) {
            if (!memory.isFree(p, PAGE)) {
                return p;
            }
        }
        return -1;
    }

    /** Sets where the program break starts (page-aligned end of the executable's data). */
    public synchronized void initBrk(long start) {
        this.brkStart = pageUp(start);
        this.brk = brkStart;
    }

    public synchronized long brk() {
        return brk;
    }

    public synchronized long brkStart() {
        return brkStart;
    }

    /**
     * brk(2): moves the break if the pages it needs are free; returns the (possibly
     * unchanged) break, which is how Linux reports failure.
     */
    public synchronized long setBrk(long requested) {
        if (requested < brkStart) {
            return brk;
        }
        long oldEnd = pageUp(brk);
        long newEnd = pageUp(requested);
        if (newEnd > oldEnd) {
            if (newEnd > memory.size() || !memory.isFree(oldEnd, newEnd - oldEnd)) {
                return brk;
            }
            memory.map(oldEnd, newEnd - oldEnd, GuestMemory.READ | GuestMemory.WRITE);
        } else if (newEnd < oldEnd) {
            memory.unmap(newEnd, oldEnd - newEnd);
        }
        brk = requested;
        return brk;
    }

    public long mmapTop() {
        return mmapTop;
    }

    /** Snapshot support: the break after a restore. */
    public synchronized void restoreBrk(long start, long current) {
        this.brkStart = start;
        this.brk = current;
    }
}
