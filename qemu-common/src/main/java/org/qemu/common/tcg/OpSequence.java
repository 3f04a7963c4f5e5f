package org.qemu.common.tcg;

/** The executable form of a translation block: runs its ops in order on a CPU context. */
public interface OpSequence<C extends OpContext> {
    void run(C context);
}
