package org.qemu.ppc.cpu;

import org.qemu.common.exec.GuestTrap;

/**
 * Branches, system calls, traps and special-purpose registers. Branch helpers end a
 * translation block and return the guest address to continue at.
 */
public final class FlowOps {
    /** Linux's si_code for a trap instruction (TRAP_BRKPT) and a privileged opcode (ILL_PRVOPC). */
    static final int TRAP_BRKPT = 1;
    static final int ILL_PRVOPC = 5;
    /** Program interrupt vector, reported as the trap number. */
    static final int PROGRAM_INTERRUPT = 0x700;
    /** Processor version register of a PowerPC 750 (G3), what mfpvr returns (Linux emulates mfpvr for user space). */
    public static final int PVR_750 = 0x00080200;
    /** Time base ticks per second: 512 MHz, a rate Linux on PowerPC reports for many boards. */
    public static final long TIMEBASE_HZ = 512_000_000L;

    private FlowOps() {
    }

    public static int branch(PpcCpuState s, int target, int nextPc, int link) {
        if (link != 0) {
            s.lr = nextPc;
        }
        return target;
    }

    /**
     * The BO rule of bc/bclr/bcctr: BO[2]=0 decrements CTR and requires CTR!=0 (BO[3]=0) or
     * CTR==0 (BO[3]=1); BO[0]=0 requires CR[BI] == BO[1]. Bits are ISA-numbered, BO[0] = 0x10.
     */
    private static boolean taken(PpcCpuState s, int bo, int bi, boolean mayDecrement) {
        boolean ctrOk = true;
        if (mayDecrement && (bo & 0x04) == 0) {
            s.ctr--;
            ctrOk = (s.ctr != 0) != ((bo & 0x02) != 0);
        }
        boolean condOk = (bo & 0x10) != 0 || ((s.cr >>> (31 - bi)) & 1) == ((bo >>> 3) & 1);
        return ctrOk && condOk;
    }

    public static int bc(PpcCpuState s, int bo, int bi, int target, int nextPc, int link) {
        boolean t = taken(s, bo, bi, true);
        if (link != 0) {
            s.lr = nextPc;
        }
        return t ? target : nextPc;
    }

    public static int bclr(PpcCpuState s, int bo, int bi, int nextPc, int link) {
        int target = s.lr & ~3;
        boolean t = taken(s, bo, bi, true);
        if (link != 0) {
            s.lr = nextPc;
        }
        return t ? target : nextPc;
    }

    /** bcctr never decrements CTR (BO[2]=0 is an invalid form). */
    public static int bcctr(PpcCpuState s, int bo, int bi, int nextPc, int link) {
        int target = s.ctr & ~3;
        boolean t = taken(s, bo, bi, false);
        if (link != 0) {
            s.lr = nextPc;
        }
        return t ? target : nextPc;
    }

    public static int sc(PpcCpuState s, int nextPc) {
        s.stop = PpcCpuState.Stop.SYSCALL;
        return nextPc;
    }

    // ---- traps --------------------------------------------------------------------------

    /** TO bits: 0x10 signed <, 0x08 signed >, 0x04 equal, 0x02 unsigned <, 0x01 unsigned >. */
    private static void trapIf(PpcCpuState s, int to, int a, int b) {
        boolean t = ((to & 0x10) != 0 && a < b)
                || ((to & 0x08) != 0 && a > b)
                || ((to & 0x04) != 0 && a == b)
                || ((to & 0x02) != 0 && Integer.compareUnsigned(a, b) < 0)
                || ((to & 0x01) != 0 && Integer.compareUnsigned(a, b) > 0);
        if (t) {
            throw new TrapException(new GuestTrap(GuestTrap.SIGTRAP, TRAP_BRKPT,
                    Integer.toUnsignedLong(s.pc), PROGRAM_INTERRUPT, 0));
        }
    }

    public static void tw(PpcCpuState s, int to, int ra, int rb) {
        trapIf(s, to, s.gpr[ra], s.gpr[rb]);
    }

    public static void twi(PpcCpuState s, int to, int ra, int simm) {
        trapIf(s, to, s.gpr[ra], simm);
    }

    /** Cache hints and storage barriers: memory here is coherent and code pages are tracked. */
    public static void noOperation(PpcCpuState s) {
    }

    public static void illegal(PpcCpuState s) {
        throw new TrapException(new GuestTrap(GuestTrap.SIGILL, GuestTrap.ILL_ILLOPC,
                Integer.toUnsignedLong(s.pc), PROGRAM_INTERRUPT, 0));
    }

    public static void privileged(PpcCpuState s) {
        throw new TrapException(new GuestTrap(GuestTrap.SIGILL, ILL_PRVOPC,
                Integer.toUnsignedLong(s.pc), PROGRAM_INTERRUPT, 0));
    }

    // ---- special-purpose registers -----------------------------------------------------------

    public static final int SPR_XER = 1;
    public static final int SPR_LR = 8;
    public static final int SPR_CTR = 9;
    public static final int SPR_VRSAVE = 256;
    public static final int SPR_TBL_READ = 268;
    public static final int SPR_TBU_READ = 269;
    public static final int SPR_PVR = 287;

    public static void mflr(PpcCpuState s, int rt) {
        s.gpr[rt] = s.lr;
    }

    public static void mtlr(PpcCpuState s, int rs) {
        s.lr = s.gpr[rs];
    }

    public static void mfctr(PpcCpuState s, int rt) {
        s.gpr[rt] = s.ctr;
    }

    public static void mtctr(PpcCpuState s, int rs) {
        s.ctr = s.gpr[rs];
    }

    public static void mfxer(PpcCpuState s, int rt) {
        s.gpr[rt] = s.xer();
    }

    public static void mtxer(PpcCpuState s, int rs) {
        s.setXer(s.gpr[rs]);
    }

    public static void mfvrsave(PpcCpuState s, int rt) {
        s.gpr[rt] = s.vrsave;
    }

    public static void mtvrsave(PpcCpuState s, int rs) {
        s.vrsave = s.gpr[rs];
    }

    public static void mfpvr(PpcCpuState s, int rt) {
        s.gpr[rt] = PVR_750;
    }

    /** The time base, derived from the host's monotonic clock. */
    public static long timebase() {
        return System.nanoTime() / 125 * 64; // 512 ticks per microsecond
    }

    /** mftb / mfspr 268, 269: the lower or upper word of the time base. */
    public static void mftb(PpcCpuState s, int rt, int upper) {
        long tb = timebase();
        s.gpr[rt] = upper != 0 ? (int) (tb >>> 32) : (int) tb;
    }
}
