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

    /** Runs after which a block is compiled even while new code keeps appearing. */
    static final int MAX_DEFERRED_RUNS = Integer.getInteger("qemu.tcg.compile-max-deferred", 1 << 14);

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
     * {@code threshold} 1 compiles at the first run (tests), 0 never.
     */
    static boolean dueForCompile(X86Block block, int runs, int threshold) {
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
        if (fresh <= window * FRESH_PER_RUN || runs >= MAX_DEFERRED_RUNS) {
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
        if (block != null && HOTSPOT_TIERS.length > 1) {
            block.tierRequests = 1;
            block.nextCheck = block.executions() + PROMOTE_RUNS;
        }
    }

    /** At a compiled block's check: asks for its next tier; false (the block is compiled already). */
    private static boolean promote(X86Block block, int runs) {
        int next = block.tierRequests;
        if (next >= HOTSPOT_TIERS.length || !(block.sequence() instanceof org.qemu.common.tcg.ChainedSequence<?> compiled)) {
            block.nextCheck = NEVER;
            return false;
        }
        HotSpotCompileRequests.request(runMethod(compiled), HOTSPOT_TIERS[next]);
        block.tierRequests = next + 1;
        block.nextCheck = next + 1 < HOTSPOT_TIERS.length ? runs + PROMOTE_RUNS : NEVER;
        return false;
    }

    /**
     * The HotSpot tier a block class made in the background is asked for before its block switches
     * to it ({@code -Dqemu.tcg.await-jit}; 0: off, the block switches at once). Why: HotSpot runs a
     * new class's method in its bytecode interpreter for its first ~200 calls and while it waits in
     * C1's queue, and there a block run costs about nine times what it costs in our interpreted
     * tier, whose ops are compiled already (busybox unxz in qemu-x86_64: ~590 against ~63 ns a block
     * run); an amd64 kernel boot spent 18% of its CPU thread's time there.
     */
    static final int AWAIT_JIT_TIER = Integer.getInteger("qemu.tcg.await-jit", HotSpotCompileRequests.C1_FULL_PROFILE);

    /** True when blocks whose classes are made in the background wait for HotSpot's code ({@link #awaitJit}). */
    static boolean awaitsJit() {
        return AWAIT_JIT_TIER > 0 && HotSpotCompileRequests.available();
    }

    /** Runs of a waiting block between two looks at its class's code (a power of two). */
    static final int AWAIT_POLL = 16;

    /**
     * For a class just made for a block: what the block waits for before running it (the compile
     * is asked for now), or null when it runs the class at once (off, no API, or HotSpot takes no
     * request for it: compiled already, not compilable at that tier, compilers stopped).
     */
    static AwaitedClass awaitJit(OpSequence<X86Cpu> sequence) {
        if (!awaitsJit() || !(sequence instanceof X86Sequence)) {
            return null;
        }
        Method method = runMethod(sequence);
        return HotSpotCompileRequests.request(method, AWAIT_JIT_TIER) ? AwaitedClass.compileOf(sequence, method) : null;
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
