package org.qemu.i386.cpu;

import static org.qemu.i386.cpu.X86CpuState.AF;
import static org.qemu.i386.cpu.X86CpuState.CF;
import static org.qemu.i386.cpu.X86CpuState.OF;
import static org.qemu.i386.cpu.X86CpuState.PF;
import static org.qemu.i386.cpu.X86CpuState.SF;
import static org.qemu.i386.cpu.X86CpuState.ZF;

/**
 * Lazily evaluated arithmetic flags. An instruction that sets flags only records what it did
 * ({@code ccOp} = kind * 4 + operand size index) and its operands; most of those records are
 * overwritten before anything reads a flag, so the work of computing six flags is skipped.
 */
public final class LazyFlags {
    /** ccA holds the six flags themselves. */
    public static final int EFLAGS = 0;
    /** res = a + b + c (c = carry in, 0 or 1). */
    public static final int ADD = 1 << 2;
    /** res = a - b - c (c = borrow in). */
    public static final int SUB = 2 << 2;
    /** Logic result: CF = OF = AF = 0. */
    public static final int LOGIC = 3 << 2;
    /** res = a + 1; c = CF before (inc keeps CF). */
    public static final int INC = 4 << 2;
    /** res = a - 1; c = CF before. */
    public static final int DEC = 5 << 2;
    /** SF ZF PF from res, CF = b, OF = c, AF = 0: shifts and multiplies compute CF/OF eagerly. */
    public static final int RESULT_CO = 6 << 2;
    /**
     * Rotates and bit tests: CF = ccB, OF = ccC, the other flags those of the base operation
     * saved in ccBase*. Saves computing all six flags for every rotate (hashes are full of them).
     */
    public static final int ROTATE = 7 << 2;

    /** Operand size index for the low two bits of ccOp: 8, 16, 32 (and 64 for x86_64) bits. */
    public static int sizeIndex(int bits) {
        return Integer.numberOfTrailingZeros(bits) - 3; // 8, 16, 32, 64 -> 0, 1, 2, 3
    }

    private LazyFlags() {
    }

    public static void setAdd(X86CpuState s, int bits, int a, int b, int carry, int res) {
        s.ccOp = ADD | sizeIndex(bits);
        s.ccA = a;
        s.ccB = b;
        s.ccC = carry;
        s.ccRes = res;
    }

    public static void setSub(X86CpuState s, int bits, int a, int b, int borrow, int res) {
        s.ccOp = SUB | sizeIndex(bits);
        s.ccA = a;
        s.ccB = b;
        s.ccC = borrow;
        s.ccRes = res;
    }

    public static void setLogic(X86CpuState s, int bits, int res) {
        s.ccOp = LOGIC | sizeIndex(bits);
        s.ccRes = res;
    }

    public static void setResultCarryOverflow(X86CpuState s, int bits, int res, boolean carry, boolean overflow) {
        s.ccOp = RESULT_CO | sizeIndex(bits);
        s.ccRes = res;
        s.ccB = carry ? 1 : 0;
        s.ccC = overflow ? 1 : 0;
    }

    public static void setIncDec(X86CpuState s, int bits, boolean inc, int a, int res) {
        int cf = carry(s);
        s.ccOp = (inc ? INC : DEC) | sizeIndex(bits);
        s.ccA = a;
        s.ccC = cf;
        s.ccRes = res;
    }

    /** Sets CF and OF (0 or 1) and keeps SF ZF AF PF, lazily: rotates and bit tests. */
    public static void setCarryOverflow(X86CpuState s, int carry, int overflow) {
        if ((s.ccOp & ~3) != ROTATE) {
            s.ccBaseOp = s.ccOp;
            s.ccBaseA = s.ccA;
            s.ccBaseB = s.ccB;
            s.ccBaseC = s.ccC;
            s.ccBaseRes = s.ccRes;
            s.ccOp = ROTATE;
        }
        s.ccB = carry;
        s.ccC = overflow;
    }

    /** Replaces the six flags with {@code flags} (only those bits are kept). */
    public static void setFlags(X86CpuState s, int flags) {
        s.ccOp = EFLAGS;
        s.ccA = flags & X86CpuState.ARITH_FLAGS;
    }

