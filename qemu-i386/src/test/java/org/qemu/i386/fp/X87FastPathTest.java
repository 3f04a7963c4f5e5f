package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86CpuState;

/**
 * Every x87 register and memory form of {@link X87NativeTest}, decoded by the translator, with
 * operands and control words where {@link X87FastPath} decides: Linux's default control word
 * (and the truncating and 53-bit variants compiled code switches to), normal operands of every
 * magnitude including the edges of the normal range (where the fast path must hand over to the
 * general one), exact and inexact results, cancellation, equal operands, zeros, and memory
 * operands that are normal doubles, floats and integers near their range limits. Status word,
 * EFLAGS, registers and memory must match this host bit for bit.
 */
class X87FastPathTest {
    private static final HexFormat HEX = HexFormat.of();

    /** A normal extended value, mostly the kind compiled double code produces. */
    static Float80 normal(Random random) {
        int sign = random.nextBoolean() ? 0x8000 : 0;
        int exponent = switch (random.nextInt(8)) {
            case 0 -> 1 + random.nextInt(70);             // bottom of the range: results may underflow
            case 1 -> 0x7ffe - random.nextInt(70);        // top: results may overflow
            case 2 -> 0x3fff - 1022 + random.nextInt(10) - 5; // the double range's edges
            case 3 -> 0x3fff + 1023 + random.nextInt(10) - 5;
            default -> 0x3fff - 40 + random.nextInt(100);
        };
        long significand = Float80.INTEGER_BIT | random.nextLong();
        switch (random.nextInt(4)) {
            case 0 -> significand &= -1L << 11;           // exactly a double's precision
            case 1 -> significand &= -1L << (40 + random.nextInt(23)); // a small integer or float
            default -> { }
        }
        return new Float80(sign | exponent, significand);
    }

    static Float80 operand(Random random, Float80 other) {
        return switch (random.nextInt(10)) {
            case 0 -> other;                                         // equal
            case 1 -> other.negate();                                // exact cancellation
            case 2 -> new Float80(other.signExponent() ^ 0x8000,     // near cancellation
                    other.significand() ^ (1L << random.nextInt(12)));
            case 3 -> Float80.zero(random.nextBoolean());
            case 4 -> SoftFloat.fromLong(random.nextInt(2001) - 1000);
            default -> normal(random);
        };
    }

    static int controlWord(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> 0x0f7f;       // truncation (gcc's (int) conversions)
            case 1 -> 0x027f;       // 53-bit precision
            case 2 -> X87NativeTest.randomControlWord(random);
            default -> 0x037f;      // the Linux default
        };
    }

    /** 16 bytes whose start is a normal or zero double, float, 16/32/64-bit integer near the limits. */
    static byte[] memory(Random random, Float80 st0) {
        byte[] m = new byte[16];
        random.nextBytes(m);
        FpContext c = new FpContext();
        switch (random.nextInt(5)) {
            case 0 -> X87NativeTest.put(m, SoftFloat.toDouble(c, operand(random, st0)), 8);
            case 1 -> X87NativeTest.put(m, Double.doubleToRawLongBits(random.nextInt(3) - 1 + Math.scalb(1.0, 
                    random.nextInt(2) == 0 ? 1023 : -1022)), 8);
            case 2 -> X87NativeTest.put(m, SoftFloat.toFloat(c, operand(random, st0)), 4);
            case 3 -> X87NativeTest.put(m, Float.floatToRawIntBits(Math.scalb(1.5f, random.nextBoolean() ? 127 : -126)), 4);
            default -> X87NativeTest.put(m, (random.nextBoolean() ? 1L : -1L) << (15 + random.nextInt(3) * 16)
                    + random.nextInt(3) - 1, 8);
        }
        return m;
    }

    /** ST(0) for the integer stores: near the 16/32/64-bit limits and the .5 ties, or anything. */
    static Float80 integerish(Random random) {
        int bits = 16 << random.nextInt(3);
        long value = (random.nextBoolean() ? 1L : -1L) << (bits - 1 - random.nextInt(2));
        double v = value + (random.nextInt(5) - 2) * 0.5;
        return random.nextBoolean() ? SoftFloat.widenDouble(Double.doubleToRawLongBits(v)) : normal(random);
    }

    @Test
    void fastPathFormsMatchTheHost() throws Exception {
        Random random = new Random(1987);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(0x100000, 1 << 22, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            memory.map(0x80000, 4096, GuestMemory.READ | GuestMemory.WRITE);
            long pc = 0x100000;
            for (X87NativeTest.RegisterOp op : X87NativeTest.EXACT_REGISTER_OPS) {
                for (int n = 0; n < 150; n++) {
                    Float80 a = normal(random);
                    Float80 b = operand(random, a);
                    if (random.nextBoolean()) {
                        Float80 t = a; a = b; b = t;
                    }
                    int cw = controlWord(random);
                    requests.add(String.format("x %s %x %x %x %x %x", op.code(), cw, a.signExponent(), a.significand(),
                            b.signExponent(), b.significand()));
                    names.add(op.name());
                    X86CpuState s = X87TranslatorTest.run(memory, pc, op.code(), cw, a, b, null);
                    pc += 32;
                    int sw = s.fpu.statusWord();
                    int eflags = s.eflags() & 0x8d5;
                    Float80 r0 = s.fpu.storeExtended(true);
                    Float80 r1 = s.fpu.storeExtended(true);
                    ours.add(String.format("%x %x %x %x %x %x", sw, eflags, r0.signExponent(), r0.significand(),
                            r1.signExponent(), r1.significand()));
                }
            }
            for (X87NativeTest.MemoryOp op : X87NativeTest.MEMORY_OPS) {
                for (int n = 0; n < 150; n++) {
                    Float80 a = random.nextInt(3) == 0 ? integerish(random) : normal(random);
                    byte[] data = memory(random, a);
                    int cw = controlWord(random);
                    requests.add(String.format("m %s %x %x %x %s", op.code(), cw, a.signExponent(), a.significand(),
                            HEX.formatHex(data)));
                    names.add(op.name());
                    X86CpuState s = X87TranslatorTest.run(memory, pc, op.code(), cw, a, null, data);
                    pc += 32;
                    int sw = s.fpu.statusWord();
                    int eflags = s.eflags() & 0x8d5;
                    Float80 r0 = s.fpu.storeExtended(true);
                    byte[] after = new byte[16];
                    memory.read(0x80000, after, 0, 16);
                    ours.add(String.format("%x %x %x %x %s", sw, eflags, r0.signExponent(), r0.significand(),
                            HEX.formatHex(after)));
                }
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (!answers.get(i).equals(ours.get(i))) {
                mismatches.add(names.get(i) + " " + requests.get(i) + ": native [" + answers.get(i) + "] ours ["
                        + ours.get(i) + "]");
            }
        }
        assertThat(mismatches).as(X87NativeTest.summary(mismatches)).isEmpty();
    }
}
