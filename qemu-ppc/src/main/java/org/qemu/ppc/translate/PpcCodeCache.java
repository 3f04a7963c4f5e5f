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

    /** Recompiling a page's region as more of its blocks get hot stops after this many tries. */
    static final int MAX_REGION_COMPILATIONS = 4;

    public PpcCodeCache(GuestMemory memory) {
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
        b = translator.translate(pc);
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
        PpcRegion old = regions.get(page);
        PpcRegion r = PpcRegionCompiler.compile(page, chosen);
        regions.put(page, r);
        if (old != null) {
            old.valid = false;
        }
        return r;
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
}