    /** Changes some of the six flags, keeping the rest. */
    public static void modify(X86CpuState s, int mask, int values) {
        int f = arithmetic(s);
        setFlags(s, (f & ~mask) | (values & mask));
    }

    private static long mask(int sizeIdx) {
        return sizeIdx == 3 ? -1L : (1L << (8 << sizeIdx)) - 1;
    }

    private static int szp(int res, int sizeIdx) {
        long m = mask(sizeIdx);
        long r = res & m;
        int f = 0;
        if (r == 0) {
            f |= ZF;
        }
        if ((r >>> ((8 << sizeIdx) - 1) & 1) != 0) {
            f |= SF;
        }
        if ((Integer.bitCount(res & 0xff) & 1) == 0) {
            f |= PF;
        }
        return f;
    }

    /** The six arithmetic flags as EFLAGS bits. */
    public static int arithmetic(X86CpuState s) {
        if ((s.ccOp & ~3) == ROTATE) {
            int base = arithmetic(s.ccBaseOp, s.ccBaseA, s.ccBaseB, s.ccBaseC, s.ccBaseRes);
            return (base & ~(CF | OF)) | (s.ccB != 0 ? CF : 0) | (s.ccC != 0 ? OF : 0);
        }
        return arithmetic(s.ccOp, s.ccA, s.ccB, s.ccC, s.ccRes);
    }

    private static int arithmetic(int op, int ccA, int ccB, int ccC, int ccRes) {
        int sz = op & 3;
        int kind = op & ~3;
        switch (kind) {
            case EFLAGS:
                return ccA;
            case ADD: {
                long m = mask(sz);
                int a = ccA, b = ccB, res = ccRes;
                int f = szp(res, sz);
                if ((a & m) + (b & m) + ccC > m) {
                    f |= CF;
                }
                if ((((a ^ res) & (b ^ res)) >>> ((8 << sz) - 1) & 1) != 0) {
                    f |= OF;
                }
                return f | ((a ^ b ^ res) & AF);
            }
            case SUB: {
                long m = mask(sz);
                int a = ccA, b = ccB, res = ccRes;
                int f = szp(res, sz);
                if ((a & m) < (b & m) + ccC) {
                    f |= CF;
                }
                if ((((a ^ b) & (a ^ res)) >>> ((8 << sz) - 1) & 1) != 0) {
                    f |= OF;
                }
                return f | ((a ^ b ^ res) & AF);
            }
            case LOGIC:
                return szp(ccRes, sz);
            case INC: {
                int a = ccA, res = ccRes;
                int f = szp(res, sz) | (ccC & CF) | ((a ^ 1 ^ res) & AF);
                if ((((~a) & res) >>> ((8 << sz) - 1) & 1) != 0) {
                    f |= OF;
                }
                return f;
            }
            case DEC: {
                int a = ccA, res = ccRes;
                int f = szp(res, sz) | (ccC & CF) | ((a ^ 1 ^ res) & AF);
                if (((a & ~res) >>> ((8 << sz) - 1) & 1) != 0) {
                    f |= OF;
                }
                return f;
            }
            case RESULT_CO:
                return szp(ccRes, sz) | (ccB != 0 ? CF : 0) | (ccC != 0 ? OF : 0);
            default:
                throw new IllegalStateException("bad lazy flag op " + op);
        }
    }

    /** CF alone (0 or 1), cheaper than all six for adc/sbb/rcl/rcr. */
    public static int carry(X86CpuState s) {
        return carryOf(s.ccOp, s.ccA, s.ccB, s.ccC, s.ccRes);
    }

    /** CF of a lazy record held elsewhere (translated blocks keep it in locals). */
    public static int carryOf(int op, int a, int b, int c, int res) {
        int sz = op & 3;
        switch (op & ~3) {
            case ADD: {
                long m = mask(sz);
                return (a & m) + (b & m) + c > m ? 1 : 0;
            }
            case SUB: {
                long m = mask(sz);
                return (a & m) < (b & m) + c ? 1 : 0;
            }
            case LOGIC:
                return 0;
            case ROTATE:
                return b;
            case INC, DEC:
                return c & CF;
            case RESULT_CO:
                return b != 0 ? 1 : 0;
            default:
                return a & CF; // EFLAGS
        }
    }

