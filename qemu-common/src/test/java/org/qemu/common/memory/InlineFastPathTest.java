package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import org.junit.jupiter.api.Test;

/**
 * The fast-path test that code generators emit inline (GuestMemory#protectionTable and friends)
 * accepts only accesses the accessors would complete without a fault, a code-page report or an
 * IO handler, and the host helpers then see the same bytes as the accessors.
 */
class InlineFastPathTest {
    private static final long PAGE = GuestMemory.PAGE_SIZE;

    private static boolean inlineAccepts(GuestMemory m, long address, int bytes, int bit) {
        return ((address & m.rangeMask()) + bytes - 1) >>> GuestMemory.PAGE_SHIFT == 0
                && (m.protectionTable()[(int) (address >>> GuestMemory.PAGE_SHIFT)] & bit) != 0;
    }

    @Test
    void inlineCheckAcceptsExactlyTheSafeAccesses() {
        assumeThat(GuestMemory.directAccess()).as("needs --sun-misc-unsafe-memory-access=allow (the surefire argLine)").isTrue();
        try (GuestMemory m = new GuestMemory(32)) {
            m.map(0x10000, 2 * PAGE, GuestMemory.READ | GuestMemory.WRITE);
            m.map(0x20000, PAGE, GuestMemory.READ);
            m.map(0x30000, PAGE, GuestMemory.READ | GuestMemory.WRITE);
            m.markCode(0x30000 >>> GuestMemory.PAGE_SHIFT);
            m.write32(0x10ffc, 0x11223344);
            m.write32(0x11000, 0x55667788);

            // inside one writable page: both tests pass, and the host helpers agree with the accessors
            assertThat(inlineAccepts(m, 0x10ffc, 4, GuestMemory.INLINE_READ)).isTrue();
            assertThat(GuestMemory.hostLoad32(m.hostBase() + 0x10ffc)).isEqualTo(0x11223344);
            assertThat(GuestMemory.hostLoad16(m.hostBase() + 0x10ffe)).isEqualTo(0x1122);
            assertThat(GuestMemory.hostLoad8(m.hostBase() + 0x10fff)).isEqualTo(0x11);
            assertThat(inlineAccepts(m, 0x10ff0, 4, GuestMemory.INLINE_WRITE)).isTrue();
            GuestMemory.hostStore32(m.hostBase() + 0x10ff0, 0xcafef00d);
            GuestMemory.hostStore16(m.hostBase() + 0x10ff4, 0xbeef);
            GuestMemory.hostStore8(m.hostBase() + 0x10ff6, 0x7f);
            assertThat(m.read32(0x10ff0)).isEqualTo(0xcafef00d);
            assertThat(m.read16(0x10ff4)).isEqualTo(0xbeef);
            assertThat(m.read8(0x10ff6)).isEqualTo(0x7f);

            // an access running into the next page goes to the accessor (which handles the crossing)
            assertThat(inlineAccepts(m, 0x10ffd, 4, GuestMemory.INLINE_READ)).isFalse();
            assertThat(inlineAccepts(m, 0x10fff, 2, GuestMemory.INLINE_READ)).isFalse();
            assertThat(inlineAccepts(m, 0x10fff, 1, GuestMemory.INLINE_READ)).isTrue();
            // read-only page: reads inline, writes not
            assertThat(inlineAccepts(m, 0x20000, 4, GuestMemory.INLINE_READ)).isTrue();
            assertThat(inlineAccepts(m, 0x20000, 4, GuestMemory.INLINE_WRITE)).isFalse();
            // a page holding translated code: reads inline, writes must reach the accessor to report
            assertThat(inlineAccepts(m, 0x30010, 4, GuestMemory.INLINE_READ)).isTrue();
            assertThat(inlineAccepts(m, 0x30010, 4, GuestMemory.INLINE_WRITE)).isFalse();
            // unmapped page and the top of the space
            assertThat(inlineAccepts(m, 0x40000, 1, GuestMemory.INLINE_READ)).isFalse();
            assertThat(inlineAccepts(m, 0xfffffffeL, 4, GuestMemory.INLINE_READ)).isFalse();
            // protection changes are seen through the same table
            m.protect(0x10000, PAGE, GuestMemory.READ);
            assertThat(inlineAccepts(m, 0x10010, 4, GuestMemory.INLINE_WRITE)).isFalse();
            m.unmap(0x10000, PAGE);
            assertThat(inlineAccepts(m, 0x10010, 4, GuestMemory.INLINE_READ)).isFalse();
        }
    }

