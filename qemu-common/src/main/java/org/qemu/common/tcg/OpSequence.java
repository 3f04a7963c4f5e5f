package org.qemu.common.tcg;

/**
 * The executable form of a translation block: runs its ops in order on a CPU context.
 *
 * <p>An abstract class, not an interface: the run loop calls {@code run} on thousands of
 * different generated classes from one call site, and HotSpot's megamorphic virtual call (one
 * load from the vtable) is cheaper than its interface call (a scan of the itable).
 */
public abstract class OpSequence<C extends OpContext> {
    public abstract void run(C context);
}
