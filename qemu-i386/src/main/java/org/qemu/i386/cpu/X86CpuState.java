package org.qemu.i386.cpu;

/**
 * The architectural state of one x86 CPU (one guest thread in user mode), as plain public
 * fields so generated code and the Linux runtime reach them without accessors.
 *
 * <p>The arithmetic flags (CF PF AF ZF SF OF) are kept lazily: {@link #ccOp} names the last
 * flag-setting operation and {@link #ccA}/{@link #ccB}/{@link #ccC}/{@link #ccRes} its
 * operands and result; {@link LazyFlags} computes a flag only when something reads it.
 * Everything else in EFLAGS (DF, IF, ID, AC, ...) lives in {@link #eflagsOther}.
 */
public final class X86CpuState {
    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;

    public static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7,
            TF = 1 << 8, IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, AC = 1 << 18, ID = 1 << 21;
    /** The six flags the lazy machinery owns. */
    public static final int ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
    /** EFLAGS bits user code may change with popf (IOPL, IF, VM, RF are the kernel's). */
    public static final int USER_WRITABLE_FLAGS = ARITH_FLAGS | TF | DF | AC | ID;

    public static final int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    /**
     * General purpose registers, indexed by the ModRM/REX encoding (RAX=0 ... RDI=7, R8..R15), as
     * 64-bit values. 32-bit code sees the low halves: a 32-bit write zero-extends into the long
     * (the x86-64 rule, which also keeps 32-bit mode's upper halves at zero), 8/16-bit writes
     * merge into the low bits. Use {@link #reg32}/{@link #setReg32} for 32-bit access.
     */
    public final long[] regs = new long[16];
    /** The instruction pointer (32-bit modes keep it below 2^32). */
    public long rip;

    /** Last flag-setting operation ({@link LazyFlags} op codes) and its inputs. */
    public int ccOp = LazyFlags.EFLAGS;
    public int ccA = 0, ccB, ccC, ccRes;
    /**
     * For {@link LazyFlags#ROTATE}: the last operation before a run of rotates/bit tests, whose
     * SF ZF AF PF those instructions leave in place (they only set CF and OF).
     */
    public int ccBaseOp, ccBaseA, ccBaseB, ccBaseC, ccBaseRes;
    /** EFLAGS bits outside the six arithmetic flags (bit 1 reads as 1 regardless). */
    public int eflagsOther = IF;

    /** Segment selectors and bases (ES CS SS DS FS GS). User mode: only FS/GS bases are non-zero (TLS). */
    public final int[] segSelector = {0x2b, 0x23, 0x2b, 0x2b, 0, 0};
    public final long[] segBase = new long[6];

    // ---- x87 / MMX / SSE storage, owned by the floating-point translator (org.qemu.i386.fp) ----
    /** The x87 unit: exact 80-bit registers, stack, control/status/tag words; MMX aliases its registers. */
    public final org.qemu.i386.fp.X87Fpu fpu = new org.qemu.i386.fp.X87Fpu();
    /** Rounding mode and flags of the SSE operation in flight (derived from {@link #mxcsr}). */
    public final org.qemu.i386.fp.FpContext sseContext = new org.qemu.i386.fp.FpContext();
    /** XMM registers as (low, high) 64-bit halves: xmm[2*i] is the low half of XMMi; 16 registers for x86_64. */
    public final long[] xmm = new long[32];
    public int mxcsr = 0x1f80;

    /** The low 32 bits of register {@code r}. */
    public int reg32(int r) {
        return (int) regs[r];
    }

    /** A 32-bit register write: zero-extends into the 64-bit register, as x86-64 does. */
    public void setReg32(int r, int value) {
        regs[r] = value & 0xffffffffL;
    }

    /** A 16-bit register write: merges into the low bits, the rest of the register stays. */
    public void setReg16(int r, int value) {
        regs[r] = (regs[r] & ~0xffffL) | (value & 0xffff);
    }

    /** An 8-bit write to the low byte (AL, CL, ..., and SPL..R15B in 64-bit mode). */
    public void setReg8Low(int r, int value) {
        regs[r] = (regs[r] & ~0xffL) | (value & 0xff);
    }

    /** An 8-bit write to bits 8-15 (AH, CH, DH, BH: {@code r} is 0-3). */
    public void setReg8High(int r, int value) {
        regs[r] = (regs[r] & ~0xff00L) | ((value & 0xff) << 8);
    }

    /** A 32-bit instruction pointer write (32-bit modes). */
    public void setEip(int value) {
        rip = value & 0xffffffffL;
    }

    /** The low 32 bits of the instruction pointer. */
    public int eip() {
        return (int) rip;
    }

    /** The full EFLAGS register, computing the lazy flags. */
    public int eflags() {
        return LazyFlags.arithmetic(this) | eflagsOther | 2;
    }

    /** Replaces EFLAGS (all bits given; callers mask what the guest may change). */
    public void setEflags(int value) {
        ccOp = LazyFlags.EFLAGS;
        ccA = value & ARITH_FLAGS;
        eflagsOther = value & ~ARITH_FLAGS & ~2;
    }

    /** +1 or -1: the string instruction step direction from DF. */
    public int direction() {
        return (eflagsOther & DF) != 0 ? -1 : 1;
    }

    /** A deep copy, for fork (new address space) and clone (new thread). */
    public X86CpuState copy() {
        X86CpuState c = new X86CpuState();
        copyInto(c);
        return c;
    }

    public void copyInto(X86CpuState c) {
        System.arraycopy(regs, 0, c.regs, 0, regs.length);
        c.rip = rip;
        c.ccOp = ccOp;
        c.ccA = ccA;
        c.ccB = ccB;
        c.ccC = ccC;
        c.ccRes = ccRes;
        c.ccBaseOp = ccBaseOp;
        c.ccBaseA = ccBaseA;
        c.ccBaseB = ccBaseB;
        c.ccBaseC = ccBaseC;
        c.ccBaseRes = ccBaseRes;
        c.eflagsOther = eflagsOther;
        System.arraycopy(segSelector, 0, c.segSelector, 0, 6);
        System.arraycopy(segBase, 0, c.segBase, 0, 6);
        fpu.copyInto(c.fpu);
        System.arraycopy(xmm, 0, c.xmm, 0, xmm.length);
        c.mxcsr = mxcsr;
    }

    @Override
    public String toString() {
        return String.format("eax=%08x ecx=%08x edx=%08x ebx=%08x esp=%08x ebp=%08x esi=%08x edi=%08x eip=%08x eflags=%08x",
                reg32(0), reg32(1), reg32(2), reg32(3), reg32(4), reg32(5), reg32(6), reg32(7), eip(), eflags());
    }
}