    @Test
    void theOutOfLineWindowHoldsTheAccessInTwoPagesThatBothAllowIt() {
        try (GuestMemory m = new GuestMemory(32)) {
            m.map(0x10000, 2 * PAGE, GuestMemory.READ | GuestMemory.WRITE);
            m.map(0x20000, PAGE, GuestMemory.READ);
            m.map(0x30000, PAGE, GuestMemory.READ | GuestMemory.WRITE);
            m.map(0x31000, PAGE, GuestMemory.READ | GuestMemory.WRITE);
            m.markCode(0x31000 >>> GuestMemory.PAGE_SHIFT);
            m.map(0x50000, 3 * PAGE, GuestMemory.READ);
            long[] addresses = {0x10000, 0x10ff8, 0x10ffc, 0x10ffd, 0x10fff, 0x11004, 0x11ffc, 0x20010, 0x30010, 0x30ffc, 0x31010,
                0x40000, 0x50010, 0x51ffd, 0x52ff8, 0xfffffffcL, 0xfffffffeL, -8, 1L << 40};
            int windows = 0;
            for (long address : addresses) {
                for (int bytes : new int[] {1, 2, 4, 8}) {
                    for (int bit : new int[] {GuestMemory.INLINE_READ, GuestMemory.INLINE_WRITE}) {
                        long host = m.inlineWindowHost(address, bytes - 1, bit);
                        String what = String.format("%x, %d bytes, bit %d", address, bytes, bit);
                        if (host == 0) {
                            // refused: the access or a neighbour page does not allow it
                            boolean accessAllowed = inlineAccepts(m, address, bytes, bit)
                                    || inlineAccepts(m, address, 1, bit) && inlineAccepts(m, address + bytes - 1, 1, bit);
                            if (accessAllowed) {
                                long page = address & ~(PAGE - 1);
                                assertThat(inlineAccepts(m, page + PAGE, 1, bit) || inlineAccepts(m, page - PAGE, 1, bit)).as(what).isFalse();
                            }
                            continue;
                        }
                        long start = host - m.hostBase();
                        assertThat(start & (PAGE - 1)).as(what).isZero();
                        assertThat(address).as(what).isBetween(start, start + 2 * PAGE - bytes);
                        assertThat(inlineAccepts(m, start, 1, bit)).as(what).isTrue();
                        assertThat(inlineAccepts(m, start + PAGE, 1, bit)).as(what).isTrue();
                        windows++;
                    }
                }
            }
            assertThat(windows).as("windows given").isGreaterThan(20);
            // the page with code refuses writes: 0x30000's window for a write is none (0x2f000 unmapped, 0x31000 code)
            assertThat(m.inlineWindowHost(0x30010, 3, GuestMemory.INLINE_WRITE)).isZero();
            assertThat(m.inlineWindowHost(0x30010, 3, GuestMemory.INLINE_READ)).isEqualTo(m.hostBase() + 0x30000);
            // the last page of a run takes the one before
            assertThat(m.inlineWindowHost(0x52ff8, 7, GuestMemory.INLINE_READ)).isEqualTo(m.hostBase() + 0x51000);
            // an access across two pages is its own window
            assertThat(m.inlineWindowHost(0x10ffd, 7, GuestMemory.INLINE_WRITE)).isEqualTo(m.hostBase() + 0x10000);
        }
    }
}
