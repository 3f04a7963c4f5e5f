package org.qemu.ppc.translate;

import org.qemu.ppc.cpu.PpcCpuState;

/**
 * The hot blocks of one guest page compiled into one method: a loop over a switch on the
 * guest pc, so block-to-block steps inside the page are jumps HotSpot can optimise as a
 * whole, not returns to the dispatcher and megamorphic calls.
 */
public abstract class PpcRegion {
    public final long page;
    public volatile boolean valid = true;

    protected PpcRegion(long page) {
        this.page = page;
    }

    /**
     * Runs from {@code pc} while the guest stays on blocks of this region; returns the pc it
     * leaves at (the same pc if the region does not cover it), after an sc (with
     * {@code state.stop} set) or when another thread asked this CPU to stop.
     */
    public abstract int execute(PpcCpuState state, int pc);
}
