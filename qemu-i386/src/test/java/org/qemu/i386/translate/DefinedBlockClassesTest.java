package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.ChainedSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * A block translated again to the same code gets a new instance of the class its earlier
 * translation had ({@link DefinedBlockClasses}); other code gets a class of its own, and each
 * instance runs its own ops. The blocks are {@code inc eax; jmp $-3} and {@code inc ecx; jmp $-3}
 * (compiled without loop blocks, so each run is one iteration).
 */
class DefinedBlockClassesTest {
    private static final int CODE = 0x08048000;
    private static final int OTHER_CODE = CODE + 0x100;

    private HandAssembledCode code;
    private X86Cpu cpu;
    private final BytecodeBlockCompiler compiler = new BytecodeBlockCompiler();

    @BeforeEach
    void load() {
        code = new HandAssembledCode(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC)
                .load(CODE, "40ebfd").load(OTHER_CODE, "41ebfd");
        cpu = new X86Cpu(code.memory, new X86CpuState());
    }

    @AfterEach
    void close() {
        code.close();
    }

    /** Translates the block at {@code pc} anew and runs it once, compiled at that first run. */
    private X86Block compiledAndRun(int pc) {
        X86Block block = code.translate(pc);
        block.execute(cpu, compiler, 1, null);
        assertThat(block.sequence()).isInstanceOf(ChainedSequence.class);
        return block;
    }

    @Test
    void theSameCodeTranslatedAgainGetsItsEarlierClass() {
        X86Block first = compiledAndRun(CODE);
        X86Block again = compiledAndRun(CODE);
        assertThat(again.sequence()).isNotSameAs(first.sequence());
        assertThat(again.sequence().getClass()).isSameAs(first.sequence().getClass());
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(2);
    }

    /**
     * The issue asks for unloadable block classes: once no block of a class lives, the class can
     * be unloaded although the compiler (and its table of defined classes) lives on; the same
     * code translated afterwards gets a class again and runs right.
     */
    @Test
    void aClassNoBlockUsesAnyMoreCanBeUnloaded() throws InterruptedException {
        WeakReference<Class<?>> unused = classOfABlockRunOnItsOwnCpu();
        for (int i = 0; i < 20 && unused.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(unused.get()).as("the block class after its last block died").isNull();
        // the collector clears the reference before the Reference Handler thread queues it
        for (int i = 0; i < 50 && compiler.definedClassesHeld() != 0; i++) {
            Thread.sleep(20);
        }
        assertThat(compiler.definedClassesHeld()).isZero();
        compiledAndRun(CODE);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1);
    }

    /** A CPU remembers the last block it ran (a link to the next): this one and its CPU are dropped. */
    private WeakReference<Class<?>> classOfABlockRunOnItsOwnCpu() {
        X86Block block = code.translate(CODE);
        block.execute(new X86Cpu(code.memory, new X86CpuState()), compiler, 1, null);
        return new WeakReference<>(block.sequence().getClass());
    }

    @Test
    void otherCodeGetsAClassOfItsOwnAndEachRunsItsOwnOps() {
        X86Block eax = compiledAndRun(CODE);
        X86Block ecx = compiledAndRun(OTHER_CODE);
        assertThat(ecx.sequence().getClass()).isNotSameAs(eax.sequence().getClass());
        compiledAndRun(CODE);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(2);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(1);
    }
}
