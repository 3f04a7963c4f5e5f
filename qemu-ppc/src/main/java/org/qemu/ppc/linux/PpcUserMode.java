package org.qemu.ppc.linux;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.ProcessExit;
import org.qemu.common.linux.ProcessSnapshot;
import org.qemu.common.linux.elf.AuxvType;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.elf.ElfFormatException;
import org.qemu.common.linux.elf.ElfLoader;
import org.qemu.common.linux.elf.InitialStack;
import org.qemu.common.linux.elf.LoadedProgram;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.linux.syscall.ForkExec;
import org.qemu.common.memory.GuestMemory;
import org.qemu.ppc.cpu.LoadStoreOps;
import org.qemu.ppc.cpu.PpcCpuState;
import org.qemu.ppc.translate.PpcCpu;

/**
 * Starts a ppc32 Linux program in this JVM: loads it (and its interpreter), builds the entry
 * stack with the PowerPC auxv, and runs the main thread; or, in a forked child emulator,
 * rebuilds the parent's process from its snapshot. Returns the exit status, and makes a
 * guest killed by a signal kill this host process with the same signal.
 */
public final class PpcUserMode {
    /** AT_* entries PowerPC adds (asm/auxvec.h): cache block sizes, and AT_IGNOREPPC padding for old glibc. */
    static final int AT_DCACHEBSIZE = 19;
    static final int AT_ICACHEBSIZE = 20;
    static final int AT_UCACHEBSIZE = 21;
    static final int AT_IGNOREPPC = 22;

    private static final int CLONE_CHILD_CLEARTID = 0x00200000;
    private static final int CLONE_CHILD_SETTID = 0x01000000;

    private final Class<?> launcherClass;

    public PpcUserMode(Class<?> launcherClass) {
        this.launcherClass = launcherClass;
    }

    public int run(UserModeRequest request) throws LauncherException {
        PpcLinuxAbi abi = new PpcLinuxAbi();
        String program = request.program().toAbsolutePath().normalize().toString();
        LinuxProcess process = new LinuxProcess(abi, new GuestPaths(request.ldPrefix(), program),
                new LinuxProcess.RuntimeOptions(request.strace(), request.unameRelease(), System.err,
                        EmulatorCommand.ofCurrentJvm(launcherClass), PpcUserMode::endHostProcess));
        String snapshot = System.getenv(ForkExec.SNAPSHOT_ENV);
        if (snapshot != null) {
            resumeForkedChild(process, Integer.parseInt(snapshot.trim()));
        } else {
            start(process, abi, request, program);
        }
        ProcessExit exit = process.runMain();
        endHostProcess(exit);
        return exit.status();
    }

