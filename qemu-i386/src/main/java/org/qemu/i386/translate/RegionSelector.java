package org.qemu.i386.translate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.qemu.common.tcg.TranslationBlock;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Op;

/**
 * Chooses the blocks of a region: starting at a hot block, a breadth-first walk over what ran
 * after each block (its successor links) and over its branch targets that were translated
 * already (jcc both ways, jmp, call and the call's return point), keeping blocks that have run.
 * A loop's blocks come in whatever pages they lie on; code that never ran stays out (reaching
 * it leaves the region, and it may seed a region of its own once hot).
 */
public final class RegionSelector {
    /** Upper bound of blocks per region; the compiler also splits by method size. */
    public static final int MAX_BLOCKS = 48;

    private final TranslationCache<X86Block> cache;

    public RegionSelector(TranslationCache<X86Block> cache) {
        this.cache = cache;
    }

    /** The blocks of the region seeded by {@code seed}, seed first, nearest first. */
    public List<X86Block> select(X86Block seed) {
        List<X86Block> chosen = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        chosen.add(seed);
        seen.add(seed.pc);
        for (int i = 0; i < chosen.size() && chosen.size() < MAX_BLOCKS; i++) {
            X86Block b = chosen.get(i);
            for (int slot = 0; slot < 2; slot++) {
                consider(seed, b.successorInSlot(slot), chosen, seen);
            }
            X86Op last = b.ops()[b.ops().length - 1];
            if (last instanceof ControlOps.ConditionalJump j) {
                considerPc(seed, j.target, chosen, seen);
                considerPc(seed, j.fallThrough, chosen, seen);
            } else if (last instanceof ControlOps.Goto g) {
                considerPc(seed, g.target, chosen, seen);
            } else if (last instanceof ControlOps.Call c) {
                if (c.indirectTarget == null) {
                    considerPc(seed, c.target, chosen, seen);
                }
                considerPc(seed, c.returnAddress, chosen, seen);
            } else if (last instanceof ControlOps.Loop l) {
                considerPc(seed, l.target, chosen, seen);
                considerPc(seed, l.fallThrough, chosen, seen);
            }
        }
        return chosen;
    }

    private void considerPc(X86Block seed, int pc, List<X86Block> chosen, Set<Long> seen) {
        long p = pc & 0xffffffffL;
        if (!seen.contains(p)) {
            consider(seed, cache.lookup(p, seed.flags), chosen, seen);
        }
    }

    /**
     * A block run fewer than 1/COLD_RATIO times as often as the seed stays out: it would make
     * the method bigger (HotSpot's compile time grows faster than the method) for little use,
     * and reaching it leaves the region through the run loop, which is cheap at that rate.
     */
    static final int COLD_RATIO = Integer.getInteger("qemu.tcg.region-cold-ratio", 64);

    private static void consider(X86Block seed, TranslationBlock candidate, List<X86Block> chosen, Set<Long> seen) {
        if (candidate instanceof X86Block b && chosen.size() < MAX_BLOCKS && b.isValid() && b.flags == seed.flags
                && b.executions() > 0 && (long) b.executions() * COLD_RATIO >= seed.executions() && seen.add(b.pc)) {
            chosen.add(b);
        }
    }
}
