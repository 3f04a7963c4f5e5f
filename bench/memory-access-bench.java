// Cost of one guest memory access through GuestMemory, the way translated code calls it
// (read32/write32/read32be/read8 with a guest address in a long), against the same loop on
// a bare MemorySegment (the floor: one host load or store). Run after a build:
//   java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
//        -cp 'target/lib/*' bench/memory-access-bench.java [rounds]
// (without the Unsafe switch GuestMemory falls back to MemorySegment accesses; add
// -XX:TieredStopAtLevel=3 to see what the C1 tier, where cold translated code runs, pays)
// Prints the best ns per access over the rounds, in thread CPU time (the machine is shared: wall
// time would count other processes' turns).
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.qemu.common.memory.GuestMemory;

public class MemoryAccessBench {
    static final long BASE = 0x0804_8000L;
    static final int WORDS = 16 * 1024; // a 64 KiB working set, like a hash's state and input block
    static final int PASSES = 400;
    static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    interface Loop {
        long run();
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        GuestMemory memory = new GuestMemory(32);
        memory.map(BASE, WORDS * 4L + 4096, GuestMemory.READ | GuestMemory.WRITE);
        MemorySegment raw = Arena.global().allocate(WORDS * 4L + 4096);
        long accesses = (long) WORDS * PASSES;
        report("read32 (little-endian)", rounds, accesses, () -> read32(memory));
        report("write32 (little-endian)", rounds, accesses, () -> write32(memory));
        report("read32+write32 (x86 add [mem], reg)", rounds, 2 * accesses, () -> readModifyWrite(memory));
        report("read32be (PowerPC lwz)", rounds, accesses, () -> read32be(memory));
        report("write32be (PowerPC stw)", rounds, accesses, () -> write32be(memory));
        report("read8 (byte loop)", rounds, accesses, () -> read8(memory));
        report("read32 unaligned, page-crossing every 1024th", rounds, accesses, () -> read32Unaligned(memory));
        report("floor: MemorySegment read32", rounds, accesses, () -> rawRead32(raw));
        report("floor: MemorySegment read32+write32", rounds, 2 * accesses, () -> rawReadModifyWrite(raw));
    }

    static long read32(GuestMemory m) {
        long sum = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                sum = Long.rotateLeft(sum, 1) ^ m.read32(BASE + 4L * i); // a serial chain: C2 cannot vectorise the floor away
            }
        }
        return sum;
    }

    static long write32(GuestMemory m) {
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                m.write32(BASE + 4L * i, i + pass);
            }
        }
        return m.read32(BASE);
    }

    static long readModifyWrite(GuestMemory m) {
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                long a = BASE + 4L * i;
                m.write32(a, m.read32(a) + i);
            }
        }
        return m.read32(BASE);
    }

    static long read32be(GuestMemory m) {
        long sum = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                sum = Long.rotateLeft(sum, 1) ^ m.read32be(BASE + 4L * i);
            }
        }
        return sum;
    }

    static long write32be(GuestMemory m) {
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                m.write32be(BASE + 4L * i, i ^ pass);
            }
        }
        return m.read32be(BASE);
    }

    static long read8(GuestMemory m) {
        long sum = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                sum = Long.rotateLeft(sum, 1) ^ m.read8(BASE + i);
            }
        }
        return sum;
    }

    static long read32Unaligned(GuestMemory m) {
        long sum = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                sum = Long.rotateLeft(sum, 1) ^ m.read32(BASE + 1 + 4L * i);
            }
        }
        return sum;
    }

    static long rawRead32(MemorySegment s) {
        long sum = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                sum = Long.rotateLeft(sum, 1) ^ s.get(LE32, 4L * i);
            }
        }
        return sum;
    }

    static long rawReadModifyWrite(MemorySegment s) {
        for (int pass = 0; pass < PASSES; pass++) {
            for (int i = 0; i < WORDS; i++) {
                long a = 4L * i;
                s.set(LE32, a, s.get(LE32, a) + i);
            }
        }
        return s.get(LE32, 0);
    }

    static long sink;

    static void report(String name, int rounds, long accesses, Loop loop) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long start = threads.getCurrentThreadCpuTime();
            sink += loop.run();
            best = Math.min(best, (threads.getCurrentThreadCpuTime() - start) / (double) accesses);
        }
        System.out.printf("%-48s %6.2f ns/access%n", name, best);
    }
}
