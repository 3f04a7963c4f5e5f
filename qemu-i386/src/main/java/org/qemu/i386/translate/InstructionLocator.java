package org.qemu.i386.translate;

/**
 * Where the guest instruction of each op of a piece of translated code lies: the CPU asks it,
 * after a fault reported by op index, for the eip to leave the guest at.
 */
public interface InstructionLocator {
    /** Address of the guest instruction that op {@code index} implements. */
    long instructionAddress(int index);

    /** Address just past the guest instruction of op {@code index}. */
    long nextAddress(int index);
}
