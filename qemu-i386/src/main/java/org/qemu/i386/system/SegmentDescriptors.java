package org.qemu.i386.system;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.SegmentResolver;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Trap;

/**
 * Reads segment descriptors from the GDT for selector loads (Intel SDM vol. 3, 3.4.5): a data
 * segment register load checks that the descriptor is present and is readable data or code; a
 * CS load checks for a present code segment. The translator runs code at linear address = eip,
 * so a code segment must be flat 32-bit (base 0, D=1); anything else stops the machine.
 */
final class SegmentDescriptors implements SegmentResolver {
    private static final long PRESENT = 1L << 47;
    private static final long CODE_OR_DATA = 1L << 44;
    private static final long EXECUTABLE = 1L << 43;
    private static final long READABLE = 1L << 41;
    private static final long LONG_MODE = 1L << 53;
    private static final long DEFAULT_32 = 1L << 54;

    private final SystemCpu cpu;
    private final GuestMemory memory;

    SegmentDescriptors(SystemCpu cpu, GuestMemory memory) {
        this.cpu = cpu;
        this.memory = memory;
    }

    /** The descriptor of a non-null GDT selector, or #GP(selector) when it lies outside the table. */
    private long descriptor(int selector) {
        int index = selector & ~7;
        if ((selector & 4) != 0 || index + 7 > cpu.gdtLimit) {
            throw X86Trap.generalProtection(selector & ~3);
        }
        return memory.read64((cpu.gdtBase + index) & 0xffffffffL);
    }

    static long base(long d) {
        return ((d >>> 16) & 0xffffff) | ((d >>> 56) & 0xff) << 24;
    }

    @Override
    public long baseOf(int selector) {
        if ((cpu.cr0 & SystemCpu.CR0_PE) == 0) {
            return (selector & 0xffffL) << 4; // real mode
        }
        if ((selector & ~3) == 0) {
            return 0; // the null selector may sit in a data segment register
        }
        long d = descriptor(selector);
        boolean usable = (d & CODE_OR_DATA) != 0 && ((d & EXECUTABLE) == 0 || (d & READABLE) != 0);
        if (!usable) {
            return -1;
        }
        if ((d & PRESENT) == 0) {
            throw new X86Trap(new org.qemu.common.exec.GuestTrap(org.qemu.common.exec.GuestTrap.SIGBUS, 0, 0, 11, selector & ~3), false);
        }
        return base(d);
    }

    /** Loads CS for a far jump, call, return, iret or interrupt gate. */
    void loadCodeSegment(X86CpuState s, int selector) {
        selector &= 0xffff;
        if ((cpu.cr0 & SystemCpu.CR0_PE) == 0) {
            throw new UnsupportedGuestFeature("far transfer in real mode: only the switch to protected mode is supported under TCG in this build");
        }
        if ((selector & ~3) == 0) {
            throw X86Trap.generalProtection(0);
        }
        long d = descriptor(selector);
        if ((d & CODE_OR_DATA) == 0 || (d & EXECUTABLE) == 0) {
            throw X86Trap.generalProtection(selector & ~3);
        }
        if ((d & PRESENT) == 0) {
            throw new X86Trap(new org.qemu.common.exec.GuestTrap(org.qemu.common.exec.GuestTrap.SIGBUS, 0, 0, 11, selector & ~3), false);
        }
        if ((d & LONG_MODE) != 0 && (cpu.efer & SystemCpu.EFER_LMA) != 0) {
            throw new UnsupportedGuestFeature("64-bit code segment: long mode is not supported under TCG in this build");
        }
        if ((d & DEFAULT_32) == 0) {
            throw new UnsupportedGuestFeature("16-bit code segment (selector 0x" + Integer.toHexString(selector)
                    + "): only flat 32-bit protected mode is supported under TCG in this build");
        }
        if (base(d) != 0) {
            throw new UnsupportedGuestFeature("code segment base 0x" + Long.toHexString(base(d))
                    + ": only flat code segments are supported under TCG in this build");
        }
        s.segSelector[X86CpuState.CS] = selector;
        s.segBase[X86CpuState.CS] = 0;
        cpu.cpu.setCodeMode(org.qemu.i386.cpu.X86Cpu.MODE_32);
    }
}
