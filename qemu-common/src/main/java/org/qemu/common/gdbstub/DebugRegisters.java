package org.qemu.common.gdbstub;

/**
 * One CPU's register file in the order and sizes of its {@link TargetDescription}, each
 * register as the bytes GDB expects (the target's byte order).
 */
public interface DebugRegisters {
    /** The register's bytes, or null if {@code regnum} is not one of the description's. */
    byte[] read(int regnum);

    /** Sets a register from its bytes; false if {@code regnum} is unknown or the size is wrong. */
    boolean write(int regnum, byte[] value);

    long programCounter();
}
