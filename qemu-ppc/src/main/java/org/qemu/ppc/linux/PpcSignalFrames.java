package org.qemu.ppc.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.ppc.cpu.PpcCpuState;
import org.qemu.ppc.translate.PpcCpu;

/**
 * ppc32 signal frames as Linux's arch/powerpc/kernel/signal_32.c lays them out.
 *
 * <p>rt frame (SA_SIGINFO): {@code struct rt_sigframe { siginfo (128); ucontext; abigap[56] }},
 * ucontext = flags 0, link 4, stack 8 (sp, flags, size), pad, uc_regs pointer 48, sigmask 52
 * (two words), ..., mcontext 192. Old frame: {@code struct sigframe { sigcontext (32); mcontext;
 * abigap }} with sigcontext = _unused[4] (word 3: high half of the old mask), signal 16,
 * handler 20, oldmask 24, regs pointer 28. mcontext = 48 gregs (r0-r31, nip, msr, orig_r3, ctr,
 * lr, xer, cr, mq, trap, dar, dsisr, result), 32 FPRs and the FPSCR as a doubleword, 2 pad words,
 * then 16-aligned vector registers (unused: no AltiVec). The handler runs on a new stack frame
 * 64 bytes (+16 for rt) below the signal frame, with LR at a two-instruction trampoline.
 */
final class PpcSignalFrames implements SignalFrames {
    static final int SIGINFO_SIZE = 128;
    static final int UC_STACK = 8;
    static final int UC_REGS = 48;
    static final int UC_SIGMASK = 52;
    static final int UC_MCONTEXT = 192;
    static final int MCONTEXT_SIZE = 192 + 264 + 8 + 33 * 16;
    static final int UCONTEXT_SIZE = UC_MCONTEXT + MCONTEXT_SIZE;
    static final int ABIGAP = 56 * 4;
    static final int RT_FRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE + ABIGAP;
    static final int SIGCONTEXT_SIZE = 32;
    static final int FRAME_SIZE = SIGCONTEXT_SIZE + MCONTEXT_SIZE + ABIGAP;
    /** __SIGNAL_FRAMESIZE for 32-bit: the caller's frame the handler's prologue may use. */
    static final int SIGNAL_FRAMESIZE = 64;

    static final int PT_NIP = 32;
    static final int PT_MSR = 33;
    static final int PT_ORIG_R3 = 34;
    static final int PT_CTR = 35;
    static final int PT_LNK = 36;
    static final int PT_XER = 37;
    static final int PT_CCR = 38;
    static final int PT_TRAP = 40;
    static final int PT_DAR = 41;
    static final int PT_RESULT = 43;
    static final int FPREGS = 192;
    /** MSR of a user process: EE, PR, FP, ME, IR, DR, RI. */
    static final int MSR_USER = 0xf032;

    private final long trampoline;

    PpcSignalFrames(long trampoline) {
        this.trampoline = trampoline;
    }

    private static PpcCpuState state(LinuxThread thread) {
        return ((PpcCpu) thread.cpu()).state();
    }

    @Override
    public long stackPointer(LinuxThread thread) {
        return Integer.toUnsignedLong(state(thread).gpr[1]);
    }

    @Override
    public void setup(LinuxThread thread, SignalAction action, SignalInfo info, long savedMask, long stackPointer) {
        PpcCpuState s = state(thread);
        GuestData d = thread.process().data();
        boolean rt = action.has(SignalAction.SA_SIGINFO);
        long frame = (stackPointer - (rt ? RT_FRAME_SIZE : FRAME_SIZE)) & ~0xfL;
        long oldSp = Integer.toUnsignedLong(s.gpr[1]);
        long mcontext;
        long newSp;
        if (rt) {
            long uc = frame + SIGINFO_SIZE;
            info.write(d, frame);
            d.put32(uc, 0);
            d.put32(uc + 4, 0);
            d.put32(uc + UC_STACK, (int) thread.altStackBase());
            d.put32(uc + UC_STACK + 4, onAltStack(thread, oldSp) ? 1 : thread.altStackFlags());
            d.put32(uc + UC_STACK + 8, (int) thread.altStackSize());
            mcontext = uc + UC_MCONTEXT;
            d.put32(uc + UC_REGS, (int) mcontext);
            d.put32(uc + UC_SIGMASK, (int) savedMask);
            d.put32(uc + UC_SIGMASK + 4, (int) (savedMask >>> 32));
            newSp = frame - (SIGNAL_FRAMESIZE + 16);
        } else {
            mcontext = frame + SIGCONTEXT_SIZE;
            for (int i = 0; i < 12; i += 4) {
                d.put32(frame + i, 0);
            }
            d.put32(frame + 12, (int) (savedMask >>> 32));
            d.put32(frame + 16, info.signal());
            d.put32(frame + 20, (int) action.handler());
            d.put32(frame + 24, (int) savedMask);
            d.put32(frame + 28, (int) mcontext);
            newSp = frame - SIGNAL_FRAMESIZE;
        }
        saveRegisters(d, s, mcontext, info);
        d.put32(newSp, (int) oldSp); // back chain
        s.gpr[1] = (int) newSp;
        s.gpr[3] = info.signal();
        if (rt) {
            s.gpr[4] = (int) frame;
            s.gpr[5] = (int) (frame + SIGINFO_SIZE);
            s.gpr[6] = (int) frame;
        } else {
            s.gpr[4] = (int) frame;
        }
        s.lr = (int) (rt ? trampoline + PpcLinuxAbi.RT_SIGRETURN_OFFSET : trampoline + PpcLinuxAbi.SIGRETURN_OFFSET);
        s.pc = (int) action.handler();
        // Linux turns off all floating-point exception enables and flags for the handler.
        s.fpscr = 0;
        s.reservationAddress = -1;
    }

