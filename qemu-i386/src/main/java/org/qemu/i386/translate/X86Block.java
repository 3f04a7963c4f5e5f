package org.qemu.i386.translate;

import org.qemu.common.tcg.InterpretedSequence;
import org.qemu.common.tcg.OpSequence;
import org.qemu.common.tcg.TranslationBlock;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * A translated run of x86 instructions: one op per instruction, plus the address of each
 * instruction and of the one after it, so a fault in op i restores eip precisely.
 * Starts interpreted; after a threshold of runs it is compiled to its own class.
 */
public final class X86Block extends TranslationBlock {
    /** Runs before a block gets its own class by default; below this the define cost (~40 us) does not pay. */
    public static final int DEFAULT_COMPILE_THRESHOLD = 64;

    private final X86Op[] ops;
    private final int[] instructionAddress;
    private final int[] nextAddress;
    private volatile OpSequence<X86Cpu> sequence;

    X86Block(long pc, int flags, long firstPage, long lastPage, X86Op[] ops, int[] instructionAddress, int[] nextAddress) {
        super(pc, flags, firstPage, lastPage);
        this.ops = ops;
        this.instructionAddress = instructionAddress;
        this.nextAddress = nextAddress;
        this.sequence = new InterpretedSequence<>(ops);
    }

    /** Runs the block; the {@code compileThreshold}-th run first compiles it (0: never compile). */
    public void execute(X86Cpu cpu, BytecodeBlockCompiler compiler, int compileThreshold) {
        if (countExecution() == compileThreshold) {
            sequence = compiler.compile(ops);
        }
        sequence.run(cpu);
    }

    public int instructionCount() {
        return ops.length;
    }

    /** Address of the guest instruction that op {@code index} implements. */
    public int instructionAddress(int index) {
        return instructionAddress[index];
    }

    /** Address just past the guest instruction of op {@code index}. */
    public int nextAddress(int index) {
        return nextAddress[index];
    }
}
