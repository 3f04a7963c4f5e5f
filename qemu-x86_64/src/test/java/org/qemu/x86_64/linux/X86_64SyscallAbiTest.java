package org.qemu.x86_64.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * System calls the way a 64-bit guest makes them: number in rax, arguments in rdi, rsi, rdx,
 * r10, r8, r9, result in rax, through the runtime's dispatcher. Numbers are asm/unistd_64.h's;
 * expected values come from the host (Java's view of the file system, the process id).
 */
class X86_64SyscallAbiTest {
    private static final long BUF = 0x10000;
    @TempDir
    Path dir;
    private LinuxProcess process;
    private LinuxThread thread;
    private X86CpuState s;
    private GuestData d;

    @BeforeEach
    void newProcess() {
        process = new LinuxProcess(new X86_64LinuxAbi(), new GuestPaths(null, "/bin/true"),
                new LinuxProcess.RuntimeOptions(false, null, System.err, EmulatorCommand.ofCurrentJvm(Object.class), e -> { }));
        thread = process.createMainThread();
        s = ((X86Cpu) thread.cpu()).state;
        d = process.data();
        process.memory().map(BUF, 0x10000, GuestMemory.READ | GuestMemory.WRITE);
    }

    @AfterEach
    void close() {
        process.memory().close();
    }

    /** rdi, rsi, rdx, r10, r8, r9 */
    private long syscall(int nr, long... args) {
        int[] order = {X86CpuState.EDI, X86CpuState.ESI, X86CpuState.EDX, 10, 8, 9};
        java.util.Arrays.fill(s.regs, 0x5a5a5a5a5a5a5a5aL); // stale upper bits must not leak into arguments
        s.regs[X86CpuState.EAX] = nr;
        for (int i = 0; i < args.length; i++) {
            s.regs[order[i]] = args[i];
        }
        process.syscalls().dispatch(thread);
        return s.regs[X86CpuState.EAX];
    }

    private void putString(long at, String text) {
        byte[] b = (text + "\0").getBytes(StandardCharsets.UTF_8);
        process.memory().write(at, b, 0, b.length);
    }

    @Test
    void getpidAndUnknownNumbers() {
        assertThat(syscall(39)).isEqualTo(ProcessHandle.current().pid());
        assertThat(syscall(335)).as("unassigned number").isEqualTo(-38);
        s.regs[X86CpuState.EAX] = 39 | (1L << 40);
        process.syscalls().dispatch(thread);
        assertThat(s.regs[X86CpuState.EAX]).as("a number with high bits set is not getpid").isEqualTo(-38);
    }

    @Test
    void archPrctlSetsAndReadsTheSegmentBases() {
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_SET_FS, 0x7f00_1234_5000L)).isZero();
        assertThat(s.segBase[X86CpuState.FS]).isEqualTo(0x7f00_1234_5000L);
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_SET_GS, 0x4000)).isZero();
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_GET_FS, BUF)).isZero();
        assertThat(d.u64(BUF)).isEqualTo(0x7f00_1234_5000L);
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_GET_GS, BUF + 8)).isZero();
        assertThat(d.u64(BUF + 8)).isEqualTo(0x4000);
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_SET_FS, 0xffff_8000_0000_0000L)).as("kernel address").isEqualTo(-1);
        assertThat(syscall(158, 0x3001, BUF)).as("ARCH_CET_STATUS: not supported").isEqualTo(-22);
        assertThat(syscall(158, X86_64LinuxAbi.ARCH_GET_FS, 0x6_0000_0000L)).as("unmapped").isEqualTo(-14);
    }

    @Test
    void newfstatatFillsThe144ByteStat() throws Exception {
        Path f = dir.resolve("file");
        Files.write(f, new byte[12345]);
        putString(BUF, f.toString());
        assertThat(syscall(262, -100, BUF, BUF + 0x1000, 0)).isZero();
        assertThat(d.u64(BUF + 0x1000 + 48)).as("st_size").isEqualTo(12345);
        assertThat(d.u32(BUF + 0x1000 + 24) & 0xf000).as("S_IFREG").isEqualTo(0x8000);
        assertThat(d.u64(BUF + 0x1000 + 8)).as("st_ino").isEqualTo(Files.getAttribute(f, "unix:ino"));
        assertThat(syscall(4, BUF, BUF + 0x2000)).as("stat is the same struct").isZero();
        assertThat(d.u64(BUF + 0x2000 + 48)).isEqualTo(12345);
    }

    @Test
    void unameSaysX86_64() {
        assertThat(syscall(63, BUF)).isZero();
        assertThat(process.memory().readCString(BUF + 4 * 65, 65)).isEqualTo("x86_64");
        assertThat(process.memory().readCString(BUF, 65)).isEqualTo("Linux");
    }

    @Test
    void mmapTakesSixRegisterArgumentsAndPlacesBelowTheStack() {
        long at = syscall(9, 0, 0x20000, 3, 0x22, -1, 0);
        assertThat(at).isPositive().isLessThan(X86_64LinuxAbi.STACK_TOP).isGreaterThan(1L << 32);
        assertThat(process.memory().isMapped(at, 0x20000)).isTrue();
        assertThat(syscall(11, at, 0x20000)).isZero();
        long fixed = syscall(9, 0x2_0000_0000L, 0x1000, 3, 0x32, -1, 0);
        assertThat(fixed).as("MAP_FIXED above 4 GiB").isEqualTo(0x2_0000_0000L);
        assertThat(syscall(9, 1L << X86_64LinuxAbi.ADDRESS_BITS, 0x1000, 3, 0x32, -1, 0)).as("beyond the space").isNegative();
    }

    @Test
    void rtSigactionUsesTheKernelsStructSigaction() {
        d.put64(BUF, 0x401000);
        d.put64(BUF + 8, 0x04000004L); // SA_RESTORER | SA_SIGINFO
        d.put64(BUF + 16, 0x401100);
        d.put64(BUF + 24, 1L << 9);
        assertThat(syscall(13, 10, BUF, 0, 8)).isZero();
        assertThat(syscall(13, 10, 0, BUF + 0x100, 8)).isZero();
        assertThat(d.u64(BUF + 0x100)).isEqualTo(0x401000);
        assertThat(d.u64(BUF + 0x108) & 0x04000004L).isEqualTo(0x04000004L);
        assertThat(d.u64(BUF + 0x110)).isEqualTo(0x401100);
        assertThat(d.u64(BUF + 0x118)).isEqualTo(1L << 9);
    }

    @Test
    void writeGoesToTheHostDescriptor() throws Exception {
        Path f = dir.resolve("out");
        putString(BUF, f.toString());
        long fd = syscall(257, -100, BUF, 0x41 | 0x200, 0644); // openat O_WRONLY|O_CREAT|O_TRUNC
        assertThat(fd).isGreaterThanOrEqualTo(0);
        putString(BUF + 0x100, "hello from x86_64");
        assertThat(syscall(1, fd, BUF + 0x100, 17)).isEqualTo(17);
        assertThat(syscall(3, fd)).isZero();
        assertThat(Files.readString(f)).isEqualTo("hello from x86_64");
    }

    @Test
    void cloneArgumentsFollowTheX86_64Order() {
        long[] registers = {0x3d0f00, 0x7000, 0x1111, 0x2222, 0x3333, 0};
        // flags, newsp, parent_tid, child_tid, tls -> runtime order flags, stack, parent_tid, tls, child_tid
        assertThat(process.abi().cloneArguments(registers)).containsExactly(0x3d0f00, 0x7000, 0x1111, 0x3333, 0x2222);
    }

    @Test
    void prlimitAndGetrandom() {
        assertThat(syscall(302, 0, 7, 0, BUF)).isZero(); // RLIMIT_NOFILE
        assertThat(d.u64(BUF)).isPositive();
        assertThat(d.u64(BUF + 8)).isGreaterThanOrEqualTo(d.u64(BUF));
        assertThat(syscall(318, BUF + 0x100, 64, 0)).isEqualTo(64);
        assertThat(syscall(334, 0, 0, 0, 0)).as("rseq: glibc copes with ENOSYS").isEqualTo(-38);
    }
}
