package org.qemu.common.linux.elf;

/** Auxiliary vector keys (linux/auxvec.h, include/uapi/linux/auxvec.h): facts of the ABI. */
public final class AuxvType {
    public static final int AT_NULL = 0;
    public static final int AT_PHDR = 3;
    public static final int AT_PHENT = 4;
    public static final int AT_PHNUM = 5;
    public static final int AT_PAGESZ = 6;
    public static final int AT_BASE = 7;
    public static final int AT_FLAGS = 8;
    public static final int AT_ENTRY = 9;
    public static final int AT_UID = 11;
    public static final int AT_EUID = 12;
    public static final int AT_GID = 13;
    public static final int AT_EGID = 14;
    public static final int AT_PLATFORM = 15;
    public static final int AT_HWCAP = 16;
    public static final int AT_CLKTCK = 17;
    public static final int AT_SECURE = 23;
    public static final int AT_RANDOM = 25;
    public static final int AT_HWCAP2 = 26;
    public static final int AT_EXECFN = 31;

    private AuxvType() {
    }
}
