package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;

/**
 * An x87, MMX or SSE op that may read the general registers (its memory operand's address, a
 * {@code cvtsi2sd} source) but never writes a general register, EFLAGS or eip, and never reads
 * EFLAGS. A compiled block calls it after writing back only its changed registers, and keeps its
 * register and flag locals across the call instead of reloading all of them from the state
 * (which every other called op costs: eight register and five flag loads, and values HotSpot can
 * no longer keep in machine registers). Implemented by lambdas too: an op declared with this type
 * is still one class per op form, so the block's call site stays monomorphic.
 */
@FunctionalInterface
public interface FpuOnlyOp extends X86Op {
}
