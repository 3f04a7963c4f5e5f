package org.qemu.i386.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rules of Intel's SDM that are tables rather than behaviour, checked one by one: which EFLAGS
 * bits POPF and IRET may change at which CPL and IOPL (vol. 2, POPF "Operation" and its flag
 * table), which exception pairs make a double fault (vol. 3, table 6-5), and the fields of a
 * segment descriptor (vol. 3, figure 3-8: base split over three fields, limit over two, scaled
 * by G). Expected values are written from those tables, not from the code.
 */
class PrivilegeRulesTest {
    private static final int IF = 1 << 9;
    private static final int IOPL3 = 3 << 12;
    private static final int CF = 1;
    private static final int AC = 1 << 18;

    /** popped value sets IF, IOPL=3, CF and AC; what survives depends on CPL and the current IOPL. */
    @ParameterizedTest(name = "CPL {0}, IOPL {1}: IF changes {2}, IOPL changes {3}")
    @CsvSource({
        "0, 0, true, true",
        "0, 3, true, true",
        "1, 1, true, false",
        "3, 3, true, false",
        "3, 0, false, false",
        "2, 1, false, false",
    })
    void popfChangesIfOnlyWithinIoplAndIoplOnlyAtCpl0(int cpl, int iopl, boolean ifChanges, boolean ioplChanges) {
        int old = iopl << 12 | 2;
        int popped = IF | IOPL3 | CF | AC | 2;
        int result = InterruptOps.mergeFlags(old, popped, cpl);
        assertThat(result & IF).as("IF").isEqualTo(ifChanges ? IF : 0);
        assertThat((result & IOPL3) >>> 12).as("IOPL").isEqualTo(ioplChanges ? 3 : iopl);
        assertThat(result & (CF | AC)).as("CF and AC change at any privilege").isEqualTo(CF | AC);
    }

    @Test
    void popfAtCpl3ClearsIfOnlyWhenIoplAllows() {
        assertThat(InterruptOps.mergeFlags(IOPL3 | IF | 2, 2, 3) & IF).as("IOPL 3").isZero();
        assertThat(InterruptOps.mergeFlags(IF | 2, 2, 3) & IF).as("IOPL 0").isEqualTo(IF);
    }

    @ParameterizedTest(name = "#{0} then #{1}: double fault {2}")
    @CsvSource({
        // contributory: #DE 0, #TS 10, #NP 11, #SS 12, #GP 13; benign: e.g. #DB 1, #NMI 2, #BP 3, #UD 6, #NM 7, #MF 16; #PF 14
        "13, 13, true",
        "0, 11, true",
        "10, 12, true",
        "13, 14, false",
        "14, 14, true",
        "14, 13, true",
        "14, 0, true",
        "6, 13, false",
        "3, 13, false",
        "2, 14, false",
        "32, 13, false",
        "16, 11, false",
    })
    void doubleFaultsFollowTable6_5(int first, int second, boolean doubleFault) {
        assertThat(SystemCpu.causesDoubleFault(first, second)).isEqualTo(doubleFault);
    }

    @Test
    void descriptorFieldsAsFigure3_8LaysThemOut() {
        // base 0x12345678, limit 0xabcde, G=1, D/B=1, P=1, DPL=3, S=1, type 0x2 (read/write data)
        long d = 0x0000L | 0xbcdeL | 0x5678L << 16 | 0x34L << 32 | 0xf2L << 40 | 0xcaL << 48 | 0x12L << 56;
        assertThat(SegmentDescriptors.base(d)).isEqualTo(0x12345678L);
        assertThat(SegmentDescriptors.limit(d)).as("4 KiB granularity").isEqualTo(0xabcdefff);
        assertThat(SegmentDescriptors.dpl(d)).isEqualTo(3);
        assertThat(SegmentDescriptors.present(d)).isTrue();
        assertThat(SegmentDescriptors.isData(d)).isTrue();
        assertThat(SegmentDescriptors.writableData(d)).isTrue();
        assertThat(SegmentDescriptors.isCode(d)).isFalse();
        assertThat(SegmentDescriptors.default32(d)).isTrue();
        long byteGranular = d & ~(1L << 55);
        assertThat(SegmentDescriptors.limit(byteGranular)).isEqualTo(0xabcde);
    }

    @Test
    void conformingReadableCodeAndSystemTypes() {
        long conformingCode = 0xffffL | 0x9eL << 40 | 0xcfL << 48; // P, DPL 0, S, type 1110: execute/read, conforming
        assertThat(SegmentDescriptors.isCode(conformingCode)).isTrue();
        assertThat(SegmentDescriptors.conforming(conformingCode)).isTrue();
        assertThat(SegmentDescriptors.readable(conformingCode)).isTrue();
        assertThat(SegmentDescriptors.writableData(conformingCode)).isFalse();
        long busyTss = 0x67L | 0x8bL << 40; // P, DPL 0, S=0, type 1011
        assertThat(SegmentDescriptors.isSegment(busyTss)).isFalse();
        assertThat(SegmentDescriptors.type(busyTss)).isEqualTo(SegmentDescriptors.TYPE_TSS32_BUSY);
        assertThat(SegmentDescriptors.limit(busyTss)).isEqualTo(0x67);
    }
}
