package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * fmadd, fmsub, fnmadd and fnmsub (double, rounding to nearest: the path HotSpot inlines into
 * blocks) against exact decimal arithmetic: the result is the exact value rounded to the
 * nearest double (the JDK's BigDecimal.doubleValue), FI says it was inexact, FR that its
 * magnitude was rounded up, XX and FX are raised by an inexact result, FPRF gives the class and
 * CR1 copies FX/FEX/VX/OX, as the ISA describes them.
 */
class FusedMultiplyAddTest {
    private static final int FRT = 1;
    private static final int FRA = 2;
    private static final int FRC = 3;
    private static final int FRB = 4;
    private static final int POSITIVE_NORMAL = 0x04;
    private static final int NEGATIVE_NORMAL = 0x08;

    private static double randomDouble(SplittableRandom random, int exponentSpan) {
        double mantissa = 1 + random.nextDouble();
        int exponent = random.nextInt(-exponentSpan, exponentSpan + 1);
        return (random.nextBoolean() ? -1 : 1) * Math.scalb(mantissa, exponent);
    }

    @Test
    void matchesExactArithmeticInEveryForm() {
        SplittableRandom random = new SplittableRandom(20261126);
        int inexact = 0;
        int roundedUp = 0;
        for (int i = 0; i < 20_000; i++) {
            double a = randomDouble(random, 40);
            double c = randomDouble(random, 40);
            double b = switch (i % 4) {
                case 0 -> randomDouble(random, 80);
                case 1 -> -(a * c) * (1 + Math.scalb(random.nextDouble(), -50)); // near cancellation
                case 2 -> Math.scalb(randomDouble(random, 4), Math.getExponent(a * c) - 54); // about half an ulp of a*c
                default -> (double) random.nextInt(-4, 5);
            };
            int subtract = random.nextInt(2);
            int negate = random.nextInt(2);
            BigDecimal exact = new BigDecimal(a).multiply(new BigDecimal(c));
            exact = subtract != 0 ? exact.subtract(new BigDecimal(b)) : exact.add(new BigDecimal(b));
            if (negate != 0) {
                exact = exact.negate();
            }
            double expected = exact.doubleValue();
            if (expected == 0 || Math.abs(expected) < Double.MIN_NORMAL || Double.isInfinite(expected)) {
                continue; // zero, tiny and overflowing results have their own rules and tests
            }
            PpcCpuState s = new PpcCpuState(null);
            s.fpr[FRA] = Double.doubleToRawLongBits(a);
            s.fpr[FRC] = Double.doubleToRawLongBits(c);
            s.fpr[FRB] = Double.doubleToRawLongBits(b);
            FloatOps.fmadd(s, FRT, FRA, FRC, FRB, subtract, negate, 0, 1);

            String form = (negate != 0 ? "fnm" : "fm") + (subtract != 0 ? "sub" : "add") + "(" + a + ", " + c + ", " + b + ")";
            double result = Double.longBitsToDouble(s.fpr[FRT]);
            assertThat(result).as(form).isEqualTo(expected);
            int error = exact.compareTo(new BigDecimal(result));
            boolean fi = (s.fpscr & Fpscr.FI) != 0;
            boolean fr = (s.fpscr & Fpscr.FR) != 0;
            assertThat(fi).as(form + " FI").isEqualTo(error != 0);
            assertThat(fr).as(form + " FR").isEqualTo(error != 0 && new BigDecimal(result).abs().compareTo(exact.abs()) > 0);
            assertThat((s.fpscr & Fpscr.XX) != 0).as(form + " XX").isEqualTo(error != 0);
            assertThat((s.fpscr & Fpscr.FX) != 0).as(form + " FX").isEqualTo(error != 0);
            assertThat((s.fpscr & Fpscr.FPRF) >>> Fpscr.FPRF_SHIFT).as(form + " FPRF")
                    .isEqualTo(result > 0 ? POSITIVE_NORMAL : NEGATIVE_NORMAL);
            assertThat(s.cr >>> 24 & 0xf).as(form + " CR1").isEqualTo(s.fpscr >>> 28);
            if (error != 0) {
                inexact++;
            }
            if (fr) {
                roundedUp++;
            }
        }
        assertThat(inexact).as("inexact results").isGreaterThan(5_000);
        assertThat(roundedUp).as("results rounded up in magnitude").isGreaterThan(2_500);
    }

    @Test
    void stickyInexactKeepsFxAsItWas() {
        PpcCpuState s = new PpcCpuState(null);
        s.fpscr = Fpscr.XX; // XX already set, FX cleared by the program: another inexact result sets no new exception
        s.fpr[FRA] = Double.doubleToRawLongBits(1.0 / 3);
        s.fpr[FRC] = Double.doubleToRawLongBits(3.0);
        s.fpr[FRB] = Double.doubleToRawLongBits(0.1);
        FloatOps.fmadd(s, FRT, FRA, FRC, FRB, 0, 0, 0, 0);
        assertThat(s.fpscr & Fpscr.FI).isNotZero();
        assertThat(s.fpscr & Fpscr.FX).isZero();
        assertThat(s.cr).as("Rc=0 leaves CR alone").isZero();
    }
}
