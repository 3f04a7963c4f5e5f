package org.qemu.ppc.translate;

import org.qemu.ppc.cpu.PpcCpuState;

/**
 * The hot blocks of one or a few guest pages compiled into one method: a loop over a switch
 * on the guest pc, so block-to-block steps inside the region are jumps HotSpot can optimise
 * as a whole, not returns to the dispatcher and megamorphic calls. A region spans several
 * pages when the guest keeps crossing between them (a sort calling its comparison function).
 */
public abstract class PpcRegion {
    public final long page;
    public volatile boolean valid = true;
    /** The pages whose hot blocks this region holds; a store to any of them retires it. */
    long[] pages;
    /** Exits to another region's page, counted while they keep going to the same page. */
    private long exitPage = -1;
    private int exitsToPage;

    protected PpcRegion(long page) {
        this.page = page;
        this.pages = new long[] {page};
    }

    public boolean covers(long p) {
        for (long q : pages) {
            if (q == p) {
                return true;
            }
        }
        return false;
    }

    /** Counts an exit to a page held by another region; returns how many in a row went there. */
    int noteExitTo(long p) {
        if (p != exitPage) {
            exitPage = p;
            exitsToPage = 0;
        }
        return ++exitsToPage;
    }

    /**
     * Runs from {@code pc} while the guest stays on blocks of this region; returns the pc it
     * leaves at (the same pc if the region does not cover it), after an sc (with
     * {@code state.stop} set) or when another thread asked this CPU to stop.
     */
    public abstract int execute(PpcCpuState state, int pc);
}
