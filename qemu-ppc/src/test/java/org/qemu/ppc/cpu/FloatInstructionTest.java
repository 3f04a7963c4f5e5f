package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;

/**
 * Floating-point instructions against hand-checked IEEE results and the FPSCR rules of the
 * Power ISA (Book I chapter 4: 4.2.2 FPSCR bits, 4.4 exceptions, 4.6 instruction descriptions).
 * Constants are placed in memory with .double/.long so the values are the assembler's.
 */
class FloatInstructionTest {
    /** Code, then the constants: r10 points at them after "bl 1f". */
    private static SnippetRunner run(String constants, String body) {
        SnippetRunner r = new SnippetRunner("bl 1f\n" + constants + "\n1: mflr r10\n" + body);
        assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
        return r;
    }

    private static final String THIRDS = ".double 1.0\n .double 3.0\n .double 2.0\n .double 0.0\n";

    @Test
    void divisionRoundsByFpscrRoundingMode() {
        // 1/3 = 0x3FD5555555555555.55..: nearest and toward zero round down, toward +inf rounds up.
        try (SnippetRunner r = run(THIRDS, "lfd f1,0(r10)\n lfd f2,8(r10)\n fdiv f3,f1,f2\n mffs f4\n"
                + " mtfsfi 7,2\n fdiv f5,f1,f2\n mffs f6\n mtfsfi 7,1\n fdiv f7,f1,f2\n mtfsfi 7,3\n fneg f1,f1\n fdiv f8,f1,f2")) {
            assertThat(r.state.fpr[3]).isEqualTo(0x3FD5555555555555L);
            int fpscr = (int) r.state.fpr[4];
            assertThat(fpscr & (Fpscr.XX | Fpscr.FI | Fpscr.FX)).isEqualTo(Fpscr.XX | Fpscr.FI | Fpscr.FX);
            assertThat(fpscr & Fpscr.FR).isZero(); // rounded toward zero: fraction not incremented
            assertThat((fpscr >>> Fpscr.FPRF_SHIFT) & 0x1f).isEqualTo(0x04); // +normal
            assertThat(r.state.fpr[5]).isEqualTo(0x3FD5555555555556L);
            assertThat((int) r.state.fpr[6] & Fpscr.FR).isNotZero();
            assertThat(r.state.fpr[7]).isEqualTo(0x3FD5555555555555L);
            assertThat(r.state.fpr[8]).isEqualTo(0xBFD5555555555556L); // -1/3 toward -inf
        }
    }

    @Test
    void invalidOperationsGiveTheDefaultNaNAndStickyBits() {
        // 0/0: VXZDZ, VX, FX; result the default QNaN 0x7FF8000000000000; FPRF = quiet NaN (C=1, FU=1).
        try (SnippetRunner r = run(THIRDS, "lfd f1,24(r10)\n fdiv f2,f1,f1\n mffs f3\n lfd f4,0(r10)\n fdiv f5,f4,f1\n mffs f6\n fsqrt f7,f4\n"
                + " fneg f8,f4\n fsqrt f9,f8\n mffs f10\n mtfsb0 3\n fadd. f11,f4,f4\n mfcr r3")) {
            assertThat(r.state.fpr[2]).isEqualTo(0x7FF8000000000000L);
            int f3 = (int) r.state.fpr[3];
            assertThat(f3 & (Fpscr.VXZDZ | Fpscr.VX | Fpscr.FX)).isEqualTo(Fpscr.VXZDZ | Fpscr.VX | Fpscr.FX);
            assertThat((f3 >>> Fpscr.FPRF_SHIFT) & 0x1f).isEqualTo(0x11);
            // 1/0 = +inf with ZX, FPRF +infinity (0b00101).
            assertThat(r.state.fpr[5]).isEqualTo(0x7FF0000000000000L);
            int f6 = (int) r.state.fpr[6];
            assertThat(f6 & Fpscr.ZX).isNotZero();
            assertThat((f6 >>> Fpscr.FPRF_SHIFT) & 0x1f).isEqualTo(0x05);
            assertThat(r.state.fpr[7]).isEqualTo(0x3FF0000000000000L);
            assertThat((int) r.state.fpr[10] & Fpscr.VXSQRT).isNotZero();
            // mtfsb0 3 clears OX only; CR1 from fadd. = FX FEX VX OX = 1 0 1 0.
            assertThat((r.gpr(3) >>> 24) & 0xf).isEqualTo(0b1010);
        }
    }

    @Test
    void convertToIntegerWordRoundsAndSaturates() {
        // fctiw rounds by RN (2.5 -> 2, ties to even), fctiwz truncates (-2.75 -> -2); 3e9 saturates with VXCVI.
        try (SnippetRunner r = run(".double 2.5\n .double -2.75\n .double 3e9\n",
                "lfd f1,0(r10)\n fctiw f2,f1\n lfd f3,8(r10)\n fctiwz f4,f3\n fctiw f5,f3\n lfd f6,16(r10)\n fctiwz f7,f6\n mffs f8\n"
                + " lis r11,2\n stfiwx f4,0,r11\n lwz r4,0(r11)")) {
            assertThat((int) r.state.fpr[2]).isEqualTo(2);
            assertThat((int) r.state.fpr[4]).isEqualTo(-2);
            assertThat((int) r.state.fpr[5]).isEqualTo(-3);
            assertThat((int) r.state.fpr[7]).isEqualTo(Integer.MAX_VALUE);
            assertThat((int) r.state.fpr[8] & Fpscr.VXCVI).isNotZero();
            assertThat(r.gpr(4)).isEqualTo(-2);
        }
    }

