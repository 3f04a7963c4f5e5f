package org.qemu.i386.translate;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpSequence;
import org.qemu.common.tcg.TranslationBlock;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * A translated run of x86 instructions: one op per instruction, plus the address of each
 * instruction and of the one after it, so a fault in op i restores eip precisely.
 * Starts interpreted; after a threshold of runs it is compiled to its own class.
 */
public final class X86Block extends TranslationBlock implements InstructionLocator {
    /** Runs before a block gets its own class by default; below this the define cost (~40 us) does not pay. */
    public static final int DEFAULT_COMPILE_THRESHOLD = 64;

    /**
     * Runs before a block gets its own class when classes are made in the background and a block
     * waits for HotSpot's code before it runs its class ({@link CompilePolicy#awaitJit}, the system
     * emulators). Waiting, a class costs the block nothing until it is compiled, but every class
     * costs our generation and a C1 compile, and most blocks of a kernel's start-up that reach 64
     * runs run few more. Interleaved amd64 boots to the marker (4 each, medians; session 15): at
     * 256 / 512 / 1,024 / 2,048 / 4,096 runs 11.62 / 11.63 / 11.24-11.5 / 11.5 / 11.58 s (C1 at tier
     * 1 first, tier 3 after 8,192 runs); i386 9.54 s at 512, 9.41 s at 1,024 (3 each).
     */
    public static final int AWAITED_COMPILE_THRESHOLD = 1024;

    /**
     * True when a block whose class is made in the background runs it only once HotSpot has
     * compiled it ({@code -Dqemu.tcg.await-jit} not off and the WhiteBox API bound).
     */
    public static boolean waitsForHotSpotCode() {
        return CompilePolicy.awaitsJit();
    }

    /** The compile threshold when none is given: {@link #AWAITED_COMPILE_THRESHOLD} where blocks wait for HotSpot's code, else {@link #DEFAULT_COMPILE_THRESHOLD}. */
    public static int defaultCompileThreshold(boolean background) {
        return background && waitsForHotSpotCode() ? AWAITED_COMPILE_THRESHOLD : DEFAULT_COMPILE_THRESHOLD;
    }

    private final X86Op[] ops;
    /** Replaced (by longer arrays that start the same) when the block is compiled as a loop block taking in another block's code. */
    private volatile long[] instructionAddress;
    private volatile long[] nextAddress;
    private volatile OpSequence<X86Cpu> sequence;
    /** The region the run loop enters instead of this block, or null. */
    private volatile X86Region region;
    /** Regions this block belongs to (it may be in several): they die with it. */
    private final java.util.List<X86Region> memberOf = new java.util.ArrayList<>(2);
    /** Execution count at which this block next asks for a region of its own. */
    private int regionAt;

    X86Block(long pc, int flags, long firstPage, long lastPage, X86Op[] ops, long[] instructionAddress, long[] nextAddress) {
        super(pc, flags, firstPage, lastPage);
        this.ops = ops;
        this.instructionAddress = instructionAddress;
        this.nextAddress = nextAddress;
        this.sequence = X86InterpretedSequence.of(ops);
        CompilePolicy.blockTranslated();
    }

    /** The run count at which {@link CompilePolicy} next looks at this block ({@link CompilePolicy#NEVER}: never again), and its clock and run count at the last look. */
    int nextCheck = 1;
    long clockAtCheck;
    int runsAtCheck;
    /** The tiers HotSpot is asked for, one after the other, for this block's class (null: none after the first). */
    CompilePolicy.TierPlan tierPlan;
    /** How many of {@link #tierPlan}'s tiers were requested for this block's class (0: none yet). */
    int tierRequests;