    /**
     * Evaluates condition code {@code cc} (the low nibble of Jcc/SETcc/CMOVcc). Kept small so
     * HotSpot inlines it into translated blocks, where cc is a constant and the switch folds away:
     * a 32-bit result answers Z and S directly, a 32-bit compare answers the orderings.
     */
    public static boolean condition(X86CpuState s, int cc) {
        return conditionOf(s, s.ccOp, s.ccA, s.ccB, s.ccC, s.ccRes, cc);
    }

    /**
     * {@link #condition} for a lazy record held elsewhere (translated blocks keep it in locals);
     * {@code s} supplies only the saved base operation of a {@link #ROTATE} record.
     *
     * <p>Under HotSpot's 325 bytes for inlining a hot method, so that it is inlined into
     * translated blocks, where {@code cc} is a constant and all but one path folds away: Z and S
     * of any 8/16/32-bit record, the orderings of a compare without borrow, CF of an addition and
     * every condition of a logic result but P are a comparison or two (the operands shifted left
     * by 32 minus the size compare, signed and unsigned, as the operation's size does); the rest
     * computes the six flags.
     */
    public static boolean conditionOf(X86CpuState s, int op, int ccA, int ccB, int ccC, int ccRes, int cc) {
        int kind = op & ~3;
        // kinds ADD to RESULT_CO, operand sizes 8, 16 and 32 bits
        if ((op & 3) != 3 && kind >= ADD && kind < ROTATE) {
            int sh = 32 - (8 << (op & 3));
            int r = ccRes << sh;
            int cond = cc >> 1;
            int v = -1;
            if (cond == 2) { // E: ZF
                v = r == 0 ? 1 : 0;
            } else if (cond == 4) { // S: SF
                v = r >>> 31;
            } else if (kind == SUB) {
                // B, BE, L, LE: the operands' order when nothing was borrowed in
                if (ccC == 0 && (cond == 1 || cond == 3 || cond >= 6)) {
                    int a = ccA << sh;
                    int b = ccB << sh;
                    int t = cond >= 6 ? Integer.compare(a, b) : Integer.compareUnsigned(a, b);
                    v = t < 0 || t == 0 && (cond & 3) == 3 ? 1 : 0;
                }
            } else if (kind == LOGIC) {
                v = logicOrdering(r, cond);
            } else if (kind == ADD && cond == 1) { // B: CF
                long m = 0xffffffffL >>> sh;
                v = (ccA & m) + (ccB & m) + ccC > m ? 1 : 0;
            }
            if (v >= 0) {
                return (v ^ (cc & 1)) != 0;
            }
        }
        return conditionFromFlags(s, op, ccA, ccB, ccC, ccRes, cc);
    }

    /** O, B, BE, L, LE ({@code cond} = cc / 2) of a logic result {@code r} (shifted), where CF = OF = 0: 1 or 0; -1 for P. */
    private static int logicOrdering(int r, int cond) {
        return cond <= 1 ? 0 : cond == 3 ? (r == 0 ? 1 : 0) : cond == 6 ? r >>> 31 : cond == 7 ? (r <= 0 ? 1 : 0) : -1;
    }

    private static boolean conditionFromFlags(X86CpuState s, int op, int ccA, int ccB, int ccC, int ccRes, int cc) {
        int f;
        if ((op & ~3) == ROTATE) {
            int base = arithmetic(s.ccBaseOp, s.ccBaseA, s.ccBaseB, s.ccBaseC, s.ccBaseRes);
            f = (base & ~(CF | OF)) | (ccB != 0 ? CF : 0) | (ccC != 0 ? OF : 0);
        } else {
            f = arithmetic(op, ccA, ccB, ccC, ccRes);
        }
        boolean result = switch (cc >> 1) {
            case 0 -> (f & OF) != 0;
            case 1 -> (f & CF) != 0;
            case 2 -> (f & ZF) != 0;
            case 3 -> (f & (CF | ZF)) != 0;
            case 4 -> (f & SF) != 0;
            case 5 -> (f & PF) != 0;
            case 6 -> ((f & SF) != 0) != ((f & OF) != 0);
            default -> (f & ZF) != 0 || (((f & SF) != 0) != ((f & OF) != 0));
        };
        return (cc & 1) != 0 ? !result : result;
    }
}
