package org.qemu.i386.translate;

import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.TranslationBlock;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The superclass of the compiled x86 block classes: {@link #enter} holds the block's code and takes
 * what every block loads first (the CPU, its state, the register array and guest memory) as
 * parameters, so a chained exit, which holds them already, hands them on ({@link BlockChaining});
 * {@code run}, generated in each class, loads them once for the run loop.
 *
 * <p>Why: a chained block's first instructions were a cast of the context to the CPU and three
 * dependent loads (CPU -> state -> register array -> its length) before any guest instruction could
 * start, at every one of the ~360 M chained exits of a 32 MiB busybox unxz.
 */
public abstract class X86Sequence extends ChainedSequence<X86Cpu> {
    protected X86Sequence(TranslationBlock block) {
        super(block);
    }

    /**
     * The block's code. {@code context} is {@code cpu} (the op contract's view of it: faults report
     * their op through it), {@code state} its {@code state}, {@code regs} the state's register array
     * and {@code memory} the CPU's guest memory: the caller passes what it holds, unchecked.
     */
    public abstract void enter(OpContext context, X86Cpu cpu, X86CpuState state, long[] regs, GuestMemory memory);
}
