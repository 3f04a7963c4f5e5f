package org.qemu.kvm.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.kvm.sys.KvmLayouts;

/**
 * IRET as the SDM's IRET pseudo-code and segment-descriptor format define it, on register images
 * and a GDT in RAM the test writes (the payload tests run the same class on a real kvm-pvm host,
 * with same-privilege returns from timer, serial, RTC and APIC interrupts).
 */
class IretAssistTest {
    private static final long GDT = 0x1000, CODE = 0x2000, STACK = 0x8000;
    private static final int KERNEL_CS = 0x08, KERNEL_DS = 0x10, USER_CS = 0x1b, USER_DS = 0x23, KERNEL_CS64 = 0x30, USER_CS64 = 0x2b;
    private static final long FLAT_KERNEL_CODE = 0x00cf9a000000ffffL, FLAT_KERNEL_DATA = 0x00cf92000000ffffL;
    private static final long FLAT_USER_CODE = 0x00cffa000000ffffL, FLAT_USER_DATA = 0x00cff2000000ffffL;
    private static final long USER_CODE64 = 0x00affa000000ffffL, KERNEL_CODE64 = 0x00af9a000000ffffL;

    private Arena arena;
    private PhysicalMemory ram;
    private IretAssist iret;
    private MemorySegment regs;
    private MemorySegment sregs;

    @BeforeEach
    void machine() {
        arena = Arena.ofConfined();
        ram = new PhysicalMemory(arena.allocate(1 << 20, 4096));
        iret = new IretAssist(ram);
        long[] gdt = {0, FLAT_KERNEL_CODE, FLAT_KERNEL_DATA, FLAT_USER_CODE, FLAT_USER_DATA, USER_CODE64, KERNEL_CODE64,
            0x00cf12000000ffffL /* absent data */};
        for (int i = 0; i < gdt.length; i++) {
            ram.write64(GDT + 8L * i, gdt[i]);
        }
        regs = arena.allocate(KvmLayouts.REGS);
        sregs = arena.allocate(KvmLayouts.SREGS);
        long table = offset(KvmLayouts.SREGS, "gdt");
        sregs.set(ValueLayout.JAVA_LONG, table + offset(KvmLayouts.DTABLE, "base"), GDT);
        sregs.set(ValueLayout.JAVA_SHORT, table + offset(KvmLayouts.DTABLE, "limit"), (short) (8 * gdt.length - 1));
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr0"), 0x11);
        IretAssist.Segment ldt = IretAssist.Segment.nullSelector(0, 0);
        ldt.write(sregs, "ldt");
        load("cs", KERNEL_CS, FLAT_KERNEL_CODE);
        for (String s : new String[] {"ss", "ds", "es", "fs", "gs"}) {
            load(s, KERNEL_DS, FLAT_KERNEL_DATA);
        }
        set("rip", CODE);
        set("rsp", STACK);
        set("rflags", 0x2);
    }

    @AfterEach
    void free() {
        arena.close();
    }

    private void load(String segment, int selector, long descriptor) {
        IretAssist.Segment.fromDescriptor(selector, descriptor).write(sregs, segment);
    }

