package org.qemu.i386.programs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * A test fixture, not the product's runtime (that is qemu-x86_64 over org.qemu.common.linux):
 * the smallest x86_64 Linux user-mode environment that lets a static non-PIE x86_64 program
 * (glibc, busybox) run on our CPU in long mode, so the 64-bit CPU can be checked against whole
 * real programs. Loads the ELF, builds the initial stack, answers the system calls such programs
 * make at start-up and for stdio, and nothing more.
 */
final class MiniLinux64 {
    private static final long STACK_TOP = 0x7f_0000_0000L;
    private static final int STACK_SIZE = 8 << 20;
    private static final int ENOENT = 2, EBADF = 9, ENOTTY = 25, ESPIPE = 29, EINVAL = 22, ENOSYS = 38;

    private final GuestMemory memory = new GuestMemory(40);
    private final X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private byte[] stdin = new byte[0];
    private int stdinPos;
    private long brk;
    private long mmapNext = 0x7e_0000_0000L;
    private Integer exitStatus;
    private GuestTrap fatalTrap;
    private long syscalls;

    record Result(int exitStatus, String stdout, GuestTrap trap, long rip, long syscalls) {
    }

    static Result run(byte[] elf, List<String> args, byte[] stdin, int compileThreshold) {
        MiniLinux64 linux = new MiniLinux64();
        linux.stdin = stdin;
        linux.cpu.setCodeMode(X86Cpu.MODE_64);
        linux.cpu.setCompileThreshold(compileThreshold);
        try {
            return linux.execute(elf, args);
        } finally {
            linux.memory.close();
        }
    }

    private Result execute(byte[] elf, List<String> args) {
        load(elf);
        setUpStack(elf, args);
        boolean trace = System.getenv("MINILINUX_TRACE") != null;
        while (exitStatus == null && fatalTrap == null) {
            CpuExit exit = cpu.run();
            if (exit == CpuExit.SYSCALL) {
                syscall(trace);
            } else if (exit == CpuExit.TRAP) {
                fatalTrap = cpu.lastTrap();
            }
        }
        return new Result(exitStatus == null ? -1 : exitStatus, stdout.toString(StandardCharsets.UTF_8), fatalTrap, cpu.state.rip, syscalls);
    }

