package org.qemu.i386.translate;

import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Op;

/**
 * A trace: a 64-bit block compiled together with the blocks its hot path runs next, as ONE
 * method, so the registers and the flag record stay in JVM locals from block to block. It
 * follows a direct {@code jmp} to its target, a direct {@code call} into the callee, a
 * {@code ret} back to the block after a call the trace made itself, and a {@code jcc} to the side
 * that ran more often (the other side becomes a side exit, as in a side-exit loop).
 *
 * <p>Why: busybox gzip runs about 25 blocks per input byte (deflate's main loop calling
 * {@code ct_tally} and {@code fill_window}, the stored-block copy), each a chained call that
 * stores its registers and flags at its exit and loads them at the next block's entry (HotSpot
 * does not inline the chained block: its method is too big). In a trace those boundaries are
 * plain bytecode.
 *
 * <p>Exactness: a {@code ret} inside the trace pops the real return address and compares it
 * with the one its call pushed (a function that returns elsewhere leaves the trace there, with
 * rip where it went). At every later block's start (a join) the trace leaves, rip at that
 * block, when its compiled form died (an op of the trace itself wrote to the code it runs: the
 * write kills this block, whose instruction ranges take in the whole trace). No trace is formed,
 * and none compiled before runs, once a debugger hook or a block listener must see every block
 * ({@link BytecodeBlockCompiler#observe}). Faults are precise: the ops are numbered across the
 * blocks and the first block takes in their addresses.
 */
final class LongModeTrace {
    /** {@code -Dqemu.tcg.long-mode-traces=false}: each 64-bit block compiled alone, for comparison. */
    static final boolean ENABLED = !"false".equals(System.getProperty("qemu.tcg.long-mode-traces"));

    /**
     * Run-loop runs a block must have made before it is compiled as a trace (the runs of a
     * chained block only partly pass through the run loop, so hot code gets there soon). Earlier
     * it is compiled alone and again as a trace when it gets there ({@link X86Block#traceLater}):
     * traces for every block cost {@code python3 -c pass} about 10% more CPU and 40 MiB. 50,000
     * until session 17: a chained block passes through the run loop about once per chain, so
     * cpubench's merge loop got its trace as the first 200,000-element sort ended; at 5,000
     * cpubench took 1.50 s against 1.60 s (5 interleaved runs), python3 -c pass, sha256sum and
     * chain-branches the same. Earlier traces needed the loop-closing rule of {@link #closesLoop}.
     * User mode's; the system emulators keep {@link #SYSTEM_RUNS}.
     */
    static final int RUNS = Integer.getInteger("qemu.tcg.long-mode-trace-runs", 5_000);

    /**
     * The system emulators' {@link #RUNS}: a kernel's boot is lukewarm code, and at 5,000 the amd64
     * boot made more traces for ~20 MB more RSS and no gain (3 interleaved boots: 11.30 against
     * 10.87 s). {@code -Dqemu.tcg.long-mode-trace-runs} sets both.
     */
    static final int SYSTEM_RUNS = Integer.getInteger("qemu.tcg.long-mode-trace-runs", 50_000);

    /**
     * A trace follows a jcc only when one side ran more than this many times as often as the
     * other ({@code -Dqemu.tcg.long-mode-trace-bias=N}; 1, the default: always, to the side that
     * ran more often). 4 measured no better on cpubench and cost gzip most of its gain.
     */
    private static final int BIAS = Integer.getInteger("qemu.tcg.long-mode-trace-bias", 1);

    /**
     * Only paths through a call and its return make a trace ({@code -Dqemu.tcg.long-mode-trace-calls=false}:
     * any path). Measured (chrt, same minutes, one run each): traces of any path cost cpubench
     * 15-40% more CPU (its merge loop's jmp/jcc paths: 10 traces of 28 blocks; not analysed), with
     * call paths only cpubench is unchanged (6.27 s of CPU against 6.31) and gzip keeps its gain
     * (10.2 s against 13.8: its 7 traces through {@code ct_tally} and {@code fill_window}).
     */
    private static final boolean CALLS_ONLY = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-calls"));

    /**
     * A trace follows an indirect call into the callee it went to last, guarded
     * ({@code -Dqemu.tcg.long-mode-trace-indirect=false}: stops there, as before session 10).
     */
    private static final boolean INDIRECT_CALLS = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-indirect"));

