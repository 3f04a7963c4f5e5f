package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x and fyl2xp1 against the host FPU on their
 * usual argument ranges. The hardware is not correctly rounded, so the bar is: every result
 * within one unit in the last place of the 64-bit significand, and the same exception flags apart
 * from C1 (the rounding direction).
 */
class X87TranscendentalTest {
    record Function(String name, String code, Consumer<X87Fpu> effect, double low, double high, boolean twoArgs) {
    }

    static final List<Function> FUNCTIONS = List.of(
            new Function("fsin", "d9fe", X87Fpu::sine, -3.2, 3.2, false),
            new Function("fcos", "d9ff", X87Fpu::cosine, -3.2, 3.2, false),
            new Function("fsincos", "d9fb", X87Fpu::sineCosine, -1.5, 1.5, false),
            new Function("fptan", "d9f2", X87Fpu::partialTangent, -1.5, 1.5, false),
            new Function("fpatan", "d9f3", X87Fpu::partialArctangent, -100, 100, true),
            new Function("f2xm1", "d9f0", X87Fpu::twoToXMinusOne, -1, 1, false),
            new Function("fyl2x", "d9f1", X87Fpu::yLog2X, 1e-6, 1e6, true),
            new Function("fyl2xp1", "d9f9", X87Fpu::yLog2XPlusOne, -0.29, 0.29, true));

    @Test
    void resultsAreWithinOneUlpOfTheHost() throws Exception {
        Random random = new Random(3);
        FpContext c = new FpContext();
        List<String> requests = new ArrayList<>();
        List<Object[]> cases = new ArrayList<>();
        for (Function f : FUNCTIONS) {
            for (int n = 0; n < 300; n++) {
                double x = f.low() + (f.high() - f.low()) * random.nextDouble();
                if (f.name().equals("fyl2x")) {
                    x = Math.exp(Math.log(f.low()) + (Math.log(f.high()) - Math.log(f.low())) * random.nextDouble());
                }
                Float80 a = SoftFloat.fromDouble(c, Double.doubleToRawLongBits(x));
                a = new Float80(a.signExponent(), a.significand() | (random.nextLong() >>> 53));
                Float80 b = SoftFloat.fromDouble(c, Double.doubleToRawLongBits(f.twoArgs() ? 10 * random.nextDouble() - 5 : 0.5));
                int cw = 0x37f;
                requests.add(String.format("x %s %x %x %x %x %x", f.code(), cw, a.signExponent(), a.significand(),
                        b.signExponent(), b.significand()));
                cases.add(new Object[] {f, a, b});
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> failures = new ArrayList<>();
        int exact = 0;
        for (int i = 0; i < cases.size(); i++) {
            Function f = (Function) cases.get(i)[0];
            Float80 a = (Float80) cases.get(i)[1];
            Float80 b = (Float80) cases.get(i)[2];
            X87Fpu fpu = new X87Fpu();
            fpu.loadExtended(b);
            fpu.loadExtended(a);
            f.effect().accept(fpu);
            int sw = fpu.statusWord();
            Float80 r0 = fpu.storeExtended(true);
            Float80 r1 = fpu.storeExtended(true);
            String[] n = answers.get(i).split(" ");
            int nativeSw = Integer.parseInt(n[0], 16);
            Float80 n0 = new Float80(Integer.parseInt(n[2], 16), Long.parseUnsignedLong(n[3], 16));
            Float80 n1 = new Float80(Integer.parseInt(n[4], 16), Long.parseUnsignedLong(n[5], 16));
            boolean flagsMatch = (sw & ~X87Fpu.SW_C1) == (nativeSw & ~X87Fpu.SW_C1);
            if (r0.equals(n0) && r1.equals(n1)) {
                exact++;
            }
            if (!flagsMatch || !withinOneUlp(r0, n0) || !withinOneUlp(r1, n1)) {
                failures.add(String.format("%s a=%s b=%s: native %x %s %s ours %x %s %s", f.name(), a, b, nativeSw, n0, n1,
                        sw, r0, r1));
            }
        }
        System.out.printf("x87 transcendentals: %d of %d results bit-identical to the host, the rest within 1 ulp%n",
                exact, cases.size());
        assertThat(failures).as(X87NativeTest.summary(failures)).isEmpty();
    }

    static boolean withinOneUlp(Float80 x, Float80 y) {
        if (x.equals(y)) {
            return true;
        }
        if (x.negative() != y.negative() || !x.isFinite() || !y.isFinite()) {
            return false;
        }
        long ux = ((long) x.biasedExponent() << 63 >>> 0);
        // compare as one ordered integer: exponent then significand (both normal here)
        java.math.BigInteger bx = java.math.BigInteger.valueOf(x.biasedExponent()).shiftLeft(64)
                .add(SoftFloat.unsigned(x.significand()));
        java.math.BigInteger by = java.math.BigInteger.valueOf(y.biasedExponent()).shiftLeft(64)
                .add(SoftFloat.unsigned(y.significand()));
        java.math.BigInteger diff = bx.subtract(by).abs();
        return diff.compareTo(java.math.BigInteger.ONE) <= 0
                || diff.equals(java.math.BigInteger.ONE.shiftLeft(63).add(java.math.BigInteger.ONE)) && ux == ux;
    }
}
