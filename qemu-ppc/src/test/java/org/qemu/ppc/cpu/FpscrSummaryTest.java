package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * FPSCR's summary bits against the ISA's definitions (Power ISA Book I 4.2.2), spelled out here
 * bit by bit: VX is the OR of the nine invalid-operation causes, FEX the OR of the five
 * exceptions ANDed with their enables, and FX is set by an exception bit going from 0 to 1.
 * {@link Fpscr#summarize} and {@link Fpscr#raise} compute them without branches.
 */
class FpscrSummaryTest {
    private static final int[] VX_CAUSES = {Fpscr.VXSNAN, Fpscr.VXISI, Fpscr.VXIDI, Fpscr.VXZDZ, Fpscr.VXIMZ,
            Fpscr.VXVC, Fpscr.VXSOFT, Fpscr.VXSQRT, Fpscr.VXCVI};
    /** Bits the summary must leave alone: FR, FI, FPRF, NI, RN and the reserved bit 52 (mask 0x800). */
    private static final int UNRELATED = Fpscr.FR | Fpscr.FI | Fpscr.FPRF | Fpscr.NI | Fpscr.RN | 0x800;

    private static boolean set(int fpscr, int bit) {
        return (fpscr & bit) != 0;
    }

    private static int expectedSummary(int fpscr) {
        boolean vx = false;
        for (int cause : VX_CAUSES) {
            vx |= set(fpscr, cause);
        }
        boolean fex = (vx && set(fpscr, Fpscr.VE))
                || (set(fpscr, Fpscr.OX) && set(fpscr, Fpscr.OE))
                || (set(fpscr, Fpscr.UX) && set(fpscr, Fpscr.UE))
                || (set(fpscr, Fpscr.ZX) && set(fpscr, Fpscr.ZE))
                || (set(fpscr, Fpscr.XX) && set(fpscr, Fpscr.XE));
        int result = fpscr & ~(Fpscr.VX | Fpscr.FEX);
        return result | (vx ? Fpscr.VX : 0) | (fex ? Fpscr.FEX : 0);
    }

    @Test
    void summaryBitsFollowEveryCombinationOfCausesExceptionsAndEnables() {
        // All 2^21 combinations of the nine VX causes, OX/UX/ZX/XX, the five enables and stale
        // FX/FEX/VX bits, each with a random pattern in the bits the summary must not touch.
        int[] bits = new int[21];
        int n = 0;
        for (int cause : VX_CAUSES) {
            bits[n++] = cause;
        }
        for (int bit : new int[] {Fpscr.OX, Fpscr.UX, Fpscr.ZX, Fpscr.XX, Fpscr.VE, Fpscr.OE, Fpscr.UE, Fpscr.ZE,
                Fpscr.XE, Fpscr.FX, Fpscr.FEX, Fpscr.VX}) {
            bits[n++] = bit;
        }
        SplittableRandom random = new SplittableRandom(6);
        int mismatches = 0;
        int firstMismatch = 0;
        for (int combination = 0; combination < 1 << bits.length; combination++) {
            int fpscr = random.nextInt() & UNRELATED;
            for (int i = 0; i < bits.length; i++) {
                if ((combination >>> i & 1) != 0) {
                    fpscr |= bits[i];
                }
            }
            if (Fpscr.summarize(fpscr) != expectedSummary(fpscr)) {
                if (mismatches++ == 0) {
                    firstMismatch = fpscr;
                }
            }
        }
        assertThat(mismatches).as("first mismatch at FPSCR 0x%08x", firstMismatch).isZero();
    }

    @Test
    void raisingSetsFxOnlyForExceptionsThatWereClear() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            int fpscr = random.nextInt();
            int exceptions = random.nextInt() & Fpscr.EXCEPTIONS;
            if (random.nextInt(4) == 0) {
                exceptions &= fpscr; // nothing new: FX stays as it was
            }
            boolean newlySet = (exceptions & ~fpscr) != 0;
            int expected = expectedSummary(fpscr | exceptions | (newlySet ? Fpscr.FX : 0));
            assertThat(Fpscr.raise(fpscr, exceptions)).as("raise(0x%08x, 0x%08x)", fpscr, exceptions).isEqualTo(expected);
        }
    }

    @Test
    void inexactWithXeEnabledSetsFexAndFx() {
        // Hand-checked: FPSCR with only XE set (0x00000008); an inexact result sets XX (0x02000000),
        // FX (0x80000000, XX went from 0 to 1) and FEX (0x40000000, XX is enabled).
        assertThat(Fpscr.raise(0x00000008, Fpscr.XX)).isEqualTo(0xc2000008);
        // The same with XX already set and FX cleared by software: FX stays clear.
        assertThat(Fpscr.raise(0x02000008, Fpscr.XX)).isEqualTo(0x42000008);
        // A VXSNAN (0x01000000) with VE clear: VX (0x20000000) and FX, no FEX.
        assertThat(Fpscr.raise(0, Fpscr.VXSNAN)).isEqualTo(0xa1000000);
    }
}
