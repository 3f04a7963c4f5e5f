package org.qemu.i386.linux;

import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.signal.SignalFrames;
import org.qemu.common.linux.signal.SignalInfo;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * i386 signal frames as the kernel builds them (asm/sigframe.h, asm/sigcontext.h):
 * {@code sigframe} {pretcode, sig, sigcontext, fpstate, extramask, retcode} for plain handlers
 * and {@code rt_sigframe} {pretcode, sig, pinfo, puc, siginfo, ucontext} for SA_SIGINFO ones.
 * The x87/SSE state is not written into the frame: it is kept on the thread and put back by
 * sigreturn, so a handler that uses floating point cannot disturb the interrupted code.
 */
final class I386SignalFrames implements SignalFrames {
    /** struct sigcontext (88 bytes) field offsets. */
    static final int SC_GS = 0, SC_FS = 4, SC_ES = 8, SC_DS = 12, SC_EDI = 16, SC_ESI = 20, SC_EBP = 24,
            SC_ESP = 28, SC_EBX = 32, SC_EDX = 36, SC_ECX = 40, SC_EAX = 44, SC_TRAPNO = 48, SC_ERR = 52,
            SC_EIP = 56, SC_CS = 60, SC_EFLAGS = 64, SC_ESP_AT_SIGNAL = 68, SC_SS = 72, SC_FPSTATE = 76,
            SC_OLDMASK = 80, SC_CR2 = 84, SC_SIZE = 88;
    /** The legacy frame's unused _fpstate_32 area, then extramask and the retcode bytes. */
    static final int FRAME_SC = 8, FRAME_FPSTATE = FRAME_SC + SC_SIZE, FPSTATE_SIZE = 624,
            FRAME_EXTRAMASK = FRAME_FPSTATE + FPSTATE_SIZE, FRAME_RETCODE = FRAME_EXTRAMASK + 4,
            FRAME_SIZE = FRAME_RETCODE + 8;
    /** rt_sigframe: pretcode, sig, pinfo, puc, siginfo (128), ucontext (116). */
    static final int RT_INFO = 16, RT_UC = RT_INFO + SignalInfo.SIZE, UC_STACK = 8, UC_MCONTEXT = 20,
            UC_SIGMASK = 108, UC_SIZE = 116, RT_FRAME_SIZE = RT_UC + UC_SIZE;
    /** EFLAGS bits sigreturn may restore (the kernel's FIX_EFLAGS). */
    private static final int FIX_EFLAGS = 0x40DD5;

    private final I386LinuxAbi abi;

    I386SignalFrames(I386LinuxAbi abi) {
        this.abi = abi;
    }

    private static X86CpuState state(LinuxThread t) {
        return ((X86Cpu) t.cpu()).state;
    }

    @Override
    public long stackPointer(LinuxThread thread) {
        return state(thread).reg32(X86CpuState.ESP) & 0xffffffffL;
    }

    @Override
    public void setup(LinuxThread thread, SignalAction action, SignalInfo info, long savedMask, long stackPointer) {
        X86CpuState s = state(thread);
        GuestData d = thread.process().data();
        boolean rt = action.has(SignalAction.SA_SIGINFO);
        int size = rt ? RT_FRAME_SIZE : FRAME_SIZE;
        // Aligned so that, after the handler's return address is "pushed", (esp + 4) is 16-byte aligned.
        long frame = (((stackPointer - size) + 4) & ~15L) - 4;
        long restorer = action.has(SignalAction.SA_RESTORER) ? action.restorer()
                : (rt ? abi.rtSigreturnTrampoline() : abi.sigreturnTrampoline());
        thread.process().memory().checkRange(frame, size, true);
        if (rt) {
            d.put32(frame, (int) restorer);
            d.put32(frame + 4, info.signal());
            d.put32(frame + 8, (int) (frame + RT_INFO));
            d.put32(frame + 12, (int) (frame + RT_UC));
            info.write(d, frame + RT_INFO);
            long uc = frame + RT_UC;
            d.put32(uc, 0);
            d.put32(uc + 4, 0);
            d.put32(uc + UC_STACK, (int) thread.altStackBase());
            d.put32(uc + UC_STACK + 4, thread.altStackFlags());
            d.put32(uc + UC_STACK + 8, (int) thread.altStackSize());
            writeSigcontext(d, uc + UC_MCONTEXT, s, savedMask, info);
            d.put32(uc + UC_SIGMASK, (int) savedMask);
            d.put32(uc + UC_SIGMASK + 4, (int) (savedMask >>> 32));
        } else {
            d.put32(frame, (int) restorer);
            d.put32(frame + 4, info.signal());
            writeSigcontext(d, frame + FRAME_SC, s, savedMask, info);
            d.put32(frame + FRAME_EXTRAMASK, (int) (savedMask >>> 32));
            // The historical "popl %eax; movl $__NR_sigreturn, %eax; int $0x80", kept for debuggers that look for it.
            byte[] retcode = {0x58, (byte) 0xb8, 119, 0, 0, 0, (byte) 0xcd, (byte) 0x80};
            thread.process().memory().write(frame + FRAME_RETCODE, retcode, 0, retcode.length);
        }
        thread.frameExtras().push(s.copy());
        s.setReg32(X86CpuState.ESP, (int) frame);
        s.setEip((int) action.handler());
        s.setReg32(X86CpuState.EAX, info.signal());
        s.setReg32(X86CpuState.EDX, rt ? (int) (frame + RT_INFO) : 0);
        s.setReg32(X86CpuState.ECX, rt ? (int) (frame + RT_UC) : 0);
        s.setEflags(s.eflags() & ~(X86CpuState.TF | X86CpuState.DF));
    }

