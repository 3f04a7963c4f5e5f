package org.qemu.common.linux.syscall;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.Errno;
import org.qemu.common.linux.LinuxAbi;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.ProcessExit;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.memory.GuestMemoryFault;

/**
 * Serves one system call: reads number and arguments through the ABI, runs the call,
 * writes the result back, and logs it QEMU-style under -strace. A guest pointer that
 * cannot be accessed gives -EFAULT, never a crash.
 */
public final class SyscallDispatcher {
    /** A call that set the registers itself (sigreturn): nothing to write back. */
    public static final long NO_RESULT = Long.MIN_VALUE;

    private final LinuxProcess process;
    private final LinuxAbi abi;
    private final Syscall[] table = new Syscall[1024];
    private final String[] names = new String[1024];
    private final FdTable fds;
    private final FileSyscalls files;
    private final SocketSyscalls sockets;
    private final ProcessSyscalls procs;
    private final MemorySyscalls mem;
    private final TimeSyscalls time;
    private final SignalSyscalls signals;
    private final ThreadSyscalls threads;
    private final ForkExec forkExec;
    private final Strace strace;

    public SyscallDispatcher(LinuxProcess process) {
        this.process = process;
        this.abi = process.abi();
        for (int i = 0; i < table.length; i++) {
            String name = abi.syscallName(i);
            names[i] = name;
            table[i] = name == null ? null : Syscall.byName(name);
        }
        this.fds = FdTable.ofCurrentProcess();
        this.files = new FileSyscalls(process, fds);
        this.sockets = new SocketSyscalls(process, fds);
        this.procs = new ProcessSyscalls(process);
        this.mem = new MemorySyscalls(process);
        this.time = new TimeSyscalls(process);
        this.signals = new SignalSyscalls(process);
        this.threads = new ThreadSyscalls(process);
        this.forkExec = new ForkExec(process, fds);
        this.strace = process.options().strace() ? new Strace(process) : null;
    }

    public MemorySyscalls memory() {
        return mem;
    }

    public FdTable descriptors() {
        return fds;
    }

    public ForkExec forkExec() {
        return forkExec;
    }

    public void dispatch(LinuxThread thread) {
        GuestCpu cpu = thread.cpu();
        int nr = abi.syscallNumber(cpu);
        long[] a = new long[6];
        for (int i = 0; i < 6; i++) {
            a[i] = abi.syscallArgument(cpu, i);
        }
        String name = nr >= 0 && nr < names.length ? names[nr] : null;
        if (strace != null) {
            strace.enter(thread, nr, name, a);
            if ("execve".equals(name)) {
                // A successful execve never returns here: log the call before it happens.
                strace.flushPending();
            }
        }
        long result;
        try {
            Long arch = name == null ? null : abi.archSyscall(thread, name, a);
            result = arch != null ? arch : call(thread, nr >= 0 && nr < table.length ? table[nr] : null, a);
        } catch (GuestMemoryFault fault) {
            result = -Errno.EFAULT;
        } catch (ProcessExit exit) {
            if (strace != null) {
                strace.exit(thread, name, exit);
            }
            throw exit;
        }
        if (result != NO_RESULT) {
            abi.setSyscallResult(cpu, result);
        }
        if (strace != null) {
            strace.result(thread, name, result);
        }
    }

