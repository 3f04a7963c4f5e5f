package org.qemu.i386.translate;

import java.lang.reflect.Method;

import org.qemu.common.jit.HotSpotCompileRequests;
import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;

/**
 * When a block gets a class of its own: after the compile threshold's runs, unless new code kept
 * appearing faster than the block ran.
 *
 * <p>Why: a block's class costs far more than writing it. Measured on {@code python3 -c pass}
 * under qemu-x86_64 (8,282 blocks compiled at the old fixed threshold of 64): our generation and
 * {@code defineHiddenClass} about 0.3 ms of CPU per block, then HotSpot runs the new method in its
 * bytecode interpreter (slower than the interpreted tier, whose ops are JIT-compiled already) until
 * C1 compiles it after about 200 calls, and C2 after a few thousand: about 1.2 ms of CPU per block
 * in all, and most of python's blocks never run often enough after their 64th run to repay it
 * (12.7 s of CPU against 3.0 s when nothing is compiled). A hot loop (sha256's rounds, cpubench's
 * sort) repays its class within milliseconds and must keep getting it early.
 *
 * <p>What tells them apart is how fast new code appears while the block runs: code that is
 * exploring (a dynamic loader, an interpreter's start-up, a kernel's initialisation) translates
 * new blocks all the time, and a block that ran 64 times among thousands of new translations is
 * unlikely to run thousands more times soon; a loop runs its blocks over and over with no new
 * translations. So the logical clock is the count of blocks translated, and at each check (the
 * threshold, then every doubling of the run count) a block is compiled when fewer than
 * {@link #FRESH_PER_RUN} blocks per run of its own were translated since the last check. A block
 * still running after {@link #MAX_DEFERRED_RUNS} runs is compiled whatever the clock says.
 * Thresholds below the default (tests: 1, 2, 3...) mean exactly that run, without the clock.
 */
final class CompilePolicy {
    /**
     * Blocks translated per run of a block, since its last check, above which its compilation is
     * put off to the doubled run count ({@code -Dqemu.tcg.compile-fresh-ratio}; negative: compile
     * at the threshold always, the policy before session 6). Measured at load 20-30 (CPU seconds,
     * user+sys): the i386 Linux boot to init 75 s with no deferral, 55 s at 0.5, 42 s at 0.1
     * (11,623 / 4,972 / 3,387 blocks compiled); {@code python3 -c pass} 8,284 / 1,604 / 957 blocks
     * compiled; sha256sum and cpubench compile the same 45 and 66 blocks at every ratio.
     */
    static final double FRESH_PER_RUN = Double.parseDouble(System.getProperty("qemu.tcg.compile-fresh-ratio", "0.1"));

    /** Runs after which a block is compiled even while new code keeps appearing (by a block that weighs one, {@link #sizeWeight}). */
    static final int MAX_DEFERRED_RUNS = Integer.getInteger("qemu.tcg.compile-max-deferred", 1 << 14);

    /**
     * Instructions per unit of a block's weight in the deferral ({@code -Dqemu.tcg.compile-size-weight};
     * 0: every block weighs one; unset: 2 in the system emulators, 0 in user mode). A run of a long
     * block is worth as many runs of a short one as it has times their instructions: the clock
     * allows a block of n instructions n / unit times the fresh translations per run, and its runs
     * count n / unit times toward {@link #MAX_DEFERRED_RUNS}. Why: an amd64 boot ran the kernel's
     * blake2s_compress_generic, 1,000 instructions in 64-instruction blocks, 16,384 times in the
     * interpreted tier, deferred all the way by the kernel's initialisation translating around it
     * (~0.25 s of the boot's CPU thread). Why not in user mode: {@code python3 -c pass} under
     * qemu-x86_64 took 1.03 s with unit 2 against 0.94 s without (medians of 6 interleaved runs; more of
     * its start-up's long blocks got classes), cpubench the same.
     */
    private static final Integer WEIGHT_UNIT_SET = Integer.getInteger("qemu.tcg.compile-size-weight");

