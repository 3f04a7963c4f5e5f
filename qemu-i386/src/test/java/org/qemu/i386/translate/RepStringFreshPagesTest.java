package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * rep stos / rep movs over pages a system MMU has not filled yet: the bulk path refuses such a
 * page, the first element takes the miss (the handler here grants the page, as the MMU does after
 * its walk), and the rest must still be stored exactly: every byte, the registers at the end, one
 * miss per page. Expected values follow from the instruction's definition, not from our code.
 */
class RepStringFreshPagesTest {
    private static final long CODE = 0x10000;
    private static final long DATA = 0x200000;
    private static final long SOURCE = 0x400000;
    private static final int PAGES = 3;

    private final List<Long> misses = new ArrayList<>();

    private GuestMemory memoryFillingPagesOnFirstTouch() {
        GuestMemory memory = new GuestMemory(32);
        memory.map(CODE, 4096, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.setPageMissHandler((address, access) -> {
            long page = address >>> GuestMemory.PAGE_SHIFT;
            if (address < DATA || address >= SOURCE + PAGES * 4096L) {
                return false;
            }
            misses.add(page);
            memory.setPageAccess(page, GuestMemory.READ | GuestMemory.WRITE);
            return true;
        });
        return memory;
    }

    private X86CpuState run(GuestMemory memory, String code, boolean longMode, long rcx, long rax) {
        byte[] bytes = HexFormat.of().parseHex(code + (longMode ? "0f05" : "cd80"));
        memory.write(CODE, bytes, 0, bytes.length);
        X86CpuState s = new X86CpuState();
        s.regs[X86CpuState.EDI] = DATA + 8; // not page-aligned: the first chunk is short
        s.regs[X86CpuState.ESI] = SOURCE + 8;
        s.regs[X86CpuState.ECX] = rcx;
        s.regs[X86CpuState.EAX] = rax;
        s.rip = CODE;
        X86Cpu cpu = new X86Cpu(memory, s);
        if (longMode) {
            cpu.setCodeMode(X86Cpu.MODE_64);
        }
        CpuExit exit = cpu.run();
        assertThat(exit).as("%s", cpu.lastTrap()).isEqualTo(CpuExit.SYSCALL);
        return s;
    }

    @Test
    void repStosqFillsEveryFreshPageToTheLastByte() {
        try (GuestMemory memory = memoryFillingPagesOnFirstTouch()) {
            long count = (PAGES * 4096L - 16) / 8;
            X86CpuState s = run(memory, "f348ab" + "4889cb", true, count, 0x7777777777777777L); // rep stosq; mov rbx, rcx (syscall takes rcx)
            assertThat(s.regs[X86CpuState.EBX]).isZero();
            assertThat(s.regs[X86CpuState.EDI]).isEqualTo(DATA + 8 + count * 8);
            for (long a = DATA + 8; a < DATA + 8 + count * 8; a += 8) {
                assertThat(memory.read64(a)).as("at %x", a).isEqualTo(0x7777777777777777L);
            }
            assertThat(memory.read64(DATA)).as("before the fill").isZero();
            assertThat(memory.read64(DATA + 8 + count * 8)).as("after the fill").isZero();
            assertThat(misses).containsExactly(DATA >>> 12, (DATA >>> 12) + 1, (DATA >>> 12) + 2);
        }
    }

    @Test
    void repMovsdCopiesBetweenFreshPages() {
        try (GuestMemory memory = memoryFillingPagesOnFirstTouch()) {
            for (long p = 0; p < PAGES; p++) {
                memory.setPageAccess((SOURCE >>> 12) + p, GuestMemory.READ | GuestMemory.WRITE);
            }
            for (int i = 0; i < PAGES * 1024; i++) {
                memory.write32(SOURCE + 4L * i, 0x1000 + i);
            }
            misses.clear();
            memory.setPageAccess(SOURCE >>> 12, 0); // the first source page is fresh too
            long count = (PAGES * 4096L - 16) / 4;
            X86CpuState s = run(memory, "f3a5", false, count, 0);
            assertThat(s.reg32(X86CpuState.ECX)).isZero();
            assertThat(s.reg32(X86CpuState.ESI) & 0xffffffffL).isEqualTo(SOURCE + 8 + count * 4);
            for (int i = 0; i < count; i++) {
                assertThat(memory.read32(DATA + 8 + 4L * i)).as("element %d", i).isEqualTo(0x1000 + 2 + i);
            }
            assertThat(misses).contains(SOURCE >>> 12, DATA >>> 12, (DATA >>> 12) + 1, (DATA >>> 12) + 2);
        }
    }
}