    private static boolean onAltStack(LinuxThread t, long sp) {
        return t.altStackSize() > 0 && sp > t.altStackBase() && sp <= t.altStackBase() + t.altStackSize();
    }

    private static void saveRegisters(GuestData d, PpcCpuState s, long mc, SignalInfo info) {
        for (int i = 0; i < 32; i++) {
            d.put32(mc + 4L * i, s.gpr[i]);
        }
        d.put32(mc + 4L * PT_NIP, s.pc);
        d.put32(mc + 4L * PT_MSR, MSR_USER);
        d.put32(mc + 4L * PT_ORIG_R3, s.gpr[3]);
        d.put32(mc + 4L * PT_CTR, s.ctr);
        d.put32(mc + 4L * PT_LNK, s.lr);
        d.put32(mc + 4L * PT_XER, s.xer());
        d.put32(mc + 4L * PT_CCR, s.cr);
        d.put32(mc + 4L * 39, 0);
        d.put32(mc + 4L * PT_TRAP, 0);
        d.put32(mc + 4L * PT_DAR, (int) info.address());
        d.put32(mc + 4L * 42, 0);
        d.put32(mc + 4L * PT_RESULT, 0);
        for (int i = 44; i < 48; i++) {
            d.put32(mc + 4L * i, 0);
        }
        for (int i = 0; i < 32; i++) {
            d.put64(mc + FPREGS + 8L * i, s.fpr[i]);
        }
        d.put64(mc + FPREGS + 256, Integer.toUnsignedLong(s.fpscr));
        // mc_pad: the two instructions Linux writes when there is no vDSO (we point LR at our own page instead).
        d.put32(mc + FPREGS + 264, 0);
        d.put32(mc + FPREGS + 268, 0);
    }

    private static void restoreRegisters(GuestData d, PpcCpuState s, long mc) {
        for (int i = 0; i < 32; i++) {
            s.gpr[i] = d.s32(mc + 4L * i);
        }
        s.pc = d.s32(mc + 4L * PT_NIP);
        s.ctr = d.s32(mc + 4L * PT_CTR);
        s.lr = d.s32(mc + 4L * PT_LNK);
        s.setXer(d.s32(mc + 4L * PT_XER));
        s.cr = d.s32(mc + 4L * PT_CCR);
        for (int i = 0; i < 32; i++) {
            s.fpr[i] = d.u64(mc + FPREGS + 8L * i);
        }
        s.fpscr = (int) d.u64(mc + FPREGS + 256);
        s.reservationAddress = -1;
    }

    @Override
    public long restore(LinuxThread thread, boolean rt) {
        PpcCpuState s = state(thread);
        GuestData d = thread.process().data();
        long sp = Integer.toUnsignedLong(s.gpr[1]);
        if (rt) {
            long uc = sp + SIGNAL_FRAMESIZE + 16 + SIGINFO_SIZE;
            long mask = d.u32(uc + UC_SIGMASK) | d.u32(uc + UC_SIGMASK + 4) << 32;
            restoreRegisters(d, s, d.u32(uc + UC_REGS));
            return mask;
        }
        long sc = sp + SIGNAL_FRAMESIZE;
        long mask = d.u32(sc + 24) | d.u32(sc + 12) << 32;
        restoreRegisters(d, s, d.u32(sc + 28));
        return mask;
    }
}
