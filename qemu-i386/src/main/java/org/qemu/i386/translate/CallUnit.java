package org.qemu.i386.translate;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * A call-return unit: a hot path of blocks through a {@code call} compiled as ONE method. It
 * starts at a block that ends in a call, when that block is compiled, and follows the exits: a {@code call} (direct, or through
 * a register or memory, like qsort's {@code call *%eax} to its comparator) into the one block of
 * the function called (a leaf ending in {@code ret}) and on at the return address, a {@code jmp}
 * to its target, a {@code jcc} to the side that ran more often;
 * when a path comes back to the first block, the unit is a loop (a backward jump, like a loop
 * block's). Why: cpubench's sort runs about five blocks per comparison (merge loop, the
 * comparator call, the comparator, the test of its result), and each block boundary stores every
 * register and the flag record to the state and loads them again (HotSpot does not inline
 * chained block methods, they are too big); inside a unit they stay in JVM locals.
 *
 * <p>Guards keep the unit exact: after the last instruction of each block but the last (the
 * join), rip (already stored by that instruction: the call's target, the popped return address,
 * the side the jcc took) must be the next block's address, and that block must still be valid.
 * A failed guard is a side exit: the locals are written back (rip already holds where the code
 * goes) and the block's ordinary exit chains or returns to the run loop. The unit is the
 * compiled form of its first block, so it dies with it; the other blocks are checked at the
 * guards, so a write to their code is seen before their code runs. A unit whose indirect call
 * keeps going elsewhere (qsort called with another comparator) is rebuilt for the target seen
 * then ({@link #sideExit}).
 */
public final class CallUnit {
    /** Call-return units; {@code -Dqemu.tcg.call-units=false} turns them off, for comparison. */
    static final boolean ENABLED = !"false".equals(System.getProperty("qemu.tcg.call-units"));

    /** {@code -Dqemu.tcg.call-unit-log=true}: each unit's blocks on stderr as it is formed. */
    private static final boolean LOG = Boolean.getBoolean("qemu.tcg.call-unit-log");

    /**
     * Only blocks that end in a call start a unit; {@code -Dqemu.tcg.call-unit-start=any}: any
     * block whose path reaches a call does. Measured on cpubench's sort phase (CPU seconds, same
     * jars, load 30): any block 4.4-4.9 (SSE2) and 5.4-6.4 (x87) against 3.7-4.6 and 4.4-5.0 for
     * call blocks only and 4.3-4.8 and 4.8-5.5 without units: every block of the merge loop
     * became a unit of its own (twelve, 2-3.5 KB of bytecode each) and C2's compile time ate the gain.
     */
    private static final boolean FROM_CALLS_ONLY = !"any".equals(System.getProperty("qemu.tcg.call-unit-start"));

    /** The most instructions a unit takes in. */
    private static final int MAX_OPS = Integer.getInteger("qemu.tcg.call-unit-ops", 64);

    /** Side exits at an indirect call after which a unit is rebuilt for the target its call goes to now. */
    static final int REBUILD_AFTER = 4096;

    /**
     * {@code -Dqemu.tcg.call-unit-sides=false}: a jcc inside a unit keeps only the side its path
     * follows (the other is a side exit), for comparison. With sides, the other side's blocks are
     * taken in too when they lead back to a later block of the path within a few blocks (a
     * diamond: the merge loop's {@code jg} after the comparator, whose sides both go on to the
     * loop's test), so the comparison that goes the other way stays in the unit.
     */
    static final boolean SIDES = !"false".equals(System.getProperty("qemu.tcg.call-unit-sides"));

    /** The most blocks and instructions one side path takes in. */
    private static final int MAX_SIDE_BLOCKS = 4, MAX_SIDE_OPS = 32;

    /**
     * A side path: blocks {@code first..last} of {@link #blocks} run when the jcc ending path
     * block {@code fork} goes the other way, and lead on to path block {@code join} (after fork).
     */
    record Side(int fork, int first, int last, int join) {
    }

    /**
     * The blocks: first the path, in the order it runs them (the first is the one compiled), then
     * the blocks of each side path in its order.
     */
    final X86Block[] blocks;
    /** How many of {@link #blocks} are the path. */
    final int pathBlocks;
    /** The side paths, by fork. */
    final Side[] sides;
    /** Op index (in the unit) of each block's last instruction; the last path block's is the path's end. */
    final int[] lastOp;
    /** The first block's address when the path leads back to it (a loop unit), else -1. */
    final long loopStart;
    final long[] address;
    final long[] next;
    private final BytecodeBlockCompiler compiler;
    /** Plain int: a lost update between threads only delays a rebuild. */
    private int sideExits;
    private boolean rebuilt;

    private CallUnit(java.util.List<X86Block> path, java.util.List<java.util.List<X86Block>> sidePaths, int[] forks, int[] joins,
            long loopStart, BytecodeBlockCompiler compiler) {
        java.util.List<X86Block> all = new java.util.ArrayList<>(path);
        this.sides = new Side[sidePaths.size()];
        for (int s = 0; s < sides.length; s++) {
            sides[s] = new Side(forks[s], all.size(), all.size() + sidePaths.get(s).size() - 1, joins[s]);
            all.addAll(sidePaths.get(s));
        }
        this.blocks = all.toArray(new X86Block[0]);
        this.pathBlocks = path.size();
        this.loopStart = loopStart;
        this.compiler = compiler;
        this.lastOp = new int[blocks.length];
        int n = 0;
        for (int k = 0; k < blocks.length; k++) {
            n += blocks[k].instructionCount();
            lastOp[k] = n - 1;
        }
        address = new long[n];
        next = new long[n];
        int i = 0;
        for (X86Block b : blocks) {
            for (int k = 0; k < b.instructionCount(); k++, i++) {
                address[i] = b.instructionAddress(k);
                next[i] = b.nextAddress(k);
            }
        }
    }

    /**
     * The unit starting at {@code first} (32-bit code), or null when its path holds no call into
     * a leaf that returns to the block after the call (then it is no call-return unit: the block
     * is compiled as before). The path stops at a block not translated yet or dead, at one it
     * already holds, at any other exit, and at {@link #MAX_OPS} instructions.
     */
    static CallUnit form(X86Block first, TranslationCache<X86Block> cache, BytecodeBlockCompiler compiler) {
        if (FROM_CALLS_ONLY && !(first.ops()[first.instructionCount() - 1] instanceof ControlOps.Call)) {
            return null;
        }
        java.util.List<X86Block> path = new java.util.ArrayList<>();
        path.add(first);
        int ops = first.instructionCount();
        boolean anyCall = false;
        long loop = -1;
        X86Block at = first;
        while (true) {
            X86Op last = at.ops()[at.instructionCount() - 1];
            X86Block next = null;
            X86Block after = null;
            if (last instanceof ControlOps.Call call) {
                X86Block callee = callee(at, call, cache);
                if (callee != null) {
                    X86Op end = callee.ops()[callee.instructionCount() - 1];
                    after = cache.lookup(call.returnAddress & 0xffffffffL, first.flags);
                    if (end instanceof ControlOps.Return ret && ret.bits == 32 && after != null && after.isValid()) {
                        next = callee;
                    }
                }
            } else if (last instanceof ControlOps.Goto g) {
                if ((g.target & 0xffffffffL) == first.pc) {
                    loop = first.pc;
                    break;
                }
                next = cache.lookup(g.target & 0xffffffffL, first.flags);
            } else if (last instanceof ControlOps.ConditionalJump j) {
                if ((j.target & 0xffffffffL) == first.pc || (j.fallThrough & 0xffffffffL) == first.pc) {
                    loop = first.pc;
                    break;
                }
                // the side that ran more often in the run loop (a side never run is not translated)
                X86Block target = cache.lookup(j.target & 0xffffffffL, first.flags);
                X86Block fallThrough = cache.lookup(j.fallThrough & 0xffffffffL, first.flags);
                next = target == null || fallThrough != null && fallThrough.executions() >= target.executions() ? fallThrough : target;
            }
            if (next == null || !next.isValid() || next.flags != first.flags || path.contains(next)) {
                break;
            }
            int more = next.instructionCount() + (after == null ? 0 : after.instructionCount());
            if (ops + more > MAX_OPS || after != null && (path.contains(after) || after == next)) {
                break;
            }
            path.add(next);
            ops += next.instructionCount();
            if (after != null) {
                anyCall = true;
                path.add(after);
                ops += after.instructionCount();
                at = after;
            } else {
                at = next;
            }
        }
        if (LOG && !anyCall && path.size() > 1) {
            System.err.println("qemu.tcg.call-unit: no call on " + path.stream().map(b -> Long.toHexString(b.pc)).collect(java.util.stream.Collectors.joining(" ")));
        }
        if (!anyCall) {
            return null;
        }
        java.util.List<java.util.List<X86Block>> sidePaths = new java.util.ArrayList<>();
        int[] forks = new int[path.size()];
        int[] joins = new int[path.size()];
        // the last block's jcc is the loop's back edge or the unit's end: no fork there; nor at the
        // first block, whose guard is the one that also tests observed()
        for (int k = 1; SIDES && k < path.size() - 1; k++) {
            X86Block forkBlock = path.get(k);
            if (forkBlock.ops()[forkBlock.instructionCount() - 1] instanceof ControlOps.ConditionalJump j) {
                long followed = path.get(k + 1).pc;
                long other = (j.target & 0xffffffffL) == followed ? j.fallThrough & 0xffffffffL : j.target & 0xffffffffL;
                int join = sidePath(other, k, path, cache, first.flags, sidePaths);
                if (join > 0 && loop != -1 && join == path.size() - 1 && path.get(join).instructionCount() == 1) {
                    // a loop unit's last instruction is its back edge, emitted apart: no place to join before it
                    sidePaths.remove(sidePaths.size() - 1);
                } else if (join > 0) {
                    forks[sidePaths.size() - 1] = k;
                    joins[sidePaths.size() - 1] = join;
                }
            }
        }
        if (LOG) {
            StringBuilder text = new StringBuilder("qemu.tcg.call-unit: ");
            text.append(path.stream().map(b -> Long.toHexString(b.pc)).collect(java.util.stream.Collectors.joining(" ")));
            text.append(loop != -1 ? " (loop)" : "");
            for (int s = 0; s < sidePaths.size(); s++) {
                text.append("; side after ").append(Long.toHexString(path.get(forks[s]).pc)).append(": ")
                        .append(sidePaths.get(s).stream().map(b -> Long.toHexString(b.pc)).collect(java.util.stream.Collectors.joining(" ")))
                        .append(" -> ").append(Long.toHexString(path.get(joins[s]).pc));
            }
            System.err.println(text);
        }
        return new CallUnit(path, sidePaths, forks, joins, loop, compiler);
    }

    /**
     * The side path from guest address {@code pc}, the side the jcc ending path block {@code fork}
     * does not follow: blocks reached through jmp and jcc (the side that ran more often, or the
     * one back on the path) until a block of the path after {@code fork}, within
     * {@link #MAX_SIDE_BLOCKS} blocks and {@link #MAX_SIDE_OPS} instructions. Adds it to
     * {@code sides} and returns the path index it joins; returns -1 (adding nothing) when the side
     * does not come back to the path that way (it stays a side exit).
     */
    private static int sidePath(long pc, int fork, java.util.List<X86Block> path, TranslationCache<X86Block> cache, int flags,
            java.util.List<java.util.List<X86Block>> sides) {
        java.util.List<X86Block> side = new java.util.ArrayList<>();
        int ops = 0;
        while (true) {
            for (int j = 0; j < path.size(); j++) {
                if (path.get(j).pc == pc) {
                    if (j <= fork || side.isEmpty()) {
                        return -1;
                    }
                    sides.add(side);
                    return j;
                }
            }
            X86Block at = cache.lookup(pc, flags);
            if (at == null || !at.isValid() || at.flags != flags || side.contains(at) || side.size() == MAX_SIDE_BLOCKS
                    || ops + at.instructionCount() > MAX_SIDE_OPS) {
                return -1;
            }
            side.add(at);
            ops += at.instructionCount();
            X86Op last = at.ops()[at.instructionCount() - 1];
            if (last instanceof ControlOps.Goto g) {
                pc = g.target & 0xffffffffL;
            } else if (last instanceof ControlOps.ConditionalJump j) {
                long target = j.target & 0xffffffffL;
                long fallThrough = j.fallThrough & 0xffffffffL;
                if (onPathAfter(path, fork, fallThrough)) {
                    pc = fallThrough;
                } else if (onPathAfter(path, fork, target)) {
                    pc = target;
                } else {
                    X86Block t = cache.lookup(target, flags);
                    X86Block f = cache.lookup(fallThrough, flags);
                    pc = t == null || f != null && f.executions() >= t.executions() ? fallThrough : target;
                }
            } else {
                return -1;
            }
        }
    }

    private static boolean onPathAfter(java.util.List<X86Block> path, int fork, long pc) {
        for (int j = fork + 1; j < path.size(); j++) {
            if (path.get(j).pc == pc) {
                return true;
            }
        }
        return false;
    }

    /** Op index of block {@code k}'s first instruction. */
    int firstOp(int k) {
        return k == 0 ? 0 : lastOp[k - 1] + 1;
    }

    /** The instructions of the path (the side paths' follow them in the op numbering). */
    int pathOps() {
        return lastOp[pathBlocks - 1] + 1;
    }

    /** The side path leaving at path block {@code k}'s jcc, or null. */
    Side sideAt(int k) {
        for (Side s : sides) {
            if (s.fork == k) {
                return s;
            }
        }
        return null;
    }

    /** True when some side path joins the path at its block {@code k}. */
    boolean joinsAt(int k) {
        for (Side s : sides) {
            if (s.join == k) {
                return true;
            }
        }
        return false;
    }

    /**
     * The callee of {@code at}'s call: its target, or for an indirect call the callee a unit
     * was last built or rebuilt for, else the successor the run loop remembered for the block.
     */
    private static X86Block callee(X86Block at, ControlOps.Call call, TranslationCache<X86Block> cache) {
        if (call.bits != 32 || call.indirectTarget != null && call.indirectTarget.bits != 32) {
            return null;
        }
        if (call.indirectTarget == null) {
            return cache.lookup(call.target & 0xffffffffL, at.flags);
        }
        if (at.unitCallee != -1) {
            return cache.lookup(at.unitCallee, at.flags);
        }
        for (int slot = 0; slot < 2; slot++) {
            // a unit compiled from this block links it to what followed the whole unit: only a leaf counts
            if (at.successorInSlot(slot) instanceof X86Block b && b.flags == at.flags && b.pc != (call.returnAddress & 0xffffffffL)
                    && b.ops()[b.instructionCount() - 1] instanceof ControlOps.Return) {
                // remembered: once this block's own unit runs, its links no longer show the callee
                at.unitCallee = b.pc;
                return b;
            }
        }
        return null;
    }

    /** The blocks' instructions, one after the other. */
    X86Op[] ops() {
        X86Op[] all = new X86Op[address.length];
        int i = 0;
        for (X86Block b : blocks) {
            System.arraycopy(b.ops(), 0, all, i, b.instructionCount());
            i += b.instructionCount();
        }
        return all;
    }

    /** True when block {@code k}'s last instruction is a call through a register or memory. */
    boolean indirectCallAt(int k) {
        return blocks[k].ops()[blocks[k].instructionCount() - 1] instanceof ControlOps.Call c && c.indirectTarget != null;
    }

    /**
     * Called by the side exit of the guard after block {@code k}'s indirect call (the state
     * written back, rip the real target): counts, and after {@link #REBUILD_AFTER} such exits
     * compiles the first block again, once, with that call's callee now {@code target}; the old
     * unit is killed, so chained exits stop entering it.
     */
    public void sideExit(ChainedSequence<X86Cpu> running, long target, int k) {
        if (++sideExits < REBUILD_AFTER || rebuilt || !blocks[0].isValid()) {
            return;
        }
        rebuilt = true;
        blocks[k].unitCallee = target;
        blocks[0].recompile(compiler, running);
    }
}