    /**
     * Runs the block; from the {@code compileThreshold}-th run on, {@link CompilePolicy} decides
     * when it is compiled (0: never compile): on {@code background} when there is one (the block
     * runs interpreted until its class is ready), else at once.
     */
    public void execute(X86Cpu cpu, BytecodeBlockCompiler compiler, int compileThreshold, java.util.concurrent.Executor background) {
        if (countExecution() >= nextEvent) {
            events(cpu, compiler, compileThreshold, background);
        }
        sequence.run(cpu);
    }

    /**
     * The run count at which {@link #execute} next looks at anything but the block's sequence: the
     * block's next check, the next poll of an awaited class ({@link CompilePolicy#AWAIT_POLL}), the
     * run at which it is looked at as a trace; 0 after {@link #signal}. Why one test: the run loop's
     * C2 code (which inlines execute) was thrown away 5-6 times a cpubench run by those tests' rarely
     * taken sides, each a recompile of the run loop (~20-50 ms of C2); a test that is taken every
     * few runs while blocks are new has both sides in every profile. Written by the running thread
     * alone, except for the 0 of a signal.
     */
    private volatile int nextEvent;
    /** Counts {@link #signal}s, so that a recomputation racing with one does not overwrite its 0. */
    private volatile int signals;

    /** The generator thread changed what {@link #nextEvent} stands for: the next run looks again (one writer: no lost counts). */
    void signal() {
        signals++;
        nextEvent = 0;
    }

    /** The checks {@link #execute} made on every run until session 26, and the next run that needs them. */
    private void events(X86Cpu cpu, BytecodeBlockCompiler compiler, int compileThreshold, java.util.concurrent.Executor background) {
        int signalled = signals;
        int runs = executions();
        AwaitedClass awaited = awaitedClass;
        if (awaited != null && (runs & (CompilePolicy.AWAIT_POLL - 1)) == 0 && awaited.ready()) {
            OpSequence<X86Cpu> replaced = sequence;
            sequence = awaited.sequence;
            awaitedClass = null;
            ChainedSequence<X86Cpu> old = ChainedSequence.asChained(replaced);
            if (old != null && replaced != awaited.sequence) {
                // the block's own class, run while its trace waited: exits linked to it link to the trace now
                old.kill();
            }
            CompilePolicy.awaitEnded(runs - awaited.runsAtDefine);
        }
        if (runs >= nextCheck && CompilePolicy.dueForCompile(this, runs, compileThreshold, compiler.deferralWeightUnit())) {
            if (background == null) {
                sequence = compileTracked(compiler);
            } else {
                background.execute(() -> {
                    if (isValid()) {
                        OpSequence<X86Cpu> compiled = compileTracked(compiler);
                        AwaitedClass wait = compiler.awaitJit(compiled);
                        if (wait == null) {
                            sequence = compiled;
                        } else {
                            wait.runsAtDefine = executions();
                            awaitedClass = wait;
                            CompilePolicy.awaiting(this);
                        }
                        killIfDied(compiled);
                    }
                    // what the run loop's test stands for changed on this thread (the class, the wait, the next check)
                    signal();
                });
            }
        } else if (traceLater && runs >= compiler.traceRuns()) {
            ChainedSequence<X86Cpu> straight = ChainedSequence.asChained(sequence);
            if (straight != null) {
                traceLater = false;
                if (compiler.traceWouldForm(this)) {
                    recompileAsTrace(compiler, straight);
                }
            }
        }
        int next = nextCheck;
        if (awaitedClass != null) {
            next = Math.min(next, (runs | (CompilePolicy.AWAIT_POLL - 1)) + 1);
        }
        if (traceLater) {
            next = Math.min(next, Math.max(compiler.traceRuns(), runs + 1));
        }
        nextEvent = next;
        if (signals != signalled) {
            nextEvent = 0;
        }
    }

    /**
     * The block's class while HotSpot compiles its method ({@link CompilePolicy#awaitJit}): the
     * block stays interpreted, and nothing chains into it, until the class has JIT code.
     */
    private volatile AwaitedClass awaitedClass;

    /** True while the block waits for HotSpot's code of its class. */
    boolean awaitsClass() {
        return awaitedClass != null;
    }

