package org.qemu.ppc.cpu;

/**
 * Fixed-point instruction semantics (Power ISA Book I, chapter 3), one static method per
 * instruction family. Translated blocks call them with the decoded fields as constants, so
 * HotSpot inlines and folds the flag arguments ({@code oe}, {@code rc}).
 */
public final class IntegerOps {
    private IntegerOps() {
    }

    // ---- CR0 / XER helpers -------------------------------------------------------------

    /** Rc=1: CR0 gets LT, GT, EQ from the signed result compared with zero, and SO copied from XER. */
    static void recordCr0(PpcCpuState s, int result) {
        int field = result < 0 ? 8 : result > 0 ? 4 : 2;
        s.cr = (s.cr & 0x0fffffff) | (field | s.xerSo) << 28;
    }

    /** OE=1: OV reports the overflow of this instruction; SO is sticky. */
    private static void setOverflow(PpcCpuState s, boolean overflow) {
        s.xerOv = overflow ? 1 : 0;
        s.xerSo |= s.xerOv;
    }

    static int crField(PpcCpuState s, int field) {
        return (s.cr >>> (28 - 4 * field)) & 0xf;
    }

    static void setCrField(PpcCpuState s, int field, int value) {
        int shift = 28 - 4 * field;
        s.cr = (s.cr & ~(0xf << shift)) | (value & 0xf) << shift;
    }

    /** (RA|0): register 0 reads as zero in address computations and addi/addis. */
    static int raOrZero(PpcCpuState s, int ra) {
        return ra == 0 ? 0 : s.gpr[ra];
    }

    // ---- add / subtract -------------------------------------------------------------------

    public static void addi(PpcCpuState s, int rt, int ra, int simm) {
        s.gpr[rt] = raOrZero(s, ra) + simm;
    }

    public static void addis(PpcCpuState s, int rt, int ra, int simm) {
        s.gpr[rt] = raOrZero(s, ra) + (simm << 16);
    }

    /** addic and addic. : CA is the carry out of the unsigned 32-bit sum. */
    public static void addic(PpcCpuState s, int rt, int ra, int simm, int rc) {
        int r = addicValue(s, s.gpr[ra], simm);
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    /** addic on a value: sets CA, returns the sum (translated code keeps registers in locals). */
    public static int addicValue(PpcCpuState s, int a, int simm) {
        int r = a + simm;
        s.xerCa = Integer.compareUnsigned(r, a) < 0 ? 1 : 0;
        return r;
    }

    /** subfic: RT = ~RA + SIMM + 1, CA the carry of that sum (set when RA <= SIMM unsigned). */
    public static void subfic(PpcCpuState s, int rt, int ra, int simm) {
        s.gpr[rt] = subficValue(s, s.gpr[ra], simm);
    }

    public static int subficValue(PpcCpuState s, int a, int simm) {
        s.xerCa = Integer.compareUnsigned(a, simm) <= 0 ? 1 : 0;
        return simm - a;
    }

    public static void mulli(PpcCpuState s, int rt, int ra, int simm) {
        s.gpr[rt] = s.gpr[ra] * simm;
    }

    /** The general carrying add ~/RA + RB + carry-in shared by add, subf, adde, subfe, addc, subfc. */
    /** a + b + carryIn with CA set to the carry out (OE=0, Rc=0 forms in translated code). */
    public static int carryingAdd(PpcCpuState s, int a, int b, int carryIn) {
        long unsigned = Integer.toUnsignedLong(a) + Integer.toUnsignedLong(b) + carryIn;
        s.xerCa = (int) (unsigned >>> 32);
        return (int) unsigned;
    }

    private static void addWithCarry(PpcCpuState s, int rt, int a, int b, int carryIn, boolean setsCarry, int oe, int rc) {
        long unsigned = Integer.toUnsignedLong(a) + Integer.toUnsignedLong(b) + carryIn;
        int r = (int) unsigned;
        if (setsCarry) {
            s.xerCa = (int) (unsigned >>> 32);
        }
        if (oe != 0) {
            long signed = (long) a + b + carryIn;
            setOverflow(s, signed != r);
        }
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static void add(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, s.gpr[ra], s.gpr[rb], 0, false, oe, rc);
    }

    public static void addc(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, s.gpr[ra], s.gpr[rb], 0, true, oe, rc);
    }

