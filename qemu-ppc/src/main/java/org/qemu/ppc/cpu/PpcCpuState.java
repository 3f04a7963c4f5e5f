package org.qemu.ppc.cpu;

import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;

/**
 * The user-visible register file of a 32-bit PowerPC (UISA) plus what the runner needs to
 * learn why translated code stopped. Translated blocks and the semantic helpers read and write
 * these fields directly, so the state is always exact at block and helper boundaries.
 *
 * <p>Bit numbering: the ISA numbers bits from the most significant (bit 0); Java code here
 * uses ordinary masks, e.g. CR field 0 is {@code cr >>> 28}.
 */
public final class PpcCpuState {
    public final int[] gpr = new int[32];
    /** Raw IEEE-754 double bits, so NaN payloads and signalling NaNs survive loads and moves. */
    public final long[] fpr = new long[32];
    public int cr;
    public int lr;
    public int ctr;
    /** XER split into its parts; {@link #xer()} puts them together. */
    public int xerSo;
    public int xerOv;
    public int xerCa;
    /** XER bits 25:31, the byte count of lswx/stswx. */
    public int xerByteCount;
    public int fpscr;
    public int vrsave;
    public int pc;

    /** lwarx/stwcx.: the reserved address (-1: no reservation) and the value seen at lwarx time. */
    public long reservationAddress = -1;
    public int reservationValue;

    public final GuestMemory memory;

    /** The system call being served and its first argument (r3 is overwritten by the result; a restart needs it back). */
    public int syscallNumber;
    public int syscallOriginalR3;

    /** Raised by another thread (signal, exit_group): blocks that loop on themselves check it on every back edge. */
    public volatile boolean interruptRequested;

    /** Set by helpers that end a block for the runner (sc, traps, illegal instructions). */
    public Stop stop = Stop.NONE;
    public GuestTrap trap;

    /** Why a block handed control back (besides a plain branch). */
    public enum Stop { NONE, SYSCALL, TRAP }

    public PpcCpuState(GuestMemory memory) {
        this.memory = memory;
    }

    public int xer() {
        return xerSo << 31 | xerOv << 30 | xerCa << 29 | (xerByteCount & 0x7f);
    }

    public void setXer(int value) {
        xerSo = value >>> 31;
        xerOv = (value >>> 30) & 1;
        xerCa = (value >>> 29) & 1;
        xerByteCount = value & 0x7f;
    }

    public double fprDouble(int n) {
        return Double.longBitsToDouble(fpr[n]);
    }

    /** A copy of the registers for a new thread or a forked child. */
    public PpcCpuState copy(GuestMemory targetMemory) {
        PpcCpuState c = new PpcCpuState(targetMemory);
        System.arraycopy(gpr, 0, c.gpr, 0, 32);
        System.arraycopy(fpr, 0, c.fpr, 0, 32);
        c.cr = cr;
        c.lr = lr;
        c.ctr = ctr;
        c.setXer(xer());
        c.fpscr = fpscr;
        c.vrsave = vrsave;
        c.pc = pc;
        return c;
    }
}