    /**
     * A trace whose last jump leads back to its start is compiled as a loop (a backward jump, as
     * loop blocks have) instead of leaving there ({@code -Dqemu.tcg.long-mode-trace-loops=false}: it leaves).
     */
    static final boolean LOOPS = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-loops"));

    /**
     * A path through jmps and jccs only, no call, makes a trace when it leads back to its start:
     * a loop of several blocks ({@code -Dqemu.tcg.long-mode-trace-call-free-loops=false}:
     * not). gzip's stored-block copy is one: three blocks a byte (the test for the end, the copy
     * with its test for a full buffer, the increment and jmp back), 7% of gzip's perf samples as
     * chained blocks, 2.3% as one loop. (A path through a call that comes back to its start
     * without the return is a recursion, not a loop: cpubench's msort.)
     */
    private static final boolean LOOPS_WITHOUT_CALLS = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-call-free-loops"));

    /**
     * A call-free loop trace takes legs as a loop through a call does
     * ({@code -Dqemu.tcg.long-mode-trace-call-free-legs=false}: such a loop makes no trace when it
     * would need one, as from session 11 to 19). Session 11 dropped them for gzip's longest-match
     * chain walk (most walks end after 0-1 rounds; perf samples 347 against 276). Measured again in
     * session 20, 7 interleaved pairs: busybox gzip of 32 MiB 4.88 -> 4.95 s (+1.4%, within its
     * spread), while loops whose data-dependent branch takes both sides in turn stay in one method:
     * busybox unxz 4.31 -> 3.65 s (its range decoder's bit loops), chain-branches 2.20 -> 1.41 s
     * (no trace at all before), a merge sort comparing inline 20% faster at steady state.
     */
    static final boolean CALL_FREE_LEGS = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-call-free-legs"));

    /**
     * The most SSE arithmetic instructions (add, sub, mul, div, sqrt of doubles or floats) a
     * call-free loop trace takes in; a loop with more makes no trace, its blocks stay chained
     * ({@code -Dqemu.tcg.long-mode-trace-fp-ops=N}; -1: no limit, as before session 27). Why:
     * cpubench's n-body inner loop (four blocks with 13-17 such instructions, a square root and a
     * division among them) made three loop traces that C2 took 0.3-1 s each to compile, and once
     * compiled they ran a 20-step batch in 6.2-8.6 ms against 4.6-5.0 ms for the chained blocks
     * (the floating-point phase alone at scale 8; Debian's QEMU 3.4), while the series loop after
     * them waited in C2's queue on C1's code. A small loop of 4 (a product, a comparison, an add
     * or a multiply-subtract on each side) runs 2.5x faster as its trace than as chained blocks
     * (3.1-4.0 against 9-10 ms a round of 409,600 iterations; Debian's QEMU 7.8).
     */
    static final int MAX_FLOATING_POINT_OPS = Integer.getInteger("qemu.tcg.long-mode-trace-fp-ops", 8);

    /** How many SSE arithmetic instructions (add, sub, mul, div or sqrt of doubles or floats) {@code ops} hold. */
    static int floatingPointOps(X86Op[] ops) {
        int n = 0;
        for (X86Op op : ops) {
            if (op instanceof InlineXmmOp x && x.xmmForm() != null && x.xmmForm().arithmetic()) {
                n++;
            }
        }
        return n;
    }

    /** The most guest instructions one trace takes in. */
    private static final int MAX_OPS = Integer.getInteger("qemu.tcg.long-mode-trace-ops", 64);

    /** The most blocks one trace takes in. */
    private static final int MAX_BLOCKS = Integer.getInteger("qemu.tcg.long-mode-trace-blocks", 12);

    /** {@code -Dqemu.tcg.long-mode-trace-log=true}: each trace's blocks on stderr as it is formed. */
    private static final boolean LOG = Boolean.getBoolean("qemu.tcg.long-mode-trace-log");

    /**
     * The most bytecode a trace's method may have (its side exits' and guards' write-backs are not
     * in the inline budget the formation checks): past HotSpot's {@code HugeMethodLimit} (8,000) it
     * would never be JIT-compiled (gzip with traces of 128 instructions: 60-100 s instead of 8).
     */
    static final int MAX_METHOD_BYTES = 7_900;