    private static void writeSigcontext(GuestData d, long sc, X86CpuState s, long savedMask, SignalInfo info) {
        d.put32(sc + SC_GS, s.segSelector[X86CpuState.GS]);
        d.put32(sc + SC_FS, s.segSelector[X86CpuState.FS]);
        d.put32(sc + SC_ES, s.segSelector[X86CpuState.ES]);
        d.put32(sc + SC_DS, s.segSelector[X86CpuState.DS]);
        d.put32(sc + SC_EDI, s.reg32(X86CpuState.EDI));
        d.put32(sc + SC_ESI, s.reg32(X86CpuState.ESI));
        d.put32(sc + SC_EBP, s.reg32(X86CpuState.EBP));
        d.put32(sc + SC_ESP, s.reg32(X86CpuState.ESP));
        d.put32(sc + SC_EBX, s.reg32(X86CpuState.EBX));
        d.put32(sc + SC_EDX, s.reg32(X86CpuState.EDX));
        d.put32(sc + SC_ECX, s.reg32(X86CpuState.ECX));
        d.put32(sc + SC_EAX, s.reg32(X86CpuState.EAX));
        boolean fault = info.code() > 0 && info.signal() != 0 && (info.signal() == 11 || info.signal() == 4
                || info.signal() == 8 || info.signal() == 7 || info.signal() == 5);
        // a CPU exception's own vector and error code, as the kernel records them; other signals 0
        d.put32(sc + SC_TRAPNO, info.fromTrap() ? info.trapNumber() : fault && info.signal() == 11 ? 14 : 0);
        d.put32(sc + SC_ERR, info.fromTrap() ? info.errorCode() : 0);
        d.put32(sc + SC_EIP, s.eip());
        d.put32(sc + SC_CS, s.segSelector[X86CpuState.CS]);
        d.put32(sc + SC_EFLAGS, s.eflags());
        d.put32(sc + SC_ESP_AT_SIGNAL, s.reg32(X86CpuState.ESP));
        d.put32(sc + SC_SS, s.segSelector[X86CpuState.SS]);
        d.put32(sc + SC_FPSTATE, 0);
        d.put32(sc + SC_OLDMASK, (int) savedMask);
        d.put32(sc + SC_CR2, fault ? (int) info.address() : 0);
    }

    @Override
    public long restore(LinuxThread thread, boolean rt) {
        X86Cpu cpu = (X86Cpu) thread.cpu();
        X86CpuState s = cpu.state;
        GuestData d = thread.process().data();
        long esp = s.reg32(X86CpuState.ESP) & 0xffffffffL;
        long frame = rt ? esp - 4 : esp - 8;
        long sc = rt ? frame + RT_UC + UC_MCONTEXT : frame + FRAME_SC;
        long mask = rt ? d.u32(frame + RT_UC + UC_SIGMASK) | (d.u32(frame + RT_UC + UC_SIGMASK + 4) << 32)
                : d.u32(sc + SC_OLDMASK) | (d.u32(frame + FRAME_EXTRAMASK) << 32);
        int[] regs = new int[8];
        regs[X86CpuState.EDI] = d.s32(sc + SC_EDI);
        regs[X86CpuState.ESI] = d.s32(sc + SC_ESI);
        regs[X86CpuState.EBP] = d.s32(sc + SC_EBP);
        regs[X86CpuState.ESP] = d.s32(sc + SC_ESP);
        regs[X86CpuState.EBX] = d.s32(sc + SC_EBX);
        regs[X86CpuState.EDX] = d.s32(sc + SC_EDX);
        regs[X86CpuState.ECX] = d.s32(sc + SC_ECX);
        regs[X86CpuState.EAX] = d.s32(sc + SC_EAX);
        int eip = d.s32(sc + SC_EIP);
        int eflags = d.s32(sc + SC_EFLAGS);
        int gs = d.s32(sc + SC_GS) & 0xffff;
        int fs = d.s32(sc + SC_FS) & 0xffff;
        Object saved = thread.frameExtras().poll();
        if (saved instanceof X86CpuState fp) {
            // Floating-point state comes back from where setup kept it.
            X86CpuState copy = s.copy();
            fp.copyInto(s);
            System.arraycopy(copy.segSelector, 0, s.segSelector, 0, 6);
            System.arraycopy(copy.segBase, 0, s.segBase, 0, 6);
        }
        for (int r = 0; r < 8; r++) {
            s.setReg32(r, regs[r]);
        }
        s.setEip(eip);
        s.setEflags((s.eflags() & ~FIX_EFLAGS) | (eflags & FIX_EFLAGS));
        loadSegmentQuietly(cpu, X86CpuState.GS, gs);
        loadSegmentQuietly(cpu, X86CpuState.FS, fs);
        return mask;
    }

    private static void loadSegmentQuietly(X86Cpu cpu, int segment, int selector) {
        try {
            cpu.loadSegment(segment, selector);
        } catch (RuntimeException e) {
            // An invalid selector in a doctored frame: Linux would SIGSEGV on return; keep the old one.
        }
    }
}
