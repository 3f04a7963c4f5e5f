package org.qemu.i386.translate;

import org.qemu.common.tcg.InterpretedSequence;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * The interpreted tier of an x86 block: its ops run one after the other through {@link X86Op#exec},
 * as {@link InterpretedSequence} runs any target's ops.
 *
 * <p>Why a class of its own: the shared loop calls {@code GuestOp.exec(Object)}, an interface
 * call that each op class answers through its compiler-made bridge method, and the loop's call
 * site sees every op class (megamorphic: HotSpot's itable stub, which looks the interface up in
 * the receiver class's table at every call). Here the call names {@code X86Op.exec(X86Cpu)}
 * directly: no bridge, and the interface the stub looks for is the op class's first. async-profiler
 * on {@code python3 -c pass} under qemu-x86_64 (most of it runs in this tier): 14% of the run
 * loop thread's samples were the itable stub under the shared loop.
 */
public final class X86InterpretedSequence extends OpSequence<X86Cpu> {
    private final X86Op[] ops;

    X86InterpretedSequence(X86Op[] ops) {
        this.ops = ops;
    }

    @Override
    public void run(X86Cpu cpu) {
        X86Op[] o = ops;
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