    public static void adde(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, s.gpr[ra], s.gpr[rb], s.xerCa, true, oe, rc);
    }

    public static void addze(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, s.gpr[ra], 0, s.xerCa, true, oe, rc);
    }

    public static void addme(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, s.gpr[ra], -1, s.xerCa, true, oe, rc);
    }

    /** subf: RT = RB - RA, computed as ~RA + RB + 1 so that CA and OV follow the ISA definition. */
    public static void subf(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, ~s.gpr[ra], s.gpr[rb], 1, false, oe, rc);
    }

    public static void subfc(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, ~s.gpr[ra], s.gpr[rb], 1, true, oe, rc);
    }

    public static void subfe(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, ~s.gpr[ra], s.gpr[rb], s.xerCa, true, oe, rc);
    }

    public static void subfze(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, ~s.gpr[ra], 0, s.xerCa, true, oe, rc);
    }

    public static void subfme(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        addWithCarry(s, rt, ~s.gpr[ra], -1, s.xerCa, true, oe, rc);
    }

    public static void neg(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        int a = s.gpr[ra];
        int r = -a;
        if (oe != 0) {
            setOverflow(s, a == Integer.MIN_VALUE);
        }
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    // ---- multiply / divide -------------------------------------------------------------------

    public static void mullw(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        long p = (long) s.gpr[ra] * s.gpr[rb];
        int r = (int) p;
        if (oe != 0) {
            setOverflow(s, p != r);
        }
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static void mulhw(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        int r = multiplyHigh(s.gpr[ra], s.gpr[rb]);
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static void mulhwu(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        int r = multiplyHighUnsigned(s.gpr[ra], s.gpr[rb]);
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static int multiplyHigh(int a, int b) {
        return (int) (((long) a * b) >> 32);
    }

    public static int multiplyHighUnsigned(int a, int b) {
        return (int) ((Integer.toUnsignedLong(a) * Integer.toUnsignedLong(b)) >>> 32);
    }

    /** divw: the ISA leaves RT undefined for x/0 and MIN/-1; we give 0, and OV=1 when OE=1. */
    public static void divw(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        int a = s.gpr[ra];
        int b = s.gpr[rb];
        boolean invalid = b == 0 || (a == Integer.MIN_VALUE && b == -1);
        int r = invalid ? 0 : a / b;
        if (oe != 0) {
            setOverflow(s, invalid);
        }
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static void divwu(PpcCpuState s, int rt, int ra, int rb, int oe, int rc) {
        int b = s.gpr[rb];
        int r = b == 0 ? 0 : Integer.divideUnsigned(s.gpr[ra], b);
        if (oe != 0) {
            setOverflow(s, b == 0);
        }
        s.gpr[rt] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    // ---- compare --------------------------------------------------------------------------

    private static void compare(PpcCpuState s, int bf, int c) {
        int field = c < 0 ? 8 : c > 0 ? 4 : 2;
        setCrField(s, bf, field | s.xerSo);
    }

    /** cmp/cmpi on values the caller already has (translated code keeps registers in locals). */
    public static void compareValues(PpcCpuState s, int bf, int a, int b) {
        compare(s, bf, Integer.compare(a, b));
    }

    public static void compareValuesUnsigned(PpcCpuState s, int bf, int a, int b) {
        compare(s, bf, Integer.compareUnsigned(a, b));
    }

    /** CR0 from a result the caller computed (andi., andis. in translated code). */
    public static void setCr0(PpcCpuState s, int result) {
        recordCr0(s, result);
    }

    public static void cmpi(PpcCpuState s, int bf, int ra, int simm) {
        compare(s, bf, Integer.compare(s.gpr[ra], simm));
    }

    public static void cmpli(PpcCpuState s, int bf, int ra, int uimm) {
        compare(s, bf, Integer.compareUnsigned(s.gpr[ra], uimm));
    }

    public static void cmp(PpcCpuState s, int bf, int ra, int rb) {
        compare(s, bf, Integer.compare(s.gpr[ra], s.gpr[rb]));
    }

    public static void cmpl(PpcCpuState s, int bf, int ra, int rb) {
        compare(s, bf, Integer.compareUnsigned(s.gpr[ra], s.gpr[rb]));
    }

    // ---- logical (RA is the target: X-form fields are RS, RA, RB) -----------------------------------

    private static void logicalResult(PpcCpuState s, int ra, int r, int rc) {
        s.gpr[ra] = r;
        if (rc != 0) {
            recordCr0(s, r);
        }
    }

    public static void andiDot(PpcCpuState s, int rs, int ra, int uimm) {
        logicalResult(s, ra, s.gpr[rs] & uimm, 1);
    }

    public static void andisDot(PpcCpuState s, int rs, int ra, int uimm) {
        logicalResult(s, ra, s.gpr[rs] & (uimm << 16), 1);
    }

    public static void ori(PpcCpuState s, int rs, int ra, int uimm) {
        s.gpr[ra] = s.gpr[rs] | uimm;
    }

    public static void oris(PpcCpuState s, int rs, int ra, int uimm) {
        s.gpr[ra] = s.gpr[rs] | (uimm << 16);
    }

    public static void xori(PpcCpuState s, int rs, int ra, int uimm) {
        s.gpr[ra] = s.gpr[rs] ^ uimm;
    }

    public static void xoris(PpcCpuState s, int rs, int ra, int uimm) {
        s.gpr[ra] = s.gpr[rs] ^ (uimm << 16);
    }

    public static void and(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, s.gpr[rs] & s.gpr[rb], rc);
    }

    public static void andc(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, s.gpr[rs] & ~s.gpr[rb], rc);
    }

    public static void or(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, s.gpr[rs] | s.gpr[rb], rc);
    }

    public static void orc(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, s.gpr[rs] | ~s.gpr[rb], rc);
    }

    public static void xor(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, s.gpr[rs] ^ s.gpr[rb], rc);
    }

    public static void nand(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, ~(s.gpr[rs] & s.gpr[rb]), rc);
    }

    public static void nor(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, ~(s.gpr[rs] | s.gpr[rb]), rc);
    }

    public static void eqv(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, ~(s.gpr[rs] ^ s.gpr[rb]), rc);
    }

    public static void extsb(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, (byte) s.gpr[rs], rc);
    }

    public static void extsh(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, (short) s.gpr[rs], rc);
    }

    public static void cntlzw(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, Integer.numberOfLeadingZeros(s.gpr[rs]), rc);
    }

    // ---- rotate and shift ----------------------------------------------------------------

    /** MASK(mb, me) with ISA bit numbering (bit 0 = most significant); mb > me wraps around. */
    public static int mask(int mb, int me) {
        int fromMb = -1 >>> mb;
        int toMe = -1 << (31 - me);
        return mb <= me ? fromMb & toMe : fromMb | toMe;
    }

    public static void rlwinm(PpcCpuState s, int rs, int ra, int sh, int mb, int me, int rc) {
        logicalResult(s, ra, Integer.rotateLeft(s.gpr[rs], sh) & mask(mb, me), rc);
    }

    public static void rlwnm(PpcCpuState s, int rs, int ra, int rb, int mb, int me, int rc) {
        logicalResult(s, ra, rotateLeftWord(s.gpr[rs], s.gpr[rb]) & mask(mb, me), rc);
    }

    public static void rlwimi(PpcCpuState s, int rs, int ra, int sh, int mb, int me, int rc) {
        int m = mask(mb, me);
        logicalResult(s, ra, (Integer.rotateLeft(s.gpr[rs], sh) & m) | (s.gpr[ra] & ~m), rc);
    }

    /** slw/srw use six bits of RB: a shift of 32..63 gives zero. */
    public static void slw(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, shiftLeftWord(s.gpr[rs], s.gpr[rb]), rc);
    }

    public static void srw(PpcCpuState s, int rs, int ra, int rb, int rc) {
        logicalResult(s, ra, shiftRightWord(s.gpr[rs], s.gpr[rb]), rc);
    }

    /** rlwnm's rotation: the low five bits of RB. */
    public static int rotateLeftWord(int value, int rb) {
        return Integer.rotateLeft(value, rb & 31);
    }

    public static int shiftLeftWord(int value, int rb) {
        int n = rb & 63;
        return n > 31 ? 0 : value << n;
    }

    public static int shiftRightWord(int value, int rb) {
        int n = rb & 63;
        return n > 31 ? 0 : value >>> n;
    }

    /** sraw/srawi: CA is set when the source is negative and any 1 bit is shifted out. */
    private static void shiftRightAlgebraic(PpcCpuState s, int ra, int value, int n, int rc) {
        logicalResult(s, ra, shiftRightAlgebraicValue(s, value, n), rc);
    }

    /** sraw/srawi on a value: the shift amount's six low bits count; sets CA, returns the result. */
    public static int shiftRightAlgebraicValue(PpcCpuState s, int value, int amount) {
        int n = amount & 63;
        int r;
        boolean lostOnes;
        if (n > 31) {
            r = value >> 31;
            lostOnes = value != 0;
        } else {
            r = value >> n;
            lostOnes = n != 0 && (value & ((1 << n) - 1)) != 0;
        }
        s.xerCa = value < 0 && lostOnes ? 1 : 0;
        return r;
    }

    public static void sraw(PpcCpuState s, int rs, int ra, int rb, int rc) {
        shiftRightAlgebraic(s, ra, s.gpr[rs], s.gpr[rb] & 63, rc);
    }

    public static void srawi(PpcCpuState s, int rs, int ra, int sh, int rc) {
        shiftRightAlgebraic(s, ra, s.gpr[rs], sh, rc);
    }

    // ---- condition register logic -----------------------------------------------------------

    private static int crBit(PpcCpuState s, int bit) {
        return (s.cr >>> (31 - bit)) & 1;
    }

    private static void setCrBit(PpcCpuState s, int bit, int value) {
        int m = 1 << (31 - bit);
        s.cr = (value & 1) != 0 ? s.cr | m : s.cr & ~m;
    }

    public static void crand(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, crBit(s, ba) & crBit(s, bb));
    }

    public static void crandc(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, crBit(s, ba) & ~crBit(s, bb));
    }

    public static void cror(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, crBit(s, ba) | crBit(s, bb));
    }

    public static void crorc(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, crBit(s, ba) | ~crBit(s, bb));
    }

    public static void crxor(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, crBit(s, ba) ^ crBit(s, bb));
    }

    public static void crnand(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, ~(crBit(s, ba) & crBit(s, bb)));
    }

    public static void crnor(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, ~(crBit(s, ba) | crBit(s, bb)));
    }

    public static void creqv(PpcCpuState s, int bt, int ba, int bb) {
        setCrBit(s, bt, ~(crBit(s, ba) ^ crBit(s, bb)));
    }

    public static void mcrf(PpcCpuState s, int bf, int bfa) {
        setCrField(s, bf, crField(s, bfa));
    }

    /** mcrxr: CR field BF = SO, OV, CA, 0; then those XER bits are cleared. */
    public static void mcrxr(PpcCpuState s, int bf) {
        setCrField(s, bf, s.xerSo << 3 | s.xerOv << 2 | s.xerCa << 1);
        s.xerSo = 0;
        s.xerOv = 0;
        s.xerCa = 0;
    }

    public static void mfcr(PpcCpuState s, int rt) {
        s.gpr[rt] = s.cr;
    }

    /** mtcrf (and mtocrf, which names a single field): FXM bit 7-i selects CR field i. */
    public static void mtcrf(PpcCpuState s, int fxm, int rs) {
        int m = 0;
        for (int i = 0; i < 8; i++) {
            if ((fxm & (0x80 >>> i)) != 0) {
                m |= 0xf0000000 >>> (4 * i);
            }
        }
        s.cr = (s.cr & ~m) | (s.gpr[rs] & m);
    }
}
