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

    /** Recompiling a page's region as more of its blocks get hot stops after this many tries. */
    static final int MAX_REGION_COMPILATIONS = 4;

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

    /** (Re)compiles the hot blocks of a page into a region; null when the page has had its share. */
    public synchronized PpcRegion compileRegion(long page) {
        int done = regionCompilations.getOrDefault(page, 0);
        List<PpcBlock> onPage = blocksByPage.get(page);
        if (done >= MAX_REGION_COMPILATIONS || onPage == null) {
            return region(page);
        }
        List<PpcBlock> chosen = PpcRegionCompiler.select(onPage);
        if (chosen.isEmpty()) {
            return region(page);
        }
        regionCompilations.put(page, done + 1);
        regionsCompiled++;
        PpcRegion old = regions.get(page);
        PpcRegion r = PpcRegionCompiler.compile(page, chosen);
        regions.put(page, r);
        if (old != null) {
            old.valid = false;
        }
        return r;
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
        PpcBlock hot = translator.compile(cold.instructions);
        translationNanos += System.nanoTime() - t0;
        hot.executions = cold.executions;
        long page = Integer.toUnsignedLong(cold.start) >>> GuestMemory.PAGE_SHIFT;
        List<PpcBlock> onPage = blocksByPage.get(page);
        if (onPage != null) {
            onPage.remove(cold);
            onPage.add(hot);
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
        PpcRegion region = regions.remove(page);
        if (region != null) {
            region.valid = false;
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