    @Test
    void fusedMultiplyAddRoundsOnce() {
        // a = 1+2^-30, c = 1-2^-30: a*c = 1-2^-60 exactly; fmsub a*c-1 = -2^-60 (a separate multiply would round to 1 and give 0).
        try (SnippetRunner r = run(".long 0x3ff00000, 0x00400000\n .long 0x3fefffff, 0xff800000\n .double 1.0\n",
                "lfd f1,0(r10)\n lfd f2,8(r10)\n lfd f3,16(r10)\n fmsub f4,f1,f2,f3\n fmul f5,f1,f2\n fsub f6,f5,f3\n fnmadd f7,f1,f2,f3\n fmadds f8,f1,f2,f3")) {
            assertThat(Double.longBitsToDouble(r.state.fpr[4])).isEqualTo(-0x1p-60);
            assertThat(Double.longBitsToDouble(r.state.fpr[6])).isEqualTo(0.0);
            assertThat(Double.longBitsToDouble(r.state.fpr[7])).isEqualTo(-2.0);
            assertThat(Double.longBitsToDouble(r.state.fpr[8])).isEqualTo(2.0); // rounded to single
        }
    }

    @Test
    void singlePrecisionLoadsStoresAndRounding() {
        // frsp(1/3) = 0x3EAAAAAB as a single (nearest); lfs widens exactly; stfs stores the single bits.
        try (SnippetRunner r = run(THIRDS + " .long 0x3f800001\n",
                "lfd f1,0(r10)\n lfd f2,8(r10)\n fdiv f3,f1,f2\n frsp f4,f3\n lis r11,2\n stfs f4,0(r11)\n lwz r4,0(r11)\n"
                + " lfs f5,32(r10)\n fdivs f6,f1,f2\n fadds f7,f5,f5\n stfs f7,4(r11)\n lwz r5,4(r11)")) {
            assertThat(r.gpr(4)).isEqualTo(0x3EAAAAAB);
            assertThat(Double.longBitsToDouble(r.state.fpr[5])).isEqualTo(1.0 + 0x1p-23);
            assertThat(r.state.fpr[6]).isEqualTo(r.state.fpr[4]);
            assertThat(r.gpr(5)).isEqualTo(0x40000001);
        }
    }

    @Test
    void comparesSetCrFieldAndFpcc() {
        // fcmpu: FL/FG/FE/FU into CR[BF] and FPSCR[FPCC]; an unordered (NaN) compare gives FU; fcmpo also sets VXVC.
        try (SnippetRunner r = run(THIRDS, "lfd f1,0(r10)\n lfd f2,8(r10)\n fcmpu cr2,f1,f2\n fcmpu cr3,f2,f1\n fcmpu cr4,f1,f1\n"
                + " lfd f3,24(r10)\n fdiv f4,f3,f3\n mtfsb0 0\n mtfsb0 10\n fcmpu cr5,f1,f4\n mffs f5\n fcmpo cr6,f1,f4\n mffs f6\n mfcr r3")) {
            int cr = r.gpr(3);
            assertThat((cr >>> 20) & 0xf).isEqualTo(8);
            assertThat((cr >>> 16) & 0xf).isEqualTo(4);
            assertThat((cr >>> 12) & 0xf).isEqualTo(2);
            assertThat((cr >>> 8) & 0xf).isEqualTo(1);
            assertThat((int) r.state.fpr[5] & Fpscr.VXVC).isZero();
            assertThat((int) r.state.fpr[6] & Fpscr.VXVC).isNotZero();
        }
    }

    @Test
    void fpscrFieldMovesAndMcrfs() {
        // mtfsf 0xff from a word, mcrfs copies field 0 (FX FEX VX OX) and clears FX and OX.
        try (SnippetRunner r = run(".long 0\n .long 0x90000003\n",
                "lfd f1,0(r10)\n mtfsf 0xff,f1\n mffs f2\n mcrfs cr1,0\n mffs f3\n mfcr r3\n fsel f4,f1,f1,f2")) {
            int f2 = (int) r.state.fpr[2];
            assertThat(f2 & Fpscr.RN).isEqualTo(3);
            assertThat(f2 & (Fpscr.FX | Fpscr.OX)).isEqualTo(Fpscr.FX | Fpscr.OX);
            assertThat((r.gpr(3) >>> 24) & 0xf).isEqualTo(0b1001);
            assertThat((int) r.state.fpr[3] & (Fpscr.FX | Fpscr.OX)).isZero();
            assertThat(r.state.fpr[4]).isEqualTo(r.state.fpr[1]); // fsel: FRA (a tiny positive) >= 0 selects FRC
        }
    }

    @Test
    void mffslReadsTheWholeFpscrOnThisCore() {
        try (SnippetRunner r = run(THIRDS, "mtfsfi 7,1\n mtfsb1 24\n .long 0xfc18048e\n")) { // mffsl f0
            assertThat((int) r.state.fpr[0]).isEqualTo(Fpscr.VE | 1);
        }
    }
}