    /**
     * A 64-bit block compiled alone before it ran {@link BytecodeBlockCompiler#traceRuns} times: compiled again
     * as a trace when it gets there (start-up code, most of which never gets that hot, would
     * otherwise compile traces it does not need).
     */
    volatile boolean traceLater;

    /**
     * True when the block's latest class runs a loop of guest code inside its method (a loop
     * block, a loop unit, a 64-bit trace loop): one run of it may be thousands of iterations.
     */
    volatile boolean loopsInClass;

    /**
     * Set while the block is being compiled: a loop block may take in the code of a block it
     * jumps to ({@link #takeIn}), so until that is decided a write anywhere on its pages must
     * kill it ({@link #overlaps}).
     */
    private volatile boolean compiling;

    private OpSequence<X86Cpu> compileTracked(BytecodeBlockCompiler compiler) {
        compiling = true;
        try {
            return compiler.compileBlock(this);
        } finally {
            compiling = false;
        }
    }

    /**
     * True when an instruction of the block (or of code a loop block took in) has a byte in
     * {@code [start, end)}; an instruction of no length (a fetch fault, an over-long instruction,
     * the jump to the next page) counts as the 16 bytes an instruction can have.
     */
    @Override
    public boolean overlaps(long start, long end) {
        if (compiling) {
            return true;
        }
        long[] address = instructionAddress;
        long[] next = nextAddress;
        for (int i = 0, n = Math.min(address.length, next.length); i < n; i++) {
            long from = address[i];
            long to = next[i] > from ? next[i] : from + 16;
            if (from < end && to > start) {
                return true;
            }
        }
        return false;
    }

    /** The block's current tier: interpreted, or (once compiled) a {@link ChainedSequence} that exits may chain to. */
    public OpSequence<X86Cpu> sequence() {
        return sequence;
    }

    /** The live region to enter at this block, or null. */
    public X86Region region() {
        return region;
    }

    /**
     * True when this block has run often enough to seed a region ({@code threshold} runs; 0:
     * never). Answers true once: the caller forms a region or gives up on this block.
     */
    public boolean wantsRegion(int threshold) {
        if (threshold <= 0) {
            return false;
        }
        X86Region r = region;
        if (r == null) {
            int at = regionAt == 0 ? threshold : regionAt;
            if (executions() + 1 < at) {
                return false;
            }
            regionAt = Integer.MAX_VALUE;
            reseedAt = executions() + threshold * 2;
            return true;
        }
        // entered often through a region it does not start: control keeps coming back here from
        // outside that region, so a region grown from this block may hold the loop around it
        if (reseedAt == 0) {
            reseedAt = executions() + threshold * 2;
        }
        if (r.entryBlock() == this || reseeds >= MAX_RESEEDS || executions() + 1 < reseedAt) {
            return false;
        }
        reseeds++;
        reseedAt = executions() + ((threshold * 2) << reseeds);
        return true;
    }

    /** Regions a block may seed while it is entered through other blocks' regions. */
    private static final int MAX_RESEEDS = 3;
    private int reseeds;
    /** Execution count at which a block entered through another block's region seeds its own (0: not yet set). */
    private int reseedAt;

    /** Makes {@code r} (which holds this block) the region entered at this block. */
    synchronized void joinRegion(X86Region r, boolean entry) {
        memberOf.removeIf(x -> !x.isValid());
        memberOf.add(r);
        if (entry || region == null) {
            region = r;
        }
    }

    /** A region holding this block died: stop entering it; a surviving block may seed a new one later. */
    synchronized void regionDied(X86Region r) {
        memberOf.remove(r);
        if (region == r) {
            region = null;
            regionAt = executions() + REGION_RETRY_RUNS;
        }
    }

    /** Runs in the run loop, after the block's region died, before it may seed another: keeps code that keeps writing its own page from recompiling forever. */
    static final int REGION_RETRY_RUNS = 256;

