package org.qemu.common.linux.syscall;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.ProcessSnapshot;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;
import org.qemu.common.linux.host.Spawn;

/**
 * fork, execve and wait. A JVM cannot fork itself, so a forked guest continues in a new
 * emulator process started with posix_spawn (inheriting descriptors, cwd, umask) that
 * restores a snapshot of this one; execve replaces this process with a new emulator
 * running the new program, so the pid and the descriptors carry over. Children are real
 * host processes: wait4 and kill are host calls.
 */
public final class ForkExec extends SyscallSupport {
    /** Environment variable naming the descriptor of a fork snapshot, read by the child emulator. */
    public static final String SNAPSHOT_ENV = "QEMU_FORK_SNAPSHOT";
    private static final int MAX_ARGS = 1 << 16;

    private final FdTable fds;

    ForkExec(LinuxProcess process, FdTable fds) {
        super(process);
        this.fds = fds;
    }

    long fork(LinuxThread thread, boolean vfork) {
        return cloneProcess(thread, 17 /* SIGCHLD */, 0, 0, 0);
    }

    long cloneProcess(LinuxThread thread, long flags, long newStack, long parentTid, long childTid) {
        System.out.flush();
        System.err.flush();
        // Close-on-exec guest descriptors would not survive the spawn: they are passed explicitly,
        // and so are the descriptors kept for shared mappings (the child maps the same pages)
        int[] cloexec = fds.closeOnExec();
        int[] spawnKeeps = java.util.stream.IntStream.concat(java.util.Arrays.stream(cloexec),
                process.syscalls().memory().sharedMappings().stream().mapToInt(MemorySyscalls.SharedMapping::hostFd))
                .distinct().toArray();
        long memfd = HostSyscall.call(HostNr.MEMFD_CREATE, Scratch.begin().cString("qemu-fork").address(), 0);
        if (memfd < 0) {
            return memfd;
        }
        long started = System.nanoTime();
        try {
            ProcessSnapshot.write((int) memfd, process, thread, new ProcessSnapshot.ForkDetails(flags, childTid, newStack,
                    fds.guestDescriptors(), cloexec));
            List<byte[]> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) {
                if (!e.getKey().equals(SNAPSHOT_ENV)) {
                    env.add((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
                }
            }
            env.add((SNAPSHOT_ENV + "=" + memfd).getBytes(StandardCharsets.UTF_8));
            List<String> args = emulatorArguments(process.paths().program());
            long written = System.nanoTime();
            long pid = Spawn.spawn(args.get(0), bytes(args), env, spawnKeeps);
            if (System.getenv("QEMU_DEBUG") != null) {
                System.err.printf("qemu: fork snapshot %d KiB written in %.1f ms, spawn %.1f ms%n",
                        HostSyscall.call(HostNr.LSEEK, memfd, 0, 2) / 1024, (written - started) / 1e6,
                        (System.nanoTime() - written) / 1e6);
            }
            if (pid > 0 && (flags & ThreadSyscalls.CLONE_PARENT_SETTID) != 0 && parentTid != 0) {
                data.put32(parentTid, (int) pid);
            }
            return pid;
        } catch (IOException e) {
            return err(Errno.ENOMEM);
        } finally {
            HostSyscall.call(HostNr.CLOSE, memfd);
        }
    }

    /** The emulator's own switches that a child or an exec'd program keeps, then the program. */
    private List<String> emulatorArguments(String program) {
        List<String> args = new ArrayList<>();
        if (process.paths().ldPrefix() != null) {
            args.add("-L");
            args.add(process.paths().ldPrefix().toString());
        }
        if (process.options().strace()) {
            args.add("-strace");
        }
        if (process.options().unameRelease() != null) {
            args.add("-r");
            args.add(process.options().unameRelease());
        }
        args.add(program);
        return process.options().emulator().with(args);
    }

    private static List<byte[]> bytes(List<String> strings) {
        List<byte[]> out = new ArrayList<>(strings.size());
        for (String s : strings) {
            out.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private List<byte[]> readVector(long address) {
        List<byte[]> out = new ArrayList<>();
        if (address == 0) {
            return out;
        }
        for (int i = 0; i < MAX_ARGS; i++) {
            long p = data.word(address + (long) i * word);
            if (p == 0) {
                return out;
            }
            out.add(memory.readCStringBytes(p, 1 << 20));
        }
        throw new IllegalArgumentException("argument list too long");
    }

    long execve(LinuxThread thread, long pathAddr, long argvAddr, long envpAddr) {
        String guestPath = pathString(pathAddr);
        List<byte[]> argv;
        List<byte[]> envp;
        try {
            argv = readVector(argvAddr);
            envp = readVector(envpAddr);
        } catch (IllegalArgumentException e) {
            return err(Errno.E2BIG);
        }
        String hostPath = hostAbsolute(process.paths().translate(guestPath));
        Path file = Path.of(hostPath);
        if (!Files.exists(file)) {
            return err(Errno.ENOENT);
        }
        if (Files.isDirectory(file) || !Files.isExecutable(file)) {
            return err(Errno.EACCES);
        }
        byte[] head = readHead(file);
        if (head == null) {
            return err(Errno.EACCES);
        }
        List<byte[]> guestArgv = new ArrayList<>(argv);
        String program = absolute(hostPath);
        if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
            String line = new String(head, 2, head.length - 2, StandardCharsets.UTF_8);
            int nl = line.indexOf('\n');
            if (nl < 0) {
                return err(Errno.ENOEXEC);
            }
            String[] parts = line.substring(0, nl).trim().split("[ \t]+", 2);
            if (parts[0].isEmpty()) {
                return err(Errno.ENOEXEC);
            }
            // Like Linux: interpreter, its one optional argument, the script path, then argv[1..].
            List<byte[]> scriptArgv = new ArrayList<>();
            scriptArgv.add(parts[0].getBytes(StandardCharsets.UTF_8));
            if (parts.length > 1) {
                scriptArgv.add(parts[1].getBytes(StandardCharsets.UTF_8));
            }
            scriptArgv.add(guestPath.getBytes(StandardCharsets.UTF_8));
            for (int i = 1; i < argv.size(); i++) {
                scriptArgv.add(argv.get(i));
            }
            guestArgv = scriptArgv;
            String interp = hostAbsolute(process.paths().translate(parts[0]));
            if (!Files.isRegularFile(Path.of(interp))) {
                return err(Errno.ENOENT);
            }
            program = absolute(interp);
            head = readHead(Path.of(interp));
        }
        if (head == null || !ElfFile.matchesTarget(head, process.abi().elfTarget())) {
            return err(Errno.ENOEXEC);
        }
        List<String> args = emulatorArguments(program);
        List<byte[]> hostArgv = new ArrayList<>(bytes(args));
        for (int i = 1; i < guestArgv.size(); i++) {
            hostArgv.add(guestArgv.get(i));
        }
        List<byte[]> hostEnv = new ArrayList<>(envp);
        byte[] argv0 = guestArgv.isEmpty() ? program.getBytes(StandardCharsets.UTF_8) : guestArgv.get(0);
        hostEnv.add(concat("QEMU_ARGV0=", argv0));
        hostEnv.add((EXEC_SIGNAL_STATE_ENV + "=" + execSignalState(thread)).getBytes(StandardCharsets.UTF_8));
        System.out.flush();
        System.err.flush();
        long r = Spawn.exec(args.get(0), hostArgv, hostEnv);
        return r < 0 ? r : err(Errno.ENOEXEC);
    }

    /** Environment variable carrying the signal state execve keeps: ignored signals and the mask. */
    public static final String EXEC_SIGNAL_STATE_ENV = "QEMU_EXEC_SIGNALS";

    /** {@code ignored:blocked} as hex bit sets (bit N-1 for signal N). */
    private String execSignalState(LinuxThread thread) {
        long ignored = 0;
        var actions = process.signals().actions();
        for (int sig = 1; sig < actions.length; sig++) {
            if (actions[sig].handler() == org.qemu.common.linux.signal.SignalAction.SIG_IGN) {
                ignored |= 1L << (sig - 1);
            }
        }
        return Long.toHexString(ignored) + ":" + Long.toHexString(thread.blocked());
    }

    private static byte[] concat(String prefix, byte[] value) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[p.length + value.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(value, 0, out, p.length, value.length);
        return out;
    }

    /**
     * Java resolves relative paths against the directory the JVM started in; the guest may have
     * changed the process's working directory since, so resolve against the real one.
     */
    private static String hostAbsolute(String path) {
        if (path.startsWith("/")) {
            return path;
        }
        Scratch s = Scratch.begin();
        MemorySegment buf = s.allocate(4096);
        long n = HostSyscall.call(HostNr.GETCWD, addr(buf), 4096);
        if (n <= 0) {
            return path;
        }
        String cwd = buf.getString(0);
        return cwd.endsWith("/") ? cwd + path : cwd + "/" + path;
    }

    private static String absolute(String path) {
        return Path.of(path).toAbsolutePath().normalize().toString();
    }

    private static byte[] readHead(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(256);
        } catch (IOException e) {
            return null;
        }
    }

    long wait4(int pid, long statusAddr, int options, long rusageAddr) {
        Scratch s = Scratch.begin();
        MemorySegment status = s.allocate(4);
        MemorySegment ru = s.allocate(144);
        long r = HostSyscall.call(HostNr.WAIT4, pid, addr(status), options, rusageAddr == 0 ? 0 : addr(ru));
        if (r > 0) {
            if (statusAddr != 0) {
                data.put32(statusAddr, i32(status, 0));
            }
            if (rusageAddr != 0) {
                for (int i = 0; i < 18; i++) {
                    data.putWord(rusageAddr + (long) i * word, i64(ru, 8L * i));
                }
            }
        }
        return r;
    }
}
