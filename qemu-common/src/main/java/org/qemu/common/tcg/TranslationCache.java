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
    /**
     * 64 K direct entries (256 KiB of references): python3 -c pass under qemu-x86_64 translates
     * 38 K blocks, and with 16 K entries their collisions sent lookups to the locked map behind
     * (boxed keys): 1380 -> 1315 ms wall with 64 K (10 ABBA pairs); busybox true and cpubench
     * within their noise.
     */
    private static final int DIRECT_BITS = 16;

    private final Object[] direct = new Object[1 << DIRECT_BITS];
    /*
     * Sized for a program's start-up (glibc's static start translates ~650 blocks, busybox ~1,300)
     * rather than grown from 16: each doubling rehashes every entry, in HotSpot's interpreter
     * during the first translations (~1% of busybox true's guest phase, async-profiler).
     */
    private final Map<Long, B> blocks = new HashMap<>(4096);
    private final Map<Long, List<B>> blocksByPage = new HashMap<>(512);
    private final GuestMemory memory;
    /** System mode: blocks of unmapped pages, by key and by linear page (see {@link #park}). */
    private final Map<Long, B> parked = new HashMap<>();
    private final Map<Long, List<B>> parkedByPage = new HashMap<>();
    private long parkings;
    private long revivals;
    private long translations;
    private long invalidations;
    private long rangeInvalidations;
    private Consumer<B> onInvalidate = b -> { };

    /** Creates the cache for {@code memory} and subscribes to writes into translated code. */
    public TranslationCache(GuestMemory memory) {
        this.memory = memory;
        memory.setCodeWriteListener(this::invalidatePage);
        memory.setCodeRangeInvalidator(this::invalidateRange);
        memory.setCodeParking(new GuestMemory.CodeParking() {
            @Override
            public void park(long page) {
                TranslationCache.this.park(page);
            }

            @Override
            public void revive(long page) {
                TranslationCache.this.revive(page);
            }
        });
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
        boolean parkedHere;
        synchronized (this) {
            B b = blocks.get(key(pc, flags));
            if (b != null) {
                direct[slot(pc)] = b;
                return b;
            }
            parkedHere = !parked.isEmpty() && parked.containsKey(key(pc, flags));
        }
        if (!parkedHere) {
            return null;
        }
        // the MMU walks the page now (outside this lock: the walk may set A/D bits, and a write
        // to a page holding code takes other CPUs' caches' locks): the same physical page there
        // gives the blocks back (revive)
        memory.parkedCodeWanted(pc);
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
        if (!parkedByPage.isEmpty()) {
            killParked(page, b -> true);
        }
        List<B> dead = blocksByPage.remove(page);
        if (dead == null) {
            return;
        }
        for (B b : dead) {
            kill(b);
        }
    }

    /**
     * The mapping of {@code page} went away (a TLB flush): its blocks leave the lookup and die for
     * chained exits, but are kept until {@link #revive} (the page maps the same physical page
     * again) or {@link #invalidatePage} (it maps another, or the bytes were written). A block
     * reaching into another page dies now: only one page's mapping is checked at revival.
     */
    public synchronized void park(long page) {
        List<B> onPage = blocksByPage.remove(page);
        if (onPage == null) {
            return;
        }
        List<B> kept = parkedByPage.computeIfAbsent(page, k -> new ArrayList<>());
        for (B b : onPage) {
            if (!b.isValid()) {
                continue; // replaced by a newer translation at its pc: already out of the lookup
            }
            if (b.firstPage != b.lastPage) {
                kill(b);
                continue;
            }
            long k = key(b.pc, b.flags);
            if (blocks.get(k) == b) {
                blocks.remove(k);
            }
            b.invalidate();
            B older = parked.put(k, b);
            if (older != null) {
                kept.remove(older);
                dropParked(older);
            }
            kept.add(b);
            parkings++;
        }
        if (kept.isEmpty()) {
            parkedByPage.remove(page);
        }
    }

    /** The parked blocks of {@code page} are live again (its mapping and bytes are what they were). */
    public synchronized void revive(long page) {
        List<B> list = parkedByPage.remove(page);
        if (list == null) {
            return;
        }
        for (B b : list) {
            long k = key(b.pc, b.flags);
            parked.remove(k);
            if (blocks.containsKey(k)) {
                dropParked(b); // translated again meanwhile: the newer one stays
                continue;
            }
            b.revive();
            blocks.put(k, b);
            blocksByPage.computeIfAbsent(page, x -> new ArrayList<>()).add(b);
            revivals++;
        }
        memory.markCode(page);
    }

    /** A parked block dies for good (it was already out of the lookup and invalid). */
    private void dropParked(B b) {
        b.invalidate();
        onInvalidate.accept(b);
        invalidations++;
    }

    /** Kills the parked blocks of {@code page} that {@code dies} picks; true when parked blocks stay there. */
    private boolean killParked(long page, java.util.function.Predicate<B> dies) {
        List<B> list = parkedByPage.get(page);
        if (list == null) {
            return false;
        }
        list.removeIf(b -> {
            if (!dies.test(b)) {
                return false;
            }
            long k = key(b.pc, b.flags);
            if (parked.get(k) == b) {
                parked.remove(k);
            }
            dropParked(b);
            return true;
        });
        if (list.isEmpty()) {
            parkedByPage.remove(page);
            return false;
        }
        return true;
    }

    /** Blocks parked and blocks given back (measuring aids). */
    public synchronized long parkings() {
        return parkings;
    }

    public synchronized long revivals() {
        return revivals;
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
        boolean parkedStay = !parkedByPage.isEmpty() && killParked(page, b -> b.overlaps(start, end));
        List<B> onPage = blocksByPage.get(page);
        if (onPage == null) {
            return parkedStay;
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
            return parkedStay;
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
        for (B b : parked.values()) {
            b.invalidate();
        }
        blocks.clear();
        blocksByPage.clear();
        parked.clear();
        parkedByPage.clear();
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
