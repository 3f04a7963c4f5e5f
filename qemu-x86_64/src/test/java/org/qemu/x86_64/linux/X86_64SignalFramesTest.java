package org.qemu.x86_64.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.qemu.x86_64.linux.X86_64SignalFrames.*;

/**
 * The x86-64 rt_sigframe: its offsets against the kernel's headers (compiled by the host gcc),
 * and a frame pushed for a handler and popped by rt_sigreturn bringing every register back.
 */
class X86_64SignalFramesTest {
    @TempDir
    Path dir;
    private LinuxProcess process;
    private LinuxThread thread;
    private X86CpuState s;

    @BeforeEach
    void newProcess() {
        process = new LinuxProcess(new X86_64LinuxAbi(), new GuestPaths(null, "/bin/true"),
                new LinuxProcess.RuntimeOptions(false, null, System.err, EmulatorCommand.ofCurrentJvm(Object.class), e -> { }));
        thread = process.createMainThread();
        s = ((X86Cpu) thread.cpu()).state;
        process.memory().map(0x7000_0000L, 0x10000, GuestMemory.READ | GuestMemory.WRITE);
    }

    @AfterEach
    void close() {
        process.memory().close();
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void frameOffsetsMatchTheKernelHeaders() throws Exception {
        assumeTrue(Files.exists(Path.of("/usr/include/x86_64-linux-gnu/asm/sigcontext.h")),
                "x86-64 kernel headers (linux-libc-dev) are not installed");
        Path exe = dir.resolve("frames");
        run("gcc", "-o", exe.toString(), Path.of("src/test/c/frame_layouts.c").toAbsolutePath().toString());
        Map<String, String> fromC = new LinkedHashMap<>();
        for (String line : run(exe.toString()).trim().split("\n")) {
            int space = line.indexOf(' ');
            fromC.put(line.substring(0, space), line.substring(space + 1));
        }
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("sigcontext", "" + SC_SIZE);
        String[] gregs = {"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rdi", "rsi", "rbp", "rbx", "rdx",
            "rax", "rcx"};
        for (int i = 0; i < gregs.length; i++) {
            ours.put("sigcontext." + gregs[i], (SC_R8 + 8 * i) + " 8");
        }
        assertThat(SC_RDI).isEqualTo(SC_R8 + 8 * 8);
        assertThat(SC_RCX).isEqualTo(SC_R8 + 8 * 14);
        ours.put("sigcontext.rsp", SC_RSP + " 8");
        ours.put("sigcontext.rip", SC_RIP + " 8");
        ours.put("sigcontext.eflags", SC_EFLAGS + " 8");
        ours.put("sigcontext.cs", SC_CS + " 2");
        ours.put("sigcontext.gs", SC_GS + " 2");
        ours.put("sigcontext.fs", SC_FS + " 2");
        ours.put("sigcontext.ss", SC_SS + " 2");
        ours.put("sigcontext.err", SC_ERR + " 8");
        ours.put("sigcontext.trapno", SC_TRAPNO + " 8");
        ours.put("sigcontext.oldmask", SC_OLDMASK + " 8");
        ours.put("sigcontext.cr2", SC_CR2 + " 8");
        ours.put("sigcontext.fpstate", SC_FPSTATE + " 8");
        ours.put("ucontext", "" + UC_SIZE);
        ours.put("ucontext.uc_flags", UC_FLAGS + " 8");
        ours.put("ucontext.uc_link", UC_LINK + " 8");
        ours.put("ucontext.uc_stack", UC_STACK + " 24");
        ours.put("ucontext.uc_mcontext", UC_MCONTEXT + " " + SC_SIZE);
        ours.put("ucontext.uc_sigmask", UC_SIGMASK + " 8");
        ours.put("stack.ss_sp", SS_SP + " 8");
        ours.put("stack.ss_flags", SS_FLAGS + " 4");
        ours.put("stack.ss_size", SS_SIZE + " 8");
        ours.put("fpstate", "" + FP_SIZE);
        ours.put("fpstate.cwd", "0 2");
        ours.put("fpstate.mxcsr", FP_MXCSR + " 4");
        ours.put("fpstate.st_space", "32 128");
        ours.put("fpstate.xmm_space", FP_XMM + " 256");
        ours.put("siginfo", "" + SignalInfo.SIZE);
        ours.put("UC_SIGCONTEXT_SS", "" + UC_SIGCONTEXT_SS);
        ours.put("UC_STRICT_RESTORE_SS", "" + UC_STRICT_RESTORE_SS);
        assertThat(fromC).containsExactlyInAnyOrderEntriesOf(ours);
    }

    @Test
    void handlerEntryFollowsTheAbiAndSigreturnRestoresEverything() {
        for (int i = 0; i < 16; i++) {
            s.regs[i] = 0x1111_0000_0000_0000L * (i + 1) + i;
        }
        long sp = 0x7000_8000L;
        s.regs[X86CpuState.ESP] = sp;
        s.rip = 0x401234;
        for (int i = 0; i < 32; i++) {
            s.xmm[i] = 0x0101_0101_0101_0101L * i;
        }
        s.mxcsr = 0x1f80 | 0x6000; // round toward zero
        s.setEflags(X86CpuState.IF | X86CpuState.DF | 1);
        long[] regsBefore = s.regs.clone();
        long[] xmmBefore = s.xmm.clone();

        SignalAction action = new SignalAction(0x402000, SignalAction.SA_SIGINFO | SignalAction.SA_RESTORER,
                0x403000, 0);
        SignalInfo info = new SignalInfo(11, 1, 0, 0, 0xdead000, 0);
        process.abi().signalFrames().setup(thread, action, info, 0x1234_0000_0001L, sp);

        long frame = s.regs[X86CpuState.ESP];
        assertThat((frame + 8) % 16).as("rsp + 8 aligned like after a call").isZero();
        assertThat(frame + FRAME_SIZE).as("the red zone below the old rsp is untouched").isLessThanOrEqualTo(sp - RED_ZONE);
        assertThat(s.rip).isEqualTo(0x402000);
        assertThat(s.regs[X86CpuState.EDI]).isEqualTo(11);
        assertThat(s.regs[X86CpuState.ESI]).isEqualTo(frame + FRAME_INFO);
        assertThat(s.regs[X86CpuState.EDX]).isEqualTo(frame + FRAME_UC);
        assertThat(s.eflags() & X86CpuState.DF).as("DF cleared for the handler").isZero();
        var d = process.data();
        assertThat(d.u64(frame)).as("return address is sa_restorer").isEqualTo(0x403000);
        long sc = frame + FRAME_UC + UC_MCONTEXT;
        assertThat(d.u64(sc + SC_R8)).isEqualTo(regsBefore[8]);
        assertThat(d.u64(sc + SC_RAX)).isEqualTo(regsBefore[X86CpuState.EAX]);
        assertThat(d.u64(sc + SC_RSP)).isEqualTo(sp);
        assertThat(d.u64(sc + SC_RIP)).isEqualTo(0x401234);
        assertThat(d.u64(sc + SC_CR2)).isEqualTo(0xdead000);
        assertThat(d.u64(sc + SC_TRAPNO)).isEqualTo(14);
        assertThat(d.u64(frame + FRAME_UC + UC_SIGMASK)).isEqualTo(0x1234_0000_0001L);
        long fp = d.u64(sc + SC_FPSTATE);
        assertThat(fp % 64).isZero();
        assertThat(fp).isGreaterThan(frame).isLessThanOrEqualTo(sp - RED_ZONE - FP_SIZE);
        assertThat(d.u32(fp + FP_MXCSR)).isEqualTo(0x7f80);
        assertThat(d.u64(fp + FP_XMM + 16 * 15 + 8)).isEqualTo(xmmBefore[31]);
        assertThat(d.u32(frame + FRAME_INFO)).as("si_signo").isEqualTo(11);

        // The handler edits its context: a new rip and rax, another xmm1 low half.
        d.put64(sc + SC_RIP, 0x401240);
        d.put64(sc + SC_RAX, 42);
        d.put64(fp + FP_XMM + 16, 0xabcdefL);
        java.util.Arrays.fill(s.regs, 0);
        s.xmm[2] = 0;
        s.mxcsr = 0x1f80;
        s.regs[X86CpuState.ESP] = frame + 8; // the handler's ret popped the return address
        long mask = process.abi().signalFrames().restore(thread, true);

        assertThat(mask).isEqualTo(0x1234_0000_0001L);
        assertThat(s.rip).isEqualTo(0x401240);
        assertThat(s.regs[X86CpuState.EAX]).isEqualTo(42);
        for (int i = 0; i < 16; i++) {
            if (i != X86CpuState.EAX && i != X86CpuState.ESP) {
                assertThat(s.regs[i]).as("register %d", i).isEqualTo(regsBefore[i]);
            }
        }
        assertThat(s.regs[X86CpuState.ESP]).isEqualTo(sp);
        assertThat(s.xmm[2]).isEqualTo(0xabcdefL);
        assertThat(s.xmm[31]).isEqualTo(xmmBefore[31]);
        assertThat(s.mxcsr).isEqualTo(0x7f80);
        assertThat(s.eflags() & X86CpuState.DF).as("DF comes back").isNotZero();
    }

    @Test
    void aHandlerWithoutRestorerKillsWithSigsegvAsTheKernelDoes() {
        s.regs[X86CpuState.ESP] = 0x7000_8000L;
        SignalAction noRestorer = new SignalAction(0x402000, 0, 0, 0);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> process.abi().signalFrames().setup(thread, noRestorer,
                SignalInfo.user(10, 0, 0), 0, 0x7000_8000L))
                .isInstanceOf(org.qemu.common.linux.ProcessExit.class)
                .satisfies(e -> assertThat(((org.qemu.common.linux.ProcessExit) e).signal()).isEqualTo(11));
    }
}
