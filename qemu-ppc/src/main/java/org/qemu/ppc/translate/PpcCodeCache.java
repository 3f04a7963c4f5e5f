package org.qemu.ppc.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.qemu.common.memory.GuestMemory;

/**
 * The translations of one guest address space, shared by all its guest threads. Pages that
 * hold translated code are marked in GuestMemory; the first guest store to such a page drops
 * all of the page's blocks (self-modifying code, the dynamic loader, JITs in the guest).
 */
public final class PpcCodeCache {
    private final GuestMemory memory;
    private final PpcTranslator translator;
    private final Map<Integer, PpcBlock> blocks = new ConcurrentHashMap<>();
    private final Map<Long, List<PpcBlock>> blocksByPage = new ConcurrentHashMap<>();
    private final Map<Long, PpcRegion> regions = new ConcurrentHashMap<>();
    private final Map<Long, Integer> regionCompilations = new ConcurrentHashMap<>();
    private long translated;
    private long translationNanos;
    private long compiled;
    private long regionsCompiled;
    /** Cold blocks run interpreted first; -Dqemu.ppc.compileAll=true compiles every block at once. */
    private final boolean tiered;

    /** -Dqemu.ppc.logCompiles=true names each compiled block's class (to match profiler symbols to guest code). */
    private static final boolean LOG_COMPILES = Boolean.getBoolean("qemu.ppc.logCompiles");

    /** Recompiling a page's region as more of its blocks get hot stops after this many tries. */
    static final int MAX_REGION_COMPILATIONS = Integer.getInteger("qemu.ppc.maxRegionCompilations", 4);
    /** A region spans at most this many pages (merging stops there). */
    static final int MAX_REGION_PAGES = 4;

    public PpcCodeCache(GuestMemory memory) {
        this(memory, !Boolean.getBoolean("qemu.ppc.compileAll"));
    }

    /** {@code tiered=false} compiles every block on first use (the instruction tests run both ways). */
    public PpcCodeCache(GuestMemory memory, boolean tiered) {
        this.tiered = tiered;
        this.memory = memory;
        this.translator = new PpcTranslator(memory);
        memory.setCodeWriteListener(this::invalidatePage);
    }

    /** Traces on or off (see {@link PpcTranslator#trace}); on unless -Dqemu.ppc.noTraces=true. */
    public void setTraces(boolean enabled) {
        translator.setTraces(enabled);
    }

    public GuestMemory memory() {
        return memory;
    }

    /** The block starting at pc, translating it on first use. */
    public PpcBlock lookup(int pc) {
        PpcBlock b = blocks.get(pc);
        if (b != null) {
            return b;
        }
        return translate(pc);
    }

    private synchronized PpcBlock translate(int pc) {
        PpcBlock b = blocks.get(pc);
        if (b != null) {
            return b;
        }
        long t0 = System.nanoTime();
        b = tiered ? translator.interpret(pc) : translator.translate(pc);
        translationNanos += System.nanoTime() - t0;
        long page = Integer.toUnsignedLong(pc) >>> GuestMemory.PAGE_SHIFT;
        memory.markCode(page);
        blocksByPage.computeIfAbsent(page, p -> new ArrayList<>()).add(b);
        blocks.put(pc, b);
        translated++;
        return b;
    }

    /** The page's current region, or null. */
    public PpcRegion region(long page) {
        PpcRegion r = regions.get(page);
        return r != null && r.valid ? r : null;
    }

    /**
     * (Re)compiles the hot blocks of a page into a region, together with the other pages of the
     * region it belongs to now; null when the page has had its share of recompilations.
     */
    public synchronized PpcRegion compileRegion(long page) {
        int done = regionCompilations.getOrDefault(page, 0);
        if (done >= MAX_REGION_COMPILATIONS || !blocksByPage.containsKey(page)) {
            return region(page);
        }
        regionCompilations.put(page, done + 1);
        PpcRegion current = region(page);
        long[] pages = current != null ? current.pages : new long[] {page};
        PpcRegion r = compileRegion(pages);
        return r != null ? r : current;
    }

