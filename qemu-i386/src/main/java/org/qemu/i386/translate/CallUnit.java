package org.qemu.i386.translate;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * A call-return unit: a block that ends in a {@code call} (direct, or through a register or
 * memory, like qsort's {@code call *%eax} to its comparator), the one block of the function it
 * calls (a leaf ending in {@code ret}) and the block at the return address, compiled as ONE
 * method. Why: cpubench's sort runs about five blocks per comparison, and each block boundary
 * stores every register and the flag record to the state and loads them again (HotSpot does not
 * inline chained block methods, they are too big); inside a unit they stay in JVM locals.
 *
 * <p>Two guards keep the unit exact: after the call, the target (already pushed and stored in
 * {@code rip}) must be the callee the unit was built with and that block must still be valid;
 * after the {@code ret}, the popped address must be the call's return address and the return
 * block still valid. A failed guard is a side exit: the locals are written back (rip holds the
 * real target already) and the block's ordinary exit chains or returns to the run loop. The
 * unit is the compiled form of the calling block, so it dies with it; the callee and the return
 * block are checked at the guards, so a write to their code is seen before their code runs.
 * A unit whose call guard keeps failing (qsort called with another comparator) is rebuilt for
 * the target seen then ({@link #sideExit}).
 */
public final class CallUnit {
    /** Call-return units; {@code -Dqemu.tcg.call-units=false} turns them off, for comparison. */
    static final boolean ENABLED = !"false".equals(System.getProperty("qemu.tcg.call-units"));

    /** The most instructions a unit takes in (the three blocks together). */
    private static final int MAX_OPS = 96;

    /** Side exits after which a unit is rebuilt for the target its call goes to now. */
    static final int REBUILD_AFTER = 4096;

    final X86Block caller;
    final X86Block callee;
    final X86Block returnTo;
    /** Index in the unit's ops of the call and of the ret (the guards follow them). */
    final int callIndex;
    final int returnIndex;
    final long[] address;
    final long[] next;
    private final BytecodeBlockCompiler compiler;
    /** Plain int: a lost update between threads only delays a rebuild. */
    private int sideExits;
    private boolean rebuilt;

    private CallUnit(X86Block caller, X86Block callee, X86Block returnTo, long[] address, long[] next, BytecodeBlockCompiler compiler) {
        this.caller = caller;
        this.callee = callee;
        this.returnTo = returnTo;
        this.callIndex = caller.instructionCount() - 1;
        this.returnIndex = callIndex + callee.instructionCount();
        this.address = address;
        this.next = next;
        this.compiler = compiler;
    }

    /**
     * The unit for {@code caller} (a 32-bit block ending in a 32-bit call), or null when its
     * callee or return block is not translated yet, dead, not a leaf ending in {@code ret}, or
     * the whole is too long. The callee of an indirect call is the successor the run loop
     * remembered for the block (the target it went to last).
     */
    static CallUnit form(X86Block caller, TranslationCache<X86Block> cache, BytecodeBlockCompiler compiler) {
        X86Op[] ops = caller.ops();
        if (!(ops[ops.length - 1] instanceof ControlOps.Call call) || call.bits != 32
                || call.indirectTarget != null && call.indirectTarget.bits != 32) {
            return null;
        }
        X86Block callee = null;
        if (call.indirectTarget == null) {
            callee = cache.lookup(call.target & 0xffffffffL, caller.flags);
        } else if (caller.unitCallee != -1) {
            callee = cache.lookup(caller.unitCallee, caller.flags);
        } else {
            for (int slot = 0; slot < 2 && callee == null; slot++) {
                if (caller.successorInSlot(slot) instanceof X86Block b && b.flags == caller.flags && b.pc != call.returnAddress) {
                    callee = b;
                }
            }
        }
        X86Block returnTo = cache.lookup(call.returnAddress & 0xffffffffL, caller.flags);
        if (callee == null || returnTo == null || !callee.isValid() || !returnTo.isValid()) {
            return null;
        }
        X86Op[] calleeOps = callee.ops();
        if (!(calleeOps[calleeOps.length - 1] instanceof ControlOps.Return ret) || ret.bits != 32) {
            return null;
        }
        int n = ops.length + calleeOps.length + returnTo.instructionCount();
        if (n > MAX_OPS) {
            return null;
        }
        long[] address = new long[n];
        long[] next = new long[n];
        int i = 0;
        for (X86Block b : new X86Block[] {caller, callee, returnTo}) {
            for (int k = 0; k < b.instructionCount(); k++, i++) {
                address[i] = b.instructionAddress(k);
                next[i] = b.nextAddress(k);
            }
        }
        return new CallUnit(caller, callee, returnTo, address, next, compiler);
    }

    /** The three blocks' instructions, one after the other. */
    X86Op[] ops() {
        X86Op[] a = caller.ops();
        X86Op[] b = callee.ops();
        X86Op[] c = returnTo.ops();
        X86Op[] all = new X86Op[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        return all;
    }

    /** The guest address the call must go to for the unit to go on. */
    long calleePc() {
        return callee.pc;
    }

    /** The guest address the ret must go to for the unit to go on. */
    long returnPc() {
        return returnTo.pc;
    }

    /**
     * Called by the unit's side exit (its state written back, rip the real target): counts, and
     * after {@link #REBUILD_AFTER} side exits compiles the calling block again, once, so the
     * new unit is built for {@code target}, the callee the call went to this time; the old unit
     * is killed, so chained exits stop entering it.
     */
    public void sideExit(ChainedSequence<X86Cpu> running, long target) {
        if (++sideExits < REBUILD_AFTER || rebuilt || !caller.isValid()) {
            return;
        }
        rebuilt = true;
        caller.unitCallee = target;
        caller.recompile(compiler, running);
    }
}
