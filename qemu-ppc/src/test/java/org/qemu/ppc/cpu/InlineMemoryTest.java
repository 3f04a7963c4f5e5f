package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;

/**
 * Compiled blocks test the page protection themselves and load or store straight to host memory
 * (BlockEmitter's inline fast path); page-crossing, unmapped and code-page accesses go through
 * GuestMemory. Every access width, aligned, unaligned and across a page boundary, checked against
 * the big-endian byte order read back from the host side of guest memory.
 */
class InlineMemoryTest {
    /** DATA (0x20000) and the page after it are mapped; the page after that is not. */
    private static final int SECOND_PAGE = SnippetRunner.DATA + 0x1000;

    @BeforeEach
    void compileEverything() {
        SnippetRunner.compileEverything = true;
    }

    @AfterEach
    void backToTiers() {
        SnippetRunner.compileEverything = false;
    }

    private static SnippetRunner runner(String asm) {
        SnippetRunner r = new SnippetRunner(asm);
        r.memory.map(SECOND_PAGE, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        return r;
    }

    private static int hostByte(SnippetRunner r, long address) {
        return r.memory.segment().get(ValueLayout.JAVA_BYTE, address) & 0xff;
    }

    @Test
    void storesOfEveryWidthLandBigEndianAlignedUnalignedAndAcrossAPage() {
        // r4 = 0x20000; words at +0x10 (aligned), +0x21 (unaligned), +0xffe (across the page end).
        String asm = "lis r4,2\n lis r5,0x1122\n ori r5,r5,0x3344\n"
                + "stw r5,0x10(r4)\n stw r5,0x21(r4)\n stw r5,0xffe(r4)\n"
                + "sth r5,0x40(r4)\n sth r5,0xfff(r4)\n"
                + "li r6,0x7e\n stb r6,0x50(r4)\n"
                + "stw r5,0x800(r4)\n stw r5,0x804(r4)\n lfd f1,0x800(r4)\n stfd f1,0xffc(r4)\n stfd f1,0x60(r4)\n";
        try (SnippetRunner r = runner(asm)) {
            // The page-crossing stores run first at 0xffe/0xfff/0xffc: later ones overwrite earlier bytes.
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            long d = SnippetRunner.DATA;
            assertThat(new int[] {hostByte(r, d + 0x10), hostByte(r, d + 0x11), hostByte(r, d + 0x12), hostByte(r, d + 0x13)})
                    .containsExactly(0x11, 0x22, 0x33, 0x44);
            assertThat(new int[] {hostByte(r, d + 0x21), hostByte(r, d + 0x22), hostByte(r, d + 0x23), hostByte(r, d + 0x24)})
                    .containsExactly(0x11, 0x22, 0x33, 0x44);
            assertThat(new int[] {hostByte(r, d + 0x40), hostByte(r, d + 0x41)}).containsExactly(0x33, 0x44);
            assertThat(hostByte(r, d + 0x50)).isEqualTo(0x7e);
            // stfd at 0xffc: 8 bytes 11 22 33 44 11 22 33 44 over 0xffc..0x1003.
            for (int i = 0; i < 8; i++) {
                assertThat(hostByte(r, d + 0xffc + i)).as("byte %d of the page-crossing stfd", i).isEqualTo(i % 4 == 0 ? 0x11 : i % 4 == 1 ? 0x22 : i % 4 == 2 ? 0x33 : 0x44);
                assertThat(hostByte(r, d + 0x60 + i)).as("byte %d of the aligned stfd", i).isEqualTo(i % 4 == 0 ? 0x11 : i % 4 == 1 ? 0x22 : i % 4 == 2 ? 0x33 : 0x44);
            }
        }
    }

    @Test
    void loadsOfEveryWidthReadBigEndianAlignedUnalignedAndAcrossAPage() {
        String asm = "lis r4,2\n"
                + "lwz r10,0x10(r4)\n lwz r11,0x21(r4)\n lwz r12,0xffe(r4)\n"
                + "lhz r13,0xfff(r4)\n lha r14,0x40(r4)\n lbz r15,0x1000(r4)\n"
                + "lfd f1,0xffc(r4)\n stfd f1,0x80(r4)\n lwz r16,0x80(r4)\n lwz r17,0x84(r4)\n"
                + "lfs f2,0x90(r4)\n stfd f2,0x98(r4)\n lwz r18,0x98(r4)\n";
        try (SnippetRunner r = runner(asm)) {
            long d = SnippetRunner.DATA;
            byte[] pattern = {(byte) 0x81, 0x02, 0x43, 0x04, (byte) 0xa5, 0x06, 0x47, 0x08};
            for (long a : new long[] {d + 0x10, d + 0x21, d + 0xffc, d + 0x40}) {
                for (int i = 0; i < 8; i++) {
                    r.memory.segment().set(ValueLayout.JAVA_BYTE, a + i, pattern[i]);
                }
            }
            // 1.5f as a big-endian single: 3f c0 00 00.
            r.memory.segment().set(ValueLayout.JAVA_BYTE, d + 0x90, (byte) 0x3f);
            r.memory.segment().set(ValueLayout.JAVA_BYTE, d + 0x91, (byte) 0xc0);
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(10)).isEqualTo(0x81024304);
            assertThat(r.gpr(11)).isEqualTo(0x81024304);
            assertThat(r.gpr(12)).as("0xffe..0x1001 of the pattern at 0xffc").isEqualTo(0x4304a506);
            assertThat(r.gpr(13)).isEqualTo(0x04a5);
            assertThat(r.gpr(14)).as("lha sign-extends").isEqualTo(0xffff8102);
            assertThat(r.gpr(15)).isEqualTo(0xa5);
            assertThat(r.gpr(16)).isEqualTo(0x81024304);
            assertThat(r.gpr(17)).isEqualTo(0xa5064708);
            assertThat(r.gpr(18)).as("1.5 as a double, high word").isEqualTo(0x3ff80000);
        }
    }

