package org.qemu.i386.translate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.OpSequence;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * The block tier for x86: compiles one block into a hidden class whose {@code run} method is the
 * block's instructions as JVM bytecode, emitted by {@link X86Emitter} (registers and lazy flags in
 * locals, the common instructions inline, every other one a call to its op through a field of its
 * own, a monomorphic call site). Hot loops go further, into a region ({@link RegionCompiler}).
 *
 * <p>Precise exceptions: each instruction's memory accesses come before its register and flag
 * updates; the index of the instruction in flight is kept in a local that the one exception
 * handler reports through {@link OpContext#recordFaultingOp}.
 */
public final class BytecodeBlockCompiler {
    private static final String NAME = BytecodeBlockCompiler.class.getPackageName().replace('.', '/') + "/TranslatedBlock";
    private static final String OP = X86Emitter.OP;
    private static final String CONTEXT = X86Emitter.CONTEXT;
    private static final String SEQUENCE = Type.getInternalName(ChainedSequence.class);
    /** The block classes' superclass. */
    static final String X86_SEQUENCE = Type.getInternalName(X86Sequence.class);
    /** {@link X86Sequence#enter}'s descriptor. */
    static final String ENTER = "(L" + X86Emitter.CONTEXT + ";L" + X86Emitter.CPU + ";L" + X86Emitter.STATE + ";[JL" + X86Emitter.MEMORY + ";)V";

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private final DefinedBlockClasses classes = new DefinedBlockClasses(MethodType.methodType(void.class, Object[].class));
    /** Where loop blocks find the block a jmp leads to; null: no loop blocks (system mode). */
    private final TranslationCache<X86Block> cache;
    private long loopBlocks;
    /** Straight blocks compiled only up to a loop head ({@link #compileStraight}). */
    private long stoppedAtLoopHeads;
    /**
     * The loop block {@link #generate} emits has a conditional jump inside its body (at this op
     * index, -1: none) whose not-leaving side continues at guest address {@link #sideExitContinue};
     * guarded by this.
     */
    private int sideExitOp = -1;
    private long sideExitContinue;
    private long compiled;
    private long inlined;
    private long total;
    private long nanos;
    /** Where {@link #nanos} went: emitting the class file, defining it (parse, verify, link), finding and calling its constructor. */
    private long generateNanos;
    private long defineNanos;
    private long constructorNanos;
    private long classBytes;
    private int largestClass;

    public BytecodeBlockCompiler() {
        this(null);
    }

    /**
     * {@code cache}: the blocks that loop blocks may take in (null: none). A loop block is a
     * block whose code leads back to its own start, directly or through one jmp to a block of the
     * same pages; compiled as one method with a backward jump, a hot loop such as sha256's round
     * (a 9-instruction block jumping to a 54-instruction one that branches back) runs without
     * returning to the run loop on every iteration.
     */
    public BytecodeBlockCompiler(TranslationCache<X86Block> cache) {
        this(cache, true);
    }

    /**
     * {@code callUnits} false: loop blocks only (system mode, where a unit's call and return paths
     * have not been checked against ring changes and paging; loop bodies are inline code only).
     */
    public BytecodeBlockCompiler(TranslationCache<X86Block> cache, boolean callUnits) {
        this.cache = LOOPS ? cache : null;
        this.formsCallUnits = callUnits;
        this.jccBackLoops64 = !callUnits && JCC_BACK_LOOPS_64;
    }

    private final boolean formsCallUnits;

    /**
     * Set for good once a debugger hook or block listener watches a CPU of this address space
     * ({@link #observe}): 64-bit blocks are then compiled alone, never as traces, so the run loop
     * (and the hook) sees every block start. Traces test nothing for it at their joins: the test
     * at each trace's first join cost the small sorts of {@code bench/sortcurve-x86_64.sh} ~4% of
     * their steady state (docs/PERFORMANCE.md, "Session 25").
     */
    private volatile boolean observed;

    /**
     * A debugger hook or block listener now watches a CPU of this address space: no more traces
     * (see {@link #observed}). The caller throws away what was compiled before
     * ({@code TranslationCache.invalidateAll}: a trace's compiled form dies with its block).
     */
    public void observe() {
        observed = true;
    }

    /** Instructions per unit of a block's weight in the compile deferral ({@link CompilePolicy#defaultWeightUnit}). */
    private int deferralWeightUnit = CompilePolicy.defaultWeightUnit(false);

    /** Run-loop runs before a 64-bit block is compiled again as a trace ({@link LongModeTrace#RUNS}). */
    private int traceRuns = LongModeTrace.RUNS;

    /**
     * The system emulators' settings: long blocks weigh more in the compile deferral ({@link
     * CompilePolicy#defaultWeightUnit}) and 64-bit blocks become traces later ({@link LongModeTrace#SYSTEM_RUNS}).
     */
    public void tuneForSystemMode() {
        deferralWeightUnit = CompilePolicy.defaultWeightUnit(true);
        traceRuns = LongModeTrace.SYSTEM_RUNS;
        // a system MMU changes page rights all the time (every TLB fill and flush moves the
        // protection epoch): kept caches would be dropped at nearly every entry
        persistentPageCaches = false;
    }

    /** Loop traces keep their page caches from one run to the next (user mode; see {@link X86Sequence#pageCaches}). */
    private boolean persistentPageCaches = true;

    int traceRuns() {
        return traceRuns;
    }

    int deferralWeightUnit() {
        return deferralWeightUnit;
    }

    /** What a block waits for before running a class made in the background ({@link CompilePolicy#awaitJit}; tests give their own). */
    private java.util.function.Function<OpSequence<X86Cpu>, AwaitedClass> jitWait = CompilePolicy::awaitJit;

    /** Tests: {@code wait} decides what a block waits for before running a class made in the background. */
    void awaitJitWith(java.util.function.Function<OpSequence<X86Cpu>, AwaitedClass> wait) {
        jitWait = wait;
    }

    /** For a class just made in the background: what its block waits for before running it, or null: run it now. */
    AwaitedClass awaitJit(OpSequence<X86Cpu> compiled) {
        return jitWait.apply(compiled);
    }
    /**
     * 64-bit loops of a jcc out and a jcc back ({@link #bodyThroughSideAndJccBack}): system mode
     * only (the compiler without call units), where they were measured; user mode's 64-bit loops
     * have traces. {@code -Dqemu.tcg.jcc-back-loops-64=false} turns them off, for comparison.
     */
    private final boolean jccBackLoops64;
    private static final boolean JCC_BACK_LOOPS_64 = !"false".equals(System.getProperty("qemu.tcg.jcc-back-loops-64"));

    /** Loop blocks; {@code -Dqemu.tcg.loop-blocks=false} turns them off, for comparison. */
    static final boolean LOOPS = !"false".equals(System.getProperty("qemu.tcg.loop-blocks"));

    /*
     * Only loops whose every instruction is emitted inline become loop blocks: measured on
     * cpubench (x87 build, CPU seconds), loop blocks over code that calls x87/SSE ops through
     * fields cost more than they saved (C2 compiles such loops, with every op inlined, as big
     * methods, and on-stack replacement adds compiles).
     */

    /** The most instructions a loop block takes in: the two blocks' limits. */
    private static final int MAX_LOOP_OPS = 128;

    /**
     * Compiles {@code block}: as a loop block when its code leads back to its start (it then
     * reports the instructions it took in to the block, for precise faults), else as itself.
     */
    public OpSequence<X86Cpu> compileBlock(X86Block block) {
        if (STATS) {
            synchronized (this) {
                compiledBlocks.add(block);
                runsAtCompile.add(block.executions());
            }
        }
        boolean longMode = X86Cpu.isLongMode(block.flags);
        X86Op[] ops = block.ops();
        if (longMode && cache != null && LONG_MODE_INLINE && LONG_MODE_LOOPS && ops.length > 0) {
            return compileLongModeBlock(block, ops);
        }
        if (cache == null || longMode || ops.length == 0) {
            return compile(ops, longMode, null, block);
        }
        if (CallUnit.ENABLED && formsCallUnits) {
            CallUnit unit = CallUnit.form(block, cache, this);
            if (unit != null) {
                block.takeIn(unit.address, unit.next);
                synchronized (this) {
                    callUnits++;
                    unitSidePaths += unit.sides.length;
                }
                return compile(unit.ops(), false, unit.loopStart == -1 ? null : block, block, unit);
            }
        }
        X86Op[] body = ops;
        long[] address = null;
        long[] next = null;
        int sideExitAt = -1;
        int sideContinue = 0;
        long head = block.pc;
        X86Op last = ops[ops.length - 1];
        if (last instanceof ControlOps.Goto g && g.target != (int) block.pc) {
            if (headFormsTheLoop(block, ops, g.target & 0xffffffffL)) {
                return compileStraight(block, ops);
            }
            LoopBody taken = bodyThroughJump(block, ops, g.target & 0xffffffffL);
            if (taken == null) {
                return compileStraight(block, ops);
            }
            body = taken.ops();
            address = taken.address();
            next = taken.next();
            head = g.target & 0xffffffffL;
        } else if (last instanceof ControlOps.ConditionalJump j && j.target != (int) block.pc && j.fallThrough != (int) block.pc) {
            LoopBody around = bodyThroughSide(block, ops, j.fallThrough & 0xffffffffL, j.target & 0xffffffffL);
            if (around == null) {
                return compileStraight(block, ops);
            }
            body = around.ops();
            address = around.address();
            next = around.next();
            sideExitAt = ops.length - 1;
            sideContinue = (int) address[ops.length];
        }
        int start = (int) block.pc;
        X86Op end = body[body.length - 1];
        boolean loops = end instanceof ControlOps.Goto g ? g.target == start
                : end instanceof ControlOps.ConditionalJump j && (j.target == start || j.fallThrough == start);
        if (!loops) {
            return compileStraight(block, ops);
        }
        for (X86Op op : body) {
            if (!X86Emitter.emitsInline(op)) {
                return compileStraight(block, ops);
            }
        }
        return compileLoop(block, body, address, next, head, sideExitAt, sideContinue, false);
    }

    /**
     * True when the block this one jumps back to ({@code target}) is still interpreted and will
     * make the same loop itself, as a side-exit loop entered at its head: it ends in a jcc one
     * side of which is this block, and the two fit one loop block of inline ops. sha256's round
     * loop is such a pair: its 9-instruction tail reaches the compile threshold one run before
     * the 54-instruction head, and compiling the loop at the tail made a second class of the same
     * ~3 KB body (generated, verified, run in HotSpot's interpreter and compiled by C1 once more)
     * that ran only until the block before the loop got its class and entered at the head. The
     * tail then gets a class of its own 9 instructions, which the head's loop never leaves to.
     */
    private boolean headFormsTheLoop(X86Block block, X86Op[] ops, long target) {
        X86Block head = cache.lookup(target, block.flags);
        if (head == null || !head.isValid() || !(head.sequence() instanceof X86InterpretedSequence)
                || head.firstPage != block.firstPage || head.lastPage != block.lastPage
                || head.instructionCount() + ops.length > MAX_LOOP_OPS) {
            return false;
        }
        X86Op[] headOps = head.ops();
        if (!(headOps[headOps.length - 1] instanceof ControlOps.ConditionalJump j) || j.target == (int) head.pc
                || j.fallThrough == (int) head.pc || (j.target != (int) block.pc && j.fallThrough != (int) block.pc)) {
            return false;
        }
        for (X86Op[] part : new X86Op[][] {headOps, ops}) {
            for (X86Op op : part) {
                if (!X86Emitter.emitsInline(op)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * A loop block's body when the block ends in a jmp to {@code target}: its own ops but the jmp,
     * then the ops of the block jumped to, with each instruction's address and next address.
     */
    private record LoopBody(X86Op[] ops, long[] address, long[] next) {
    }

    /**
     * Guest addresses where a loop block's iterations begin (its start, or the block its jmp
     * leads to). A straight block compiled later stops where its code reaches one of them
     * ({@link #compileStraight}) instead of running a copy of the loop's first iteration.
     */
    private final java.util.Set<Long> loopHeads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A block that is not a loop: compiled whole, or, when one of its instructions after the
     * first is a loop head, only up to it, leaving to the head (the run loop or a chained exit
     * then enters the loop block there). A loop whose test is at the bottom is entered by falling
     * into it: the block before it ran through the loop's first iteration to the loop's branch,
     * and that copy of the body was compiled, by us, C1 and C2, a second time (sha256's round
     * loop: a 64-instruction block and its 19-instruction continuation, 4.7 KB of bytecode).
     * The block's interpreted form still runs it all; either way the guest state is the same at
     * every instruction boundary, and a fault in the first part reports the same instruction.
     */
    private OpSequence<X86Cpu> compileStraight(X86Block block, X86Op[] ops) {
        return compileStraight(block, ops, false);
    }

    /** {@link #compileStraight(X86Block, X86Op[])} for 32-bit or ({@code longMode}) 64-bit code. */
    private OpSequence<X86Cpu> compileStraight(X86Block block, X86Op[] ops, boolean longMode) {
        for (int k = 1; k < ops.length && !loopHeads.isEmpty(); k++) {
            long at = block.instructionAddress(k);
            if (loopHeads.contains(at)) {
                X86Op[] part = java.util.Arrays.copyOf(ops, k + 1);
                part[k] = longMode ? new LongModeOps.Goto(at) : new ControlOps.Goto((int) at);
                synchronized (this) {
                    stoppedAtLoopHeads++;
                }
                return compile(part, longMode, null, block);
            }
        }
        return compile(ops, longMode, null, block);
    }

    /**
     * The body of a loop whose block ends in a conditional jump one side of which runs a block
     * that jumps back to this one's start (sha256's round loop entered at its head: the
     * 54-instruction round ending in {@code je} out, then the 9 instructions that rotate the
     * working variables and {@code jmp} back): this block's ops, its jump now a side exit, then
     * that block's. Null when there is no such block (not translated, dead, on other pages, too long).
     */
    private LoopBody bodyThroughSide(X86Block block, X86Op[] ops, long... sides) {
        for (long side : sides) {
            X86Block then = cache.lookup(side, block.flags);
            if (then == null || !then.isValid() || then.firstPage != block.firstPage || then.lastPage != block.lastPage
                    || ops.length + then.instructionCount() > MAX_LOOP_OPS) {
                continue;
            }
            X86Op[] thenOps = then.ops();
            X86Op back = thenOps[thenOps.length - 1];
            boolean jumpsBack = back instanceof ControlOps.Goto g ? g.target == (int) block.pc
                    : back instanceof LongModeOps.Goto g64 && g64.target == block.pc;
            if (!jumpsBack) {
                continue;
            }
            int n = ops.length;
            int m = thenOps.length;
            X86Op[] body = new X86Op[n + m];
            long[] address = new long[n + m];
            long[] next = new long[n + m];
            System.arraycopy(ops, 0, body, 0, n);
            System.arraycopy(thenOps, 0, body, n, m);
            for (int i = 0; i < n + m; i++) {
                address[i] = i < n ? block.instructionAddress(i) : then.instructionAddress(i - n);
                next[i] = i < n ? block.nextAddress(i) : then.nextAddress(i - n);
            }
            return new LoopBody(body, address, next);
        }
        return bodyThroughSideAndJccBack(block, ops);
    }

    /**
     * {@link #bodyThroughSide}'s shape with a block that goes back by a conditional jump, its other
     * side leaving the loop (session 7: the xz decompressor's dictionary copy and x86 filter loops
     * in the Linux boot, a block ending in a jcc out, then one ending in a jcc back). 32-bit code,
     * and 64-bit code in system mode (session 11: the amd64 kernel's decompressor runs in long
     * mode, where its BCJ filter pair returned to the run loop ~2 M times a boot).
     */
    private LoopBody bodyThroughSideAndJccBack(X86Block block, X86Op[] ops) {
        long[] sides;
        X86Op jump = ops[ops.length - 1];
        if (jump instanceof ControlOps.ConditionalJump j) {
            sides = new long[] {j.fallThrough & 0xffffffffL, j.target & 0xffffffffL};
        } else if (jump instanceof LongModeOps.ConditionalJump j && jccBackLoops64) {
            sides = new long[] {j.fallThrough, j.target};
        } else {
            return null;
        }
        if (runsIntoALoopHead(block)) {
            return null;
        }
        for (long side : sides) {
            X86Block then = cache.lookup(side, block.flags);
            if (then == null || !then.isValid() || then.firstPage != block.firstPage || then.lastPage != block.lastPage
                    || ops.length + then.instructionCount() > MAX_LOOP_OPS
                    || !jumpsBackTo(then.ops()[then.instructionCount() - 1], block.pc) || runsIntoALoopHead(then)) {
                continue;
            }
            int n = ops.length;
            int m = then.instructionCount();
            X86Op[] body = java.util.Arrays.copyOf(ops, n + m);
            System.arraycopy(then.ops(), 0, body, n, m);
            long[] address = new long[n + m];
            long[] next = new long[n + m];
            for (int i = 0; i < n + m; i++) {
                address[i] = i < n ? block.instructionAddress(i) : then.instructionAddress(i - n);
                next[i] = i < n ? block.nextAddress(i) : then.nextAddress(i - n);
            }
            return new LoopBody(body, address, next);
        }
        return null;
    }

    /** True when {@code last} is a conditional jump (32- or 64-bit) one side of which is {@code start}. */
    private static boolean jumpsBackTo(X86Op last, long start) {
        if (last instanceof ControlOps.ConditionalJump back) {
            return (back.target & 0xffffffffL) == start || (back.fallThrough & 0xffffffffL) == start;
        }
        return last instanceof LongModeOps.ConditionalJump back && (back.target == start || back.fallThrough == start);
    }

    /**
     * True when one of {@code block}'s instructions after its first is another loop's head: the
     * block is then an outer loop's way into that loop, which {@link #compileStraight} stops at
     * rather than copying the inner loop's first iteration into a loop of its own.
     */
    private boolean runsIntoALoopHead(X86Block block) {
        for (int k = 1; k < block.instructionCount(); k++) {
            if (loopHeads.contains(block.instructionAddress(k))) {
                return true;
            }
        }
        return false;
    }

    /** The body through the jump to {@code target}; null when that block cannot be taken in (not translated, dead, on other pages, or the whole too long). */
    private LoopBody bodyThroughJump(X86Block block, X86Op[] ops, long target) {
        X86Block then = cache.lookup(target, block.flags);
        if (then == null || !then.isValid() || then.firstPage != block.firstPage || then.lastPage != block.lastPage
                || ops.length - 1 + then.instructionCount() > MAX_LOOP_OPS) {
            return null;
        }
        int n = ops.length - 1;
        int m = then.instructionCount();
        X86Op[] body = new X86Op[n + m];
        long[] address = new long[n + m];
        long[] next = new long[n + m];
        System.arraycopy(ops, 0, body, 0, n);
        System.arraycopy(then.ops(), 0, body, n, m);
        for (int i = 0; i < n + m; i++) {
            address[i] = i < n ? block.instructionAddress(i) : then.instructionAddress(i - n);
            next[i] = i < n ? block.nextAddress(i) : then.nextAddress(i - n);
        }
        return new LoopBody(body, address, next);
    }

    /**
     * Loop blocks for 64-bit code ({@code -Dqemu.tcg.long-mode-loops=false} turns them off). Only
     * loops whose body is all inline: with op calls (SSE) in the body cpubench measured dearer
     * (8.4-8.6 s of CPU against 6.7 s, load 20); all-inline loops: sha256sum 2.5-2.9 s against
     * 3.1-3.5 s, cpubench 6.6 s against 6.9 s.
     */
    static final boolean LONG_MODE_LOOPS = !"false".equals(System.getProperty("qemu.tcg.long-mode-loops"));

    /**
     * {@link #compileBlock} for 64-bit code: the same loop shapes, with 64-bit branch targets,
     * for loops whose body is emitted inline whole (a body that calls ops measured slower as a loop).
     */
    private OpSequence<X86Cpu> compileLongModeBlock(X86Block block, X86Op[] ops) {
        X86Op[] body = ops;
        long[] address = null;
        long[] next = null;
        long head = block.pc;
        int sideExitAt = -1;
        long sideContinue = 0;
        X86Op last = ops[ops.length - 1];
        if (last instanceof LongModeOps.Goto g && g.target != block.pc) {
            LoopBody taken = bodyThroughJump(block, ops, g.target);
            if (taken == null) {
                return straightOrTrace(block, ops);
            }
            body = taken.ops();
            address = taken.address();
            next = taken.next();
            head = g.target;
        } else if (last instanceof LongModeOps.ConditionalJump j && j.target != block.pc && j.fallThrough != block.pc) {
            // sha256's round entered at its head: the round ending in je out, then the rotation of
            // the working variables and a jmp back, as one loop with a side exit
            LoopBody around = bodyThroughSide(block, ops, j.fallThrough, j.target);
            if (around == null) {
                return straightOrTrace(block, ops);
            }
            body = around.ops();
            address = around.address();
            next = around.next();
            sideExitAt = ops.length - 1;
            sideContinue = address[ops.length];
        }
        long start = block.pc;
        X86Op end = body[body.length - 1];
        boolean loops = end instanceof LongModeOps.Goto g ? g.target == start
                : end instanceof LongModeOps.ConditionalJump j && (j.target == start || j.fallThrough == start);
        if (!loops || !LongModeEmitter.allInline(body, body.length - 1)) {
            return straightOrTrace(block, ops);
        }
        return compileLoop(block, body, address, next, head, sideExitAt, sideContinue, true);
    }

    /**
     * A 64-bit block that is no loop: compiled with the blocks its hot path runs next as one
     * trace ({@link LongModeTrace}), or alone when there is none.
     */
    private OpSequence<X86Cpu> straightOrTrace(X86Block block, X86Op[] ops) {
        if (!LongModeTrace.ENABLED || observed || runsIntoALoopHead(block)) {
            return compileStraight(block, ops, true);
        }
        if (block.executions() < traceRuns) {
            // looked at again once hot (X86Block.execute asks traceWouldForm); most start-up code never gets there
            block.traceLater = true;
        } else {
            LongModeTrace trace = formed.get();
            if (trace != null) {
                formed.remove();
            }
            if (trace == null || trace.first != block) {
                trace = LongModeTrace.form(block, cache, loopHeads);
            }
            if (trace != null) {
                block.takeIn(trace.address, trace.next);
                OpSequence<X86Cpu> compiled;
                // a trace whose last jump leads back to its start: a loop (qsort's merge step through its comparator)
                boolean loops = LongModeTrace.LOOPS && trace.loopsTo(block.pc);
                synchronized (this) {
                    longModeTrace = trace;
                    try {
                        compiled = compile(trace.ops, true, loops ? block : null, block);
                        traces++;
                        traceBlocks += trace.blocks;
                        if (loops) {
                            traceLoops++;
                            // other traces and straight blocks stop before it, as before any loop block's head
                            loopHeads.add(block.pc);
                        }
                    } catch (LongModeTrace.TooBig e) {
                        tracesTooBig++;
                        block.keepOwnCode();
                        return compileStraight(block, ops, true);
                    } finally {
                        longModeTrace = null;
                    }
                }
                if (!block.isValid() && compiled instanceof ChainedSequence<X86Cpu> late) {
                    // invalidated by another thread while compiling: its joins poll the dead flag
                    late.kill();
                }
                return compiled;
            }
        }
        return compileStraight(block, ops, true);
    }

    /**
     * True when {@code block}, compiled alone before it was hot, would now be compiled as a
     * trace: only then is it compiled again (recompiling a hot block costs its callers their C2
     * code: cpubench measured 15-40% more CPU when every hot 64-bit block was compiled twice).
     */
    boolean traceWouldForm(X86Block block) {
        if (observed) {
            return false;
        }
        LongModeTrace trace = LongModeTrace.form(block, cache, loopHeads);
        if (trace != null) {
            // X86Block.recompile compiles it next on this thread: straightOrTrace takes it from here
            formed.set(trace);
        }
        return trace != null;
    }

    /** The trace {@link #traceWouldForm} formed on this thread for the block recompiled next (null: none). */
    private final ThreadLocal<LongModeTrace> formed = new ThreadLocal<>();

    /** The trace {@link #generate} compiles (null: none); guarded by this. */
    private LongModeTrace longModeTrace;
    private long traces;
    private long traceBlocks;
    private long tracesTooBig;
    private long traceLoops;

    /**
     * Compiles {@code body} as {@code block}'s loop block, 32-bit or 64-bit: the blocks it runs
     * through ({@code address}/{@code next}, null: none) taken in, its head recorded, and a side
     * exit at op {@code sideExitAt} (-1: none) whose staying side continues at {@code sideContinue}.
     */
    private OpSequence<X86Cpu> compileLoop(X86Block block, X86Op[] body, long[] address, long[] next, long head,
            int sideExitAt, long sideContinue, boolean longMode) {
        if (address != null) {
            block.takeIn(address, next);
        }
        synchronized (this) {
            loopBlocks++;
        }
        loopHeads.add(head);
        OpSequence<X86Cpu> loop;
        synchronized (this) {
            sideExitOp = sideExitAt;
            sideExitContinue = sideContinue;
            try {
                loop = compile(body, longMode, block, block);
            } finally {
                sideExitOp = -1;
            }
        }
        if (!block.isValid() && loop instanceof ChainedSequence<X86Cpu> late) {
            // invalidated by another thread while compiling: its back edge polls the dead flag
            late.kill();
        }
        return loop;
    }

    /** Compiles the ops of one block (one per guest instruction) into a new hidden class instance. */
    @SuppressWarnings("unchecked")
    public OpSequence<X86Cpu> compile(X86Op[] ops) {
        return compile(ops, false);
    }

    /**
     * {@code longMode}: the block is 64-bit code, whose ops are all called (the inline emitters
     * keep 32-bit registers in int locals and wrap addresses to 32 bits).
     */
    public OpSequence<X86Cpu> compile(X86Op[] ops, boolean longMode) {
        return compile(ops, longMode, null, null);
    }

    /**
     * {@code loop}: the block whose start the last op may jump back to (a loop block), or null;
     * {@code owner}: the block this is the compiled form of (what chained exits link to), or null.
     */
    private OpSequence<X86Cpu> compile(X86Op[] ops, boolean longMode, X86Block loop, X86Block owner) {
        return compile(ops, longMode, loop, owner, null);
    }

    /**
     * {@code -Dqemu.tcg.block-dump=DIR}, a debugging aid: each block and unit class file is written
     * to DIR (javap -c -p reads it), named by its block's pc, its run count at compile and the time
     * (ms) of the compile.
     */
    private static final String DUMP_DIR = System.getProperty("qemu.tcg.block-dump");

    private static void dump(X86Block owner, CallUnit unit, byte[] bytes) {
        String name = (unit != null ? "unit-" : "block-") + Long.toHexString(owner == null ? 0 : owner.pc)
                + "-" + (owner == null ? 0 : owner.executions()) + "-" + System.nanoTime() / 1_000_000 + ".class";
        try {
            java.nio.file.Files.write(java.nio.file.Path.of(DUMP_DIR, name), bytes);
        } catch (java.io.IOException e) {
            System.err.println("qemu.tcg.block-dump: " + e.getMessage());
        }
    }

    /** {@code unit}: the call-return unit {@code ops} are the instructions of, or null. */
    private OpSequence<X86Cpu> compile(X86Op[] ops, boolean longMode, X86Block loop, X86Block owner, CallUnit unit) {
        long start = clock();
        int[] counts = new int[1];
        byte[] bytes;
        synchronized (this) {
            longModeLoopStart = longMode && loop != null ? loop.pc : -1;
            bytes = generate(ops, counts, longMode, loop == null ? 0 : (int) loop.pc, unit);
        }
        if (DUMP_DIR != null) {
            dump(owner, unit, bytes);
        }
        if (owner != null) {
            owner.loopsInClass = loop != null;
        }
        try {
            long generated = clock();
            // a class file made before (the same block translated again after its page died) reuses that class
            Object[] fields = java.util.Arrays.copyOf(ops, ops.length + 3, Object[].class);
            fields[ops.length] = loop;
            fields[ops.length + 1] = owner;
            fields[ops.length + 2] = unit;
            // a new class makes its first instance as it is defined: "define" includes constructing it
            OpSequence<X86Cpu> sequence = (OpSequence<X86Cpu>) classes.instantiate(lookup, bytes, fields);
            long defined = clock();
            CompilePolicy.classDefined(sequence, owner);
            long end = clock();
            synchronized (this) {
                compiled++;
                largestClass = Math.max(largestClass, bytes.length);
                classBytes += bytes.length;
                inlined += counts[0];
                total += ops.length;
                nanos += end - start;
                generateNanos += generated - start;
                defineNanos += defined - generated;
                constructorNanos += end - defined;
                if (STATS) {
                    // formatted only when printed: String.format here would run cold between compiles
                    perCompile.add(new long[] {System.nanoTime(), generated - start, defined - generated, end - defined});
                }
            }
            return sequence;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot define translated block", t);
        }
    }

    /**
     * What the compile statistics time: this thread's CPU time with {@code qemu.tcg.stats} (so the
     * phases mean something on a loaded machine), else the cheaper wall clock.
     */
    private static long clock() {
        return STATS ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS = Boolean.getBoolean("qemu.tcg.stats")
            ? java.lang.management.ManagementFactory.getThreadMXBean() : null;

    /** {@code -Dqemu.tcg.stats=true}: the statistics name the compiled blocks that ran most often in the run loop. */
    private static final boolean STATS = Boolean.getBoolean("qemu.tcg.stats");
    private final java.util.List<X86Block> compiledBlocks = new java.util.ArrayList<>();
    /**
     * Each compile's {@code System.nanoTime()} and its phases in this thread's CPU time (ns):
     * generate, define (with the first instance, which a new class's initializer makes), and the
     * rest ("construct": the compile-request hook); printed as JVM uptime and microseconds (a
     * measuring aid: which compiles are cold, and when the hot ones come).
     */
    private final java.util.List<long[]> perCompile = new java.util.ArrayList<>();

    private String perCompile() {
        long jvmStart = java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        long nanosToMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000 - jvmStart;
        StringBuilder out = new StringBuilder();
        for (long[] c : perCompile) {
            out.append(' ').append(c[0] / 1_000_000 + nanosToMillis).append(':').append(c[1] / 1000).append('/').append(c[2] / 1000).append('/').append(c[3] / 1000);
        }
        return out.toString();
    }
    /** Each compiled block's run count when it was compiled (parallel to {@link #compiledBlocks}). */
    private final java.util.List<Integer> runsAtCompile = new java.util.ArrayList<>();
    /** Upper bounds of the buckets of {@link #runsAfterCompile}: 200 is where HotSpot's C1 takes a method, 5,000 C2. */
    private static final int[] RUN_BUCKETS = {1, 64, 200, 1000, 5000, Integer.MAX_VALUE};

    /**
     * How often the compiled blocks ran after their class was made, as a histogram: whether the
     * classes pay. Counts runs through the run loop only: with chaining on, blocks entered through
     * a chained exit are not counted ({@code -Dqemu.tcg.chain-depth=0} counts every run).
     */
    private String runsAfterCompile() {
        long[] blocks = new long[RUN_BUCKETS.length];
        long[] runs = new long[RUN_BUCKETS.length];
        for (int i = 0; i < compiledBlocks.size(); i++) {
            int after = compiledBlocks.get(i).executions() - runsAtCompile.get(i);
            int b = 0;
            while (after >= RUN_BUCKETS[b]) {
                b++;
            }
            blocks[b]++;
            runs[b] += after;
        }
        StringBuilder out = new StringBuilder("runs after compilation (blocks/runs):");
        int low = 0;
        for (int b = 0; b < RUN_BUCKETS.length; b++) {
            out.append(' ').append(low).append(RUN_BUCKETS[b] == Integer.MAX_VALUE ? "+" : "-" + (RUN_BUCKETS[b] - 1))
                    .append(": ").append(blocks[b]).append('/').append(runs[b]);
            low = RUN_BUCKETS[b];
        }
        out.append("\ncompiled blocks in order (pc/instructions:runs at compile+runs after):");
        for (int i = 0; i < compiledBlocks.size(); i++) {
            X86Block b = compiledBlocks.get(i);
            out.append(String.format(" %x/%d:%d+%d", b.pc, b.instructionCount(), runsAtCompile.get(i), b.executions() - runsAtCompile.get(i)));
        }
        return out.toString();
    }

    /** The compiled blocks the run loop ran most often: address, instructions, runs (what dispatch still costs). */
    private String hottestBlocks() {
        return compiledBlocks.stream().sorted((a, b) -> Integer.compare(b.executions(), a.executions())).limit(16)
                .map(b -> String.format("%x/%d:%d", b.pc, b.instructionCount(), b.executions()))
                .collect(java.util.stream.Collectors.joining(" ", ", hottest compiled blocks (pc/instructions:runs) ", ""));
    }

    /** Defined block classes the compiler still knows by their class file (a test's view: they are held weakly). */
    int definedClassesHeld() {
        return classes.size();
    }

    public synchronized String statistics() {
        long n = Math.max(compiled, 1);
        return (STATS ? hottestBlocks() + "\n" + runsAfterCompile() + "\ncompiles (uptime ms:generate/define/construct us):" + perCompile() + "\n" : "") + compiled + " blocks compiled (" + nanos / n / 1000 + " us each: generate " + generateNanos / n / 1000
                 + ", define " + defineNanos / n / 1000 + " (" + classes.reused() + " classes reused, " + classes.forgotten() + " unloaded), construct " + constructorNanos / n / 1000 + "; " + classBytes / n + " bytes each, " + loopBlocks + " loop blocks, "
                 + stoppedAtLoopHeads + " stopped at a loop head, " + callUnits + " call units, " + unitSidePaths + " side paths in units, " + traces + " 64-bit traces of " + traceBlocks + " blocks, " + traceLoops + " of them loops, " + tracesTooBig + " too big, " + registerLoadMisses + " remade loading every register), "
                + inlined + " of " + total + " instructions inline, largest class " + largestClass + " bytes"
                + (CALLED_64.isEmpty() ? "" : ", 64-bit ops called " + new java.util.TreeMap<>(CALLED_64))
                + CompilePolicy.awaitStatistics();
    }

    /**
     * The class's {@code run}, the run loop's way in: the context cast to the CPU, its state,
     * register array and memory loaded, and {@link X86Sequence#enter} called with them (a call of
     * the class's own final method: bound statically).
     */
    private static void emitRun(ClassWriter cw) {
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "(L" + CONTEXT + ";)V", null, null);
        mv.visitCode();
        X86Emitter.loadContextLocals(mv, true);
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
        BlockChaining.emitEnter(mv, NAME);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** {@code loopStart}: the guest address the last op may jump back to (a loop block), 0 for none. */
    private byte[] generate(X86Op[] ops, int[] inlineCount, boolean longMode, int loopStart, CallUnit unit) {
        ClassWriter cw = ClassFiles.writer();
        cw.visit(ClassFiles.VERSION, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null, X86_SEQUENCE, null);
        emitRun(cw);
        // the ops emitted as calls through their field; the others get no field (see fieldsAndConstructor)
        boolean[] called = new boolean[ops.length];
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "enter", ENTER, null, null);
        mv.visitCode();
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        if (longMode && LONG_MODE_INLINE) {
            try {
                generateLongMode(mv, ops, inlineCount, called, start, end, handler, longModeLoopStart, longModeLoopStart != -1 ? sideExitOp : -1,
                        sideExitContinue, longModeTrace, persistentPageCaches);
            } catch (RegisterNotLoaded missed) {
                registerLoadMisses++;
                loadAllRegisters = true;
                inlineCount[0] = 0;
                try {
                    return generate(ops, inlineCount, longMode, loopStart, unit);
                } finally {
                    loadAllRegisters = false;
                }
            }
            fieldsAndConstructor(cw, ops, called);
            cw.visitEnd();
            return cw.toByteArray();
        }
        // units never take a side-exit loop shape; sideExitOp belongs to the loop compile holding the lock
        int sideExit = loopStart != 0 && unit == null ? sideExitOp : -1;
        X86Emitter emitter = new X86Emitter(longMode, false, WINDOWS ? planWindows(ops, longMode, loopStart != 0, sideExit, unit) : null);
        emitter.prepareXmm(ops);
        if (loopStart != 0 && PAGE_CACHES) {
            emitter.cacheAccessPages();
        }
        if (loopStart != 0) {
            emitter.segmentBasesInLocals();
        }
        emitter.prologueAfterContext(mv);
        mv.visitLabel(start);
        Label head = new Label();
        Label exit = new Label();
        // a unit's side paths follow its path in the op numbering: the path ends at pathOps
        int pathEnd = unit == null ? ops.length : unit.pathOps();
        int body = loopStart != 0 ? pathEnd - 1 : pathEnd;
        if (LIVENESS && !longMode) {
            boolean[] dead = new boolean[ops.length];
            if (unit == null) {
                FlagLiveness.mark(ops, 0, body, dead);
            } else {
                // the flags are live at each guard: a side exit leaves with them
                for (int k = 0; k < unit.blocks.length; k++) {
                    FlagLiveness.mark(ops, unit.firstOp(k), k < unit.pathBlocks ? Math.min(unit.lastOp[k] + 1, body) : unit.lastOp[k] + 1, dead);
                }
            }
            emitter.flagLiveness(dead);
        }
        if (loopStart != 0) {
            emitter.verifyHoistedWindows(mv);
            // the loop head: reached again with registers and flags only in locals
            mv.visitLabel(head);
            emitter.forgetState();
        }
        Label unitExit = new Label();
        Label[] callExit = new Label[unit == null ? 0 : unit.pathBlocks];
        // per path block: where side paths join it (null: none joins), and where each fork's side starts
        Label[] joinAt = new Label[unit == null ? 0 : unit.pathBlocks];
        Label[] sideStart = new Label[unit == null ? 0 : unit.pathBlocks];
        for (int i = 0, k = 0; i < body; i++) {
            if (unit != null && k > 0 && i == unit.firstOp(k) && unit.joinsAt(k)) {
                // reached from the path and from side paths: what the locals hold against the state is not tracked
                joinAt[k] = new Label();
                mv.visitLabel(joinAt[k]);
                emitter.joinPoint();
            }
            if (i == sideExit) {
                emitSideExit(mv, emitter, (ControlOps.ConditionalJump) ops[i], (int) sideExitContinue, exit);
                inlineCount[0]++;
            } else if (emitter.emitOp(mv, ops[i], i, NAME, opField(i))) {
                inlineCount[0]++;
            } else {
                called[i] = true;
            }
            if (unit != null && k < unit.pathBlocks - 1 && i == unit.lastOp[k]) {
                if (unit.indirectCallAt(k)) {
                    callExit[k] = new Label();
                }
                if (unit.sideAt(k) != null) {
                    sideStart[k] = new Label();
                }
                emitUnitGuard(mv, unit.blocks[k + 1].pc, k + 1, callExit[k] != null ? callExit[k] : sideStart[k] != null ? sideStart[k] : unitExit);
                k++;
            }
        }
        if (loopStart != 0) {
            emitLoopEnd(mv, emitter, ops[body], body, loopStart, head, exit);
            inlineCount[0]++;
        }
        mv.visitLabel(exit);
        emitter.flushAll(mv);
        if (unit != null) {
            Label leave = new Label();
            mv.visitJumpInsn(Opcodes.GOTO, leave);
            emitSidePaths(mv, emitter, unit, ops, sideStart, joinAt, unitExit, inlineCount, called);
            emitUnitSideExits(mv, emitter, callExit, unitExit, leave);
        }
        mv.visitLabel(end);
        BlockChaining.emitExit(mv);
        mv.visitLabel(handler);
        BlockChaining.emitFaultOwner(mv);
        emitter.faultHandler(mv);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        fieldsAndConstructor(cw, ops, called);
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * The op fields and the constructor, written after {@code run}: a field only for each op that
     * {@code run} calls ({@code called}), as the ops emitted inline are never read back. Why: a
     * block is mostly inline code (373 of sha256sum's 377 compiled instructions), and a field per
     * op made up about half of a class's constant pool (its name, name-and-type and field
     * reference) plus nine bytes of constructor per op, all parsed, verified and linked by
     * {@code defineHiddenClass} and written by ASM while both still run cold. The constructor
     * keeps its signature: the array holds every op, by index, then the loop block, the owner and
     * the unit.
     */
    private static void fieldsAndConstructor(ClassWriter cw, X86Op[] ops, boolean[] called) {
        String opType = "L" + OP + ";";
        for (int i = 0; i < ops.length; i++) {
            if (called[i]) {
                cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, opField(i), opType, null, null).visitEnd();
            }
        }
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 1);
        push(init, ops.length + 1);
        init.visitInsn(Opcodes.AALOAD);
        init.visitTypeInsn(Opcodes.CHECKCAST, BlockChaining.BLOCK);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, X86_SEQUENCE, "<init>", "(L" + BlockChaining.BLOCK + ";)V", false);
        for (int i = 0; i < ops.length; i++) {
            if (!called[i]) {
                continue;
            }
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(Opcodes.ALOAD, 1);
            push(init, i);
            init.visitInsn(Opcodes.AALOAD);
            init.visitTypeInsn(Opcodes.CHECKCAST, OP);
            init.visitFieldInsn(Opcodes.PUTFIELD, NAME, opField(i), opType);
        }
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "loop", "L" + BLOCK + ";", null, null).visitEnd();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 1);
        push(init, ops.length);
        init.visitInsn(Opcodes.AALOAD);
        init.visitTypeInsn(Opcodes.CHECKCAST, BLOCK);
        init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "loop", "L" + BLOCK + ";");
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "unit", "L" + UNIT + ";", null, null).visitEnd();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 1);
        push(init, ops.length + 2);
        init.visitInsn(Opcodes.AALOAD);
        init.visitTypeInsn(Opcodes.CHECKCAST, UNIT);
        init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "unit", "L" + UNIT + ";");
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        DefinedBlockClasses.emitInitializer(cw, NAME);
    }

    /** Field names of the first ops, made once: a string concatenation per op and pass ran in HotSpot's interpreter at every compile. */
    private static final String[] OP_FIELDS = new String[MAX_LOOP_OPS * 2];

    static {
        for (int i = 0; i < OP_FIELDS.length; i++) {
            OP_FIELDS[i] = "op" + i;
        }
    }

    /** The name of op {@code i}'s field. */
    static String opField(int i) {
        return i < OP_FIELDS.length ? OP_FIELDS[i] : "op" + i;
    }

    /** {@code -Dqemu.tcg.long-mode-inline=false}: 64-bit blocks call every op (the comparison point). */
    private static final boolean LONG_MODE_INLINE = !"false".equals(System.getProperty("qemu.tcg.long-mode-inline"));

    /**
     * {@code -Dqemu.tcg.trace-flags-in-locals=false}: a loop trace's back edges store the flag record
     * even when the main path overwrites the flags before it reads them (the comparison point).
     */
    private static final boolean TRACE_FLAGS_IN_LOCALS = !"false".equals(System.getProperty("qemu.tcg.trace-flags-in-locals"));

    /** The 64-bit loop start of the block {@link #generate} compiles (-1: not a loop block); guarded by this. */
    private long longModeLoopStart = -1;

    private void generateLongMode(MethodVisitor mv, X86Op[] ops, int[] inlineCount, boolean[] called, Label start, Label end, Label handler, long loopStart,
            int sideExit, long sideContinue, LongModeTrace trace, boolean persistentPageCaches) {
        LongModeEmitter emitter = LONG_MODE_WINDOWS ? planLongMode(ops, loopStart, sideExit, trace) : new LongModeEmitter();
        if (loopStart != -1 && PAGE_CACHES) {
            emitter.cacheAccessPages();
            if (trace != null) {
                emitter.pageCacheMissesOutOfLine();
                if (persistentPageCaches) {
                    emitter.keepPageCachesAcrossRuns();
                }
            }
        }
        emitter.prepareXmm(ops);
        if (trace != null && SHARED_WRITE_BACK) {
            emitter.shareRegisterWriteBack();
        }
        emitter.prologueAfterContext(mv);
        MethodVisitor prologue = mv;
        mv = emitter.tracking(mv);
        mv.visitLabel(start);
        Label head = new Label();
        Label exit = new Label();
        // a loop trace's legs follow its main path: the back edge is the main path's last op
        int mainEnd = trace != null ? trace.mainLength : ops.length;
        int body = loopStart != -1 ? mainEnd - 1 : mainEnd;
        java.util.Map<Integer, Label> legLabels = new java.util.TreeMap<>();
        if (loopStart != -1) {
            // a trace's joins and guards may leave before the main path's first flag write: they
            // store the record of its run-time kind, as every exit of a leg does
            if (LIVENESS && (trace == null || TRACE_FLAGS_IN_LOCALS) && !FlagLiveness.liveOnLongModeEntry(ops, 0, trace != null ? mainEnd : ops.length)) {
                emitter.keepFlagsAcrossBackEdge();
            }
            if (LOOP_WRITES && trace != null) {
                emitter.expectLoopWrites(loopRegisterWrites(ops, loopStart, sideExit, trace));
            }
            mv.visitLabel(head);
            emitter.loopHead();
        }
        Label writtenBack = new Label();
        for (int i = 0; i < body; i++) {
            if (trace != null && trace.joinPc(i) != -1) {
                emitter.emitTraceJoin(mv, trace.joinPc(i), NAME, writtenBack);
            }
            if (trace != null && loopStart != -1 && trace.legAt(i) != -1) {
                // the leaving side jumps into its leg below, nothing written back (the leg writes back at its exits)
                Label leg = new Label();
                legLabels.put(trace.legAt(i), leg);
                emitter.emitSideExitToLeg(mv, (LongModeOps.ConditionalJump) ops[i], i, trace.stayAt(i), leg);
                inlineCount[0]++;
            } else if (trace != null && trace.stayAt(i) != -1) {
                emitter.emitSideExit(mv, (LongModeOps.ConditionalJump) ops[i], i, trace.stayAt(i), writtenBack);
                inlineCount[0]++;
            } else if (trace != null && trace.fallsThrough(i)) {
                // a jmp to the next op's block: the join sets rip if the trace leaves there
                inlineCount[0]++;
            } else if (i == sideExit) {
                emitter.emitSideExit(mv, (LongModeOps.ConditionalJump) ops[i], i, sideContinue, writtenBack);
                inlineCount[0]++;
            } else if (emitter.emitOp(mv, ops[i], i, NAME, opField(i))) {
                inlineCount[0]++;
            } else {
                called[i] = true;
                if (STATS) {
                    // counted for -Dqemu.tcg.stats alone (a regular expression per called op on the compiler thread before)
                    String op = ops[i].getClass().getName();
                    CALLED_64.merge(op.substring(op.lastIndexOf('.') + 1), 1, Integer::sum);
                }
            }
            if (trace != null && trace.returnTo(i) != -1) {
                emitter.emitReturnGuard(mv, trace.returnTo(i), writtenBack);
            }
        }
        if (loopStart != -1) {
            emitter.emitLoopEnd(mv, ops[body], body, loopStart, head, exit, NAME);
            inlineCount[0]++;
        }
        mv.visitLabel(exit);
        emitter.flushAll(mv);
        if (!legLabels.isEmpty()) {
            mv.visitJumpInsn(Opcodes.GOTO, writtenBack);
        }
        // after the main path's exit write-back, which follows the main path's state (legs change it)
        for (java.util.Map.Entry<Integer, Label> leg : legLabels.entrySet()) {
            // entered straight from its side exit: the locals hold the registers and the flag record
            mv.visitLabel(leg.getValue());
            emitter.legHead();
            for (int i = leg.getKey(); ; i++) {
                if (trace.joinPc(i) != -1) {
                    emitter.emitTraceJoin(mv, trace.joinPc(i), NAME, writtenBack);
                }
                if (trace.legEnds(i)) {
                    emitter.emitLegEnd(mv, ops[i], i, loopStart, head, writtenBack, NAME);
                    inlineCount[0]++;
                    break;
                }
                if (trace.stayAt(i) != -1) {
                    emitter.emitSideExit(mv, (LongModeOps.ConditionalJump) ops[i], i, trace.stayAt(i), writtenBack);
                    inlineCount[0]++;
                } else if (trace.fallsThrough(i)) {
                    inlineCount[0]++;
                } else if (emitter.emitOp(mv, ops[i], i, NAME, opField(i))) {
                    inlineCount[0]++;
                } else {
                    called[i] = true;
                }
            }
        }
        emitter.emitRegisterWriteBack(mv);
        mv.visitLabel(writtenBack);
        mv.visitLabel(end);
        BlockChaining.emitExit(mv);
        mv.visitLabel(handler);
        BlockChaining.emitFaultOwner(mv);
        emitter.faultHandler(mv);
        emitter.emitRegisterLoads(prologue);
        if (!emitter.loadedAllItRead()) {
            throw new RegisterNotLoaded();
        }
        Label methodEnd = new Label();
        prologue.visitLabel(methodEnd);
        if (trace != null && methodEnd.getOffset() > LongModeTrace.MAX_METHOD_BYTES) {
            // HotSpot never compiles a method past HugeMethodLimit (8,000 bytes): it would stay interpreted
            throw new LongModeTrace.TooBig();
        }
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * The first pass of a 64-bit block with verified windows: the body emitted (checked accesses)
     * into a throwaway method, to see which accesses share a window and which ops fit the budget;
     * returns the emitter of the second pass, which emits the same ops inline, with windows.
     */
    private LongModeEmitter planLongMode(X86Op[] ops, long loopStart, int sideExit, LongModeTrace trace) {
        AccessWindows plan = AccessWindows.recording();
        LongModeEmitter planner = new LongModeEmitter(plan, null);
        if (loopStart != -1 && PAGE_CACHES) {
            planner.cacheAccessPages();
        }
        emitNowhere(planner, ops, loopStart, sideExit, trace);
        LongModeEmitter emitter = new LongModeEmitter(plan.replay(), planner.inlined());
        emitter.expectPageCaches(planner.pageCachesUsed());
        // a loop block (not a loop trace) writes all sixteen back at its exits: it reads them all
        if (LOAD_READ_REGISTERS && !loadAllRegisters && (loopStart == -1 || trace != null)) {
            emitter.loadOnly(loadMaskForTests >= 0 ? loadMaskForTests : planner.registersRead() | planner.registersWritten());
        }
        return emitter;
    }

    /**
     * {@code -Dqemu.tcg.long-mode-load-read-registers=false}: a 64-bit block's prologue loads all
     * sixteen registers (the comparison point). By default it loads those the first pass read or
     * wrote ({@link LongModeEmitter#loadOnly}).
     */
    static final boolean LOAD_READ_REGISTERS = !"false".equals(System.getProperty("qemu.tcg.long-mode-load-read-registers"))
            && !LongModeEmitter.DEFERRED_REGISTER_LOADS;
    /** Tests only: the registers a 64-bit prologue loads instead of the first pass's (-1: the first pass's), to take the remake path. */
    static volatile int loadMaskForTests = -1;
    /** Set while a class is made again because its first making read a register it did not load; guarded by this. */
    private boolean loadAllRegisters;
    /** Classes made again with every register loaded ({@link LongModeEmitter#loadedAllItRead}). */
    private long registerLoadMisses;

    /** The emitted code read a register its prologue did not load: the class is made again (see {@link #generate}). */
    private static final class RegisterNotLoaded extends RuntimeException {
        RegisterNotLoaded() {
            super(null, null, false, false);
        }
    }

    /**
     * A dry run of {@link #generateLongMode}'s emission through {@code dry}: the prologue, the main
     * path and each leg after it from a fresh head, in the same order, into a throwaway method; the
     * jumps that leave (side exits, jmps to the next block) are left out: they make no access and
     * write no register.
     */
    private static void emitNowhere(LongModeEmitter dry, X86Op[] ops, long loopStart, int sideExit, LongModeTrace trace) {
        dry.prepareXmm(ops);
        net.bytebuddy.jar.asm.ClassWriter cw = new net.bytebuddy.jar.asm.ClassWriter(0);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL, "DryRun", null, "java/lang/Object", null);
        // tracked: the registers the body reads are what the real pass's prologue loads
        MethodVisitor nowhere = dry.tracking(cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "()V", null, null));
        nowhere.visitCode();
        dry.prologue(nowhere);
        int mainEnd = trace != null ? trace.mainLength : ops.length;
        int body = loopStart != -1 ? mainEnd - 1 : mainEnd;
        if (loopStart != -1) {
            dry.loopHead();
        }
        java.util.TreeSet<Integer> legs = new java.util.TreeSet<>();
        for (int i = 0; i < body; i++) {
            if (trace != null && loopStart != -1 && trace.legAt(i) != -1) {
                legs.add(trace.legAt(i));
            }
            if (i != sideExit && (trace == null || trace.stayAt(i) == -1 && !trace.fallsThrough(i))) {
                dry.emitOp(nowhere, ops[i], i, NAME, opField(i));
            }
        }
        for (int start : legs) {
            dry.legHead();
            for (int i = start; !trace.legEnds(i); i++) {
                if (trace.stayAt(i) == -1 && !trace.fallsThrough(i)) {
                    dry.emitOp(nowhere, ops[i], i, NAME, opField(i));
                }
            }
        }
    }

    /** {@code -Dqemu.tcg.trace-shared-write-back=false}: each exit of a trace writes back its own registers (the comparison point). */
    private static final boolean SHARED_WRITE_BACK = !"false".equals(System.getProperty("qemu.tcg.trace-shared-write-back"));

    /**
     * {@code -Dqemu.tcg.long-mode-loop-writes=false}: a loop trace's head takes all sixteen
     * registers as changed, and every exit writes all of them back (the comparison point). Loop
     * blocks always do: with only the written ones, C2 allocated FNV-1a's loop block worse (the
     * hash's value kept in an XMM register across the multiply; 144 MiB 0.31 -> 0.41 s), though
     * that block's one exit lost only stores.
     */
    private static final boolean LOOP_WRITES = !"false".equals(System.getProperty("qemu.tcg.long-mode-loop-writes"));

    /**
     * The registers a loop trace's code writes: its body and legs emitted into a throwaway method
     * in the order {@link #generateLongMode} emits them (the jumps that leave write none), every
     * op inline where it can be (the real pass may call an op near its bytecode budget instead:
     * then the registers are reloaded after the call, so a superset is what counts), and what the
     * emitter saw written.
     */
    private static int loopRegisterWrites(X86Op[] ops, long loopStart, int sideExit, LongModeTrace trace) {
        boolean[] everyOpInline = new boolean[ops.length];
        java.util.Arrays.fill(everyOpInline, true);
        LongModeEmitter dry = new LongModeEmitter(null, everyOpInline);
        if (PAGE_CACHES) {
            dry.cacheAccessPages();
        }
        emitNowhere(dry, ops, loopStart, sideExit, trace);
        return dry.registersWritten();
    }

    /** Ops of compiled 64-bit blocks still called through their field, by class (for qemu.tcg.stats: what to inline next). */
    private static final java.util.Map<String, Integer> CALLED_64 = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A loop block's last op (a jmp or jcc with a side at {@code loopStart}): that side jumps back
     * to {@code head} unless the CPU must leave (an exit request, a debugger hook) or the block
     * died (its code was overwritten), in which case eip is the loop start; the other side sets eip.
     * All ways out meet at {@code exit}, where the registers are written back once.
     */
    private static void emitLoopEnd(MethodVisitor mv, X86Emitter emitter, X86Op last, int index, int loopStart, Label head, Label exit) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.INDEX);
        Label back = new Label();
        if (last instanceof ControlOps.ConditionalJump j) {
            emitter.condition(mv, j.cc);
            Label notTaken = new Label();
            mv.visitJumpInsn(Opcodes.IFEQ, notTaken);
            if (j.target == loopStart) {
                mv.visitJumpInsn(Opcodes.GOTO, back);
            } else {
                X86Emitter.setEip(mv, j.target);
                mv.visitJumpInsn(Opcodes.GOTO, exit);
            }
            mv.visitLabel(notTaken);
            if (j.fallThrough != loopStart) {
                X86Emitter.setEip(mv, j.fallThrough);
                mv.visitJumpInsn(Opcodes.GOTO, exit);
            }
        }
        mv.visitLabel(back);
        Label leave = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, X86Emitter.CPU, "mustLeaveLoop", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        // the block died (its code was overwritten): X86Block.invalidate kills its compiled sequence,
        // this object; one load from this instead of two through the block
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, NAME, "dead", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        mv.visitJumpInsn(Opcodes.GOTO, head);
        mv.visitLabel(leave);
        X86Emitter.setEip(mv, loopStart);
    }

    private static final String BLOCK = Type.getInternalName(X86Block.class);
    private static final String UNIT = Type.getInternalName(CallUnit.class);
    private long callUnits;
    private long unitSidePaths;

    /**
     * A call-return unit's guard at a join (rip holds where the last instruction went): the
     * unit goes on only if rip is {@code pc} and the unit's block {@code k}, which starts there,
     * is still valid; else to {@code sideExit}. At the first join also unless a debugger hook
     * or block listener must see every block.
     */
    private static void emitUnitGuard(MethodVisitor mv, long pc, int k, Label sideExit) {
        if (k == 1) {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.CPU_LOCAL);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, X86Emitter.CPU, "observed", "()Z", false);
            mv.visitJumpInsn(Opcodes.IFNE, sideExit);
        }
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, X86Emitter.STATE, "rip", "J");
        mv.visitLdcInsn(pc);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, sideExit);
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, NAME, "unit", "L" + UNIT + ";");
        mv.visitFieldInsn(Opcodes.GETFIELD, UNIT, "blocks", "[L" + BLOCK + ";");
        push(mv, k);
        mv.visitInsn(Opcodes.AALOAD);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, BLOCK, "isValid", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFEQ, sideExit);
    }

    /**
     * A unit's side paths, out of line after its ordinary exit: each starts where the guard after
     * its fork's jcc failed (rip holds the side the jcc took), checks its blocks' guards as the
     * path does (rip at the block's address, the block valid), and jumps back into the path at
     * its join, where the path's code treats the locals as it does at a loop head. A failed
     * guard leaves through the unit's side exit.
     */
    private static void emitSidePaths(MethodVisitor mv, X86Emitter emitter, CallUnit unit, X86Op[] ops, Label[] sideStart, Label[] joinAt,
            Label sideExit, int[] inlineCount, boolean[] called) {
        for (CallUnit.Side side : unit.sides) {
            mv.visitLabel(sideStart[side.fork()]);
            emitter.joinPoint();
            for (int k = side.first(); k <= side.last(); k++) {
                emitUnitGuard(mv, unit.blocks[k].pc, k, sideExit);
                for (int i = unit.firstOp(k); i <= unit.lastOp[k]; i++) {
                    if (emitter.emitOp(mv, ops[i], i, NAME, opField(i))) {
                        inlineCount[0]++;
                    } else {
                        called[i] = true;
                    }
                }
            }
            emitUnitGuard(mv, unit.blocks[side.join()].pc, side.join(), sideExit);
            mv.visitJumpInsn(Opcodes.GOTO, joinAt[side.join()]);
        }
    }

    /**
     * A unit's side exits, after its ordinary write-back: every local written back (what the
     * locals hold there is not tracked), then the ordinary exit (rip is already the real
     * target). A failed guard after an indirect call also tells the unit, which rebuilds itself
     * if that call keeps going elsewhere.
     */
    private static void emitUnitSideExits(MethodVisitor mv, X86Emitter emitter, Label[] callExit, Label sideExit, Label leave) {
        for (int k = 0; k < callExit.length; k++) {
            if (callExit[k] == null) {
                continue;
            }
            mv.visitLabel(callExit[k]);
            emitter.flushEverything(mv);
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
            mv.visitFieldInsn(Opcodes.GETFIELD, NAME, "unit", "L" + UNIT + ";");
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
            mv.visitFieldInsn(Opcodes.GETFIELD, X86Emitter.STATE, "rip", "J");
            push(mv, k);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNIT, "sideExit", "(L" + SEQUENCE + ";JI)V", false);
            mv.visitJumpInsn(Opcodes.GOTO, leave);
        }
        mv.visitLabel(sideExit);
        emitter.flushEverything(mv);
        mv.visitLabel(leave);
    }

    /**
     * A conditional jump inside a loop block's body: the side that goes on to guest address
     * {@code continueAt} falls through to the next op; the other sets eip and leaves through
     * {@code exit}, where every register and the flag record are written back (the locals always
     * hold the current values, so the write-back emitted there for the body's end fits here too).
     */
    private static void emitSideExit(MethodVisitor mv, X86Emitter emitter, ControlOps.ConditionalJump jump, int continueAt, Label exit) {
        boolean stayWhenTaken = jump.target == continueAt;
        emitter.condition(mv, jump.cc);
        Label stay = new Label();
        mv.visitJumpInsn(stayWhenTaken ? Opcodes.IFNE : Opcodes.IFEQ, stay);
        X86Emitter.setEip(mv, stayWhenTaken ? jump.fallThrough : jump.target);
        mv.visitJumpInsn(Opcodes.GOTO, exit);
        mv.visitLabel(stay);
    }

    /** Flag liveness ({@link FlagLiveness}); {@code -Dqemu.tcg.flag-liveness=false} turns it off, for comparison. */
    static final boolean LIVENESS = !"false".equals(System.getProperty("qemu.tcg.flag-liveness"));

    /** Page caches in loop blocks ({@link X86Emitter#cacheAccessPages}); {@code -Dqemu.tcg.page-caches=false} turns them off, for comparison. */
    static final boolean PAGE_CACHES = !"false".equals(System.getProperty("qemu.tcg.page-caches"));

    /** Verified windows in blocks ({@link AccessWindows}); {@code -Dqemu.tcg.access-windows=false} turns them off, for comparison. */
    static final boolean WINDOWS = !"false".equals(System.getProperty("qemu.tcg.access-windows"));

    /**
     * Verified windows in 64-bit blocks ({@code -Dqemu.tcg.long-mode-windows=false}: off, for
     * comparison). Off by default from session 5 to 26: their second emission pass cost
     * `python3 -c pass` about 10% more CPU then, and no 64-bit benchmark gained. Measured again in
     * session 27 (ABBA pairs): glibc's msort pushes, pops and spills through rsp in blocks that are
     * no loops, each a checked access without a window (~8% of the sorts' steady-state samples);
     * with windows the later 200,000-element sorts took 74.5 against 87 ms (ints) and 84.6 against
     * 100 ms (doubles), cpubench 1722.5 -> 1676 ms, `python3 -c pass` 1381 -> 1308 ms, busybox unxz
     * 5208 -> 4980 ms; `busybox true`, sha256sum and gzip the same (docs/PERFORMANCE.md).
     */
    static final boolean LONG_MODE_WINDOWS = WINDOWS && !"false".equals(System.getProperty("qemu.tcg.long-mode-windows"));

    /** The first pass: the block's body emitted into nothing, to see which accesses share a window. */
    private static AccessWindows planWindows(X86Op[] ops, boolean longMode, boolean loop, int loopExitOp, CallUnit unit) {
        AccessWindows plan = AccessWindows.recording();
        MethodVisitor nowhere = new MethodVisitor(Opcodes.ASM9) {
        };
        X86Emitter planner = new X86Emitter(longMode, false, plan);
        planner.prepareXmm(ops);
        planner.prologue(nowhere, true);
        if (loop) {
            planner.forgetState();
        }
        int pathEnd = unit == null ? ops.length : unit.pathOps();
        for (int i = 0, k = 0; i < (loop ? pathEnd - 1 : pathEnd); i++) {
            // the same join points and order as the second pass (generate)
            if (unit != null && k + 1 < unit.pathBlocks && i == unit.firstOp(k + 1)) {
                k++;
            }
            if (unit != null && k > 0 && i == unit.firstOp(k) && unit.joinsAt(k)) {
                planner.joinPoint();
            }
            if (i == loopExitOp) {
                // the same emission as the second pass (no access: windows go on across it)
                emitSideExit(nowhere, planner, (ControlOps.ConditionalJump) ops[i], 0, new Label());
            } else {
                planner.emitOp(nowhere, ops[i], i, NAME, opField(i));
            }
        }
        if (unit != null) {
            for (CallUnit.Side side : unit.sides) {
                planner.joinPoint();
                for (int i = unit.firstOp(side.first()); i <= unit.lastOp[side.last()]; i++) {
                    planner.emitOp(nowhere, ops[i], i, NAME, opField(i));
                }
            }
        }
        // a register's windows after each join are windows of their own: hoisting one per register is all the loop code supports
        return loop && (unit == null || unit.sides.length == 0) ? plan.replayLoop() : plan.replay();
    }

    static void push(MethodVisitor mv, int value) {
        X86Emitter.push(mv, value);
    }
}