    /** One call by its generic name; arguments are the raw register values (i386 argument order). */
    long call(LinuxThread t, Syscall s, long[] a) {
        if (s == null) {
            return -Errno.ENOSYS;
        }
        int fd = (int) a[0];
        return switch (s) {
            case EXIT -> throw ProcessExit.threadExit((int) a[0]);
            case EXIT_GROUP -> throw ProcessExit.exitGroup((int) a[0]);
            case READ -> files.read(fd, a[1], a[2]);
            case WRITE -> files.write(t, fd, a[1], a[2]);
            case READV -> files.vectored(t, fd, a[1], (int) a[2], false);
            case WRITEV -> files.vectored(t, fd, a[1], (int) a[2], true);
            case PREAD64 -> files.pread(fd, a[1], a[2], abi.wordSize() == 4 ? pair(a[3], a[4]) : a[3]);
            case PWRITE64 -> files.pwrite(fd, a[1], a[2], abi.wordSize() == 4 ? pair(a[3], a[4]) : a[3]);
            case OPEN -> files.openat(SyscallSupport.AT_FDCWD, a[0], (int) a[1], (int) a[2]);
            case CREAT -> files.openat(SyscallSupport.AT_FDCWD, a[0], 0x41 | 0x200, (int) a[1]);
            case OPENAT -> files.openat((int) a[0], a[1], (int) a[2], (int) a[3]);
            case CLOSE -> files.close(fd);
            case LSEEK -> files.lseek(fd, signed(a[1]), (int) a[2]);
            case SYS_LLSEEK -> files.llseek(fd, a[1], a[2], a[3], (int) a[4]);
            case DUP -> files.dup(fd);
            case DUP2 -> files.dup3(fd, (int) a[1], 0, true);
            case DUP3 -> files.dup3(fd, (int) a[1], (int) a[2], false);
            case FCNTL -> files.fcntl(fd, (int) a[1], a[2], false);
            case FCNTL64 -> files.fcntl(fd, (int) a[1], a[2], true);
            case STAT64 -> files.fstatat(SyscallSupport.AT_FDCWD, a[0], a[1], 0, false);
            case LSTAT64 -> files.fstatat(SyscallSupport.AT_FDCWD, a[0], a[1], 0x100, false);
            case FSTAT64 -> files.fstat(fd, a[1], false);
            case FSTATAT64, NEWFSTATAT -> files.fstatat((int) a[0], a[1], a[2], (int) a[3], false);
            case STAT -> files.fstatat(SyscallSupport.AT_FDCWD, a[0], a[1], 0, abi.wordSize() == 4);
            case LSTAT -> files.fstatat(SyscallSupport.AT_FDCWD, a[0], a[1], 0x100, abi.wordSize() == 4);
            case FSTAT -> files.fstat(fd, a[1], abi.wordSize() == 4);
            case STATX -> files.statx((int) a[0], a[1], (int) a[2], (int) a[3], a[4]);
            case ACCESS -> files.faccessat(SyscallSupport.AT_FDCWD, a[0], (int) a[1], 0);
            case FACCESSAT -> files.faccessat((int) a[0], a[1], (int) a[2], 0);
            case FACCESSAT2 -> files.faccessat((int) a[0], a[1], (int) a[2], (int) a[3]);
            case READLINK -> files.readlinkat(SyscallSupport.AT_FDCWD, a[0], a[1], signed(a[2]));
            case READLINKAT -> files.readlinkat((int) a[0], a[1], a[2], signed(a[3]));
            case UNLINK -> files.pathCall(HostNr.UNLINKAT, SyscallSupport.AT_FDCWD, a[0], 0, 0, 0);
            case UNLINKAT -> files.pathCall(HostNr.UNLINKAT, (int) a[0], a[1], a[2], 0, 0);
            case RMDIR -> files.pathCall(HostNr.UNLINKAT, SyscallSupport.AT_FDCWD, a[0], 0x200, 0, 0);
            case MKDIR -> files.pathCall(HostNr.MKDIRAT, SyscallSupport.AT_FDCWD, a[0], a[1], 0, 0);
            case MKDIRAT -> files.pathCall(HostNr.MKDIRAT, (int) a[0], a[1], a[2], 0, 0);
            case MKNOD -> files.pathCall(HostNr.MKNODAT, SyscallSupport.AT_FDCWD, a[0], a[1], a[2], 0);
            case MKNODAT -> files.pathCall(HostNr.MKNODAT, (int) a[0], a[1], a[2], a[3], 0);
            case CHMOD -> files.pathCall(HostNr.FCHMODAT, SyscallSupport.AT_FDCWD, a[0], a[1], 0, 0);
            case FCHMODAT -> files.pathCall(HostNr.FCHMODAT, (int) a[0], a[1], a[2], 0, 0);
            case FCHMOD -> HostSyscall.call(HostNr.FCHMOD, fd, a[1]);
            case CHOWN, CHOWN32 -> files.pathCall(HostNr.FCHOWNAT, SyscallSupport.AT_FDCWD, a[0], id(s, a[1]), id(s, a[2]), 0);
            case LCHOWN, LCHOWN32 -> files.pathCall(HostNr.FCHOWNAT, SyscallSupport.AT_FDCWD, a[0], id(s, a[1]), id(s, a[2]), 0x100);
            case FCHOWN, FCHOWN32 -> HostSyscall.call(HostNr.FCHOWN, fd, id(s, a[1]), id(s, a[2]));
            case FCHOWNAT -> files.pathCall(HostNr.FCHOWNAT, (int) a[0], a[1], (int) a[2], (int) a[3], a[4]);
            case RENAME -> files.renameat(SyscallSupport.AT_FDCWD, a[0], SyscallSupport.AT_FDCWD, a[1], 0);
            case RENAMEAT -> files.renameat((int) a[0], a[1], (int) a[2], a[3], 0);
            case RENAMEAT2 -> files.renameat((int) a[0], a[1], (int) a[2], a[3], (int) a[4]);
            case LINK -> files.linkat(SyscallSupport.AT_FDCWD, a[0], SyscallSupport.AT_FDCWD, a[1], 0);
            case LINKAT -> files.linkat((int) a[0], a[1], (int) a[2], a[3], (int) a[4]);
            case SYMLINK -> files.symlinkat(a[0], SyscallSupport.AT_FDCWD, a[1]);
            case SYMLINKAT -> files.symlinkat(a[0], (int) a[1], a[2]);
            case CHDIR -> files.chdir(a[0]);
            case FCHDIR -> HostSyscall.call(HostNr.FCHDIR, fd);
            case GETCWD -> files.getcwd(a[0], a[1]);
            case TRUNCATE -> files.truncate(a[0], signed(a[1]));
            case TRUNCATE64 -> files.truncate(a[0], pair(a[1], a[2]));
            case FTRUNCATE -> HostSyscall.call(HostNr.FTRUNCATE, fd, signed(a[1]));
            case FTRUNCATE64 -> HostSyscall.call(HostNr.FTRUNCATE, fd, pair(a[1], a[2]));
            case UTIMENSAT -> files.utimensat((int) a[0], a[1], a[2], (int) a[3], false);
            case UTIMENSAT_TIME64 -> files.utimensat((int) a[0], a[1], a[2], (int) a[3], true);
            case UTIMES -> files.utimes(a[0], a[1], false);
            case UTIME -> files.utimes(a[0], a[1], true);
            case UMASK -> HostSyscall.call(HostNr.UMASK, a[0]);
            case IOCTL -> files.ioctl(fd, a[1], a[2]);
            case POLL -> files.poll(a[0], a[1], (int) a[2]);
            case PPOLL -> files.ppoll(a[0], a[1], a[2], a[3], false);
            case PPOLL_TIME64 -> files.ppoll(a[0], a[1], a[2], a[3], true);
            case SYS_NEWSELECT -> files.select((int) a[0], a[1], a[2], a[3], a[4]);
            case SELECT -> abi.wordSize() == 4
                    ? oldSelect(a[0])
                    : files.select((int) a[0], a[1], a[2], a[3], a[4]);
            case PSELECT6 -> files.pselect6((int) a[0], a[1], a[2], a[3], a[4], false);
            case PSELECT6_TIME64 -> files.pselect6((int) a[0], a[1], a[2], a[3], a[4], true);
            case PIPE -> files.pipe2(a[0], 0);
            case PIPE2 -> files.pipe2(a[0], (int) a[1]);
            case GETDENTS64 -> files.getdents64(fd, a[1], a[2]);
            case GETDENTS -> files.getdents(fd, a[1], a[2]);
            case STATFS -> files.statfs(a[0], -1, a[1], false);
            case FSTATFS -> files.statfs(0, fd, a[1], false);
            case STATFS64 -> files.statfs(a[0], -1, a[2], true);
            case FSTATFS64 -> files.statfs(0, fd, a[2], true);
            case FSYNC -> HostSyscall.call(HostNr.FSYNC, fd);
            case FDATASYNC -> HostSyscall.call(HostNr.FDATASYNC, fd);
            case SYNC -> HostSyscall.call(HostNr.SYNC);
            case FLOCK -> HostSyscall.call(HostNr.FLOCK, fd, a[1]);
            case SENDFILE -> files.sendfile(t, fd, (int) a[1], a[2], a[3], false);
            case SENDFILE64 -> files.sendfile(t, fd, (int) a[1], a[2], a[3], true);

            case GETPID -> process.pid();
            case GETTID -> t.tid();
            case GETPPID -> HostSyscall.call(HostNr.GETPPID);
            case GETUID -> small(HostSyscall.call(HostNr.GETUID));
            case GETEUID -> small(HostSyscall.call(HostNr.GETEUID));
            case GETGID -> small(HostSyscall.call(HostNr.GETGID));
            case GETEGID -> small(HostSyscall.call(HostNr.GETEGID));
            case GETUID32 -> HostSyscall.call(HostNr.GETUID);
            case GETEUID32 -> HostSyscall.call(HostNr.GETEUID);
            case GETGID32 -> HostSyscall.call(HostNr.GETGID);
            case GETEGID32 -> HostSyscall.call(HostNr.GETEGID);
            case GETRESUID -> procs.getres(HostNr.GETRESUID, a[0], a[1], a[2], false);
            case GETRESUID32 -> procs.getres(HostNr.GETRESUID, a[0], a[1], a[2], true);
            case GETRESGID -> procs.getres(HostNr.GETRESGID, a[0], a[1], a[2], false);
            case GETRESGID32 -> procs.getres(HostNr.GETRESGID, a[0], a[1], a[2], true);
            case GETGROUPS -> procs.getgroups((int) a[0], a[1], false);
            case GETGROUPS32 -> procs.getgroups((int) a[0], a[1], true);
            case SETUID, SETUID32 -> HostSyscall.call(HostNr.SETUID, id(s, a[0]));
            case SETGID, SETGID32 -> HostSyscall.call(HostNr.SETGID, id(s, a[0]));
            case SETREUID, SETREUID32 -> HostSyscall.call(HostNr.SETREUID, id(s, a[0]), id(s, a[1]));
            case SETREGID, SETREGID32 -> HostSyscall.call(HostNr.SETREGID, id(s, a[0]), id(s, a[1]));
            case SETRESUID, SETRESUID32 -> HostSyscall.call(HostNr.SETRESUID, id(s, a[0]), id(s, a[1]), id(s, a[2]));
            case SETRESGID, SETRESGID32 -> HostSyscall.call(HostNr.SETRESGID, id(s, a[0]), id(s, a[1]), id(s, a[2]));
            case SETGROUPS, SETGROUPS32 -> -Errno.EPERM;
            case SETSID -> HostSyscall.call(HostNr.SETSID);
            case GETSID -> HostSyscall.call(HostNr.GETSID, (int) a[0]);
            case GETPGRP -> HostSyscall.call(HostNr.GETPGRP);
            case SETPGID -> HostSyscall.call(HostNr.SETPGID, (int) a[0], (int) a[1]);
            case GETPGID -> HostSyscall.call(HostNr.GETPGID, (int) a[0]);
            case UNAME -> procs.uname(a[0]);
            case SYSINFO -> procs.sysinfo(a[0]);
            case GETRLIMIT, UGETRLIMIT -> procs.getrlimit((int) a[0], a[1]);
            case SETRLIMIT -> procs.setrlimit((int) a[0], a[1]);
            case PRLIMIT64 -> procs.prlimit64((int) a[0], (int) a[1], a[2], a[3]);
            case GETRUSAGE -> procs.getrusage((int) a[0], a[1]);
            case TIMES -> procs.times(a[0]);
            case PRCTL -> procs.prctl(t, (int) a[0], a[1]);
            case SET_TID_ADDRESS -> {
                t.setClearChildTid(a[0]);
                yield t.tid();
            }
            case SET_ROBUST_LIST -> 0;
            case GET_ROBUST_LIST, RSEQ, MEMBARRIER -> -Errno.ENOSYS;
            case GETRANDOM -> procs.getrandom(a[0], a[1], (int) a[2]);
            case SCHED_YIELD -> {
                Thread.yield();
                yield 0;
            }
            case SCHED_GETAFFINITY -> procs.schedGetaffinity((int) a[0], a[1], a[2]);
            case GETCPU -> procs.getcpu(a[0], a[1]);

            case BRK -> mem.brk(a[0]);
            case MMAP -> mem.mmap(a[0], a[1], (int) a[2], (int) a[3], (int) a[4], a[5]);
            case MMAP2 -> mem.mmap(a[0], a[1], (int) a[2], (int) a[3], (int) a[4], a[5] << 12);
            case MUNMAP -> mem.munmap(a[0], a[1]);
            case MPROTECT -> mem.mprotect(a[0], a[1], (int) a[2]);
            case MREMAP -> mem.mremap(a[0], a[1], a[2], (int) a[3], a[4]);
            case MADVISE -> mem.madvise(a[0], a[1], (int) a[2]);
            case MSYNC, MLOCK, MUNLOCK -> 0;

            case TIME -> time.time(a[0]);
            case GETTIMEOFDAY -> time.gettimeofday(a[0], a[1]);
            case SETTIMEOFDAY -> -Errno.EPERM;
            case CLOCK_GETTIME -> time.clockGettime((int) a[0], a[1], false, false);
            case CLOCK_GETTIME64 -> time.clockGettime((int) a[0], a[1], true, false);
            case CLOCK_GETRES -> time.clockGettime((int) a[0], a[1], false, true);
            case CLOCK_GETRES_TIME64 -> time.clockGettime((int) a[0], a[1], true, true);
            case NANOSLEEP -> time.nanosleep(t, a[0], a[1], false);
            case CLOCK_NANOSLEEP -> time.clockNanosleep(t, (int) a[0], (int) a[1], a[2], a[3], false);
            case CLOCK_NANOSLEEP_TIME64 -> time.clockNanosleep(t, (int) a[0], (int) a[1], a[2], a[3], true);

            case RT_SIGACTION -> signals.sigaction((int) a[0], a[1], a[2], false);
            case SIGACTION -> signals.sigaction((int) a[0], a[1], a[2], true);
            case SIGNAL -> signal(t, (int) a[0], a[1]);
            case RT_SIGPROCMASK -> signals.sigprocmask(t, (int) a[0], a[1], a[2], false);
            case SIGPROCMASK -> signals.sigprocmask(t, (int) a[0], a[1], a[2], true);
            case RT_SIGRETURN -> sigreturn(t, true);
            case SIGRETURN -> sigreturn(t, false);
            case KILL -> signals.kill(t, (int) a[0], (int) a[1]);
            case TGKILL -> signals.tgkill(t, (int) a[0], (int) a[1], (int) a[2]);
            case TKILL -> signals.tgkill(t, -1, (int) a[0], (int) a[1]);
            case RT_SIGSUSPEND -> signals.sigsuspend(t, signals.readSigset(a[0]));
            case SIGSUSPEND -> signals.sigsuspend(t, (t.blocked() & ~0xffffffffL) | (a[abi.wordSize() == 4 ? 2 : 0] & 0xffffffffL));
            case SIGALTSTACK -> signals.sigaltstack(t, a[0], a[1]);
            case ALARM -> signals.alarm(a[0]);
            case PAUSE -> signals.pause(t);
            case RT_SIGTIMEDWAIT -> signals.sigtimedwait(t, a[0], a[1], a[2], false);
            case RT_SIGTIMEDWAIT_TIME64 -> signals.sigtimedwait(t, a[0], a[1], a[2], true);
            case RT_SIGPENDING -> signals.sigpending(t, a[0]);
            case SIGPENDING -> {
                long p = (t.pendingForThread() | process.signals().pending()) & t.blocked();
                process.data().putWord(a[0], p & 0xffffffffL);
                yield 0;
            }
            case SETITIMER -> signals.setitimer((int) a[0], a[1], a[2]);
            case GETITIMER -> signals.getitimer((int) a[0], a[1]);

            case CLONE -> clone(t, a);
            case FORK -> forkExec.fork(t, false);
            case VFORK -> forkExec.fork(t, true);
            case EXECVE -> forkExec.execve(t, a[0], a[1], a[2]);
            case WAIT4 -> forkExec.wait4((int) a[0], a[1], (int) a[2], a[3]);
            case WAITPID -> forkExec.wait4((int) a[0], a[1], (int) a[2], 0);
            case FUTEX -> threads.futex(t, a[0], (int) a[1], a[2], a[3], a[4], a[5], false);
            case FUTEX_TIME64 -> threads.futex(t, a[0], (int) a[1], a[2], a[3], a[4], a[5], true);
            // Architecture calls the ABI did not claim: this architecture has none of them.
            case SET_THREAD_AREA, GET_THREAD_AREA, ARCH_PRCTL -> -Errno.ENOSYS;
            case SOCKETCALL -> sockets.socketcall(t, (int) a[0], a[1]);
            case SOCKET -> sockets.socket((int) a[0], (int) a[1], (int) a[2]);
            case SOCKETPAIR -> sockets.socketpair((int) a[0], (int) a[1], (int) a[2], a[3]);
            case BIND -> sockets.bind((int) a[0], a[1], a[2]);
            case CONNECT -> sockets.connect((int) a[0], a[1], a[2]);
            case LISTEN -> sockets.listen((int) a[0], (int) a[1]);
            case ACCEPT -> sockets.accept((int) a[0], a[1], a[2], 0);
            case ACCEPT4 -> sockets.accept((int) a[0], a[1], a[2], (int) a[3]);
            case GETSOCKNAME -> sockets.getsockname((int) a[0], a[1], a[2], false);
            case GETPEERNAME -> sockets.getsockname((int) a[0], a[1], a[2], true);
            case SEND -> sockets.sendto(t, (int) a[0], a[1], a[2], (int) a[3], 0, 0);
            case SENDTO -> sockets.sendto(t, (int) a[0], a[1], a[2], (int) a[3], a[4], a[5]);
            case RECV -> sockets.recvfrom((int) a[0], a[1], a[2], (int) a[3], 0, 0);
            case RECVFROM -> sockets.recvfrom((int) a[0], a[1], a[2], (int) a[3], a[4], a[5]);
            case SHUTDOWN -> sockets.shutdown((int) a[0], (int) a[1]);
            case SETSOCKOPT -> sockets.setsockopt((int) a[0], (int) a[1], (int) a[2], a[3], a[4]);
            case GETSOCKOPT -> sockets.getsockopt((int) a[0], (int) a[1], (int) a[2], a[3], a[4]);
            case SENDMSG -> sockets.sendmsg(t, (int) a[0], a[1], (int) a[2]);
            case RECVMSG -> sockets.recvmsg((int) a[0], a[1], (int) a[2]);
            case SENDMMSG -> sockets.sendmmsg(t, (int) a[0], a[1], (int) a[2], (int) a[3]);
            case RECVMMSG -> sockets.recvmmsg((int) a[0], a[1], (int) a[2], (int) a[3], a[4], false);
            case RECVMMSG_TIME64 -> sockets.recvmmsg((int) a[0], a[1], (int) a[2], (int) a[3], a[4], true);
        };
    }