    /** The weight unit a compiler of system mode ({@code true}) or user mode starts with. */
    static int defaultWeightUnit(boolean systemMode) {
        return WEIGHT_UNIT_SET != null ? WEIGHT_UNIT_SET : systemMode ? 2 : 0;
    }

    /** {@code block}'s weight in the deferral with {@code unit} instructions per unit: at least 1. */
    private static int sizeWeight(X86Block block, int unit) {
        return unit <= 0 ? 1 : Math.max(1, block.instructionCount() / unit);
    }

    /** A block's next check when there is none: decided, compiled or never to be. */
    static final int NEVER = Integer.MAX_VALUE;

    /** Blocks translated so far, by every translator of this JVM (plain: approximate across threads is enough). */
    private static long clock;

    private CompilePolicy() {
    }

    /** Counts one new translation (called once per block made). */
    static void blockTranslated() {
        clock++;
    }

    /**
     * Called at {@code block}'s run number {@code runs} when it reaches the block's next check
     * (passes it, when runs were counted elsewhere, e.g. in a region):
     * true when the block should be compiled now; otherwise sets the block's next check.
     * {@code threshold} 1 compiles at the first run (tests), 0 never; {@code weightUnit}: the
     * compiler's instructions per unit of a block's weight in the deferral (0: all weigh one).
     */
    static boolean dueForCompile(X86Block block, int runs, int threshold, int weightUnit) {
        if (block.nextCheck == NEVER) {
            // run count Integer.MAX_VALUE: decided long ago
            return false;
        }
        if (block.tierRequests > 0) {
            return promote(block, runs);
        }
        if (threshold <= 0) {
            block.nextCheck = NEVER;
            return false;
        }
        long now = clock;
        if (threshold == 1 || (FRESH_PER_RUN < 0 || threshold < X86Block.DEFAULT_COMPILE_THRESHOLD) && runs >= threshold) {
            block.nextCheck = NEVER;
            return true;
        }
        if (runs < threshold) {
            // the first run: start the block's clock
            block.clockAtCheck = now;
            block.runsAtCheck = runs;
            block.nextCheck = threshold;
            return false;
        }
        long fresh = now - block.clockAtCheck;
        int window = runs - block.runsAtCheck;
        int weight = sizeWeight(block, weightUnit);
        if (fresh <= window * FRESH_PER_RUN * weight || (long) runs * weight >= MAX_DEFERRED_RUNS) {
            block.nextCheck = NEVER;
            return true;
        }
        block.clockAtCheck = now;
        block.runsAtCheck = runs;
        block.nextCheck = Math.min(runs * 2, MAX_DEFERRED_RUNS);
        return false;
    }

    /**
     * The tiers HotSpot is asked for, one after the other, for each block class we define
     * ({@code -Dqemu.tcg.hotspot-requests}, a comma list of HotSpot tiers; {@code false} or empty:
     * none, the JIT's own policy decides): the first as the class is defined, each next one after
     * {@link #PROMOTE_RUNS} more runs of the block through the run loop (a hot chained block comes
     * back to it too: the chain budget ends now and then). "3": C1 with full profiling at once,
     * so the class never runs in the JVM's bytecode interpreter and HotSpot's policy takes it on to
     * C2 with a profile; "1,3,4": C1 without profiling first (fast code, quick to make), profiling
     * code when the block stays hot, C2 when it stays hot after that. Off by default: measured on
     * sha256sum and cpubench (docs/PERFORMANCE.md, "Session 8 (branch jit8)"), no list beat
     * HotSpot's own policy, "3" cost 5-8% of CPU on 32 MiB, and any list with C2 before a
     * profile was worse still.
     */
    static final int[] HOTSPOT_TIERS = tiers(System.getProperty("qemu.tcg.hotspot-requests", "false"));

