package org.qemu.ppc.linux;

import org.qemu.common.linux.syscall.SyscallNameTable;

/** ppc32 system call numbers to kernel names, from the resource {@code syscalls.tbl} (numbers are facts of the kernel ABI). */
final class PpcSyscallTable {
    static final int SIZE = 1024;
    private static final SyscallNameTable NAMES = SyscallNameTable.load(PpcSyscallTable.class, "syscalls.tbl", SIZE);

    private PpcSyscallTable() {
    }

    static String name(int number) {
        return NAMES.name(number);
    }
}
