package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.ChainedSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * When a block gets its class ({@link CompilePolicy} through {@link X86Block#execute}): at the
 * threshold in a loop where no new code appears, later (at the latest after
 * {@link CompilePolicy#MAX_DEFERRED_RUNS} runs) while new blocks keep being translated, and at
 * exactly the run an explicit small threshold names; in the system emulators a long block's runs
 * weigh more. The block is {@code inc eax; jmp $-3} (or forty {@code inc eax}), so eax counts its
 * runs across the switch from the interpreted tier to the compiled one.
 */
class CompilePolicyTest {
    private static final int CODE = 0x08048000;

    private HandAssembledCode code;
    private X86Cpu cpu;
    private final BytecodeBlockCompiler compiler = new BytecodeBlockCompiler();

    @BeforeEach
    void load() {
        code = new HandAssembledCode(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC).load(CODE, "40ebfd");
        cpu = new X86Cpu(code.memory, new X86CpuState());
    }

    @AfterEach
    void close() {
        code.close();
    }

    /** Runs the block until it is compiled (or {@code limit} runs); {@code freshPerRun} new blocks are translated before each run. Returns the run that compiled it, 0 for none. */
    private int runUntilCompiled(X86Block block, int threshold, int limit, int freshPerRun) {
        return runUntilCompiled(block, compiler, threshold, limit, freshPerRun, 1);
    }

    /** {@link #runUntilCompiled(X86Block, int, int, int)} with {@code compiler}, for a block of {@code incs} times {@code inc eax}. */
    private int runUntilCompiled(X86Block block, BytecodeBlockCompiler compiler, int threshold, int limit, int freshPerRun, int incs) {
        for (int run = 1; run <= limit; run++) {
            for (int i = 0; i < freshPerRun; i++) {
                CompilePolicy.blockTranslated();
            }
            block.execute(cpu, compiler, threshold, null);
            assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(run * incs);
            if (block.sequence() instanceof ChainedSequence<?>) {
                return run;
            }
        }
        return 0;
    }

    @Test
    void aLoopWithoutNewCodeIsCompiledAtTheThreshold() {
        X86Block block = code.translate(CODE);
        assertThat(runUntilCompiled(block, X86Block.DEFAULT_COMPILE_THRESHOLD, 1000, 0)).isEqualTo(X86Block.DEFAULT_COMPILE_THRESHOLD);
    }

    @Test
    void aBlockAmongNewCodeWaitsUntilTheMostDeferredRuns() {
        X86Block block = code.translate(CODE);
        int limit = CompilePolicy.MAX_DEFERRED_RUNS;
        assertThat(runUntilCompiled(block, X86Block.DEFAULT_COMPILE_THRESHOLD, limit + 10, 2)).isEqualTo(limit);
    }

    @Test
    void aDeferredBlockIsCompiledAtTheFirstDoublingAfterNewCodeStops() {
        X86Block block = code.translate(CODE);
        // new code while the block runs 64 times: not compiled at the threshold
        assertThat(runUntilCompiled(block, 64, 64, 1)).isZero();
        // then no new code: compiled when its run count doubles
        for (int run = 65; run <= 1000; run++) {
            block.execute(cpu, compiler, 64, null);
            if (block.sequence() instanceof ChainedSequence<?>) {
                assertThat(run).isEqualTo(128);
                assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(128);
                return;
            }
        }
        throw new AssertionError("never compiled");
    }

    @Test
    void anExplicitSmallThresholdCompilesAtThatRunEvenAmongNewCode() {
        X86Block block = code.translate(CODE);
        assertThat(runUntilCompiled(block, 3, 100, 5)).isEqualTo(3);
    }

    @Test
    void aBlockWhoseFirstRunsWereCountedElsewhereIsStillCompiled() {
        // e.g. runs inside a region: the counter passed the block's first check without it
        X86Block block = code.translate(CODE);
        for (int i = 0; i < 100; i++) {
            block.countExecution();
        }
        for (int run = 1; run <= 1000; run++) {
            block.execute(cpu, compiler, X86Block.DEFAULT_COMPILE_THRESHOLD, null);
            if (block.sequence() instanceof ChainedSequence<?>) {
                return;
            }
        }
        throw new AssertionError("never compiled");
    }

    /**
     * A block of 40 {@code inc eax} and its jmp (41 instructions) weighs 20 in the system
     * emulators' deferral (one unit per 2 instructions): a new translation per run is within its
     * allowance (0.1 per run and unit), so it is compiled at the threshold, where user mode's
     * deferral, which weighs every block one, keeps it waiting to the most deferred runs; with ten
     * per run it is deferred in both, but its runs count twenty times toward that cap.
     */
    @Test
    void aLongBlockWeighsMoreInTheSystemEmulatorsDeferral() {
        code.close();
        code = new HandAssembledCode(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC).load(CODE, "40".repeat(40) + "ebd6");
        cpu = new X86Cpu(code.memory, new X86CpuState());
        BytecodeBlockCompiler system = new BytecodeBlockCompiler();
        system.tuneForSystemMode();
        int threshold = X86Block.DEFAULT_COMPILE_THRESHOLD;

        X86Block weighed = code.translate(CODE);
        assertThat(weighed.instructionCount()).isEqualTo(41);
        assertThat(runUntilCompiled(weighed, system, threshold, 1000, 1, 40)).isEqualTo(threshold);

        cpu.state.setReg32(X86CpuState.EAX, 0);
        X86Block capped = code.translate(CODE);
        // deferred at 64, 128, 256 and 512 runs; at 1,024 runs x 20 it passes 16,384
        assertThat(runUntilCompiled(capped, system, threshold, 2000, 10, 40)).isEqualTo(1024);

        cpu.state.setReg32(X86CpuState.EAX, 0);
        X86Block unweighed = code.translate(CODE);
        int limit = CompilePolicy.MAX_DEFERRED_RUNS;
        assertThat(runUntilCompiled(unweighed, compiler, threshold, limit + 10, 1, 40)).isEqualTo(limit);
    }

    @Test
    void thresholdZeroNeverCompiles() {
        X86Block block = code.translate(CODE);
        assertThat(runUntilCompiled(block, 0, 20000, 0)).isZero();
    }
}
