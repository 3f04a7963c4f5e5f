package org.qemu.common.tcg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.qemu.common.memory.GuestMemory;

/**
 * All translation blocks of one guest address space, found by (pc, mode flags): a direct-mapped
 * array indexed by pc bits answers most lookups with one load and compare; a hash map behind it
 * holds everything. A per-page index lets a write to guest code drop exactly the blocks on
 * that page. Target-neutral: x86 and PowerPC blocks live in caches of their own type.
 *
 * <p>Threads of one process share the cache; changes are synchronized, the fast lookup reads
 * the array without a lock (a stale entry is caught by the pc/flags/valid check).
 */
public final class TranslationCache<B extends TranslationBlock> {
    private static final int DIRECT_BITS = 14;

    private final Object[] direct = new Object[1 << DIRECT_BITS];
    private final Map<Long, B> blocks = new HashMap<>();
    private final Map<Long, List<B>> blocksByPage = new HashMap<>();
    private final GuestMemory memory;
    private long translations;
    private long invalidations;
    private long rangeInvalidations;
    private Consumer<B> onInvalidate = b -> { };

    /** Creates the cache for {@code memory} and subscribes to writes into translated code. */
    public TranslationCache(GuestMemory memory) {
        this.memory = memory;
        memory.setCodeWriteListener(this::invalidatePage);
        memory.setCodeRangeInvalidator(this::invalidateRange);
    }

    private static long key(long pc, int flags) {
        return pc ^ ((long) flags << 48);
    }

    private static int slot(long pc) {
        return (int) (pc ^ (pc >>> DIRECT_BITS)) & ((1 << DIRECT_BITS) - 1);
    }

    /** The valid block at (pc, flags), or null when it must be translated. */
    @SuppressWarnings("unchecked")
    public B lookup(long pc, int flags) {
        Object d = direct[slot(pc)];
        if (d != null) {
            B b = (B) d;
            if (b.pc == pc && b.flags == flags && b.isValid()) {
                return b;
            }
        }
        synchronized (this) {
            B b = blocks.get(key(pc, flags));
            if (b != null) {
                direct[slot(pc)] = b;
            }
            return b;
        }
    }

    /** Adds a freshly translated block and write-watches the pages it came from. */
    public synchronized void insert(B block) {
        B old = blocks.put(key(block.pc, block.flags), block);
        if (old != null) {
            old.invalidate();
        }
        direct[slot(block.pc)] = block;
        for (long p = block.firstPage; p <= block.lastPage; p++) {
            blocksByPage.computeIfAbsent(p, k -> new ArrayList<>()).add(block);
            memory.markCode(p);
        }
        translations++;
    }

    /** Drops every block with code on {@code page} (the guest wrote there, or unmapped it). */
    public synchronized void invalidatePage(long page) {
        List<B> dead = blocksByPage.remove(page);
        if (dead == null) {
            return;
        }
        for (B b : dead) {
            kill(b);
        }
    }

    /**
     * Drops the blocks with code on {@code page} whose bytes overlap {@code [start, end)} (a write
     * there, system mode); true when other blocks stay on the page.
     *
     * <p>Two passes: the first kills the blocks the write overlaps; the second looks again at
     * the survivors, which a block being compiled meanwhile may have taken code of a killed
     * block into ({@link TranslationBlock#overlaps} answers for code taken in, and true while
     * that is still being decided).
     */
    public synchronized boolean invalidateRange(long page, long start, long end) {
        List<B> onPage = blocksByPage.get(page);
        if (onPage == null) {
            return false;
        }
        for (int pass = 0; pass < 2; pass++) {
            List<B> dead = null;
            for (B b : onPage) {
                if (b.overlaps(start, end)) {
                    if (dead == null) {
                        dead = new ArrayList<>();
                    }
                    dead.add(b);
                }
            }
            if (dead != null) {
                for (B b : dead) {
                    kill(b);
                }
                rangeInvalidations += dead.size();
            }
        }
        if (onPage.isEmpty()) {
            blocksByPage.remove(page);
            return false;
        }
        return true;
    }

    /** Drops one block: out of the lookup table and off every page list still holding it. */
    private void kill(B b) {
        if (blocks.get(key(b.pc, b.flags)) == b) {
            blocks.remove(key(b.pc, b.flags));
        }
        b.invalidate();
        onInvalidate.accept(b);
        invalidations++;
        for (long p = b.firstPage; p <= b.lastPage; p++) {
            List<B> others = blocksByPage.get(p);
            if (others != null) {
                others.remove(b);
                if (others.isEmpty()) {
                    blocksByPage.remove(p);
                }
            }
        }
    }

    /** Blocks dropped by {@link #invalidateRange} (a measuring aid). */
    public synchronized long rangeInvalidations() {
        return rangeInvalidations;
    }

    /** Drops everything (e.g. execve replaced the address space). */
    public synchronized void invalidateAll() {
        for (B b : blocks.values()) {
            b.invalidate();
        }
        blocks.clear();
        blocksByPage.clear();
        java.util.Arrays.fill(direct, null);
    }

    public synchronized void setInvalidationListener(Consumer<B> listener) {
        this.onInvalidate = listener;
    }

    public synchronized long translations() {
        return translations;
    }

    public synchronized long invalidations() {
        return invalidations;
    }

    public synchronized int size() {
        return blocks.size();
    }
}