    /** Thrown by the emission of a trace whose method came out bigger than {@link #MAX_METHOD_BYTES}; the block is then compiled alone. */
    static final class TooBig extends RuntimeException {
        TooBig() {
            super(null, null, false, false);
        }
    }

    /** The ops of the blocks, one after the other. */
    final X86Op[] ops;
    final long[] address;
    final long[] next;
    /** Per op index: the guest address the path goes on at when this op is a jcc left as a side exit, else -1. */
    private final long[] stayAt;
    /**
     * Per op index: the rip a ret (the return address its call pushed) or an indirect call (the
     * callee the trace took in) must leave in the state to stay in the trace, else -1.
     */
    private final long[] returnTo;
    /** Per op index: the address of the block starting there (a join; not at op 0), else -1. */
    private final long[] joinPc;
    /** Per op index: true when the op is a direct jmp to the next op's block (nothing to emit). */
    private final boolean[] fallsThrough;
    final int blocks;
    /** The block the trace starts at. */
    final X86Block first;

    private LongModeTrace(java.util.List<X86Block> path, java.util.List<Long> followed) {
        this(path, followed, java.util.List.of(), java.util.List.of(), new int[0]);
    }

    /**
     * The trace of {@code path}, plus {@code legs}: leg {@code L} (its blocks, and per block but
     * the last the address followed) runs where the side exit at main op {@code legFrom[L]} leaves.
     */
    private LongModeTrace(java.util.List<X86Block> path, java.util.List<Long> followed, java.util.List<java.util.List<X86Block>> legs,
            java.util.List<java.util.List<Long>> legFollowed, int[] legFrom) {
        first = path.get(0);
        int n = 0;
        for (X86Block b : path) {
            n += b.instructionCount();
        }
        int main = n;
        for (java.util.List<X86Block> leg : legs) {
            for (X86Block b : leg) {
                n += b.instructionCount();
            }
        }
        mainLength = main;
        legAt = new int[n];
        legEnds = new boolean[n];
        java.util.Arrays.fill(legAt, -1);
        ops = new X86Op[n];
        address = new long[n];
        next = new long[n];
        stayAt = new long[n];
        returnTo = new long[n];
        joinPc = new long[n];
        fallsThrough = new boolean[n];
        java.util.Arrays.fill(stayAt, -1);
        java.util.Arrays.fill(returnTo, -1);
        java.util.Arrays.fill(joinPc, -1);
        int legBlocks = 0;
        for (java.util.List<X86Block> leg : legs) {
            legBlocks += leg.size();
        }
        blocks = path.size() + legBlocks;
        int i = 0;
        for (int k = 0; k < path.size(); k++) {
            X86Block b = path.get(k);
            if (k > 0) {
                joinPc[i] = b.pc;
            }
            for (int j = 0; j < b.instructionCount(); j++, i++) {
                ops[i] = b.ops()[j];
                address[i] = b.instructionAddress(j);
                next[i] = b.nextAddress(j);
            }
            if (k < path.size() - 1) {
                int last = i - 1;
                long to = followed.get(k);
                if (ops[last] instanceof LongModeOps.ConditionalJump) {
                    stayAt[last] = to;
                } else if (ops[last] instanceof LongModeOps.Return
                        || ops[last] instanceof LongModeOps.Call c && c.indirectTarget != null) {
                    returnTo[last] = to;
                } else if (ops[last] instanceof LongModeOps.Goto) {
                    fallsThrough[last] = true;
                }
            }
        }
        for (int l = 0; l < legs.size(); l++) {
            java.util.List<X86Block> leg = legs.get(l);
            legAt[legFrom[l]] = i;
            for (int k = 0; k < leg.size(); k++) {
                X86Block b = leg.get(k);
                joinPc[i] = b.pc;
                for (int j = 0; j < b.instructionCount(); j++, i++) {
                    ops[i] = b.ops()[j];
                    address[i] = b.instructionAddress(j);
                    next[i] = b.nextAddress(j);
                }
                int last = i - 1;
                if (k == leg.size() - 1) {
                    legEnds[last] = true;
                } else if (ops[last] instanceof LongModeOps.ConditionalJump) {
                    stayAt[last] = legFollowed.get(l).get(k);
                } else {
                    fallsThrough[last] = true;
                }
            }
        }
    }