    private long clone(LinuxThread t, long[] a) {
        long[] c = abi.cloneArguments(a);
        long flags = c[0];
        if ((flags & ThreadSyscalls.CLONE_VM) != 0 && (flags & ThreadSyscalls.CLONE_VFORK) == 0) {
            return threads.cloneThread(t, flags, c[1], c[2], c[3], c[4]);
        }
        return forkExec.cloneProcess(t, flags, c[1], c[2], c[4]);
    }

    private long sigreturn(LinuxThread t, boolean rt) {
        long mask = abi.signalFrames().restore(t, rt);
        t.setBlocked(mask);
        return NO_RESULT;
    }

    /** signal(2): SysV semantics as Linux's sys_signal gives them (one-shot, no deferral). */
    private long signal(LinuxThread t, int sig, long handler) {
        if (sig < 1 || sig > 64 || sig == 9 || sig == 19) {
            return -Errno.EINVAL;
        }
        var old = process.signals().setAction(sig, new org.qemu.common.linux.signal.SignalAction(handler,
                org.qemu.common.linux.signal.SignalAction.SA_RESETHAND | org.qemu.common.linux.signal.SignalAction.SA_NODEFER, 0, 0));
        org.qemu.common.linux.signal.HostSignals.follow(process, sig, process.signals().action(sig));
        return old.handler();
    }

    /** i386's old select(2) takes one pointer to its five arguments. */
    private long oldSelect(long args) {
        var d = process.data();
        return files.select((int) d.word(args), d.word(args + 4), d.word(args + 8), d.word(args + 12), d.word(args + 16));
    }

    private long signed(long v) {
        return abi.wordSize() == 4 ? (int) v : v;
    }

    private static long pair(long low, long high) {
        return (high << 32) | (low & 0xffffffffL);
    }

    /** The 16-bit uid/gid calls use 0xffff for "unchanged", the 32-bit ones -1. */
    private static long id(Syscall s, long v) {
        boolean sixteen = !s.kernelName().endsWith("32") && s != Syscall.FCHOWNAT;
        if (sixteen && (v & 0xffff) == 0xffff) {
            return -1;
        }
        return (int) v;
    }

    private static long small(long id) {
        return id > 0xffff ? 65534 : id;
    }
}
