package org.qemu.i386.system.mmu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which physical RAM pages hold translated code, and at which linear pages of which CPU it was
 * translated. Translations are keyed by linear address, but the same physical page can be
 * mapped at several linear addresses (and by several CPUs): a write through any of them, or a
 * device's DMA, must drop the translations made through all of them. Shared by the CPUs of a
 * machine; touched only on the slow paths (page misses, code writes), so one lock is enough.
 */
public final class PhysicalCodePages {
    private record Alias(Mmu mmu, long linearPage) {
    }

    private final boolean[] isCode;
    private final Map<Integer, List<Alias>> aliases = new HashMap<>();
    private final List<Mmu> spaces = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile long pagesDroppedByWrites;

    /** Linear code pages whose translations died because their physical page was written (a measuring aid). */
    public long pagesDroppedByWrites() {
        return pagesDroppedByWrites;
    }

    public PhysicalCodePages(long ramPages) {
        this.isCode = new boolean[(int) ramPages];
        this.rangeWrites = new short[(int) ramPages];
    }

    /** True when translated code came from {@code physicalPage}: its writable mappings must keep writes on the slow path. */
    public boolean holdsCode(long physicalPage) {
        return physicalPage < isCode.length && isCode[(int) physicalPage];
    }

    /** Every CPU's linear space, so that a page turning into code is write-protected wherever it is mapped. */
    void attach(Mmu mmu) {
        spaces.add(mmu);
    }

    void translatedFrom(int physicalPage, Mmu mmu, long linearPage) {
        if (physicalPage >= isCode.length) {
            return;
        }
        boolean first;
        synchronized (this) {
            first = !isCode[physicalPage];
            register(physicalPage, mmu, linearPage);
        }
        if (first) {
            // mappings made writable before this page held code must now report their writes
            for (Mmu space : spaces) {
                space.writeProtect(physicalPage);
            }
        }
    }

    private void register(int physicalPage, Mmu mmu, long linearPage) {
        List<Alias> list = aliases.computeIfAbsent(physicalPage, k -> new ArrayList<>(1));
        for (Alias a : list) {
            if (a.mmu() == mmu && a.linearPage() == linearPage) {
                return;
            }
        }
        list.add(new Alias(mmu, linearPage));
        isCode[physicalPage] = true;
    }

    /** A linear page's mapping went away together with its translations. */
    synchronized void forget(int physicalPage, Mmu mmu, long linearPage) {
        List<Alias> list = aliases.get(physicalPage);
        if (list == null) {
            return;
        }
        list.removeIf(a -> a.mmu() == mmu && a.linearPage() == linearPage);
        if (list.isEmpty()) {
            aliases.remove(physicalPage);
            isCode[physicalPage] = false;
            rangeWrites[physicalPage] = 0;
        }
    }

    /**
     * Writes a code page takes that kill nothing before the whole page's code is given up (and
     * its writes go back to the fast path until code is translated from it again): a page that
     * holds data beside code (QEMU counts such writes too, then keeps a bitmap of its code).
     */
    private static final int WRITES_BEFORE_GIVING_UP = 512;
    private final short[] rangeWrites;
    private volatile long rangeWritesKept;

    /** Writes to code pages after which other code on the page lived on (a measuring aid). */
    public long rangeWritesKept() {
        return rangeWritesKept;
    }

    /**
     * {@code [offset, offset+length)} of {@code physicalPage} is about to be written by a CPU:
     * the translations (through every mapping) whose bytes it overlaps die; true when others
     * stay on the page, false when the caller must let the whole page's code go ({@link #written}).
     * Why: Linux patches its own text a few bytes at a time ({@code text_poke}, jump labels,
     * alternatives, the module loader's relocations), and killing every block of the page at each
     * patch made the boot translate tens of thousands of blocks again.
     */
    public boolean writtenRange(long physicalPage, int offset, int length) {
        if (!holdsCode(physicalPage)) {
            return false;
        }
        Alias[] targets;
        synchronized (this) {
            List<Alias> list = aliases.get((int) physicalPage);
            if (list == null || ++rangeWrites[(int) physicalPage] > WRITES_BEFORE_GIVING_UP) {
                return false;
            }
            targets = list.toArray(new Alias[0]);
        }
        boolean others = false;
        for (Alias a : targets) {
            others |= a.mmu().dropTranslations(a.linearPage(), offset, length);
        }
        if (others) {
            rangeWritesKept++;
        }
        return others;
    }

    /** {@code physicalPage} was written (by a CPU through any mapping, or by a device): its translations die. */
    public void written(long physicalPage) {
        if (!holdsCode(physicalPage)) {
            return; // the common case (page-table and data writes), without taking the lock
        }
        List<Alias> victims;
        synchronized (this) {
            if (!holdsCode(physicalPage)) {
                return;
            }
            victims = aliases.remove((int) physicalPage);
            isCode[(int) physicalPage] = false;
            rangeWrites[(int) physicalPage] = 0;
        }
        if (victims != null) {
            pagesDroppedByWrites += victims.size();
            for (Alias a : victims) {
                a.mmu().dropTranslations(a.linearPage());
            }
        }
    }
}
