package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;

/**
 * comisd/ucomisd/comiss/ucomiss, fcomi/fucomi(p): ops whose only effect outside the floating-point
 * state is EFLAGS' ZF, PF and CF (OF, SF and AF cleared). They return those bits instead of
 * writing them, so a compiled block keeps them in its flag locals, knows the flag record's kind
 * at translation time and tests the following {@code ja}/{@code seta} as a bit test. Like
 * {@link FpuOnlyOp}, they may read but never write the general registers.
 */
@FunctionalInterface
public interface ComparisonToFlagsOp extends X86Op {
    /** Runs the instruction; returns its EFLAGS ZF/PF/CF bits (the state's flag record untouched). */
    int compareToFlags(X86Cpu cpu);

    @Override
    default void exec(X86Cpu cpu) {
        int flags = compareToFlags(cpu);
        X86CpuState s = cpu.state;
        s.ccOp = LazyFlags.EFLAGS;
        s.ccA = flags;
    }
}
