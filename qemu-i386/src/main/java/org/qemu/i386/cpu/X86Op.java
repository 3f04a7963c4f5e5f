package org.qemu.i386.cpu;

import org.qemu.common.tcg.GuestOp;

/** One translated x86 instruction (see {@link GuestOp} for the precise-exception contract). */
public interface X86Op extends GuestOp<X86Cpu> {
    @Override
    void exec(X86Cpu cpu);

    /** True when the op always sets eip itself (a branch, a trap, a system call): the block ends with it. */
    default boolean endsBlock() {
        return false;
    }
}