    @Test
    void accessRunningIntoAnUnmappedPageFaultsAtItsFirstByteWithRegistersExact() {
        // 0x21ffe..0x22001: the second half is unmapped, so the whole store faults and writes nothing.
        String asm = "li r5,11\n addi r6,r5,1\n lis r4,2\n ori r4,r4,0x1ffe\n stw r5,0(r4)\n li r5,0";
        try (SnippetRunner r = runner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.TRAP);
            assertThat(r.cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 16);
            assertThat(r.gpr(5)).isEqualTo(11);
            assertThat(r.gpr(6)).isEqualTo(12);
            assertThat(hostByte(r, SECOND_PAGE + 0xffe)).isZero();
        }
    }

    @Test
    void loadFromAReadOnlyPageWorksAndAStoreThereFaults() {
        String asm = "lis r4,2\n lwz r7,0x100(r4)\n li r8,5\n stw r8,0x100(r4)\n";
        try (SnippetRunner r = runner(asm)) {
            r.memory.protect(SnippetRunner.DATA, 0x1000, GuestMemory.READ);
            r.memory.segment().set(ValueLayout.JAVA_BYTE, SnippetRunner.DATA + 0x103, (byte) 9);
            assertThat(r.run()).isEqualTo(CpuExit.TRAP);
            assertThat(r.gpr(7)).isEqualTo(9);
            assertThat(r.cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_ACCERR);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 12);
        }
    }
    /**
     * Block classes hold their address space's host base, range mask and protection table as
     * constants (BlockEmitter.MemoryConstants): two address spaces running the same code each read
     * their own memory, and a page mapped after the block was compiled is seen by the compiled
     * block, since the constant is the live table.
     */
    @Test
    void compiledBlocksOfTwoAddressSpacesReadTheirOwnMemoryAndSeeLaterMappings() {
        String asm = "lis r4,2\n lwz r7,0x10(r4)\n lwz r8,0x1010(r4)\n";
        try (SnippetRunner a = runner(asm); SnippetRunner b = runner(asm)) {
            a.memory.segment().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), SnippetRunner.DATA + 0x10, 0x0a0a0a01);
            b.memory.segment().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), SnippetRunner.DATA + 0x10, 0x0b0b0b02);
            b.memory.segment().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), SECOND_PAGE + 0x10, 0x0b0b0b03);
            b.memory.unmap(SECOND_PAGE, 0x1000);
            assertThat(a.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(b.run()).as("the second load's page is unmapped in b").isEqualTo(CpuExit.TRAP);
            assertThat(a.gpr(7)).isEqualTo(0x0a0a0a01);
            assertThat(b.gpr(7)).isEqualTo(0x0b0b0b02);
            assertThat(b.state.pc).isEqualTo(SnippetRunner.CODE + 8);

            b.memory.map(SECOND_PAGE, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
            b.memory.segment().set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), SECOND_PAGE + 0x10, 0x0b0b0b04);
            b.state.pc = SnippetRunner.CODE;
            assertThat(b.run()).as("the same compiled block, the page mapped now").isEqualTo(CpuExit.SYSCALL);
            assertThat(b.gpr(8)).isEqualTo(0x0b0b0b04);
        }
    }
    /**
     * A word stored across a page boundary whose second page holds translated code: the fast path
     * tests the protection of both pages, so the store takes the slow path, which drops the
     * translation, and the next call runs the changed instruction.
     */
    @Test
    void storeAcrossAPageBoundaryIntoCodeTakesEffect() {
        String asm = "lis r9,3\n ori r9,r9,0x1000\n mtctr r9\n bctrl\n"
                + "lis r10,0x1234\n ori r10,r10,0x38a0\n lis r11,3\n stw r10,0xffe(r11)\n bctrl\n";
        try (SnippetRunner r = runner(asm)) {
            r.memory.map(0x30000, 0x2000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            byte[] callee = PpcAssembler.assemble("li r3,1\n blr\n"); // 38 60 00 01: li r3,1
            r.memory.segment().asSlice(0x31000, callee.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(callee));
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(3)).as("the first call ran li r3,1").isEqualTo(1);
            assertThat(r.gpr(5)).as("the store made it li r5,1 (38 a0 00 01)").isEqualTo(1);
            assertThat(hostByte(r, 0x31000)).isEqualTo(0x38);
            assertThat(hostByte(r, 0x31001)).isEqualTo(0xa0);
            assertThat(hostByte(r, 0x30ffe)).isEqualTo(0x12);
        }
    }
}
