package org.qemu.i386.programs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * A test fixture, not the product's runtime (that is org.qemu.common.linux): the smallest Linux
 * user-mode environment that lets a static i386 program (glibc, busybox) run on our CPU, so the
 * CPU can be checked against whole real programs. Loads a static ELF, builds the initial stack,
 * answers the few system calls such programs make at start-up and for stdio, and nothing more.
 */
final class MiniLinux {
    private static final long STACK_TOP = 0xc0000000L;
    private static final int STACK_SIZE = 8 << 20;
    private static final int ENOENT = 2, EBADF = 9, ENOTTY = 25, ESPIPE = 29, EINVAL = 22, ENOSYS = 38;

    private final GuestMemory memory = new GuestMemory(32);
    private final X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final Map<Integer, Long> tlsEntries = new HashMap<>();
    private byte[] stdin = new byte[0];
    private int stdinPos;
    private long brk;
    private long mmapNext = 0xb0000000L;
    private Integer exitStatus;
    private GuestTrap fatalTrap;
    private long syscalls;

    record Result(int exitStatus, String stdout, GuestTrap trap, long syscalls, String statistics) {
    }

    static Result run(byte[] elf, List<String> args, byte[] stdin, int compileThreshold) {
        MiniLinux linux = new MiniLinux();
        linux.stdin = stdin;
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
        cpu.setSegmentResolver(sel -> {
            if ((sel & ~3) == 0 || (sel & ~3) == 0x20 || (sel & ~3) == 0x28) {
                return 0;
            }
            Long base = tlsEntries.get(sel >> 3);
            return base == null ? -1 : base;
        });
        boolean trace = System.getenv("MINILINUX_TRACE") != null;
        long[] recent = new long[32];
        int[] count = {0};
        if (trace) {
            cpu.setBlockListener(pc -> recent[count[0]++ & 31] = pc);
        }
        java.io.PrintStream pcLog = null;
        if (System.getenv("MINILINUX_PCLOG") != null) {
            try {
                pcLog = new java.io.PrintStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(System.getenv("MINILINUX_PCLOG"))));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            java.io.PrintStream log = pcLog;
            cpu.setBlockListener(pc -> log.printf("%08x %08x %08x %08x%n", pc, cpu.state.reg32(0), cpu.state.reg32(2), cpu.state.eflags() & 0x8d5));
        }
        while (exitStatus == null && fatalTrap == null) {
            CpuExit exit = cpu.run();
            if (exit == CpuExit.SYSCALL) {
                syscall();
            } else if (exit == CpuExit.TRAP) {
                fatalTrap = cpu.lastTrap();
                if (trace) {
                    for (int i = 0; i < 32; i++) {
                        System.err.printf("block %08x%n", recent[(count[0] + i) & 31]);
                    }
                    System.err.println(fatalTrap + " " + cpu.state + " gs=" + Integer.toHexString(cpu.state.segSelector[5]) + " base=" + Long.toHexString(cpu.state.segBase[5]) + " tls=" + tlsEntries);
                }
            }
        }
        if (pcLog != null) {
            pcLog.close();
        }
        return new Result(exitStatus == null ? -1 : exitStatus, stdout.toString(StandardCharsets.UTF_8), fatalTrap, syscalls,
                cpu.translationStatistics());
    }

    private void load(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int entry = b.getInt(24);
        int phoff = b.getInt(28);
        int phnum = b.getShort(44) & 0xffff;
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = phoff + 32 * i;
            if (b.getInt(ph) != 1) {
                continue;
            }
            long offset = b.getInt(ph + 4) & 0xffffffffL;
            long vaddr = b.getInt(ph + 8) & 0xffffffffL;
            long filesz = b.getInt(ph + 16) & 0xffffffffL;
            long memsz = b.getInt(ph + 20) & 0xffffffffL;
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
        cpu.state.setEip(entry);
    }

    private void setUpStack(byte[] elf, List<String> args) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, GuestMemory.READ | GuestMemory.WRITE);
        long sp = STACK_TOP - 4096;
        long random = sp;
        memory.write(random, new byte[16], 0, 16);
        sp -= 64;
        long platform = sp;
        writeString(platform, "i686");
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
        sp &= ~15L;
        int phoff = b.getInt(28);
        long firstLoadVaddr = 0;
        for (int i = 0; i < (b.getShort(44) & 0xffff); i++) {
            int ph = phoff + 32 * i;
            if (b.getInt(ph) == 1 && b.getInt(ph + 4) == 0) {
                firstLoadVaddr = b.getInt(ph + 8) & 0xffffffffL;
                break;
            }
        }
        // glibc calls system calls through *%gs:0x10, seeded from AT_SYSINFO: a kernel always gives one
        long vsyscall = 0xbfff0000L - 0x1000;
        memory.map(vsyscall, 4096, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.write(vsyscall, new byte[] {(byte) 0xcd, (byte) 0x80, (byte) 0xc3}, 0, 3);
        long[][] aux = {{32, vsyscall},{3, firstLoadVaddr + phoff}, {4, 32}, {5, b.getShort(44) & 0xffff}, {6, 4096}, {9, b.getInt(24)},
                {11, 0}, {12, 0}, {13, 0}, {14, 0}, {16, org.qemu.i386.cpu.CpuidTable.LEAF1_EDX}, {17, 100}, {23, 0},
                {25, random}, {15, platform}, {0, 0}};
        int words = 1 + args.size() + 1 + env.length + 1 + aux.length * 2;
        sp -= 4L * words;
        sp &= ~15L;
        long p = sp;
        memory.write32(p, args.size());
        p += 4;
        for (long a : argPointers) {
            memory.write32(p, (int) a);
            p += 4;
        }
        memory.write32(p, 0);
        p += 4;
        for (long e : envPointers) {
            memory.write32(p, (int) e);
            p += 4;
        }
        memory.write32(p, 0);
        p += 4;
        for (long[] a : aux) {
            memory.write32(p, (int) a[0]);
            memory.write32(p + 4, (int) a[1]);
            p += 8;
        }
        cpu.state.setReg32(X86CpuState.ESP, (int) sp);
    }

    private void writeString(long address, String s) {
        byte[] bytes = (s + "\0").getBytes(StandardCharsets.UTF_8);
        memory.write(address, bytes, 0, bytes.length);
    }

    private void syscall() {
        syscalls++;
        X86CpuState r = cpu.state;
        int nr = r.reg32(X86CpuState.EAX);
        long a1 = r.reg32(X86CpuState.EBX) & 0xffffffffL;
        long a2 = r.reg32(X86CpuState.ECX) & 0xffffffffL;
        long a3 = r.reg32(X86CpuState.EDX) & 0xffffffffL;
        r.setReg32(X86CpuState.EAX, (int) dispatch(nr, a1, a2, a3));
        if (System.getenv("MINILINUX_TRACE") != null) {
            System.err.printf("syscall %d(%x, %x, %x) = %x%n", nr, a1, a2, a3, r.reg32(X86CpuState.EAX));
        }
    }

    private long dispatch(int nr, long a1, long a2, long a3) {
        switch (nr) {
            case 1, 252 -> {
                exitStatus = (int) a1 & 0xff;
                return 0;
            }
            case 3 -> {
                if (a1 != 0) {
                    return -EBADF;
                }
                int n = (int) Math.min(a3, stdin.length - stdinPos);
                memory.write(a2, stdin, stdinPos, n);
                stdinPos += n;
                return n;
            }
            case 4 -> {
                if (a1 != 1 && a1 != 2) {
                    return -EBADF;
                }
                byte[] buf = new byte[(int) a3];
                memory.read(a2, buf, 0, buf.length);
                stdout.write(buf, 0, buf.length);
                return a3;
            }
            case 146 -> {
                long total = 0;
                for (int i = 0; i < a3; i++) {
                    long base = memory.read32(a2 + 8L * i) & 0xffffffffL;
                    int len = memory.read32(a2 + 8L * i + 4);
                    total += dispatch(4, a1, base, len);
                }
                return total;
            }
            case 45 -> {
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
            case 192 -> {
                long len = (a2 + 0xfff) & ~0xfffL;
                mmapNext -= len;
                memory.map(mmapNext, len, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
                return mmapNext;
            }
            case 91, 125, 6, 174, 175 -> {
                return 0;
            }
            case 243 -> {
                int entry = memory.read32(a1);
                if (entry == -1) {
                    entry = 6 + tlsEntries.size();
                    memory.write32(a1, entry);
                }
                tlsEntries.put(entry, memory.read32(a1 + 4) & 0xffffffffL);
                return 0;
            }
            case 258, 20, 224 -> {
                return 1000;
            }
            case 199, 200, 201, 202 -> {
                return 0;
            }
            case 122 -> {
                String[] fields = {"Linux", "localhost", "6.1.0", "#1", "i686", ""};
                for (int i = 0; i < fields.length; i++) {
                    byte[] f = new byte[65];
                    byte[] s = fields[i].getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(s, 0, f, 0, s.length);
                    memory.write(a1 + 65L * i, f, 0, 65);
                }
                return 0;
            }
            case 197, 300 -> { // fstat64(fd, buf), fstatat64(fd, "", buf, AT_EMPTY_PATH)
                long buf = nr == 197 ? a2 : a3;
                memory.write(buf, new byte[96], 0, 96);
                memory.write32(buf + 16, 0010000 | 0600); // a pipe: fully buffered output, like a test harness sees
                return 0;
            }
            case 221 -> { // fcntl64: F_GETFL says write-only, everything else succeeds
                return a2 == 3 ? 1 : 0;
            }
            case 54 -> {
                return -ENOTTY;
            }
            case 140 -> {
                return -ESPIPE;
            }
            case 85, 33, 5, 295 -> {
                return -ENOENT;
            }
            case 384 -> {
                return -EINVAL;
            }
            case 355 -> {
                memory.write(a1, new byte[(int) a2], 0, (int) a2);
                return a2;
            }
            default -> {
                return -ENOSYS;
            }
        }
    }
}