    @Override
    public void invalidate() {
        super.invalidate();
        if (sequence instanceof ChainedSequence<X86Cpu> compiled) {
            compiled.kill();
        }
        AwaitedClass waiting = awaitedClass;
        if (waiting != null && waiting.sequence instanceof ChainedSequence<X86Cpu> awaited) {
            awaited.kill();
        }
        X86Region[] regions;
        synchronized (this) {
            regions = memberOf.toArray(new X86Region[0]);
            memberOf.clear();
            region = null;
        }
        for (X86Region r : regions) {
            r.invalidate();
        }
    }

    @Override
    public void revive() {
        super.revive();
        if (sequence instanceof ChainedSequence<X86Cpu> compiled) {
            compiled.revive();
        }
        AwaitedClass waiting = awaitedClass;
        if (waiting != null && waiting.sequence instanceof ChainedSequence<X86Cpu> awaited) {
            awaited.revive();
        }
    }

    /**
     * A loop block compiled from this block took in the instructions of the block it jumps to:
     * {@code address} and {@code next} cover them all (the first entries are this block's own),
     * so a fault in the taken-in code reports its own address.
     */
    void takeIn(long[] address, long[] next) {
        nextAddress = next;
        instructionAddress = address;
    }

    /**
     * Gives back the code {@link #takeIn} took in when it was not compiled after all (a trace
     * too big for one method): the block's own instructions again, the first of those taken in.
     */
    void keepOwnCode() {
        int n = instructionCount();
        takeIn(java.util.Arrays.copyOf(instructionAddress, n), java.util.Arrays.copyOf(nextAddress, n));
    }

    X86Op[] ops() {
        return ops;
    }

    /** The callee of this block's indirect call that call-return units are built for (-1: not known yet). */
    volatile long unitCallee = -1;

    /**
     * Compiles this block again as a trace ({@link LongModeTrace}), on the calling thread, and
     * keeps running {@code old}, its class until now, until HotSpot has compiled the trace's class
     * (asked for at the last tier of the wait's plan: the block is hot). Switched at once, the
     * trace ran in HotSpot's bytecode interpreter until C1 had compiled its method: qsort's merge
     * loop, a 4.5 KB method, for 20-40 ms of cpubench's first sort.
     */
    void recompileAsTrace(BytecodeBlockCompiler compiler, ChainedSequence<X86Cpu> old) {
        OpSequence<X86Cpu> fresh = compileTracked(compiler);
        recompiledHot = true;
        AwaitedClass wait = compiler.awaitJit(fresh);
        if (wait == null) {
            sequence = fresh;
            old.kill();
        } else {
            wait.runsAtDefine = executions();
            awaitedClass = wait;
        }
        killIfDied(fresh);
    }

    /** True once the block was compiled again because it is hot (a trace): its class is asked for at the wait's last tier. */
    volatile boolean recompiledHot;

    /**
     * Compiles this block again, on the calling thread, and kills {@code old}, its compiled form
     * until now: a call-return unit whose callee changed ({@link CallUnit#sideExit}).
     */
    void recompile(BytecodeBlockCompiler compiler, ChainedSequence<X86Cpu> old) {
        OpSequence<X86Cpu> fresh = compileTracked(compiler);
        sequence = fresh;
        old.kill();
        killIfDied(fresh);
    }

    /** Kills {@code fresh}, a class just made for this block, if the block died while it was compiled: no exit may chain into it. */
    private void killIfDied(OpSequence<X86Cpu> fresh) {
        ChainedSequence<X86Cpu> late = ChainedSequence.asChained(fresh);
        if (!isValid() && late != null) {
            late.kill();
        }
    }

    public int instructionCount() {
        return ops.length;
    }

    @Override
    public long instructionAddress(int index) {
        return instructionAddress[index];
    }

    @Override
    public long nextAddress(int index) {
        return nextAddress[index];
    }
}