    /** The ops of the main path (0 .. mainLength-1); a loop trace's legs follow them. */
    final int mainLength;
    /** Per op index: for a side exit of the main path, the first op of the leg its leaving side runs, else -1. */
    private final int[] legAt;
    /** Per op index: true for a leg's last op (a jmp or jcc back to the trace's start). */
    private final boolean[] legEnds;

    int legAt(int i) {
        return legAt[i];
    }

    boolean legEnds(int i) {
        return legEnds[i];
    }

    /** The most blocks one leg takes in. */
    private static final int LEG_BLOCKS = 4;

    /**
     * {@code -Dqemu.tcg.long-mode-trace-legs=false}: a loop trace's side exits leave the method, as
     * before; by default the leaving side's blocks, when they lead back to the start through jmps
     * and jccs only, are compiled into the loop too (qsort's merge step: the comparison's two
     * outcomes take turns, so a side exit left every other round).
     */
    static final boolean LEGS = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-legs"));

    /**
     * This loop trace with a leg for each side exit whose leaving side leads back to the start
     * within {@link #LEG_BLOCKS} blocks of jmps and jccs (every block translated, of this mode,
     * all inline); this trace itself when there is none or the whole would not fit the inline budget.
     */
    LongModeTrace withLegs(TranslationCache<X86Block> cache, java.util.List<X86Block> path, java.util.List<Long> followed) {
        java.util.List<java.util.List<X86Block>> legs = new java.util.ArrayList<>();
        java.util.List<java.util.List<Long>> legFollowed = new java.util.ArrayList<>();
        java.util.List<Integer> from = new java.util.ArrayList<>();
        for (int i = 0; i < mainLength; i++) {
            if (stayAt[i] == -1 || !(ops[i] instanceof LongModeOps.ConditionalJump j)) {
                continue;
            }
            long other = j.target == stayAt[i] ? j.fallThrough : j.target;
            java.util.List<X86Block> leg = new java.util.ArrayList<>();
            java.util.List<Long> went = new java.util.ArrayList<>();
            if (formLeg(other, cache, leg, went)) {
                legs.add(leg);
                legFollowed.add(went);
                from.add(i);
            }
        }
        if (legs.isEmpty()) {
            return this;
        }
        LongModeTrace t = new LongModeTrace(path, followed, legs, legFollowed, from.stream().mapToInt(Integer::intValue).toArray());
        return LongModeEmitter.allInline(t.ops, t.ops.length) ? t : this;
    }

    private boolean formLeg(long pc, TranslationCache<X86Block> cache, java.util.List<X86Block> leg, java.util.List<Long> went) {
        long at = pc;
        for (int n = 0; n < LEG_BLOCKS; n++) {
            X86Block b = cache.lookup(at, first.flags);
            if (b == null || !b.isValid() || b.flags != first.flags || b.pc == first.pc || leg.contains(b) || !ownAddresses(b)
                    || loopsToItself(b) || !LongModeEmitter.allInline(b.ops(), b.instructionCount())) {
                return false;
            }
            leg.add(b);
            X86Op last = b.ops()[b.instructionCount() - 1];
            if (last instanceof LongModeOps.Goto g) {
                if (g.target == first.pc) {
                    return true;
                }
                at = g.target;
            } else if (last instanceof LongModeOps.ConditionalJump j) {
                if (j.target == first.pc || j.fallThrough == first.pc) {
                    return true;
                }
                X86Block taken = cache.lookup(j.target, first.flags);
                X86Block notTaken = cache.lookup(j.fallThrough, first.flags);
                at = sideToFollow(j, taken, notTaken, first.pc);
            } else {
                return false;
            }
            went.add(at);
        }
        return false;
    }

    /** True when the trace's last op, a jmp or jcc, has a side at {@code pc} (its start): it is compiled as a loop. */
    boolean loopsTo(long pc) {
        return jumpsTo(ops[mainLength - 1], pc);
    }

    /** True when {@code last} is a jmp to {@code pc} or a jcc with a side at {@code pc}. */
    private static boolean jumpsTo(X86Op last, long pc) {
        return last instanceof LongModeOps.Goto g ? g.target == pc
                : last instanceof LongModeOps.ConditionalJump j && (j.target == pc || j.fallThrough == pc);
    }

    long stayAt(int i) {
        return stayAt[i];
    }

    long returnTo(int i) {
        return returnTo[i];
    }

    long joinPc(int i) {
        return joinPc[i];
    }

    boolean fallsThrough(int i) {
        return fallsThrough[i];
    }

