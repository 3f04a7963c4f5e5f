package org.qemu.ppc.translate;

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

    protected PpcBlock(int start, int end) {
        this.start = start;
        this.end = end;
    }

    public abstract int execute(PpcCpuState state);
}
