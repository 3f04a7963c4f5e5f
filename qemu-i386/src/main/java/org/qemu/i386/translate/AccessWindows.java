package org.qemu.i386.translate;

import java.util.ArrayList;
import java.util.List;

/**
 * Verified windows: the guest memory accesses of a compiled method that go through the same
 * base register while it keeps its value (esp moved by push and pop counts as the same value plus
 * a known offset), grouped so that one protection test covers them all. Where the test passes
 * (every byte they touch lies in one page that allows every kind of access they make), each
 * access is a host load or store at a constant offset from one host address: about three machine
 * instructions instead of the fourteen of a checked access. Where it fails, each access takes the
 * accessor, which checks it alone and faults precisely.
 *
 * <p>Why it is sound: within one compiled method, a page's protection changes only through code
 * that calls out (an op called through its field, which starts new windows) or another thread
 * (a race the per-access test has as well); a page that holds translated code never passes the
 * write test, so stores that must invalidate translations still take the accessor.
 *
 * <p>A window's extent is known only after the method's accesses have been seen: the emitter
 * emits the method twice, first recording ({@link #recording}), then with the recorded plan
 * ({@link #replay}). Both passes make the same calls in the same order, so window numbers agree.
 */
final class AccessWindows {
    /** What one access of a planned window emits: the test at its first access, then its offset. */
    record Window(boolean first, int offset, int lowFromNow, int span, boolean reads, boolean writes) {
    }

    private static final int PAGE = 4096;

    /**
     * A window of a loop block whose register the loop never changes: verified once, before the
     * loop head, instead of at its first access in every iteration.
     */
    record Hoisted(int register, int segment, Window window) {
    }

    /** What the first pass saw of one window. */
    private static final class Group {
        final int register;
        final int segment;
        final int firstAccess;
        int low = Integer.MAX_VALUE;
        int end = Integer.MIN_VALUE;
        boolean reads;
        boolean writes;
        int accesses;

        Group(int register, int segment, int firstAccess) {
            this.register = register;
            this.segment = segment;
            this.firstAccess = firstAccess;
        }
    }

    /** Null while recording; the first pass's windows when replaying. */
    private final List<Group> planned;
    private final List<Group> groups = new ArrayList<>();
    /** Per guest register (sixteen: long mode has r8-r15): its current window's number, or -1 (the next access opens one). */
    private final int[] current = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
    /** Per guest register: how far it moved (push/pop) since its window opened. */
    private final int[] moved = new int[16];
    private int accessCount;
    /** Registers (one bit each) that changed or moved since the loop head. */
    private int changed;
    /** Replaying a loop block: the registers its body never changes, whose windows are hoisted. */
    private final int invariant;

    private AccessWindows(List<Group> planned, int invariant) {
        this.planned = planned;
        this.invariant = invariant;
    }

    /** A plan to record during a first emission pass. */
    static AccessWindows recording() {
        return new AccessWindows(null, 0);
    }

    /** True during the first pass. */
    boolean isRecording() {
        return planned == null;
    }

    /** The plan recorded by this object's pass, for the second pass. */
    AccessWindows replay() {
        return new AccessWindows(List.copyOf(groups), 0);
    }

    /**
     * The plan for a loop block whose body this object recorded from its head: windows of
     * registers the body never changes (nor moves) are verified once before the head, so every
     * iteration uses them untested (one that failed its test sends each access to the accessor).
     * Sound for the loop's whole run for the reason windows are sound within a block: a loop
     * block calls no op, so page protections change only through another thread.
     */
    AccessWindows replayLoop() {
        return new AccessWindows(List.copyOf(groups), ~changed & 0xffff);
    }

    /** The windows to verify before the loop head (see {@link #replayLoop}). */
    List<Hoisted> hoisted() {
        List<Hoisted> result = new ArrayList<>();
        if (planned != null) {
            for (Group p : planned) {
                if (hoists(p)) {
                    result.add(new Hoisted(p.register, p.segment, new Window(true, 0, p.low, p.end - p.low, p.reads, p.writes)));
                }
            }
        }
        return result;
    }

    private boolean hoists(Group p) {
        return (invariant & (1 << p.register)) != 0 && p.accesses >= 1 && (long) p.end - p.low <= PAGE;
    }

    /** The loop head: every window closes, and tracking of changed registers starts. */
    void loopHead() {
        registersChanged(0xffff);
        changed = 0;
    }

    /**
     * A point reached from several places (a call-return unit's join or side path): every window
     * closes, without counting the registers as changed.
     */
    void join() {
        for (int r = 0; r < current.length; r++) {
            current[r] = -1;
            moved[r] = 0;
        }
    }

    /** True when the replayed plan has a window at all (the method then needs the window locals). */
    boolean any() {
        if (planned != null) {
            for (Group p : planned) {
                if (p.accesses >= 2 && (long) p.end - p.low <= PAGE || hoists(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** How many windows the accesses so far opened (a first pass sizes the code the second emits for them). */
    int opened() {
        return groups.size();
    }

    /** Registers (one bit each) got new values: their next accesses open new windows. */
    void registersChanged(int mask) {
        changed |= mask;
        for (int r = 0; r < current.length; r++) {
            if ((mask & (1 << r)) != 0) {
                current[r] = -1;
                moved[r] = 0;
            }
        }
    }

    /** Register {@code reg} moved by {@code delta} (push, pop): its window stays, offsets shift. */
    void registerMoved(int reg, int delta) {
        changed |= 1 << reg;
        if (current[reg] >= 0) {
            moved[reg] += delta;
        }
    }

    /**
     * An access of {@code bytes} at register {@code base} plus {@code displacement}: the window
     * to emit it through, or null for a checked access (while recording, always null).
     */
    Window access(int base, int segment, int displacement, int bytes, boolean write) {
        int number = accessCount++;
        if (current[base] < 0) {
            current[base] = groups.size();
            moved[base] = 0;
            groups.add(new Group(base, segment, number));
        }
        Group g = groups.get(current[base]);
        if (g.segment != segment) {
            return null;
        }
        int at = moved[base] + displacement;
        if (planned == null) {
            g.low = Math.min(g.low, at);
            g.end = Math.max(g.end, at + bytes);
            g.reads |= !write;
            g.writes |= write;
            g.accesses++;
            return null;
        }
        Group p = planned.get(current[base]);
        boolean hoisted = hoists(p);
        if (!hoisted && (p.accesses < 2 || (long) p.end - p.low > PAGE)) {
            return null;
        }
        return new Window(number == p.firstAccess && !hoisted, at - p.low, p.low - moved[base], p.end - p.low, p.reads, p.writes);
    }
}
