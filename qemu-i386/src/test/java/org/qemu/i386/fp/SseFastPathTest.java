package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;

/**
 * The scalar and packed SSE forms that have a default-MXCSR fast path ({@link SseFastPath}), with operands
 * drawn where that path decides things: ordinary values of all magnitudes, exact and inexact
 * results, the edges of its safe range (tiny, huge, overflowing, int32 limits), equal and
 * opposite operands, with MXCSR at its default and with flags already set. Compared bit for bit
 * (MXCSR, EFLAGS, registers, memory) with the same bytes run on this host.
 */
class SseFastPathTest {
    private static final long CODE = 0x100000;
    private static final long DATA = 0x80000;
    private static final HexFormat HEX = HexFormat.of();

    static List<String[]> forms() {
        List<String[]> forms = new ArrayList<>();
        for (String p : new String[] {"f2", "f3"}) {
            for (String op : new String[] {"58", "59", "5c", "5d", "5e", "5f", "51", "5a"}) {
                forms.add(new String[] {p + " 0f" + op, p + "0f" + op + "c1"});
                forms.add(new String[] {p + " 0f" + op + " mem", p + "0f" + op + "07"});
            }
            for (String op : new String[] {"2c", "2d"}) {
                forms.add(new String[] {p + " 0f" + op, p + "0f" + op + "c1"});
                forms.add(new String[] {p + " 0f" + op + " mem", p + "0f" + op + "07"});
            }
        }
        for (String p : new String[] {"", "66"}) {
            for (String op : new String[] {"58", "59", "5c", "5d", "5e", "5f"}) {
                forms.add(new String[] {p + " 0f" + op, p + "0f" + op + "c1"});
                forms.add(new String[] {p + " 0f" + op + " mem", p + "0f" + op + "07"});
            }
            for (String op : new String[] {"2e", "2f"}) {
                forms.add(new String[] {p + " 0f" + op, p + "0f" + op + "c1"});
                forms.add(new String[] {p + " 0f" + op + " mem", p + "0f" + op + "07"});
            }
        }
        return forms;
    }

    /** A double in the fast path's territory or just outside it. */
    static double ordinaryDouble(Random random, double previous) {
        double sign = random.nextBoolean() ? -1 : 1;
        return switch (random.nextInt(12)) {
            case 0 -> sign * random.nextInt(1000);                       // small integers: exact results
            case 1 -> previous;                                          // equal operands
            case 2 -> -previous;                                         // cancellation to zero
            case 3 -> previous * (1 + 0x1p-52 * (random.nextInt(5) - 2)); // near-cancellation
            case 4 -> sign * Math.scalb(1 + random.nextDouble(), -900 + random.nextInt(40) - 20); // safe-range edge
            case 5 -> sign * Math.scalb(1 + random.nextDouble(), 1000 + random.nextInt(24));     // overflow edge
            case 6 -> sign * Math.scalb(1 + random.nextDouble(), 28 + random.nextInt(6));        // int32 edge
            case 7 -> sign * (0x1p31 - random.nextInt(3) + random.nextInt(4) * 0.25);
            case 8 -> sign * Math.scalb(1 + random.nextDouble(), -126 + random.nextInt(30) - 15); // float edges
            case 9 -> sign * Math.scalb(1 + random.nextDouble(), 120 + random.nextInt(12));
            case 10 -> sign * 0.0;
            default -> sign * Math.scalb(1 + random.nextDouble(), random.nextInt(64) - 32);
        };
    }

    static long operand(Random random, double previous) {
        double value = ordinaryDouble(random, previous);
        if (random.nextBoolean()) {
            return Double.doubleToRawLongBits(value);
        }
        // two floats: narrow with Java's rounding (ties to even, like the hardware default)
        float low = (float) value;
        float high = (float) ordinaryDouble(random, value);
        return (Float.floatToRawIntBits(low) & 0xffffffffL) | (long) Float.floatToRawIntBits(high) << 32;
    }

    @Test
    void fastPathFormsMatchTheHost() throws Exception {
        Random random = new Random(2026);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(CODE, 1 << 23, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            memory.map(DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            long pc = CODE;
            for (String[] form : forms()) {
                double previous = 1.5;
                for (int n = 0; n < 300; n++) {
                    long[] a = {operand(random, previous), operand(random, previous)};
                    previous = Double.longBitsToDouble(a[0]);
                    long[] b = {operand(random, previous), operand(random, Double.longBitsToDouble(a[1]))};
                    byte[] data = new byte[16];
                    X87NativeTest.put(data, operand(random, previous), 8);
                    byte[] high = new byte[8];
                    X87NativeTest.put(high, operand(random, Double.longBitsToDouble(a[1])), 8);
                    System.arraycopy(high, 0, data, 8, 8);
                    int mxcsr = switch (random.nextInt(4)) {
                        case 0 -> 0x1f80;
                        case 1 -> 0x1f80 | FpFlags.PRECISION;
                        case 2 -> 0x1f80 | random.nextInt(64);
                        default -> SseNativeTest.randomMxcsr(random);
                    };
                    int eax = random.nextInt();
                    requests.add(String.format("s %s %x %x %x %x %x %x %s", form[1], mxcsr, a[0], a[1], b[0], b[1], eax,
                            HEX.formatHex(data)));
                    names.add(form[0]);
                    ours.add(SseNativeTest.run(memory, pc, form[1], mxcsr, a, b, eax, data));
                    pc += 64;
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