    /**
     * The trace starting at {@code first}, or null when its hot path goes nowhere another block
     * can be taken in: the path stops at an exit of any other kind (an indirect jump or call, a
     * system call, a ret whose call the trace did not make), at a block not translated yet, dead
     * or of another mode, at a block already on the path or that is (or runs into) a loop head
     * ({@code loopHeads}: a loop block is entered at its head), at a jcc one of whose sides is on
     * the path (a loop: the loop block's business), at a block that is not all inline, and at
     * {@link #MAX_OPS} instructions or {@link #MAX_BLOCKS} blocks.
     */
    static LongModeTrace form(X86Block first, TranslationCache<X86Block> cache, java.util.Set<Long> loopHeads) {
        java.util.List<X86Block> path = new java.util.ArrayList<>();
        java.util.List<Long> followed = new java.util.ArrayList<>();
        java.util.ArrayDeque<Long> returns = new java.util.ArrayDeque<>();
        if (!ownAddresses(first)) {
            return null;
        }
        path.add(first);
        int count = first.instructionCount();
        X86Block at = first;
        int returned = 0;
        int calls = 0;
        while (path.size() < MAX_BLOCKS) {
            X86Op last = at.ops()[at.instructionCount() - 1];
            long to;
            if (last instanceof LongModeOps.Goto g) {
                to = g.target;
            } else if (last instanceof LongModeOps.Call c && c.indirectTarget == null) {
                to = c.target;
            } else if (last instanceof LongModeOps.Call c && INDIRECT_CALLS && (to = rememberedCallee(at, c)) != -1) {
                // the callee the run loop saw last; the trace checks it is still the one (a guard after the call)
            } else if (last instanceof LongModeOps.Return && !returns.isEmpty()) {
                to = returns.peek();
            } else if (last instanceof LongModeOps.ConditionalJump j) {
                if (onPath(path, j.target) || onPath(path, j.fallThrough)) {
                    break;
                }
                X86Block taken = cache.lookup(j.target, first.flags);
                X86Block notTaken = cache.lookup(j.fallThrough, first.flags);
                long takenRuns = taken == null ? 0 : taken.executions();
                long notTakenRuns = notTaken == null ? 0 : notTaken.executions();
                if (Math.min(takenRuns, notTakenRuns) * BIAS > Math.max(takenRuns, notTakenRuns)) {
                    // a data-dependent branch: the side exit would be taken often, and each one
                    // writes everything back; the block's exit chains to either side instead
                    break;
                }
                to = sideToFollow(j, taken, notTaken, first.pc);
            } else {
                break;
            }
            X86Block then = cache.lookup(to, first.flags);
            if (then == null || !then.isValid() || then.flags != first.flags || onPath(path, to) || loopHeads.contains(to)
                    || runsIntoALoopHead(then, loopHeads) || loopsToItself(then) || !ownAddresses(then) || count + then.instructionCount() > MAX_OPS
                    || !LongModeEmitter.allInline(then.ops(), then.instructionCount())) {
                break;
            }
            if (last instanceof LongModeOps.Call c) {
                calls++;
                returns.push(c.returnAddress);
            } else if (last instanceof LongModeOps.Return) {
                returns.pop();
                returned++;
            }
            path.add(then);
            followed.add(to);
            count += then.instructionCount();
            at = then;
        }
        if (path.size() == 1) {
            return null;
        }
        LongModeTrace trace = new LongModeTrace(path, followed);
        // the whole must fit the inline budget, or its last ops would be called
        while (!LongModeEmitter.allInline(trace.ops, trace.ops.length - 1)) {
            path.remove(path.size() - 1);
            followed.remove(followed.size() - 1);
            if (path.size() == 1) {
                return null;
            }
            trace = new LongModeTrace(path, followed);
        }
        if (returned == 0 && CALLS_ONLY && !(calls == 0 && LOOPS && LOOPS_WITHOUT_CALLS && trace.loopsTo(first.pc))) {
            return null;
        }
        if (LOOPS && LEGS && trace.loopsTo(first.pc)) {
            // without CALL_FREE_LEGS a call-free loop that needs a leg makes no trace
            LongModeTrace withLegs = trace.withLegs(cache, path, followed);
            if (CALL_FREE_LEGS || calls > 0 || withLegs.mainLength == withLegs.ops.length) {
                trace = withLegs;
            } else {
                return null;
            }
        }
        if (calls == 0 && MAX_FLOATING_POINT_OPS >= 0 && floatingPointOps(trace.ops) > MAX_FLOATING_POINT_OPS) {
            return null;
        }
        if (LOG) {
            System.err.println("qemu.tcg.long-mode-trace: at " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms: " + path.stream().map(b -> Long.toHexString(b.pc))
                    .collect(java.util.stream.Collectors.joining(" ")) + (trace.mainLength < trace.ops.length ? " with legs" : ""));
        }
        return trace;
    }