    /** Run-loop runs of a compiled block between two of its {@link #HOTSPOT_TIERS} requests. */
    static final int PROMOTE_RUNS = Integer.getInteger("qemu.tcg.hotspot-promote-runs", 64);

    /** Tiers asked for one after the other, {@code promoteRuns} run-loop runs of the block apart. */
    record TierPlan(int[] tiers, int promoteRuns) {
    }

    private static final TierPlan HOTSPOT_PLAN = new TierPlan(HOTSPOT_TIERS, PROMOTE_RUNS);

    private static int[] tiers(String list) {
        if (list.isEmpty() || "false".equals(list)) {
            return new int[0];
        }
        String[] parts = list.split(",");
        int[] tiers = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            tiers[i] = Integer.parseInt(parts[i].trim());
        }
        return tiers;
    }

    /**
     * Called once a block class has been defined and instantiated for {@code block} (null: no
     * block, e.g. a test's sequence): asks for the first tier, and sets the block's next check for
     * the next one.
     */
    static void classDefined(OpSequence<?> sequence, X86Block block) {
        if (HOTSPOT_TIERS.length == 0 || !HotSpotCompileRequests.available()) {
            return;
        }
        HotSpotCompileRequests.request(runMethod(sequence), HOTSPOT_TIERS[0]);
        if (block != null) {
            planPromotions(block, HOTSPOT_PLAN);
        }
    }

    /** The first tier of {@code plan} was asked for {@code block}'s class: its next check asks for the next one. */
    private static void planPromotions(X86Block block, TierPlan plan) {
        if (plan.tiers().length > 1) {
            block.tierPlan = plan;
            block.tierRequests = 1;
            block.nextCheck = block.executions() + plan.promoteRuns();
        }
    }

    /**
     * At a compiled block's check: asks for its next tier (later, while the block still waits
     * for its class's first code); false (the block is compiled already).
     */
    private static boolean promote(X86Block block, int runs) {
        TierPlan plan = block.tierPlan;
        int next = block.tierRequests;
        if (block.awaitsClass()) {
            block.nextCheck = runs + plan.promoteRuns();
            return false;
        }
        if (next >= plan.tiers().length || !(block.sequence() instanceof org.qemu.common.tcg.ChainedSequence<?> compiled)) {
            block.nextCheck = NEVER;
            return false;
        }
        HotSpotCompileRequests.request(runMethod(compiled), plan.tiers()[next]);
        block.tierRequests = next + 1;
        block.nextCheck = next + 1 < plan.tiers().length ? runs + plan.promoteRuns() : NEVER;
        return false;
    }

    /**
     * The HotSpot tiers a block class made in the background is asked for ({@code
     * -Dqemu.tcg.await-jit}, a comma list; {@code 0} or {@code false}: off, the block runs its class
     * at once): the first as the class is made, and the block keeps running interpreted until that
     * code exists; each next one {@link #AWAIT_PROMOTE_RUNS} run-loop runs later. Why wait: HotSpot
     * runs a new class's method in its bytecode interpreter for its first ~200 calls and while it
     * waits in C1's queue, and there a block run costs about nine times what it costs in our
     * interpreted tier, whose ops are compiled already (busybox unxz in qemu-x86_64: ~590 against ~63
     * ns a block run); an amd64 kernel boot spent 18% of its CPU thread's time there. Why "1,3": C1
     * without profiling is the cheapest compile and the fastest C1 code, and most classes of a
     * kernel's start-up never get hotter (C1 at tier 3 took ~0.8 ms a class, ~3 s of an amd64 boot);
     * the blocks that stay hot get C1's profiling code, from which HotSpot's policy takes them to C2.
     */
    static final int[] AWAIT_TIERS = awaitTiers(System.getProperty("qemu.tcg.await-jit", "1,3"));

    /** Run-loop runs of a block between two of its {@link #AWAIT_TIERS} requests ({@code -Dqemu.tcg.await-promote-runs}). */
    static final int AWAIT_PROMOTE_RUNS = Integer.getInteger("qemu.tcg.await-promote-runs", 8192);

    private static final TierPlan AWAIT_PLAN = new TierPlan(AWAIT_TIERS, AWAIT_PROMOTE_RUNS);

    private static int[] awaitTiers(String list) {
        int[] tiers = tiers(list);
        return tiers.length > 0 && tiers[0] > 0 ? tiers : new int[0];
    }

    /** Classes a block waited for, the waits that ended, and the runs those waits took (plain: approximate across threads, for statistics). */
    private static long awaited, awaitsEnded, runsAwaiting;

    /** A block switched to its class after {@code runs} runs of waiting. */
    static void awaitEnded(int runs) {
        awaitsEnded++;
        runsAwaiting += runs;
    }

    /** For the compile statistics: how many blocks waited for HotSpot's code, and for how many runs. */
    static String awaitStatistics() {
        return awaited == 0 ? "" : ", " + awaited + " waited for HotSpot's code (" + awaitsEnded + " done, "
                + runsAwaiting / Math.max(awaitsEnded, 1) + " runs each)";
    }

    /** True when blocks whose classes are made in the background wait for HotSpot's code ({@link #awaitJit}). */
    static boolean awaitsJit() {
        return AWAIT_TIERS.length > 0 && HotSpotCompileRequests.available();
    }

    /** Runs of a waiting block between two looks at its class's code (a power of two). */
    static final int AWAIT_POLL = 16;

    /**
     * For a class just made for a block: what the block waits for before running it (the compile
     * is asked for now), or null when it runs the class at once (off, no API, or HotSpot takes no
     * request for it: compiled already, not compilable at that tier, compilers stopped).
     */
    static AwaitedClass awaitJit(OpSequence<X86Cpu> sequence) {
        if (!awaitsJit() || !(sequence instanceof X86Sequence compiled)) {
            return null;
        }
        Method method = runMethod(sequence);
        if (!HotSpotCompileRequests.request(method, firstAwaitedTier(compiled.block))) {
            return null;
        }
        awaited++;
        return AwaitedClass.compileOf(sequence, method);
    }

    /**
     * The tier first asked for a block's class: the plan's first, or its last for a class that
     * loops ({@link X86Block#loopsInClass}). Later tiers come after {@link #AWAIT_PROMOTE_RUNS}
     * runs, and a loop's runs are few and long: sha256sum of 32 MiB (one loop block, entered a few
     * thousand times) ran C1's tier-1 code, which HotSpot never takes further, for most of its
     * 0.8 s, against 0.7 s with HotSpot's own policy. A loop compiled with C1's profiling at once
     * goes on to C2 by HotSpot's own counters (back edges included).
     */
    private static int firstAwaitedTier(org.qemu.common.tcg.TranslationBlock block) {
        return block instanceof X86Block b && (b.loopsInClass || b.recompiledHot) ? AWAIT_TIERS[AWAIT_TIERS.length - 1] : AWAIT_TIERS[0];
    }

    /** {@code block} waits for its class's first code: its later tiers are asked for from its checks. */
    static void awaiting(X86Block block) {
        if (block.tierPlan == null && !block.loopsInClass) {
            planPromotions(block, AWAIT_PLAN);
        }
    }

    private static Method runMethod(OpSequence<?> sequence) {
        try {
            if (sequence instanceof X86Sequence) {
                // the block's code; run only loads the context and calls it
                return sequence.getClass().getMethod("enter", OpContext.class, org.qemu.i386.cpu.X86Cpu.class,
                        org.qemu.i386.cpu.X86CpuState.class, long[].class, org.qemu.common.memory.GuestMemory.class);
            }
            return sequence.getClass().getMethod("run", OpContext.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("block class without its run or enter method", e);
        }
    }
}
