package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Loads and stores at host addresses that {@link GuestMemory} has already checked.
 *
 * <p>Why not always {@link MemorySegment}: translated guest code spends much of its life in
 * HotSpot's C1 tiers before C2 compiles it (short programs never leave them), and there a
 * segment access goes through the VarHandle machinery with profiling at every level. Measured
 * here (JDK 25, {@code bench/memory-access-bench.java}, tier 3): about 25 ns per 32-bit load
 * against 2 ns for {@code sun.misc.Unsafe}; C2 makes both about 0.7 ns. So when the JVM runs
 * with {@code --sun-misc-unsafe-memory-access=allow} (bin/qemu-launcher passes it; without it
 * JDK 25 prints a warning on first use), accesses use Unsafe on the checked address;
 * otherwise, and on a big-endian host, they use the segment. Both paths see the same bytes.
 */
final class HostLoadStore {
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Null when direct access is not allowed: every method then falls back to the segment. */
    @SuppressWarnings("removal")
    private static final sun.misc.Unsafe UNSAFE = unsafeIfAllowed();

    @SuppressWarnings("removal")
    private static sun.misc.Unsafe unsafeIfAllowed() {
        if (!"allow".equals(System.getProperty("sun.misc.unsafe.memory.access"))
                || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return null;
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** True when accesses go straight to the host address (for tests and reports). */
    static boolean direct() {
        return UNSAFE != null;
    }

    /** The instance accesses go through when {@link #direct()} (null otherwise). */
    @SuppressWarnings("removal")
    static sun.misc.Unsafe unsafe() {
        return UNSAFE;
    }

    // Each method stays under 35 bytes of bytecode: C1 inlines nothing larger.

    private static final long BYTE_ARRAY_BASE = UNSAFE != null ? sun.misc.Unsafe.ARRAY_BYTE_BASE_OFFSET : 0;

    /**
     * {@code table[index]} without the JIT's bounds check, for a caller that has proved the index
     * in range (GuestMemory's fast-path test: an address inside the space has a page below the
     * protection table's length).
     */
    static int getByteAt(byte[] table, long index) {
        return UNSAFE != null ? UNSAFE.getByte(table, BYTE_ARRAY_BASE + index) : table[(int) index];
    }

    /** Sign-extended: the caller masks (the mask here would push the method over C1's limit). */
    static byte get8(MemorySegment space, long base, long offset) {
        return UNSAFE != null ? UNSAFE.getByte(base + offset) : space.get(ValueLayout.JAVA_BYTE, offset);
    }

    /** Sign-extended, as {@link #get8}. */
    static short get16(MemorySegment space, long base, long offset) {
        return UNSAFE != null ? UNSAFE.getShort(base + offset) : space.get(LE16, offset);
    }

    static int get32(MemorySegment space, long base, long offset) {
        return UNSAFE != null ? UNSAFE.getInt(base + offset) : space.get(LE32, offset);
    }

    static long get64(MemorySegment space, long base, long offset) {
        return UNSAFE != null ? UNSAFE.getLong(base + offset) : space.get(LE64, offset);
    }

    static void put8(MemorySegment space, long base, long offset, int value) {
        if (UNSAFE != null) {
            UNSAFE.putByte(base + offset, (byte) value);
        } else {
            space.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
        }
    }

    static void put16(MemorySegment space, long base, long offset, int value) {
        if (UNSAFE != null) {
            UNSAFE.putShort(base + offset, (short) value);
        } else {
            space.set(LE16, offset, (short) value);
        }
    }

    static void put32(MemorySegment space, long base, long offset, int value) {
        if (UNSAFE != null) {
            UNSAFE.putInt(base + offset, value);
        } else {
            space.set(LE32, offset, value);
        }
    }

    static void put64(MemorySegment space, long base, long offset, long value) {
        if (UNSAFE != null) {
            UNSAFE.putLong(base + offset, value);
        } else {
            space.set(LE64, offset, value);
        }
    }

    /**
     * memmove of {@code length} bytes inside the space. Unsafe's copy rather than
     * {@code MemorySegment.copy} when direct access is allowed: the segment copy force-inlines
     * ~440 bytes of checks and small-size loops, and C2 spent 12-22 ms compiling the string
     * instructions' bulk path around it (sha256sum's 64-byte {@code rep movsb}), while the hot
     * block classes waited behind it in C2's one queue.
     */
    static void copy(MemorySegment space, long base, long from, long to, int length) {
        if (UNSAFE != null) {
            UNSAFE.copyMemory(base + from, base + to, length);
        } else {
            MemorySegment.copy(space, from, space, to, length);
        }
    }

    /** Sets {@code length} bytes at {@code offset} to {@code value} (Unsafe's fill, as {@link #copy}). */
    static void fill(MemorySegment space, long base, long offset, int length, byte value) {
        if (UNSAFE != null) {
            UNSAFE.setMemory(base + offset, length, value);
        } else {
            space.asSlice(offset, length).fill(value);
        }
    }

    // Raw accesses for inline fast paths: only called when direct() is true.

    static byte rawGet8(long address) {
        return UNSAFE.getByte(address);
    }

    static short rawGet16(long address) {
        return UNSAFE.getShort(address);
    }

    static int rawGet32(long address) {
        return UNSAFE.getInt(address);
    }

    static long rawGet64(long address) {
        return UNSAFE.getLong(address);
    }

    static void rawPut64(long address, long value) {
        UNSAFE.putLong(address, value);
    }

    static void rawPut8(long address, int value) {
        UNSAFE.putByte(address, (byte) value);
    }

    static void rawPut16(long address, int value) {
        UNSAFE.putShort(address, (short) value);
    }

    static void rawPut32(long address, int value) {
        UNSAFE.putInt(address, value);
    }

    private HostLoadStore() {
    }
}
