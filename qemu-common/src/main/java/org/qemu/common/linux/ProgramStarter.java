package org.qemu.common.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.elf.AuxvType;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.elf.ElfFormatException;
import org.qemu.common.linux.elf.ElfLoader;
import org.qemu.common.linux.elf.InitialStack;
import org.qemu.common.linux.elf.LoadedProgram;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.memory.GuestMemory;

/**
 * Puts a process into its first instruction: either a program loaded like Linux's execve
 * (ELF, interpreter, stack with argv/envp/auxv), or a forked child restored from its parent's
 * snapshot.
 */
public final class ProgramStarter {
    private static final int CLONE_CHILD_SETTID = 0x1000000;
    private static final int CLONE_CHILD_CLEARTID = 0x200000;

    /** Loads {@code program} and prepares the main thread; the message of the exception is for the user. */
    public static LinuxThread start(LinuxProcess process, Path program, List<String> argv, Map<String, String> env,
                                    long stackSize, Path ldPrefix) throws ElfFormatException {
        return start(process, ElfLoader.readProgram(program, process.abi().elfTarget()), program, argv, env, stackSize, ldPrefix);
    }

    /** {@link #start(LinuxProcess, Path, List, Map, long, Path)} with the program's ELF file read already. */
    public static LinuxThread start(LinuxProcess process, ElfFile elf, Path program, List<String> argv, Map<String, String> env,
                                    long stackSize, Path ldPrefix) throws ElfFormatException {
        LinuxAbi abi = process.abi();
        // The CPU and its translator (decoder tables, emitters: class set-up run in the JVM's
        // interpreter) need nothing from the program: they are built on the other core while this
        // thread reads and maps the ELF file and builds the stack.
        java.util.concurrent.FutureTask<GuestCpu> cpuSetUp = new java.util.concurrent.FutureTask<>(() -> abi.newCpu(process));
        Thread cpuBuilder = new Thread(cpuSetUp, "cpu-set-up");
        cpuBuilder.setDaemon(true);
        cpuBuilder.start();
        abi.prepareAddressSpace(process);
        ElfLoader loader = new ElfLoader(process.space(), abi.elfTarget(), ldPrefix, abi.pieBase());
        LoadedProgram loaded = loader.load(elf, program);
        StartupTrace.mark("ELF mapped");
        process.space().initBrk(loaded.brkStart());

        long stackTop = abi.stackTop();
        long size = AddressSpace.pageUp(Math.max(stackSize, 64 * 1024));
        process.memory().map(stackTop - size, size, GuestMemory.READ | GuestMemory.WRITE);

        List<InitialStack.AuxEntry> auxv = new ArrayList<>(abi.architectureAuxv());
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_HWCAP, abi.hwcap()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PAGESZ, AddressSpace.PAGE));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_CLKTCK, 100));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHDR, loaded.programHeaders()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHENT, loaded.phent()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHNUM, loaded.phnum()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_BASE, loaded.interpreterBase()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_FLAGS, 0));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_ENTRY, loaded.programEntry()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_UID, HostSyscall.call(HostNr.GETUID)));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_EUID, HostSyscall.call(HostNr.GETEUID)));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_GID, HostSyscall.call(HostNr.GETGID)));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_EGID, HostSyscall.call(HostNr.GETEGID)));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_SECURE, 0));
        List<String> envp = new ArrayList<>();
        env.forEach((k, v) -> envp.add(k + "=" + v));
        byte[] random = hostRandomBytes(16);
        InitialStack stack = new InitialStack(process.data(), stackTop);
        long sp = stack.build(argv, envp, program.toString(), abi.platform(), random, auxv);

        StartupTrace.mark("stack built");
        LinuxThread main = process.createMainThread(awaitCpu(cpuSetUp));
        abi.startProcess(main.cpu(), loaded.entry(), sp);
        StartupTrace.mark("CPU created");
        inheritSignalState(process, main, System.getenv(org.qemu.common.linux.syscall.ForkExec.EXEC_SIGNAL_STATE_ENV));
        return main;
    }

    private static GuestCpu awaitCpu(java.util.concurrent.FutureTask<GuestCpu> cpuSetUp) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return cpuSetUp.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * AT_RANDOM's bytes from the host kernel's getrandom: java.security.SecureRandom would cost
     * tens of milliseconds of provider set-up at every start.
     */
    private static byte[] hostRandomBytes(int count) {
        MemorySegment buffer = Scratch.begin().allocate(count);
        long n = HostSyscall.call(HostNr.GETRANDOM, buffer.address(), count, 0);
        if (n != count) {
            throw new IllegalStateException("getrandom failed: " + n);
        }
        return buffer.toArray(ValueLayout.JAVA_BYTE);
    }

    /** After execve, ignored signals stay ignored and the signal mask is kept, as Linux does. */
    static void inheritSignalState(LinuxProcess process, LinuxThread main, String state) {
        if (state == null || state.indexOf(':') < 0) {
            return;
        }
        try {
            long ignored = Long.parseUnsignedLong(state.substring(0, state.indexOf(':')), 16);
            long blocked = Long.parseUnsignedLong(state.substring(state.indexOf(':') + 1), 16);
            for (int sig = 1; sig <= org.qemu.common.linux.signal.Signals.NSIG; sig++) {
                if ((ignored & (1L << (sig - 1))) != 0) {
                    var ignore = new org.qemu.common.linux.signal.SignalAction(
                            org.qemu.common.linux.signal.SignalAction.SIG_IGN, 0, 0, 0);
                    process.signals().setAction(sig, ignore);
                    org.qemu.common.linux.signal.HostSignals.follow(process, sig, ignore);
                }
            }
            main.setBlocked(blocked);
        } catch (NumberFormatException e) {
            // Not ours: start with the defaults.
        }
    }

    /** The child side of fork: rebuilds the parent's state from the snapshot descriptor, returns 0 to the guest. */
    public static LinuxThread restoreFork(LinuxProcess process, int snapshotFd) throws IOException {
        long started = System.nanoTime();
        LinuxThread main = process.createMainThread();
        ProcessSnapshot.ForkDetails fork;
        try {
            fork = ProcessSnapshot.read(snapshotFd, process, main);
        } finally {
            HostSyscall.call(HostNr.CLOSE, snapshotFd);
        }
        LinuxAbi abi = process.abi();
        var table = process.syscalls().descriptors();
        for (int fd : table.guestDescriptors()) {
            table.remove(fd);
        }
        for (int fd : fork.guestFds()) {
            table.add(fd);
        }
        for (int fd : fork.closeOnExecFds()) {
            HostSyscall.call(HostNr.FCNTL, fd, 2 /* F_SETFD */, 1 /* FD_CLOEXEC */);
        }
        abi.setSyscallResult(main.cpu(), 0);
        if (System.getenv("QEMU_DEBUG") != null) {
            System.err.printf("qemu: fork child restored in %.1f ms, %.0f ms after JVM start%n",
                    (System.nanoTime() - started) / 1e6,
                    (double) (System.currentTimeMillis() - ProcessHandle.current().info().startInstant()
                            .map(java.time.Instant::toEpochMilli).orElse(System.currentTimeMillis())));
        }
        if (fork.newStack() != 0) {
            // clone() without CLONE_VM but with a stack (posix_spawn's vfork-style child) runs on that stack.
            setStack(process, main, fork.newStack());
        }
        if ((fork.cloneFlags() & CLONE_CHILD_SETTID) != 0 && fork.childTidAddress() != 0) {
            process.data().put32(fork.childTidAddress(), process.pid());
        }
        if ((fork.cloneFlags() & CLONE_CHILD_CLEARTID) != 0) {
            main.setClearChildTid(fork.childTidAddress());
        }
        return main;
    }

    private static void setStack(LinuxProcess process, LinuxThread thread, long stack) {
        process.abi().setStackPointer(thread.cpu(), stack);
    }

    private ProgramStarter() {
    }
}