    private static void start(LinuxProcess process, PpcLinuxAbi abi, UserModeRequest request, String program)
            throws LauncherException {
        byte[] bytes;
        ElfFile elf;
        LoadedProgram loaded;
        try {
            bytes = ElfLoader.readFile(request.program());
            if (!ElfFile.hasElfMagic(bytes)) {
                throw new LauncherException("Error while loading " + request.program() + ": Exec format error");
            }
            elf = ElfFile.parse(bytes, abi.elfTarget());
            ElfLoader loader = new ElfLoader(process.space(), abi.elfTarget(), request.ldPrefix(), abi.pieBase());
            loaded = loader.load(elf);
        } catch (ElfFormatException e) {
            throw new LauncherException(request.program() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // A truncated or inconsistent file: offsets point outside it.
            throw new LauncherException(request.program() + ": Invalid ELF image for this architecture");
        }
        GuestMemory memory = process.memory();
        mapSignalTrampolines(memory);
        process.space().initBrk(loaded.brkStart());
        long stackSize = Math.max(request.stackSize(), 128 * 1024);
        memory.map(PpcLinuxAbi.STACK_TOP - stackSize, stackSize, GuestMemory.READ | GuestMemory.WRITE);

        List<InitialStack.AuxEntry> auxv = new ArrayList<>();
        auxv.add(new InitialStack.AuxEntry(AT_IGNOREPPC, AT_IGNOREPPC));
        auxv.add(new InitialStack.AuxEntry(AT_IGNOREPPC, AT_IGNOREPPC));
        auxv.add(new InitialStack.AuxEntry(AT_DCACHEBSIZE, LoadStoreOps.CACHE_LINE));
        auxv.add(new InitialStack.AuxEntry(AT_ICACHEBSIZE, LoadStoreOps.CACHE_LINE));
        auxv.add(new InitialStack.AuxEntry(AT_UCACHEBSIZE, 0));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_HWCAP, abi.hwcap()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PAGESZ, GuestMemory.PAGE_SIZE));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_CLKTCK, 100));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHDR, loaded.programHeaders()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHENT, loaded.phent()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_PHNUM, loaded.phnum()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_BASE, loaded.interpreterBase()));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_FLAGS, 0));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_ENTRY, loaded.programEntry()));
        long uid = HostSyscall.call(HostNr.GETUID);
        long euid = HostSyscall.call(HostNr.GETEUID);
        long gid = HostSyscall.call(HostNr.GETGID);
        long egid = HostSyscall.call(HostNr.GETEGID);
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_UID, uid));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_EUID, euid));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_GID, gid));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_EGID, egid));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_SECURE, 0));
        auxv.add(new InitialStack.AuxEntry(AuxvType.AT_HWCAP2, 0));
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        List<String> envp = new ArrayList<>();
        for (Map.Entry<String, String> e : request.environment().entrySet()) {
            envp.add(e.getKey() + "=" + e.getValue());
        }
        long sp = new InitialStack(process.data(), PpcLinuxAbi.STACK_TOP)
                .build(request.argv(), envp, program, abi.platform(), random, auxv);
        LinuxThread main = process.createMainThread();
        abi.startProcess(main.cpu(), loaded.entry(), sp);
    }

    /** "li r0,119; sc" (sigreturn) and "li r0,172; sc" (rt_sigreturn): the return path of signal handlers. */
    static void mapSignalTrampolines(GuestMemory memory) {
        ByteBuffer code = ByteBuffer.allocate(16);
        code.putInt(0x38000000 | PpcLinuxAbi.NR_SIGRETURN).putInt(0x44000002);
        code.putInt(0x38000000 | PpcLinuxAbi.NR_RT_SIGRETURN).putInt(0x44000002);
        memory.map(PpcLinuxAbi.TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        memory.load(PpcLinuxAbi.TRAMPOLINE_PAGE, code.array(), 0, 16);
        memory.protect(PpcLinuxAbi.TRAMPOLINE_PAGE, GuestMemory.PAGE_SIZE, GuestMemory.READ | GuestMemory.EXEC);
    }

    /** The child half of fork(): the parent's memory, registers and dispositions, then fork returns 0. */
    private static void resumeForkedChild(LinuxProcess process, int fd) throws LauncherException {
        LinuxThread main = process.createMainThread();
        ProcessSnapshot.ForkDetails fork;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream("/proc/self/fd/" + fd), 1 << 16))) {
            fork = ProcessSnapshot.read(in, process, main);
        } catch (IOException e) {
            throw new LauncherException("cannot resume forked process: " + e.getMessage());
        } finally {
            HostSyscall.call(HostNr.CLOSE, fd);
        }
        PpcCpuState s = ((PpcCpu) main.cpu()).state();
        process.abi().setSyscallResult(main.cpu(), 0);
        if (fork.newStack() != 0) {
            s.gpr[1] = (int) fork.newStack();
        }
        if ((fork.cloneFlags() & CLONE_CHILD_SETTID) != 0 && fork.childTidAddress() != 0) {
            process.data().put32(fork.childTidAddress(), process.pid());
        }
        if ((fork.cloneFlags() & CLONE_CHILD_CLEARTID) != 0) {
            main.setClearChildTid(fork.childTidAddress());
        }
    }

    /**
     * Ends this JVM the way the guest ended: its exit status, or death by the same signal (so a
     * parent's waitpid sees WIFSIGNALED and a shell prints 128+N).
     */
    static void endHostProcess(ProcessExit exit) {
        System.out.flush();
        System.err.flush();
        if (exit.signal() != 0) {
            Scratch s = Scratch.begin();
            MemorySegment defaultAction = s.allocate(32);
            defaultAction.fill((byte) 0);
            HostSyscall.call(HostNr.RT_SIGACTION, exit.signal(), defaultAction.address(), 0, 8);
            // Unblock it in this thread, then send it to ourselves.
            MemorySegment set = s.allocate(8);
            set.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 1L << (exit.signal() - 1));
            HostSyscall.call(HostNr.RT_SIGPROCMASK, 1 /* SIG_UNBLOCK */, set.address(), 0, 8);
            HostSyscall.call(HostNr.KILL, HostSyscall.call(HostNr.GETPID), exit.signal());
        }
        Runtime.getRuntime().halt(exit.status());
    }
}
