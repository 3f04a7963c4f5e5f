package org.qemu.x86_64.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.common.linux.signal.Signals;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The x86-64 {@code rt_sigframe} as the kernel builds it: {pretcode, ucontext, siginfo}, with a
 * 512-byte fxsave image (x87, MXCSR, XMM0-15) below it that {@code uc_mcontext.fpstate} points
 * at. There is only the rt frame on x86-64, and only with SA_RESTORER: the kernel has no
 * trampoline of its own there, so a handler installed without one kills the process (SIGSEGV),
 * as on Linux. sigreturn reads the registers and the fxsave image back from the frame, so a
 * handler that edits its ucontext changes what the interrupted code resumes with.
 */
final class X86_64SignalFrames implements SignalFrames {
    /** struct sigcontext (asm/sigcontext.h, 64-bit): general registers in the kernel's order. */
    static final int SC_R8 = 0, SC_RDI = 64, SC_RSI = 72, SC_RBP = 80, SC_RBX = 88, SC_RDX = 96, SC_RAX = 104,
            SC_RCX = 112, SC_RSP = 120, SC_RIP = 128, SC_EFLAGS = 136, SC_CS = 144, SC_GS = 146, SC_FS = 148,
            SC_SS = 150, SC_ERR = 152, SC_TRAPNO = 160, SC_OLDMASK = 168, SC_CR2 = 176, SC_FPSTATE = 184,
            SC_SIZE = 256;
    /** struct ucontext (asm-generic/ucontext.h) with the kernel's 8-byte sigset_t. */
    static final int UC_FLAGS = 0, UC_LINK = 8, UC_STACK = 16, UC_MCONTEXT = 40, UC_SIGMASK = 296, UC_SIZE = 304;
    /** stack_t inside uc_stack. */
    static final int SS_SP = 0, SS_FLAGS = 8, SS_SIZE = 16;
    /** rt_sigframe: the return address (sa_restorer), the ucontext, the siginfo. */
    static final int FRAME_UC = 8, FRAME_INFO = FRAME_UC + UC_SIZE, FRAME_SIZE = FRAME_INFO + SignalInfo.SIZE;
    /** struct _fpstate_64: the fxsave layout. */
    static final int FP_MXCSR = 24, FP_MXCSR_MASK = 28, FP_XMM = 160, FP_SIZE = 512;
    /** uc_flags the kernel sets for a frame without xsave state. */
    static final int UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;
    /** The System V ABI lets leaf functions use 128 bytes below rsp: a frame must not touch them. */
    static final int RED_ZONE = 128;
    /** RFLAGS bits sigreturn may restore (the kernel's FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
    private static final int FIX_EFLAGS = 0x50DD5;
    /** Linux's flat 64-bit user code and stack selectors (__USER_CS, __USER_DS). */
    static final int USER_CS = 0x33, USER_SS = 0x2b;
    private static final int MXCSR_MASK = 0xffff;
    /** X86CpuState index of each sigcontext slot from r8 to rcx (r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx). */
    private static final int[] GREG_ORDER = {8, 9, 10, 11, 12, 13, 14, 15,
        X86CpuState.EDI, X86CpuState.ESI, X86CpuState.EBP, X86CpuState.EBX, X86CpuState.EDX, X86CpuState.EAX,
        X86CpuState.ECX};

    private static X86CpuState state(LinuxThread t) {
        return ((X86Cpu) t.cpu()).state;
    }

    @Override
    public long stackPointer(LinuxThread thread) {
        return state(thread).regs[X86CpuState.ESP];
    }

    @Override
    public void setup(LinuxThread thread, SignalAction action, SignalInfo info, long savedMask, long stackPointer) {
        if (!action.has(SignalAction.SA_RESTORER)) {
            thread.process().dieFromSignal(Signals.SIGSEGV);
        }
        X86CpuState s = state(thread);
        GuestData d = thread.process().data();
        GuestMemory memory = thread.process().memory();
        long sp = stackPointer;
        if (sp == s.regs[X86CpuState.ESP]) {
            sp -= RED_ZONE; // on the interrupted stack; an alternate stack has no red zone to keep
        }
        long fpstate = (sp - FP_SIZE) & ~63L;
        // After the handler's "push" of its return address rsp + 8 is 16-byte aligned, as at a call.
        long frame = ((fpstate - FRAME_SIZE) & ~15L) - 8;
        memory.checkRange(frame, fpstate + FP_SIZE - frame, true);

        memory.write(fpstate, fxsaveImage(s), 0, FP_SIZE);
        d.put64(frame, action.restorer());
        long uc = frame + FRAME_UC;
        d.put64(uc + UC_FLAGS, UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS);
        d.put64(uc + UC_LINK, 0);
        d.put64(uc + UC_STACK + SS_SP, thread.altStackBase());
        d.put64(uc + UC_STACK + SS_FLAGS, thread.altStackFlags());
        d.put64(uc + UC_STACK + SS_SIZE, thread.altStackSize());
        writeSigcontext(d, uc + UC_MCONTEXT, s, savedMask, info, fpstate);
        d.put64(uc + UC_SIGMASK, savedMask);
        info.write(d, frame + FRAME_INFO);

        s.regs[X86CpuState.ESP] = frame;
        s.rip = action.handler();
        s.regs[X86CpuState.EDI] = info.signal();
        s.regs[X86CpuState.ESI] = frame + FRAME_INFO;
        s.regs[X86CpuState.EDX] = uc;
        s.regs[X86CpuState.EAX] = 0; // no vector registers passed (varargs convention)
        s.setEflags(s.eflags() & ~(X86CpuState.TF | X86CpuState.DF));
    }

