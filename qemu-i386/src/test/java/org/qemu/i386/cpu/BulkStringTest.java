package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;

/**
 * rep movs / rep stos going a page at a time as one host copy or fill: across pages, onto their
 * own source (where x86's element order repeats bytes), with a value whose bytes differ, and
 * into an unmapped page (the fault leaves esi, edi, ecx at the failing element). Expected values
 * follow from the x86 semantics of the instructions.
 */
class BulkStringTest {
    private static final int CODE = 0x08048000;
    private static final int DATA = 0x08050000;
    private static final int STACK_TOP = 0x08060000;

    private GuestMemory memory;
    private X86Cpu cpu;

    private void load(String hex, int esi, int edi, int ecx, int eax) {
        memory = new GuestMemory(32);
        memory.map(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC);
        memory.map(DATA, 0x3000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(STACK_TOP - 0x1000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        memory.load(CODE, code, 0, code.length);
        cpu = new X86Cpu(memory, new X86CpuState());
        cpu.state.setEip(CODE);
        cpu.state.setReg32(X86CpuState.ESP, STACK_TOP);
        cpu.state.setReg32(X86CpuState.ESI, esi);
        cpu.state.setReg32(X86CpuState.EDI, edi);
        cpu.state.setReg32(X86CpuState.ECX, ecx);
        cpu.state.setReg32(X86CpuState.EAX, eax);
    }

    @AfterEach
    void close() {
        if (memory != null) {
            memory.close();
        }
    }

    @Test
    void repMovsdCopiesAcrossPageBoundaries() {
        load("f3 a5  cd 80", DATA + 0x10, DATA + 0x1800, 0x500, 0);
        for (int i = 0; i < 0x500; i++) {
            memory.write32(DATA + 0x10 + 4L * i, i * 7 + 1);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        for (int i = 0; i < 0x500; i++) {
            assertThat(memory.read32(DATA + 0x1800 + 4L * i)).isEqualTo(i * 7 + 1);
        }
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(DATA + 0x10 + 0x1400);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(DATA + 0x1800 + 0x1400);
    }

    @Test
    void repMovsbOntoItsOwnSourceRepeatsTheFirstByte() {
        // edi = esi + 1: each byte copies the one just written, as the element order says
        load("f3 a4  cd 80", DATA, DATA + 1, 100, 0);
        memory.write8(DATA, 0x5a);
        for (int i = 1; i <= 100; i++) {
            memory.write8(DATA + i, i);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        for (int i = 0; i <= 100; i++) {
            assertThat(memory.read8(DATA + i)).isEqualTo(0x5a);
        }
    }

    @Test
    void repStosdStoresValuesWhoseBytesDifferAndValuesWhoseBytesAgree() {
        load("f3 ab  b8 00 00 00 00  b9 10 00 00 00  f3 ab  cd 80", 0, DATA + 0xffc, 3, 0x01020304);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(memory.read32(DATA + 0xffc)).isEqualTo(0x01020304);
        assertThat(memory.read32(DATA + 0x1000)).isEqualTo(0x01020304);
        assertThat(memory.read32(DATA + 0x1004)).isEqualTo(0x01020304);
        for (int i = 0; i < 16; i++) {
            assertThat(memory.read32(DATA + 0x1008 + 4L * i)).isZero();
        }
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(DATA + 0x1008 + 64);
    }

    @Test
    void repStosdIntoAnUnmappedPageStopsAtTheFailingElement() {
        load("f3 ab  cd 80", 0, DATA + 0x2ff0, 8, 0);
        memory.write32(DATA + 0x2ff0, -1);
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x3000L);
        assertThat(cpu.state.eip()).isEqualTo(CODE);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(4);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(DATA + 0x3000);
        assertThat(memory.read32(DATA + 0x2ff0)).isZero();
    }
}
