package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * A 64-bit block's prologue loads only the registers its first pass read or wrote
 * ({@code LongModeEmitter.loadOnly}); a class whose emitted code reads a register the prologue did
 * not load is made again with all sixteen loaded. The results are the x86 semantics of the
 * hand-assembled code, the same however the prologue loads.
 */
class RegisterLoadsTest {
    private static final long CODE = 0x400000;
    private static final long DATA = 0x500000;
    private final GuestMemory memory = new GuestMemory(32);

    @AfterEach
    void close() {
        BytecodeBlockCompiler.loadMaskForTests = -1;
        memory.close();
    }

    /**
     * add rax, rbx; mov [rsi], rax; lea rdi, [rdx+8]; syscall: reads rbx, rax, rsi and rdx, writes
     * rax and rdi; every other register but rcx and r11 (which syscall itself may set) must come out
     * of the compiled block as it went in.
     */
    private X86Cpu run() {
        memory.map(CODE, 0x1000, GuestMemory.READ | GuestMemory.EXEC);
        memory.map(DATA, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        byte[] code = HexFormat.of().parseHex("4801d8" + "488906" + "488d7a08" + "0f05");
        memory.load(CODE, code, 0, code.length);
        X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
        cpu.setCompileThreshold(1);
        cpu.setCodeMode(X86Cpu.MODE_64);
        for (int r = 0; r < 16; r++) {
            cpu.state.regs[r] = 0x1111_0000_0000L * (r + 1) + r;
        }
        cpu.state.regs[X86CpuState.ESI] = DATA + 0x10;
        cpu.state.rip = CODE;
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        return cpu;
    }

    private static void assertSemantics(X86Cpu cpu) {
        long rax = 0x1111_0000_0000L * 1 + 0;
        long rbx = 0x1111_0000_0000L * 4 + 3;
        long rdx = 0x1111_0000_0000L * 3 + 2;
        assertThat(cpu.state.regs[X86CpuState.EAX]).isEqualTo(rax + rbx);
        assertThat(cpu.state.regs[X86CpuState.EDI]).isEqualTo(rdx + 8);
        for (int r : new int[] {X86CpuState.EDX, X86CpuState.EBX, X86CpuState.ESP, X86CpuState.EBP, 8, 9, 10, 12, 13, 14, 15}) {
            assertThat(cpu.state.regs[r]).as("register %d", r).isEqualTo(0x1111_0000_0000L * (r + 1) + r);
        }
        assertThat(cpu.state.rip).isEqualTo(CODE + 12);
    }

    @Test
    void aBlockLoadingOnlyWhatItUsesLeavesTheOtherRegistersAlone() {
        X86Cpu cpu = run();
        assertSemantics(cpu);
        assertThat(cpu.memory.read64(DATA + 0x10)).isEqualTo(cpu.state.regs[X86CpuState.EAX]);
        assertThat(remade(cpu)).isZero();
    }

    @Test
    void aClassThatReadsARegisterItDidNotLoadIsMadeAgainWithAllLoaded() {
        // a first pass that "saw" no register: the emitted code reads rax, rbx, rsi and rdx
        BytecodeBlockCompiler.loadMaskForTests = 0;
        X86Cpu cpu = run();
        assertSemantics(cpu);
        assertThat(remade(cpu)).isGreaterThanOrEqualTo(1);
    }

    private static long remade(X86Cpu cpu) {
        Matcher m = Pattern.compile("(\\d+) remade loading every register").matcher(cpu.translationStatistics());
        assertThat(m.find()).as(cpu.translationStatistics()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
