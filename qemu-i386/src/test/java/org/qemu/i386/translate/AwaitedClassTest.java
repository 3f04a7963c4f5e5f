package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * A block whose class is made in the background waits for HotSpot's code before running it
 * ({@link CompilePolicy#awaitJit}, {@link X86Block#execute}): it stays interpreted, its state
 * exact, until the wait is over, switches at its next look after that, and a block that dies
 * meanwhile kills the waiting class. The block is {@code inc eax; jmp $-3}, so eax counts its runs
 * across the switch. The wait here is a flag the test sets (HotSpot's WhiteBox API, which the
 * product asks, is not bound in a test JVM).
 */
class AwaitedClassTest {
    private static final int CODE = 0x08048000;
    private static final int THRESHOLD = 4;

    private HandAssembledCode code;
    private X86Cpu cpu;
    private final BytecodeBlockCompiler compiler = new BytecodeBlockCompiler();
    private final AtomicBoolean jitReady = new AtomicBoolean();
    private final List<OpSequence<X86Cpu>> awaited = new ArrayList<>();
    /** The background compile, run at once on the test's thread. */
    private final Executor background = Runnable::run;

    @BeforeEach
    void load() {
        code = new HandAssembledCode(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC).load(CODE, "40ebfd");
        cpu = new X86Cpu(code.memory, new X86CpuState());
        compiler.awaitJitWith(sequence -> {
            awaited.add(sequence);
            return new AwaitedClass(sequence, jitReady::get);
        });
    }

    @AfterEach
    void close() {
        code.close();
    }

    private void run(X86Block block, int runs) {
        for (int i = 0; i < runs; i++) {
            block.execute(cpu, compiler, THRESHOLD, background);
        }
    }

    @Test
    void theBlockRunsInterpretedUntilItsClassHasJitCodeThenSwitchesAtItsNextLook() {
        X86Block block = code.translate(CODE);
        run(block, 100);
        assertThat(awaited).hasSize(1);
        assertThat(block.sequence()).isNotInstanceOf(ChainedSequence.class);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(100);

        jitReady.set(true);
        int switchedAt = 0;
        for (int run = 101; run <= 200 && switchedAt == 0; run++) {
            run(block, 1);
            if (block.sequence() instanceof ChainedSequence<?>) {
                switchedAt = run;
            }
        }
        // looked at every CompilePolicy.AWAIT_POLL runs: the first multiple after the wait ended
        assertThat(switchedAt).isEqualTo(112);
        assertThat(block.sequence()).isSameAs(awaited.get(0));
        run(block, 10);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(122);
        assertThat(awaited).hasSize(1);
    }

    @Test
    void aBlockThatDiesWhileWaitingKillsItsClass() {
        X86Block block = code.translate(CODE);
        run(block, THRESHOLD);
        assertThat(awaited).hasSize(1);
        ChainedSequence<X86Cpu> waiting = (ChainedSequence<X86Cpu>) awaited.get(0);
        assertThat(waiting.dead).isFalse();
        block.invalidate();
        assertThat(waiting.dead).isTrue();
        block.revive();
        assertThat(waiting.dead).isFalse();
    }

    @Test
    void aBlockCompiledAgainAsATraceKeepsRunningItsClassUntilTheNewOneHasJitCode() {
        compiler.awaitJitWith(sequence -> null);
        X86Block block = code.translate(CODE);
        run(block, THRESHOLD);
        ChainedSequence<X86Cpu> own = (ChainedSequence<X86Cpu>) block.sequence();
        compiler.awaitJitWith(sequence -> {
            awaited.add(sequence);
            return new AwaitedClass(sequence, jitReady::get);
        });

        block.recompileAsTrace(compiler, own);
        run(block, 50);

        assertThat(awaited).hasSize(1);
        assertThat(block.sequence()).isSameAs(own);
        assertThat(own.dead).isFalse();
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(THRESHOLD + 50);

        jitReady.set(true);
        run(block, CompilePolicy.AWAIT_POLL);
        assertThat(block.sequence()).isSameAs(awaited.get(0));
        assertThat(own.dead).as("exits linked to the old class must not enter it any more").isTrue();
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(THRESHOLD + 50 + CompilePolicy.AWAIT_POLL);
    }

    @Test
    void withoutAWaitTheClassRunsAtOnce() {
        compiler.awaitJitWith(sequence -> null);
        X86Block block = code.translate(CODE);
        run(block, THRESHOLD);
        assertThat(block.sequence()).isInstanceOf(ChainedSequence.class);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(THRESHOLD);
    }
}
