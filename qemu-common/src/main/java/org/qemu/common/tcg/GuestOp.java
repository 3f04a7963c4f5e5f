package org.qemu.common.tcg;

/**
 * One translated guest instruction: its operands are decoded once, at translation time, and
 * {@link #exec} carries out its effect on the CPU context {@code C}. A target declares its own
 * sub-interface with a concrete context type so generated code calls it without casts.
 *
 * <p>Contract for precise exceptions: an op does every memory access that can fault before it
 * changes any register or flag, so a fault leaves the guest state as it was before the op.
 */
public interface GuestOp<C> {
    void exec(C context);
}