    private void load(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phnum = b.getShort(56) & 0xffff;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) phoff + 56 * i;
            if (b.getInt(ph) != 1) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long vaddr = b.getLong(ph + 16);
            long filesz = b.getLong(ph + 32);
            long memsz = b.getLong(ph + 40);
            long start = vaddr & ~0xfffL;
            long stop = (vaddr + memsz + 0xfff) & ~0xfffL;
            for (long p = start; p < stop; p += 4096) {
                if (!memory.isMapped(p, 4096)) {
                    memory.map(p, 4096, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
                }
            }
            memory.load(vaddr, elf, (int) offset, (int) filesz);
            end = Math.max(end, stop);
        }
        brk = end;
        cpu.state.rip = b.getLong(24);
    }

    private void setUpStack(byte[] elf, List<String> args) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        long sp = STACK_TOP - 4096;
        long random = sp;
        memory.write(random, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 0, 16);
        sp -= 64;
        long platform = sp;
        byte[] plat = "x86_64\0".getBytes(StandardCharsets.US_ASCII);
        memory.write(platform, plat, 0, plat.length);
        long[] argPointers = new long[args.size()];
        for (int i = 0; i < args.size(); i++) {
            byte[] s = (args.get(i) + "\0").getBytes(StandardCharsets.UTF_8);
            sp -= s.length;
            memory.write(sp, s, 0, s.length);
            argPointers[i] = sp;
        }
        String[] env = {"PATH=/bin", "LANG=C"};
        long[] envPointers = new long[env.length];
        for (int i = 0; i < env.length; i++) {
            byte[] s = (env[i] + "\0").getBytes(StandardCharsets.UTF_8);
            sp -= s.length;
            memory.write(sp, s, 0, s.length);
            envPointers[i] = sp;
        }
        long phoff = b.getLong(32);
        long firstLoadVaddr = 0;
        for (int i = 0; i < (b.getShort(56) & 0xffff); i++) {
            int ph = (int) phoff + 56 * i;
            if (b.getInt(ph) == 1 && b.getLong(ph + 8) == 0) {
                firstLoadVaddr = b.getLong(ph + 16);
                break;
            }
        }
        long[][] aux = {{3, firstLoadVaddr + phoff}, {4, 56}, {5, b.getShort(56) & 0xffff}, {6, 4096}, {9, b.getLong(24)},
                {11, 0}, {12, 0}, {13, 0}, {14, 0}, {16, org.qemu.i386.cpu.CpuidTable.LEAF1_EDX}, {17, 100}, {23, 0},
                {25, random}, {15, platform}, {0, 0}};
        int words = 1 + args.size() + 1 + env.length + 1 + aux.length * 2;
        sp -= 8L * words;
        sp &= ~15L;
        long p = sp;
        memory.write64(p, args.size());
        p += 8;
        for (long a : argPointers) {
            memory.write64(p, a);
            p += 8;
        }
        memory.write64(p, 0);
        p += 8;
        for (long e : envPointers) {
            memory.write64(p, e);
            p += 8;
        }
        memory.write64(p, 0);
        p += 8;
        for (long[] a : aux) {
            memory.write64(p, a[0]);
            memory.write64(p + 8, a[1]);
            p += 16;
        }
        cpu.state.regs[X86CpuState.ESP] = sp;
    }

    private void syscall(boolean trace) {
        syscalls++;
        long[] r = cpu.state.regs;
        int nr = (int) r[X86CpuState.EAX];
        long a1 = r[X86CpuState.EDI];
        long a2 = r[X86CpuState.ESI];
        long a3 = r[X86CpuState.EDX];
        long a4 = r[X86CpuState.R10];
        r[X86CpuState.EAX] = dispatch(nr, a1, a2, a3, a4);
        if (trace) {
            System.err.printf("syscall %d(%x, %x, %x) = %x%n", nr, a1, a2, a3, r[X86CpuState.EAX]);
        }
    }

    private long dispatch(int nr, long a1, long a2, long a3, long a4) {
        switch (nr) {
            case 60, 231 -> { // exit, exit_group
                exitStatus = (int) a1 & 0xff;
                return 0;
            }
            case 0 -> { // read
                if (a1 != 0) {
                    return -EBADF;
                }
                int n = (int) Math.min(a3, stdin.length - stdinPos);
                memory.write(a2, stdin, stdinPos, n);
                stdinPos += n;
                return n;
            }
            case 1 -> { // write
                if (a1 != 1 && a1 != 2) {
                    return -EBADF;
                }
                byte[] buf = new byte[(int) a3];
                memory.read(a2, buf, 0, buf.length);
                stdout.write(buf, 0, buf.length);
                return a3;
            }
            case 20 -> { // writev
                long total = 0;
                for (int i = 0; i < a3; i++) {
                    long base = memory.read64(a2 + 16L * i);
                    long len = memory.read64(a2 + 16L * i + 8);
                    total += dispatch(1, a1, base, len, 0);
                }
                return total;
            }
            case 12 -> { // brk
                if (a1 > brk) {
                    long end = (a1 + 0xfff) & ~0xfffL;
                    for (long p = brk & ~0xfffL; p < end; p += 4096) {
                        if (!memory.isMapped(p, 4096)) {
                            memory.map(p, 4096, GuestMemory.READ | GuestMemory.WRITE);
                        }
                    }
                    brk = a1;
                }
                return brk;
            }
            case 9 -> { // mmap: anonymous only
                long len = (a2 + 0xfff) & ~0xfffL;
                mmapNext -= len;
                memory.map(mmapNext, len, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
                return mmapNext;
            }
            case 158 -> { // arch_prctl
                if (a1 == 0x1002) { // ARCH_SET_FS
                    cpu.state.segBase[X86CpuState.FS] = a2;
                    return 0;
                }
                return -EINVAL;
            }
            case 11, 10, 13, 14, 28, 218, 273, 334, 24 -> { // munmap, mprotect, sigaction, sigprocmask, madvise, set_tid_address, robust list, rseq, yield
                return nr == 334 ? -ENOSYS : 0;
            }
            case 39, 186, 110 -> {
                return 1000;
            }
            case 102, 104, 107, 108 -> {
                return 0;
            }
            case 63 -> { // uname
                String[] fields = {"Linux", "localhost", "6.1.0", "#1", "x86_64", ""};
                for (int i = 0; i < fields.length; i++) {
                    byte[] f = new byte[65];
                    byte[] s = fields[i].getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(s, 0, f, 0, s.length);
                    memory.write(a1 + 65L * i, f, 0, 65);
                }
                return 0;
            }
            case 5, 262 -> { // fstat(fd, buf), newfstatat(fd, "", buf, AT_EMPTY_PATH): a pipe
                long buf = nr == 5 ? a2 : a3;
                memory.write(buf, new byte[144], 0, 144);
                memory.write32(buf + 24, 0010000 | 0600);
                return 0;
            }
            case 72 -> { // fcntl: F_GETFL says write-only
                return a2 == 3 ? 1 : 0;
            }
            case 16 -> {
                return -ENOTTY;
            }
            case 8 -> {
                return -ESPIPE;
            }
            case 2, 257, 4, 6, 21, 89, 267 -> {
                return -ENOENT;
            }
            case 302 -> { // prlimit64: 8 MiB stack, infinite others
                if (a4 != 0) {
                    memory.write64(a4, 8 << 20);
                    memory.write64(a4 + 8, -1);
                }
                return 0;
            }
            case 318 -> { // getrandom
                memory.write(a1, new byte[(int) a2], 0, (int) a2);
                return a2;
            }
            case 228 -> { // clock_gettime
                memory.write64(a2, 1_700_000_000L);
                memory.write64(a2 + 8, 0);
                return 0;
            }
            default -> {
                return -ENOSYS;
            }
        }
    }
}
