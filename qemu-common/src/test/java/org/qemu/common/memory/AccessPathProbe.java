package org.qemu.common.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A fixed script of guest memory accesses (both byte orders, every size, page-crossing, faults,
 * code-page writes) whose results are printed one per line. {@link AccessPathTest} runs it in
 * this JVM and in a child JVM that lacks the switch for direct host access, so the MemorySegment
 * fallback and the direct path must agree line for line.
 */
public final class AccessPathProbe {
    public static void main(String[] args) {
        System.out.println("direct=" + HostLoadStore.direct());
        run().forEach(System.out::println);
    }

    static List<String> run() {
        List<String> out = new ArrayList<>();
        List<Long> codeWrites = new ArrayList<>();
        try (GuestMemory m = new GuestMemory(32)) {
            m.setCodeWriteListener(codeWrites::add);
            m.map(0x10000, 0x2000, GuestMemory.READ | GuestMemory.WRITE);
            m.map(0x12000, 0x1000, GuestMemory.READ);
            m.map(0xfffff000L, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
            long[] addresses = {0x10000, 0x10ffd, 0x10fff, 0x11ffe, 0xfffffff8L, 0xfffffffeL, 1L << 32, -2};
            for (long a : addresses) {
                out.add(attempt(() -> { m.write8(a, 0x81); return "w8"; }));
                out.add(attempt(() -> { m.write16(a, 0x8283); return "w16"; }));
                out.add(attempt(() -> { m.write32be(a, 0x84858687); return "w32be"; }));
                out.add(attempt(() -> { m.write64(a, 0x88898a8b8c8d8e8fL); return "w64"; }));
                out.add(attempt(() -> Integer.toHexString(m.read8(a))));
                out.add(attempt(() -> Integer.toHexString(m.read16be(a))));
                out.add(attempt(() -> Integer.toHexString(m.read32(a))));
                out.add(attempt(() -> Long.toHexString(m.read64be(a))));
            }
            m.markCode(0x10);
            m.write32(0x10010, 7);
            m.write32(0x10014, 7);
            out.add("code writes " + codeWrites);
        }
        return out;
    }

    private interface Access {
        String run();
    }

    private static String attempt(Access access) {
        try {
            return access.run();
        } catch (GuestMemoryFault f) {
            return f.getMessage();
        }
    }

    private AccessPathProbe() {
    }
}
