package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Cpu;

/**
 * A set of hot blocks compiled into one method ({@link RegionCompiler}): control passes between
 * them inside the method, with the guest registers and the lazy flags in JVM locals, and leaves
 * only for code outside the region, a system call, a trap, an exit request, or when the region
 * dies. Its ops are numbered across all its blocks, in block order.
 *
 * <p>A region dies with any of its blocks (a write into its code, an unmap, execve); the
 * generated code checks {@link #valid} at block boundaries where it matters, so a region that
 * overwrites its own code leaves at the next block boundary.
 */
public abstract class X86Region implements InstructionLocator {
    /** Read by the generated code at block boundaries. */
    volatile boolean valid = true;
    private final X86Block[] blocks;
    private final int[] instructionAddress;
    private final int[] nextAddress;

    protected X86Region(X86Block[] blocks, int[] instructionAddress, int[] nextAddress) {
        this.blocks = blocks;
        this.instructionAddress = instructionAddress;
        this.nextAddress = nextAddress;
    }

    /** Runs from the block at eip until control leaves the region; eip is then where to go on. */
    public abstract void run(X86Cpu cpu);

    public boolean isValid() {
        return valid;
    }

    /** Kills the region: running copies leave at their next check, its blocks stop entering it. */
    void invalidate() {
        valid = false;
        for (X86Block b : blocks) {
            b.regionDied(this);
        }
    }

    /** The block the region was grown from. */
    public X86Block entryBlock() {
        return blocks[0];
    }

    public int blockCount() {
        return blocks.length;
    }

    @Override
    public long instructionAddress(int index) {
        return instructionAddress[index];
    }

    @Override
    public long nextAddress(int index) {
        return nextAddress[index];
    }
}
