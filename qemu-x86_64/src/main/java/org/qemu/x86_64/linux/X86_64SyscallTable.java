package org.qemu.x86_64.linux;

import org.qemu.common.linux.syscall.SyscallNameTable;

/**
 * x86-64 system call numbers to kernel names, from the resource {@code syscalls.tbl}, which is
 * asm/unistd_64.h turned into "number name" lines. x32 numbers (bit 30 set) are not mapped.
 */
final class X86_64SyscallTable {
    static final int SIZE = 512;
    private static final SyscallNameTable NAMES = SyscallNameTable.load(X86_64SyscallTable.class, "syscalls.tbl", SIZE);

    private X86_64SyscallTable() {
    }

    static String name(int number) {
        return NAMES.name(number);
    }
}