    private void set(String reg, long value) {
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, reg), value);
    }

    private long get(String reg) {
        return regs.get(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, reg));
    }

    private IretAssist.Segment segment(String name) {
        return IretAssist.Segment.read(sregs, name);
    }

    private void code(int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            ram.write8(CODE + i, bytes[i]);
        }
    }

    private void frame32(long... slots) {
        for (int i = 0; i < slots.length; i++) {
            ram.write32(STACK + 4L * i, (int) slots[i]);
        }
    }

    @Test
    void sameLevelReturnPopsThreeSlotsAndLoadsEveryFlagAtCpl0() {
        code(0xcf);
        frame32(0x12345, KERNEL_CS, 0x3000 | 0x200 | 0x40 | 0x1);
        assertThat(iret.perform(regs, sregs)).isTrue();
        assertThat(get("rip")).isEqualTo(0x12345);
        assertThat(get("rsp")).isEqualTo(STACK + 12);
        assertThat(get("rflags")).isEqualTo(0x3000 | 0x200 | 0x40 | 0x1 | 0x2); // IOPL and IF: CPL 0 may load both
        assertThat(segment("cs").selector()).isEqualTo(KERNEL_CS);
        assertThat(segment("cs").db()).isTrue();
    }

    @Test
    void operandSizePrefixMakesIretASixteenBitReturn() {
        code(0x66, 0xcf);
        ram.write16(STACK, 0x1234);
        ram.write16(STACK + 2, KERNEL_CS);
        ram.write16(STACK + 4, 0x0202);
        set("rflags", 0x40002 | 0x1); // AC above bit 15 survives a 16-bit return
        assertThat(iret.perform(regs, sregs)).isTrue();
        assertThat(get("rip")).isEqualTo(0x1234);
        assertThat(get("rsp")).isEqualTo(STACK + 6);
        assertThat(get("rflags")).isEqualTo(0x40000 | 0x0202);
    }

    @Test
    void returnToRingThreeSwitchesStackAndNullsKernelDataSegments() {
        code(0xcf);
        frame32(0x4000, USER_CS, 0x202, 0x9000, USER_DS);
        load("es", USER_DS, FLAT_USER_DATA);
        assertThat(iret.perform(regs, sregs)).isTrue();
        assertThat(get("rip")).isEqualTo(0x4000);
        assertThat(get("rsp")).isEqualTo(0x9000);
        assertThat(segment("cs").selector()).isEqualTo(USER_CS);
        assertThat(segment("cs").dpl()).isEqualTo(3);
        assertThat(segment("ss").selector()).isEqualTo(USER_DS);
        assertThat(segment("ss").dpl()).isEqualTo(3);
        assertThat(segment("ds").unusable()).as("DPL 0 data is not usable at CPL 3").isTrue();
        assertThat(segment("ds").selector()).isZero();
        assertThat(segment("es").selector()).as("DPL 3 data stays").isEqualTo(USER_DS);
        assertThat(ram.read8(GDT + 3 * 8 + 5) & 1).as("CS descriptor accessed").isEqualTo(1);
        assertThat(ram.read8(GDT + 4 * 8 + 5) & 1).as("SS descriptor accessed").isEqualTo(1);
    }

    @Test
    void atCplThreeTheFrameCannotChangeIoplOrIfBeyondIopl() {
        load("cs", USER_CS, FLAT_USER_CODE);
        load("ss", USER_DS, FLAT_USER_DATA);
        code(0xcf);
        frame32(0x4000, USER_CS, 0x3000 | 0x200 | 0x80);
        assertThat(iret.perform(regs, sregs)).isTrue();
        assertThat(get("rflags")).isEqualTo(0x80 | 0x2); // IOPL 0 at CPL 3: IF and IOPL stay as they were
    }

    @Test
    void longModeIretqToRingThreeThroughTheGuestsPageTables() {
        // identity map of the first 2 MiB: PML4 -> PDPT -> PD with one large page
        ram.write64(0x10000, 0x11000 | 0x7);
        ram.write64(0x11000, 0x12000 | 0x7);
        ram.write64(0x12000, 0x87);
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr0"), 0x80000011L);
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr3"), 0x10000);
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "cr4"), 0x20);
        sregs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, "efer"), 0x500);
        load("cs", KERNEL_CS64, KERNEL_CODE64);
        code(0x48, 0xcf);
        long[] frame = {0x5000, USER_CS64, 0x202, 0x9ff8, USER_DS};
        for (int i = 0; i < frame.length; i++) {
            ram.write64(STACK + 8L * i, frame[i]);
        }
        assertThat(iret.perform(regs, sregs)).isTrue();
        assertThat(get("rip")).isEqualTo(0x5000);
        assertThat(get("rsp")).isEqualTo(0x9ff8);
        assertThat(segment("cs").l()).isTrue();
        assertThat(segment("cs").dpl()).isEqualTo(3);
        assertThat(segment("ss").selector()).isEqualTo(USER_DS);
    }

    @Test
    void framesThatWouldFaultAreLeftAloneWithTheRegistersUntouched() {
        code(0xcf);
        MemorySegment before = arena.allocate(KvmLayouts.REGS).copyFrom(regs);
        frame32(0x4000, USER_CS, 0x202, 0x9000, KERNEL_DS | 3); // SS with DPL 0 for ring 3: #GP
        assertThat(iret.perform(regs, sregs)).isFalse();
        frame32(0x4000, USER_CS, 0x202, 0x9000, 0x38 | 3);       // absent SS: #SS / #NP
        assertThat(iret.perform(regs, sregs)).isFalse();
        frame32(0x4000, KERNEL_DS, 0x202);                       // a data segment as CS: #GP
        assertThat(iret.perform(regs, sregs)).isFalse();
        set("rflags", 0x4002);                                   // NT: a task return
        frame32(0x4000, KERNEL_CS, 0x202);
        assertThat(iret.perform(regs, sregs)).isFalse();
        set("rflags", 0x2);
        code(0x90);                                              // not an IRET at all
        assertThat(iret.perform(regs, sregs)).isFalse();
        assertThat(regs.mismatch(before)).isEqualTo(-1);
    }
}
