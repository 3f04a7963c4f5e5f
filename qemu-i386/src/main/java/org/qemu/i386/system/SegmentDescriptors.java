package org.qemu.i386.system;

/**
 * Segment descriptors: reading them from the GDT or the LDT a selector names (Intel SDM vol. 3,
 * 3.4.2 and 3.5.1), and the fields of the 8-byte descriptor (3.4.5) as static readers over the
 * raw little-endian quadword.
 */
final class SegmentDescriptors {
    static final long ACCESSED = 1L << 40;
    private static final long WRITABLE_OR_READABLE = 1L << 41;
    private static final long CONFORMING = 1L << 42;
    private static final long EXECUTABLE = 1L << 43;
    private static final long CODE_OR_DATA = 1L << 44;
    private static final long PRESENT = 1L << 47;
    static final long LONG_MODE = 1L << 53;
    private static final long DEFAULT_32 = 1L << 54;
    private static final long GRANULARITY = 1L << 55;

    /** System descriptor types (S = 0). */
    static final int TYPE_TSS16_AVAILABLE = 1;
    static final int TYPE_LDT = 2;
    static final int TYPE_TSS16_BUSY = 3;
    static final int TYPE_CALL_GATE16 = 4;
    static final int TYPE_TASK_GATE = 5;
    static final int TYPE_INTERRUPT_GATE16 = 6;
    static final int TYPE_TRAP_GATE16 = 7;
    static final int TYPE_TSS32_AVAILABLE = 9;
    static final int TYPE_TSS32_BUSY = 11;
    static final int TYPE_CALL_GATE32 = 12;
    static final int TYPE_INTERRUPT_GATE32 = 14;
    static final int TYPE_TRAP_GATE32 = 15;

    private final SystemCpu cpu;

    SegmentDescriptors(SystemCpu cpu) {
        this.cpu = cpu;
    }

    static boolean isNull(int selector) {
        return (selector & 0xfffc) == 0;
    }

    static int rpl(int selector) {
        return selector & 3;
    }

    /**
     * What {@link #address} returns for a selector outside its table (or TI=1 without an LDT): a
     * non-canonical address, so no long-mode table address (a negative number there) is taken for it.
     */
    static final long OUTSIDE = Long.MIN_VALUE;

    /**
     * The flat segments the fast system calls load without reading the GDT (SDM vol. 2,
     * SYSENTER, SYSEXIT, SYSCALL, SYSRET): 4 GiB, accessed; code readable, data writable.
     */
    static final long FLAT_KERNEL_CODE32 = 0x00cf9b000000ffffL;
    static final long FLAT_KERNEL_CODE64 = 0x00af9b000000ffffL;
    static final long FLAT_KERNEL_DATA = 0x00cf93000000ffffL;
    static final long FLAT_USER_CODE32 = 0x00cffb000000ffffL;
    static final long FLAT_USER_CODE64 = 0x00affb000000ffffL;
    static final long FLAT_USER_DATA = 0x00cff3000000ffffL;

    /** The linear address of a selector's descriptor, or {@link #OUTSIDE}. */
    long address(int selector) {
        int index = selector & 0xfff8;
        if ((selector & 4) != 0) {
            if (isNull(cpu.ldtSelector) || index + 7 > cpu.ldtLimit) {
                return OUTSIDE;
            }
            return (cpu.ldtBase + index) & linearMask();
        }
        if (index + 7 > cpu.gdtLimit) {
            return OUTSIDE;
        }
        return (cpu.gdtBase + index) & linearMask();
    }

    /** Table addresses wrap at 4 GiB outside long mode; in long mode the bases are 64-bit. */
    private long linearMask() {
        return cpu.longModeActive() ? -1L : 0xffffffffL;
    }

    /** The descriptor a selector names; #GP(selector) when it lies outside its table. */
    long read(int selector) {
        long a = address(selector);
        if (a == OUTSIDE) {
            throw ProtectionFaults.badSelector(selector);
        }
        return cpu.readSystem64(a);
    }

    /** The descriptor, or 0 (an invalid descriptor) when the selector is null or outside its table: lar, lsl, verr, verw. */
    long readOrZero(int selector) {
        long a = isNull(selector) ? OUTSIDE : address(selector);
        return a == OUTSIDE ? 0 : cpu.readSystem64(a);
    }

    /** Sets the accessed bit of a data or code segment descriptor on load, as the processor does. */
    void markAccessed(int selector, long descriptor) {
        if ((descriptor & ACCESSED) == 0) {
            long a = address(selector);
            cpu.writeSystem8(a + 5, (int) (descriptor >>> 40) & 0xff | 1);
        }
    }

    /** Sets the busy bit of the TSS descriptor ltr loads. */
    void markBusy(int selector, long descriptor) {
        cpu.writeSystem8(address(selector) + 5, (int) (descriptor >>> 40) & 0xff | 2);
    }

    static boolean present(long d) {
        return (d & PRESENT) != 0;
    }

    static int dpl(long d) {
        return (int) (d >>> 45) & 3;
    }

    /** A code or data segment (S = 1), not a system descriptor. */
    static boolean isSegment(long d) {
        return (d & CODE_OR_DATA) != 0;
    }

    static boolean isCode(long d) {
        return isSegment(d) && (d & EXECUTABLE) != 0;
    }

    static boolean isData(long d) {
        return isSegment(d) && (d & EXECUTABLE) == 0;
    }

    static boolean conforming(long d) {
        return isCode(d) && (d & CONFORMING) != 0;
    }

    static boolean readable(long d) {
        return isData(d) || (d & WRITABLE_OR_READABLE) != 0;
    }

    static boolean writableData(long d) {
        return isData(d) && (d & WRITABLE_OR_READABLE) != 0;
    }

    static boolean default32(long d) {
        return (d & DEFAULT_32) != 0;
    }

    /** The type field (for system descriptors the descriptor kind, for segments the E/C/R/W/A bits). */
    static int type(long d) {
        return (int) (d >>> 40) & 0xf;
    }

    static long base(long d) {
        return ((d >>> 16) & 0xffffff) | ((d >>> 56) & 0xff) << 24;
    }

    /** The limit in bytes, scaled by the granularity bit. */
    static int limit(long d) {
        int raw = (int) (d & 0xffff) | (int) ((d >>> 48) & 0xf) << 16;
        return (d & GRANULARITY) != 0 ? raw << 12 | 0xfff : raw;
    }
}