    /**
     * The callee the run loop last saw {@code at}'s indirect call go to (its remembered successor
     * other than the return address; a block ending in ret first), or -1: qsort's merge loop calls
     * its comparator through a register, one target per call site in practice. The trace checks the
     * target at run time (a guard after the call), so a successor that is not the callee costs exits,
     * never correctness. Since session 19 a callee that branches before its ret is followed too
     * (a comparator that counts its calls: no trace formed at all, the sort 2.5x QEMU's time).
     */
    private static long rememberedCallee(X86Block at, LongModeOps.Call call) {
        long any = -1;
        for (int slot = 0; slot < 2; slot++) {
            // the run loop links the block it entered to where a chained run ended: a leaf that returns first
            if (at.successorInSlot(slot) instanceof X86Block b && b.flags == at.flags && b.pc != call.returnAddress) {
                if (b.ops()[b.instructionCount() - 1] instanceof LongModeOps.Return) {
                    return b.pc;
                }
                any = CALLEES_WITH_BRANCHES ? b.pc : -1;
            }
        }
        return any;
    }

    /** {@code -Dqemu.tcg.long-mode-trace-branching-callees=false}: an indirect call's callee is followed only when it is one block ending in ret. */
    private static final boolean CALLEES_WITH_BRANCHES = !"false".equals(System.getProperty("qemu.tcg.long-mode-trace-branching-callees"));

    private static boolean onPath(java.util.List<X86Block> path, long pc) {
        for (X86Block b : path) {
            if (b.pc == pc) {
                return true;
            }
        }
        return false;
    }

    private static boolean runsIntoALoopHead(X86Block block, java.util.Set<Long> loopHeads) {
        for (int k = 1; k < block.instructionCount(); k++) {
            if (loopHeads.contains(block.instructionAddress(k))) {
                return true;
            }
        }
        return false;
    }

    /**
     * True when {@code block}'s instruction addresses are its own instructions': a block compiled
     * as a loop through a jump took in the code it jumps to in their place.
     */
    private static boolean ownAddresses(X86Block block) {
        int n = block.instructionCount();
        if (block.instructionAddress(0) != block.pc) {
            return false;
        }
        for (int k = 0; k < n - 1; k++) {
            if (block.nextAddress(k) != block.instructionAddress(k + 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The side of jcc {@code j} a trace starting at {@code start} follows (its blocks {@code
     * taken} and {@code notTaken}, either null when not translated): the one that closes the
     * loop ({@link #closesLoop}) when only one does, else the one the run loop saw run more often.
     */
    private static long sideToFollow(LongModeOps.ConditionalJump j, X86Block taken, X86Block notTaken, long start) {
        boolean takenCloses = closesLoop(taken, start);
        if (takenCloses != closesLoop(notTaken, start)) {
            return takenCloses ? j.target : j.fallThrough;
        }
        return (taken == null ? 0 : taken.executions()) > (notTaken == null ? 0 : notTaken.executions()) ? j.target : j.fallThrough;
    }

    /**
     * True when {@code side}'s block jumps to {@code start} (a side of its jmp or jcc): at a jcc the
     * trace takes the side that closes its loop whatever the run-loop counts say. Those counts
     * see a chained block only when a chain ends there, so a block entered by chaining looks
     * colder than one the run loop enters; on cpubench's merge loop, traces formed at 5,000
     * runs followed the merge's end instead of its next element.
     */
    private static boolean closesLoop(X86Block side, long start) {
        return side != null && side.isValid() && jumpsTo(side.ops()[side.instructionCount() - 1], start);
    }

    /** A block whose jump goes back to its own start: a loop block of its own. */
    private static boolean loopsToItself(X86Block block) {
        return jumpsTo(block.ops()[block.instructionCount() - 1], block.pc);
    }
}