    /** The fxsave image of the FPU and SSE state (x87 from the FPU, MXCSR and XMM0-15 from the CPU). */
    static byte[] fxsaveImage(X86CpuState s) {
        byte[] image = new byte[FP_SIZE];
        s.fpu.fxsave(image, 0);
        putInt(image, FP_MXCSR, s.mxcsr);
        putInt(image, FP_MXCSR_MASK, MXCSR_MASK);
        for (int i = 0; i < 16; i++) {
            putLong(image, FP_XMM + 16 * i, s.xmm[2 * i]);
            putLong(image, FP_XMM + 16 * i + 8, s.xmm[2 * i + 1]);
        }
        return image;
    }

    /** Loads an fxsave image back; MXCSR bits the CPU does not have are dropped, as the kernel sanitises them. */
    static void loadFxsaveImage(X86CpuState s, byte[] image) {
        s.fpu.fxrstor(image, 0);
        s.mxcsr = getInt(image, FP_MXCSR) & MXCSR_MASK;
        for (int i = 0; i < 16; i++) {
            s.xmm[2 * i] = getLong(image, FP_XMM + 16 * i);
            s.xmm[2 * i + 1] = getLong(image, FP_XMM + 16 * i + 8);
        }
    }

    private static void writeSigcontext(GuestData d, long sc, X86CpuState s, long savedMask, SignalInfo info,
            long fpstate) {
        for (int i = 0; i < GREG_ORDER.length; i++) {
            d.put64(sc + SC_R8 + 8L * i, s.regs[GREG_ORDER[i]]);
        }
        d.put64(sc + SC_RSP, s.regs[X86CpuState.ESP]);
        d.put64(sc + SC_RIP, s.rip);
        d.put64(sc + SC_EFLAGS, s.eflags() & 0xffffffffL);
        d.put16(sc + SC_CS, USER_CS);
        d.put16(sc + SC_GS, 0);
        d.put16(sc + SC_FS, 0);
        d.put16(sc + SC_SS, USER_SS);
        int sig = info.signal();
        boolean fault = info.code() > 0 && (sig == Signals.SIGSEGV || sig == Signals.SIGBUS || sig == Signals.SIGILL
                || sig == Signals.SIGFPE || sig == Signals.SIGTRAP);
        // a CPU exception's own vector and error code, as the kernel records them; other signals 0
        d.put64(sc + SC_ERR, info.fromTrap() ? info.errorCode() & 0xffffffffL : 0);
        d.put64(sc + SC_TRAPNO, info.fromTrap() ? info.trapNumber() : trapNumber(sig, fault));
        d.put64(sc + SC_OLDMASK, savedMask & 0xffffffffL);
        d.put64(sc + SC_CR2, fault && sig == Signals.SIGSEGV ? info.address() : 0);
        d.put64(sc + SC_FPSTATE, fpstate);
        for (int off = SC_FPSTATE + 8; off < SC_SIZE; off += 8) {
            d.put64(sc + off, 0);
        }
    }

    /** The x86 vector behind a synchronous signal (page fault 14, #UD 6, #DE 0, #BP 3); 0 otherwise. */
    private static int trapNumber(int sig, boolean fault) {
        if (!fault) {
            return 0;
        }
        return switch (sig) {
            case Signals.SIGSEGV -> 14;
            case Signals.SIGILL -> 6;
            case Signals.SIGTRAP -> 3;
            default -> 0;
        };
    }

    @Override
    public long restore(LinuxThread thread, boolean rt) {
        X86CpuState s = state(thread);
        GuestData d = thread.process().data();
        long frame = s.regs[X86CpuState.ESP] - 8; // the handler's ret popped pretcode
        long uc = frame + FRAME_UC;
        long sc = uc + UC_MCONTEXT;
        long[] gregs = new long[GREG_ORDER.length];
        for (int i = 0; i < gregs.length; i++) {
            gregs[i] = d.u64(sc + SC_R8 + 8L * i);
        }
        long rsp = d.u64(sc + SC_RSP);
        long rip = d.u64(sc + SC_RIP);
        int eflags = (int) d.u64(sc + SC_EFLAGS);
        long fpstate = d.u64(sc + SC_FPSTATE);
        long mask = d.u64(uc + UC_SIGMASK);
        byte[] image = null;
        if (fpstate != 0) {
            image = new byte[FP_SIZE];
            thread.process().memory().read(fpstate, image, 0, FP_SIZE);
        }
        // Everything is read before anything changes: a bad frame leaves the CPU as it was.
        for (int i = 0; i < gregs.length; i++) {
            s.regs[GREG_ORDER[i]] = gregs[i];
        }
        s.regs[X86CpuState.ESP] = rsp;
        s.rip = rip;
        s.setEflags((s.eflags() & ~FIX_EFLAGS) | (eflags & FIX_EFLAGS));
        if (image != null) {
            loadFxsaveImage(s, image);
        }
        return mask;
    }

    private static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    private static int getInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putLong(byte[] b, int off, long v) {
        putInt(b, off, (int) v);
        putInt(b, off + 4, (int) (v >>> 32));
    }

    private static long getLong(byte[] b, int off) {
        return (getInt(b, off) & 0xffffffffL) | (long) getInt(b, off + 4) << 32;
    }
}
