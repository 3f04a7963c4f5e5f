package org.qemu.i386.translate;

import java.lang.reflect.Method;
import java.util.function.BooleanSupplier;

import org.qemu.common.jit.HotSpotCompileRequests;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;

/**
 * A block class made in the background whose method HotSpot was asked to compile: the block keeps
 * running interpreted until that code exists ({@link CompilePolicy#AWAIT_TIERS}).
 */
final class AwaitedClass {
    final OpSequence<X86Cpu> sequence;
    private final BooleanSupplier ready;
    /** The block's run count when the class was made (statistics). */
    int runsAtDefine;

    AwaitedClass(OpSequence<X86Cpu> sequence, BooleanSupplier ready) {
        this.sequence = sequence;
        this.ready = ready;
    }

    /** Waits for HotSpot's code of {@code method}, which a request has queued. */
    static AwaitedClass compileOf(OpSequence<X86Cpu> sequence, Method method) {
        return new AwaitedClass(sequence, () -> jitCodeOrNone(method));
    }

    /** True once {@code method} has JIT code, or once none is coming (the compile failed, or nothing is queued). */
    private static boolean jitCodeOrNone(Method method) {
        return HotSpotCompileRequests.level(method) > HotSpotCompileRequests.INTERPRETER || !HotSpotCompileRequests.queued(method);
    }

    /** True when the block may switch to {@link #sequence}. */
    boolean ready() {
        return ready.getAsBoolean();
    }
}
