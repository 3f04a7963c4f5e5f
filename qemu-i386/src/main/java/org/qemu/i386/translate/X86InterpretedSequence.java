package org.qemu.i386.translate;

import org.qemu.common.tcg.InterpretedSequence;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * The interpreted tier of an x86 block: its ops run one after the other through {@link X86Op#exec},
 * as {@link InterpretedSequence} runs any target's ops.
 *
 * <p>Why a class of its own: the shared loop calls {@code GuestOp.exec(Object)}, an interface
 * call that each op class answers through its compiler-made bridge method, and the loop's call
 * site sees every op class (megamorphic: HotSpot's itable stub, which looks the interface up in
 * the receiver class's table at every call). Here the call is a virtual call of
 * {@link X86OpBase#exec}, which most op classes extend (a vtable stub: one load from a fixed
 * slot); an op that is a lambda or a record is called through an adapter. async-profiler on
 * {@code python3 -c pass} under qemu-x86_64 (most of it runs in this tier): the itable stub under
 * the shared loop was 14% of the run loop thread's samples.
 */
public sealed class X86InterpretedSequence extends OpSequence<X86Cpu>
        permits X86InterpretedSequence.Second, X86InterpretedSequence.Third {
    private final X86OpBase[] ops;

    /** Sequences made so far (a race between guest threads only skews the turns). */
    private static int made;

    /**
     * The interpreted tier of a new block: one of three classes that differ in name only, in turn.
     *
     * <p>Why three: the run loop calls every block's sequence from one call site, and C2 compiles
     * that call from its receiver profile. With one interpreted class the profile was that class
     * alone until the first block classes ran, so C2 inlined it behind a class check, which the
     * first block classes then failed: the run loop's C2 code thrown away, twice a cpubench run
     * (one class, then two; 20-45 ms of C2 each, the run loop in C1's code meanwhile). Three
     * classes make the profile megamorphic from the start: a virtual call, which new block
     * classes do not invalidate.
     */
    static X86InterpretedSequence of(X86Op[] ops) {
        return switch (made++ % 3) {
            case 0 -> new X86InterpretedSequence(ops);
            case 1 -> new Second(ops);
            default -> new Third(ops);
        };
    }

    /** {@link X86InterpretedSequence} under a second name (see {@link #of}). */
    static final class Second extends X86InterpretedSequence {
        Second(X86Op[] ops) {
            super(ops);
        }
    }

    /** {@link X86InterpretedSequence} under a third name (see {@link #of}). */
    static final class Third extends X86InterpretedSequence {
        Third(X86Op[] ops) {
            super(ops);
        }
    }

    private X86InterpretedSequence(X86Op[] ops) {
        this.ops = new X86OpBase[ops.length];
        for (int i = 0; i < ops.length; i++) {
            this.ops[i] = ops[i] instanceof X86OpBase base ? base : new Adapter(ops[i]);
        }
    }

    /** An op that does not extend {@link X86OpBase} (a lambda, a record), called through its interface. */
    private static final class Adapter extends X86OpBase {
        private final X86Op op;

        Adapter(X86Op op) {
            this.op = op;
        }

        @Override
        public void exec(X86Cpu cpu) {
            op.exec(cpu);
        }
    }

    @Override
    public final void run(X86Cpu cpu) {
        X86OpBase[] o = ops;
        int i = 0;
        try {
            for (; i < o.length; i++) {
                o[i].exec(cpu);
            }
        } catch (RuntimeException | Error e) {
            cpu.recordFaultingOp(i);
            throw e;
        }
    }
}
