package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The fast fused multiply-add error sign must agree with exact decimal arithmetic (the JDK's
 * BigDecimal) everywhere, especially where a*c and b nearly cancel and the rounding is close.
 */
class FusedErrorSignTest {
    private static int exactSign(double a, double c, double b, double r) {
        return new BigDecimal(a).multiply(new BigDecimal(c)).add(new BigDecimal(b)).compareTo(new BigDecimal(r));
    }

    private static double randomDouble(SplittableRandom random, int exponentSpan) {
        double mantissa = 1 + random.nextDouble();
        int exponent = random.nextInt(-exponentSpan, exponentSpan + 1);
        return (random.nextBoolean() ? -1 : 1) * Math.scalb(mantissa, exponent);
    }

    @Test
    void agreesWithExactArithmeticOnRandomAndCancellingOperands() {
        SplittableRandom random = new SplittableRandom(20261125);
        int inexact = 0;
        for (int i = 0; i < 200_000; i++) {
            double a = randomDouble(random, 40);
            double c = randomDouble(random, 40);
            double b = switch (i % 5) {
                case 0 -> randomDouble(random, 80);
                case 1 -> -(a * c);                                      // cancels to the product's rounding error
                case 2 -> -(a * c) * (1 + Math.scalb(random.nextDouble(), -50));
                case 3 -> Math.scalb(randomDouble(random, 4), Math.getExponent(a * c) - 54); // about half an ulp of a*c
                default -> (double) random.nextInt(-4, 5);
            };
            double r = Math.fma(a, c, b);
            int expected = exactSign(a, c, b, r);
            assertThat(FloatOps.fusedErrorSign(a, c, b, r)).as("fma(%s, %s, %s)", a, c, b).isEqualTo(expected);
            if (expected != 0) {
                inexact++;
            }
        }
        assertThat(inexact).as("the operands exercise inexact results").isGreaterThan(100_000);
    }

    @Test
    void agreesAtTheEdgesOfTheRange() {
        double[] values = {0.0, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, 0x1p-900, 0x1p-537, 1.0, 3.0, 0x1p511,
            0x1p1000, Double.MAX_VALUE, -0x1.fffffffffffffp-1, 1 + Math.ulp(1.0), -0x1p-1074};
        for (double a : values) {
            for (double c : values) {
                for (double b : values) {
                    double r = Math.fma(a, c, b);
                    if (Double.isFinite(r)) {
                        assertThat(FloatOps.fusedErrorSign(a, c, b, r)).as("fma(%s, %s, %s)", a, c, b)
                                .isEqualTo(exactSign(a, c, b, r));
                    }
                }
            }
        }
    }
}
