package org.qemu.i386.system;

/**
 * The task register and what this CPU reads from the 32-bit TSS it names (Intel SDM vol. 3,
 * 7.2.1 and 7.2.4): the stack of an inner ring for interrupts and calls (ESPn at 4 + 8n, SSn at
 * 8 + 8n) and the I/O permission bitmap (its offset at 0x66; SDM vol. 1, 19.5.2). Hardware task
 * switches are not built: ltr and these reads are all Linux asks of the TSS outside a double fault.
 */
final class TaskStateSegment {
    private static final int MINIMUM_LIMIT_32 = 0x67;
    private static final int IO_BITMAP_OFFSET = 0x66;

    private final SystemCpu cpu;
    int selector;
    long base;
    int limit;
    long descriptor;

    TaskStateSegment(SystemCpu cpu) {
        this.cpu = cpu;
    }

    /** ltr: a present, available TSS descriptor in the GDT becomes the task register and is marked busy. */
    void load(int newSelector, SegmentDescriptors table) {
        if (SegmentDescriptors.isNull(newSelector)) {
            throw ProtectionFaults.generalProtection(0);
        }
        if ((newSelector & 4) != 0) {
            throw ProtectionFaults.badSelector(newSelector);
        }
        long d = table.read(newSelector);
        int type = SegmentDescriptors.type(d);
        if (SegmentDescriptors.isSegment(d)
                || (type != SegmentDescriptors.TYPE_TSS32_AVAILABLE && type != SegmentDescriptors.TYPE_TSS16_AVAILABLE)) {
            throw ProtectionFaults.badSelector(newSelector);
        }
        SegmentLoader.requirePresent(d, newSelector);
        table.markBusy(newSelector, d);
        selector = newSelector & 0xffff;
        base = SegmentDescriptors.base(d);
        if (cpu.longModeActive()) {
            // a long-mode TSS descriptor is 16 bytes: base bits 63:32 in the second half
            base |= (cpu.readSystem64(table.address(newSelector) + 8) & 0xffffffffL) << 32;
        }
        limit = SegmentDescriptors.limit(d);
        descriptor = d | 2L << 40;
    }

    private boolean is32() {
        return (SegmentDescriptors.type(descriptor) & 8) != 0;
    }

    /** SS:ESP for {@code ring} as the TSS holds them: {SS, ESP}. #TS(TR) when the TSS is too short. */
    int[] innerStack(int ring) {
        if (!is32()) {
            throw new UnsupportedGuestFeature("16-bit TSS stacks are not supported under TCG in this build");
        }
        int espOffset = 4 + 8 * ring;
        if (espOffset + 7 > limit) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        int esp = cpu.readSystem32(base + espOffset);
        int ss = cpu.readSystem16(base + espOffset + 4);
        return new int[] {ss, esp};
    }

    /**
     * True when the I/O bitmap allows {@code size} bytes at {@code port}: every bit clear. A
     * missing TSS, one too short for the bitmap offset, or a bitmap that ends before the port's
     * bits makes the access a #GP(0), the caller's to raise.
     */
    boolean ioAllowed(int port, int size) {
        if (SegmentDescriptors.isNull(selector) || !is32() || limit < MINIMUM_LIMIT_32) {
            return false;
        }
        int bitmap = cpu.readSystem16(base + IO_BITMAP_OFFSET);
        int byteOffset = bitmap + (port >>> 3);
        if (byteOffset + 1 > limit) {
            return false;
        }
        int bits = cpu.readSystem16(base + byteOffset);
        int mask = ((1 << size) - 1) << (port & 7);
        return (bits & mask) == 0;
    }

    /** Long mode: RSPn of the 64-bit TSS (at 4 + 8n) for an interrupt into an inner ring. */
    long ringStack(int ring) {
        return stack64(4 + 8 * ring);
    }

    /** Long mode: ISTn of the 64-bit TSS (at 0x24 + 8(n-1)), the stack an IDT gate names. */
    long interruptStack(int index) {
        return stack64(0x24 + 8 * (index - 1));
    }

    private long stack64(int offset) {
        if (offset + 7 > limit) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        return cpu.readSystem64(base + offset);
    }
}