    /**
     * One region over the pages of two regions the guest keeps crossing between; null (and the
     * two stay as they are) when there would be too many pages or the hot code would not fit.
     */
    public synchronized PpcRegion mergeRegions(PpcRegion from, PpcRegion to) {
        int done = regionCompilations.getOrDefault(from.pages[0], 0);
        if (!from.valid || !to.valid || from.pages.length + to.pages.length > MAX_REGION_PAGES
                || done >= MAX_REGION_COMPILATIONS) {
            return null;
        }
        regionCompilations.put(from.pages[0], done + 1);
        long[] pages = java.util.stream.LongStream.concat(java.util.Arrays.stream(from.pages), java.util.Arrays.stream(to.pages))
                .distinct().toArray();
        return compileRegion(pages);
    }

    private PpcRegion compileRegion(long[] pages) {
        List<PpcBlock> candidates = new ArrayList<>();
        for (long p : pages) {
            List<PpcBlock> onPage = blocksByPage.get(p);
            if (onPage == null) {
                return null; // the page was written meanwhile: leave it to be retranslated
            }
            candidates.addAll(onPage);
        }
        List<PpcBlock> chosen = PpcRegionCompiler.select(candidates);
        if (chosen.isEmpty()) {
            return null;
        }
        PpcRegion r = PpcRegionCompiler.compile(pages[0], chosen);
        r.pages = pages;
        regionsCompiled++;
        for (long p : pages) {
            PpcRegion old = regions.put(p, r);
            if (old != null) {
                retire(old);
            }
        }
        return r;
    }

    private void retire(PpcRegion region) {
        region.valid = false;
        for (long p : region.pages) {
            regions.remove(p, region);
        }
    }

    /** Replaces a block that got warm with its compiled form (same start, same page). */
    public synchronized PpcBlock compile(PpcBlock cold) {
        if (!cold.valid || !(cold instanceof InterpretedBlock)) {
            return cold;
        }
        PpcBlock current = blocks.get(cold.start);
        if (current != cold) {
            return current != null ? current : cold;
        }
        long t0 = System.nanoTime();
        long page = Integer.toUnsignedLong(cold.start) >>> GuestMemory.PAGE_SHIFT;
        // A trace may run code of other pages: a write to any of them must drop it too.
        List<Long> otherPages = new ArrayList<>();
        List<Instruction> trace = translator.trace(cold, p -> {
            if (p != page && !otherPages.contains(p)) {
                memory.markCode(p);
                otherPages.add(p);
            }
        });
        if (!cold.valid) {
            return cold; // the trace's decoding wrote nothing, but another thread may have
        }
        java.util.Map<Integer, List<Instruction>> detours = translator.detours(trace, p -> {
            if (p != page && !otherPages.contains(p)) {
                memory.markCode(p);
                otherPages.add(p);
            }
        });
        if (!cold.valid) {
            return cold;
        }
        PpcBlock hot = translator.compile(trace, detours);
        if (LOG_COMPILES) {
            System.err.printf("qemu-ppc: compiled 0x%08x (%d instructions) as %s%n", cold.start, trace.size(), hot.getClass().getName());
        }
        hot.instructions = cold.instructions;
        translationNanos += System.nanoTime() - t0;
        hot.executions = cold.executions;
        List<PpcBlock> onPage = blocksByPage.get(page);
        if (onPage != null) {
            onPage.remove(cold);
            onPage.add(hot);
        }
        for (long p : otherPages) {
            blocksByPage.computeIfAbsent(p, q -> new ArrayList<>()).add(hot);
        }
        blocks.put(cold.start, hot);
        compiled++;
        return hot;
    }

    public synchronized long regionCompilations() {
        return regionsCompiled;
    }

    public synchronized long compiledBlocks() {
        return compiled;
    }

    private synchronized void invalidatePage(long page) {
        PpcRegion region = regions.get(page);
        if (region != null) {
            retire(region);
        }
        regionCompilations.remove(page);
        List<PpcBlock> dead = blocksByPage.remove(page);
        if (dead != null) {
            for (PpcBlock b : dead) {
                b.valid = false;
                blocks.remove(b.start, b);
            }
        }
    }

    public synchronized long translatedBlocks() {
        return translated;
    }

    /** Host time spent decoding and defining block classes. */
    public synchronized long translationNanos() {
        return translationNanos;
    }
}
