package org.qemu.common.linux.host;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Per-thread native scratch memory for host calls that need a C string or a host-layout
 * struct: paths, struct stat, timespecs. Allocation is bump-pointer and reset per call.
 */
public final class Scratch {
    private static final int SIZE = 64 * 1024;
    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment buffer = Arena.ofAuto().allocate(SIZE, 16);
    private int used;

    /** The calling thread's scratch area, emptied. */
    public static Scratch begin() {
        Scratch s = CURRENT.get();
        s.used = 0;
        return s;
    }

    public MemorySegment allocate(long bytes) {
        long aligned = (bytes + 15) & ~15L;
        if (used + aligned > SIZE) {
            return Arena.ofAuto().allocate(Math.max(bytes, 1), 16);
        }
        MemorySegment s = buffer.asSlice(used, bytes);
        s.fill((byte) 0);
        used += (int) aligned;
        return s;
    }

    /**
     * A NUL-terminated copy of the bytes (the allocation is zeroed: the terminator is there).
     * Copied segment to segment: a copy from an array with a value layout, or a store through
     * one, sets up the layout's method handles the first time (a VarHandle and a type switch: some
     * 4 ms of an empty program's start-up in HotSpot's interpreter, async-profiler).
     */
    public MemorySegment cString(byte[] bytes) {
        MemorySegment s = allocate(bytes.length + 1L);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, s, 0, bytes.length);
        return s;
    }

    public MemorySegment cString(String text) {
        return cString(text.getBytes(StandardCharsets.UTF_8));
    }
}
