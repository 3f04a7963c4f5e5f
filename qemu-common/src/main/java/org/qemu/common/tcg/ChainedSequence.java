package org.qemu.common.tcg;

/**
 * A compiled block that can hand control straight to the compiled block that follows it, without
 * going back to the run loop: block chaining inside generated code.
 *
 * <p>Why: returning to the run loop after every block costs a successor lookup, the run loop's
 * checks and one megamorphic {@code run} call (the one call site sees every block class), plus
 * all registers stored and loaded again; for code made of short blocks (a sort's merge loop calling
 * a comparator) that is most of the time. A chained exit calls the successor's {@code run} from
 * a call site in the exiting block's own class, so the site sees one receiver class: HotSpot
 * inlines the successor and can forward the register stores of one block to the loads of the next.
 *
 * <p>The contract with the generated code (fields are public because the generated classes live
 * in other packages and read them with plain field instructions; nothing else should):
 * <ul>
 * <li>{@link #chain0} and {@link #chain1}: the compiled successors remembered for this block's exits
 * (null: none yet). The exit compares the guest pc it is leaving to with the successor's own
 * {@link #entryPc}, so a link is never followed to the wrong address, even when another thread
 * replaces it at the same time (one reference read, no pc/sequence pair to tear).</li>
 * <li>{@link #dead}: set when the block dies (its code was overwritten or unmapped); an exit never
 * enters a dead successor: it returns to the run loop, which finds the new translation.</li>
 * <li>A chained call sits outside the calling block's exception handler, so a fault in the
 * successor reports the successor's own instruction (its handler names itself to the CPU).</li>
 * <li>How many blocks may be chained before control must return to the run loop (exit requests,
 * signals, debugger hooks, block listeners, pending system-call exits) is the CPU's business: the
 * generated exit asks it before each chained call.</li>
 * </ul>
 */
public abstract class ChainedSequence<C extends OpContext> extends OpSequence<C> {
    /**
     * {@code sequence} as a chained (compiled) sequence, or null. Why not {@code instanceof}: C2
     * speculates on the classes an {@code instanceof} has seen, and every block class is a class of
     * its own, so the run loop's type tests trapped and were recompiled each time new block classes
     * came (cpubench: the run loop compiled six times by C2, 84 ms of its time).
     * {@link Class#isInstance} and {@link Class#cast} are intrinsics without a type profile.
     */
    @SuppressWarnings("unchecked")
    public static <C extends OpContext> ChainedSequence<C> asChained(OpSequence<C> sequence) {
        return CHAINED.isInstance(sequence) ? (ChainedSequence<C>) CHAINED.cast(sequence) : null;
    }

    private static final Class<?> CHAINED = ChainedSequence.class;

    /** The block this is the compiled form of (null for a sequence compiled without a block: never chained to). */
    public final TranslationBlock block;
    /** The guest pc this sequence starts at ({@code -1} without a block: matches no exit). */
    public final long entryPc;
    /** The block died: no exit may enter this sequence any more. Plain: a racing thread may enter it once more, as it could through the run loop. */
    public boolean dead;
    /** Remembered successors; each has a call site of its own in the generated exit. */
    public ChainedSequence<C> chain0;
    public ChainedSequence<C> chain1;

    protected ChainedSequence(TranslationBlock block) {
        this.block = block;
        this.entryPc = block == null ? -1 : block.pc;
    }

    /**
     * Remembers {@code next} as the successor of one of this block's exits. A slot already holding
     * a sequence for the same pc (a dead one, replaced by its new translation) is reused; the first
     * slot is kept once filled, so its call site keeps seeing one class, and an exit with many
     * targets (a {@code ret} shared by several callers) churns only the second one.
     */
    public void link(ChainedSequence<C> next) {
        if (next.block == null) {
            return;
        }
        ChainedSequence<C> first = chain0;
        if (first == null || first.entryPc == next.entryPc) {
            chain0 = next;
        } else {
            chain1 = next;
        }
    }

    /** Marks the sequence dead and drops its own links (they would keep dead classes reachable). */
    public void kill() {
        dead = true;
        chain0 = null;
        chain1 = null;
    }

    /** The block was parked and now lives again ({@link TranslationBlock#revive}): exits may enter it again. */
    public void revive() {
        dead = false;
    }
}
