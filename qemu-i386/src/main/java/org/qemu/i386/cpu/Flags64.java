package org.qemu.i386.cpu;

import static org.qemu.i386.cpu.X86CpuState.AF;
import static org.qemu.i386.cpu.X86CpuState.CF;
import static org.qemu.i386.cpu.X86CpuState.OF;
import static org.qemu.i386.cpu.X86CpuState.PF;
import static org.qemu.i386.cpu.X86CpuState.SF;
import static org.qemu.i386.cpu.X86CpuState.ZF;

/**
 * The six arithmetic flags of 64-bit operations, computed at once and recorded as
 * {@link LazyFlags#EFLAGS}. The lazy record's fields are ints (the 32-bit fast path stays as it
 * was); 64-bit code pays an eager evaluation instead, which is a few ALU operations.
 */
public final class Flags64 {
    private Flags64() {
    }

    /** ZF, SF and PF (parity of the low byte) of a 64-bit result. */
    public static int signZeroParity(long res) {
        int f = (Integer.bitCount((int) res & 0xff) & 1) == 0 ? PF : 0;
        if (res == 0) {
            f |= ZF;
        }
        if (res < 0) {
            f |= SF;
        }
        return f;
    }

    /** res = a + b + carry. */
    public static void setAdd(X86CpuState s, long a, long b, int carry, long res) {
        int f = signZeroParity(res);
        if (carry == 0 ? Long.compareUnsigned(res, a) < 0 : Long.compareUnsigned(res, a) <= 0) {
            f |= CF;
        }
        if (((a ^ res) & (b ^ res)) < 0) {
            f |= OF;
        }
        LazyFlags.setFlags(s, f | ((int) (a ^ b ^ res) & AF));
    }

    /** res = a - b - borrow. */
    public static void setSub(X86CpuState s, long a, long b, int borrow, long res) {
        int f = signZeroParity(res);
        if (borrow == 0 ? Long.compareUnsigned(a, b) < 0 : Long.compareUnsigned(a, b) <= 0) {
            f |= CF;
        }
        if (((a ^ b) & (a ^ res)) < 0) {
            f |= OF;
        }
        LazyFlags.setFlags(s, f | ((int) (a ^ b ^ res) & AF));
    }

    /** and/or/xor/test: CF = OF = AF = 0. */
    public static void setLogic(X86CpuState s, long res) {
        LazyFlags.setFlags(s, signZeroParity(res));
    }

    /** inc/dec: like add/sub of 1, CF kept. */
    public static void setIncDec(X86CpuState s, boolean inc, long a, long res) {
        int cf = LazyFlags.carry(s);
        int f = signZeroParity(res) | cf | ((int) (a ^ res) & AF);
        if (inc ? res == Long.MIN_VALUE : res == Long.MAX_VALUE) {
            f |= OF;
        }
        LazyFlags.setFlags(s, f);
    }

    /**
     * Stores a flag record that 64-bit translated code kept in locals ({@code op}: a
     * {@link LazyFlags} kind plus size index; negative: nothing pending). Sizes 8-32 become the
     * ordinary lazy record (nothing computed); a 64-bit record is evaluated here, since the
     * record's fields are ints. {@code c}: carry-in (inc/dec: CF before); {@code cf}, {@code of}:
     * RESULT_CO's flags.
     */
    public static void record(X86CpuState s, int op, long a, long b, int c, long res, int cf, int of) {
        if (op < 0) {
            return;
        }
        int kind = op & ~3;
        if ((op & 3) != 3) {
            s.ccOp = op;
            s.ccA = (int) a;
            s.ccB = kind == LazyFlags.RESULT_CO ? cf : (int) b;
            s.ccC = kind == LazyFlags.RESULT_CO ? of : c;
            s.ccRes = (int) res;
            return;
        }
        switch (kind) {
            case LazyFlags.ADD -> setAdd(s, a, b, c, res);
            case LazyFlags.SUB -> setSub(s, a, b, c, res);
            case LazyFlags.LOGIC -> setLogic(s, res);
            case LazyFlags.INC, LazyFlags.DEC -> {
                int f = signZeroParity(res) | (c & CF) | ((int) (a ^ res) & AF);
                if (kind == LazyFlags.INC ? res == Long.MIN_VALUE : res == Long.MAX_VALUE) {
                    f |= OF;
                }
                LazyFlags.setFlags(s, f);
            }
            default -> setResultCarryOverflow(s, res, cf != 0, of != 0);
        }
    }

    /** Shifts and multiplies: SF ZF PF from the result, CF and OF given, AF cleared. */
    public static void setResultCarryOverflow(X86CpuState s, long res, boolean carry, boolean overflow) {
        LazyFlags.setFlags(s, signZeroParity(res) | (carry ? CF : 0) | (overflow ? OF : 0));
    }
}
