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
    private long translated;

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

    private synchronized void invalidatePage(long page) {
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
