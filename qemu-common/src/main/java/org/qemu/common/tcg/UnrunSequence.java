package org.qemu.common.tcg;

/**
 * A sequence no run loop ever runs: a run loop creates one before it runs anything, so that
 * {@link OpSequence#run} has two concrete implementations from the start.
 *
 * <p>Why: until the first compiled block class is defined, the interpreted tier's sequence
 * ({@link InterpretedSequence}, or a target's own, as x86's) is the only class that implements
 * {@code run}, and HotSpot compiles the run loop on that assumption (class hierarchy analysis:
 * the call made direct, the callee inlined, no receiver check). The first block
 * class breaks the assumption, and every compiled method that made it is thrown away at once: in
 * qemu-x86_64 the run loop's C1 code, and the C2 compile of it in flight (LogCompilation:
 * {@code dependency_failed unique_concrete_method}), so the run loop ran in HotSpot's bytecode
 * interpreter for the next ~20 ms of every run's start-up. With a second implementation loaded,
 * the compilers dispatch on the receiver's class (the type profile), which new block classes
 * do not invalidate.
 */
public final class UnrunSequence<C extends OpContext> extends OpSequence<C> {
    @Override
    public void run(C context) {
        throw new IllegalStateException("a sequence that is never run was run");
    }
}
