package org.qemu.ppc.translate;

import java.util.List;

import org.qemu.ppc.cpu.PpcCpuState;

/**
 * A translated run of guest instructions, [start, end). Subclasses are generated hidden
 * classes; {@link #execute} runs the instructions and returns the guest pc to continue at.
 */
public abstract class PpcBlock {
    public final int start;
    public final int end;
    /** Cleared when a guest store hits the block's page; runners then translate again. */
    public volatile boolean valid = true;
    /** How often runners entered the block (racy between threads; only a hotness hint). */
    public int executions;
    /**
     * Where the block's final branch went the last time it ran interpreted: the guess a trace
     * follows through an indirect call (bctrl), checked at run time (0: none yet).
     */
    public int lastTarget;
    /** The decoded instructions, kept to compile the block again into its page's region. */
    List<Instruction> instructions = List.of();

    protected PpcBlock(int start, int end) {
        this.start = start;
        this.end = end;
    }

    public abstract int execute(PpcCpuState state);
}
