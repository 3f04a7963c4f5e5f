package org.qemu.common.linux;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.syscall.StructLayouts;

/**
 * Everything the target-neutral runtime must ask a target about: its ELF identity, its
 * address-space layout, where a system call's number and arguments live in its registers,
 * its struct layouts and signal frames, and how to copy its CPU for threads and fork.
 */
public interface LinuxAbi {
    /** Target name in messages ("i386"). */
    String name();

    /** uname's machine field ("i686"). */
    String unameMachine();

    /** AT_PLATFORM string, or null. */
    String platform();

    ElfFile.Target elfTarget();

    int wordSize();

    boolean bigEndian();

    /** Address bits of the guest address space. */
    int addressBits();

    /** The initial stack grows down from here. */
    long stackTop();

    /** Load address of position-independent executables. */
    long pieBase();

    /** Lowest address mmap picks on its own. */
    long mmapBottom();

    /** AT_HWCAP as the CPU model claims it. */
    long hwcap();

    /** Kernel name of a system call number ("read"), or null if the ABI has none there. */
    String syscallName(int number);

    StructLayouts structs();

    SignalFrames signalFrames();

    /** Auxiliary vector entries the architecture puts before the generic ones (Linux's ARCH_DLINFO). */
    default java.util.List<org.qemu.common.linux.elf.InitialStack.AuxEntry> architectureAuxv() {
        return java.util.List.of();
    }

    /** Maps what the ABI keeps in every address space (e.g. signal return trampolines). */
    default void prepareAddressSpace(LinuxProcess process) {
    }

    /**
     * Gives the ABI a first look at a synchronous trap (x86-64: a call into the legacy vsyscall
     * page, which the kernel emulates); true if it handled it and the thread just goes on.
     */
    default boolean handleTrap(LinuxThread thread, org.qemu.common.exec.GuestTrap trap) {
        return false;
    }

    /** A fresh CPU for the first thread of a process over its memory. */
    GuestCpu newCpu(LinuxProcess process);

    /** Sets the registers a new process starts with (Linux's start_thread). */
    void startProcess(GuestCpu cpu, long entry, long stackPointer);

    /**
     * Sets the stack pointer (a forked child that clone() gave its own stack). Targets that
     * do not override it cannot run such children; the child then fails with this message.
     */
    default void setStackPointer(GuestCpu cpu, long stackPointer) {
        throw new UnsupportedOperationException(name() + ": clone() into a new process with its own stack");
    }

    int syscallNumber(GuestCpu cpu);

    long syscallArgument(GuestCpu cpu, int index);

    void setSyscallResult(GuestCpu cpu, long result);

    /** Moves the pc back onto the syscall instruction, so it runs again (restart after a signal). */
    void rewindSyscall(GuestCpu cpu);

    /** A copy of a CPU for clone(): a new thread on the same memory, stack pointer {@code newStack} (0 keeps it), result 0. */
    GuestCpu cloneCpu(GuestCpu parent, LinuxProcess process, long newStack);

    /** clone's arguments in the order {flags, new stack, parent tid pointer, tls, child tid pointer}. */
    long[] cloneArguments(long[] registers);

    /** Applies clone's CLONE_SETTLS argument the way the architecture defines it. */
    long setTls(LinuxThread thread, long tlsArgument);

    /**
     * Architecture-specific system calls (set_thread_area, arch_prctl, ...); returns
     * {@code null} if the name is not one of them.
     */
    Long archSyscall(LinuxThread thread, String name, long[] args);

    /**
     * The host's number for a SOL_SOCKET option as the guest numbers it: the generic numbers
     * (asm-generic/socket.h) unless the architecture has its own (PowerPC's six in 16-21).
     */
    default int hostSocketOption(int name) {
        return name;
    }

    /** Serializes a CPU's whole user-visible state (for fork into a new emulator process). */
    byte[] saveCpu(GuestCpu cpu);

    void restoreCpu(GuestCpu cpu, byte[] state);
}
