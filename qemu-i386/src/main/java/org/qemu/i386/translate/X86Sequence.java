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

    /**
     * A guest page no access is in, what an empty page cache holds (in the emitted code's locals,
     * {@code X86Emitter.emptyPageCache}, and in {@link #pageCaches}): the distance from it never
     * passes a cache's range test.
     */
    static final long NO_PAGE = 1L << 62;
    /** The most page caches a 64-bit loop class has (LongModeEmitter's site caches), and keeps. */
    public static final int PAGE_CACHES = 8;
    /** Kept page caches of a class whose loop has not run yet: a key no CPU's matches. */
    private static final long[] NONE_KEPT = {-1};

    /**
     * The page caches a loop trace keeps from one run to the next: element 0 the key they are
     * valid under (the owning CPU's {@link X86Cpu#pageCacheKey} plus the memory's
     * {@link GuestMemory#protectionEpoch} when they were emptied), then each cache's guest page
     * ({@link #NO_PAGE}: empty). The trace's prologue compares element 0 with its own key and
     * starts from them when they match, else from what {@link #refreshPageCaches} returns.
     *
     * <p>Why: a loop trace entered often for a few iterations (qsort's merges of short runs: about
     * one entry per element sorted) found every cache empty at every entry, so its first access
     * through each cache was a call to GuestMemory (cpubench's sorts: ~16 M such calls a second).
     *
     * <p>Sound because one thread's runs alone use and fill them (other threads get their CPU's
     * scratch caches), and they are emptied whenever the memory's protection epoch moved: every
     * change that may take an access right away (mprotect, munmap, a page becoming code, a watch)
     * moves it before it returns. One compare, no separate null or owner test: a branch C2 has
     * never seen taken becomes a trap, and the first run of a trace (C1's profiling tier) takes this one.
     */
    protected long[] pageCaches = NONE_KEPT;
    /** The one guest thread whose runs keep {@link #pageCaches} (the first to run the loop); null before. */
    private X86Cpu pageCacheOwner;

    /** The page caches {@code cpu}'s run starts from when {@link #pageCaches}' key is not its own: emptied. */
    public final long[] refreshPageCaches(X86Cpu cpu, GuestMemory memory) {
        X86Cpu owner = pageCacheOwner;
        if (owner == null) {
            synchronized (this) {
                if (pageCacheOwner == null) {
                    pageCacheOwner = cpu;
                }
                owner = pageCacheOwner;
            }
        }
        long[] caches = owner == cpu ? pageCaches : cpu.scratchPageCaches();
        if (caches.length == 1) {
            caches = new long[1 + PAGE_CACHES];
        }
        // the epoch before the caches empty: a change after this read moves it again, and the next run empties them
        caches[0] = cpu.pageCacheKey() + memory.protectionEpoch();
        java.util.Arrays.fill(caches, 1, caches.length, NO_PAGE);
        if (owner == cpu) {
            pageCaches = caches;
        }
        return caches;
    }
}
