package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.common.exec.CpuExit;

/**
 * A store into code the running block (or loop block) executes later in the same pass: the new
 * bytes run at once, as on a real x86 (SDM vol. 3, 11.6: a write to code already fetched is seen).
 * Each case runs interpreted (threshold 0), every block compiled at its first run (1) and
 * compiled once hot (64). Expected values follow from the x86 semantics of the hand-assembled code.
 */
class RunningCodeStoreTest extends HandAssembledGuestTest {
    private static final int A = HandAssembledGuest.CODE;

    @ParameterizedTest(name = "compile threshold {0}")
    @ValueSource(ints = {0, 1, 64})
    void aStoreIntoALaterInstructionOfItsOwnBlockRunsTheNewBytes(int threshold) {
        // A:    mov [A+7], ecx      (the immediate of the add that follows)
        // A+6:  add eax, imm32      (0 in memory)
        // A+11: dec ebx; jnz A; int 0x80
        // each pass writes ecx into the add and then adds it: eax = passes * ecx
        start(new HandAssembledGuest(threshold, 0).load(A, "89 0d " + le(A + 7) + "  05 00 00 00 00  4b  75 f2  cd 80"));
        cpu.state.setReg32(X86CpuState.ECX, 7);
        cpu.state.setReg32(X86CpuState.EBX, 100);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(700);
        assertThat(cpu.state.eip()).isEqualTo(A + 16);
        assertThat(statistic("(\\d+) stores into running code")).isGreaterThanOrEqualTo(1);
    }

    @ParameterizedTest(name = "compile threshold {0}")
    @ValueSource(ints = {0, 1, 64})
    void aLoopWhoseSecondBlockRewritesTheFirstRunsTheNewImmediateInTheSamePass(int threshold) {
        // A:      add eax, imm32 (0); jmp B
        // B=A+32: mov [A+1], ecx; dec ecx; jnz A; int 0x80
        // pass k adds what pass k-1 stored (N, N-1, ..., 2 after a first 0): eax = N(N+1)/2 - 1
        String nops = "90 ".repeat(25);
        start(new HandAssembledGuest(threshold, 0).load(A, "05 00 00 00 00  eb 19 " + nops
                + "89 0d " + le(A + 1) + "  49  75 d7  cd 80"));
        int n = 500;
        cpu.state.setReg32(X86CpuState.ECX, n);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(n * (n + 1) / 2 - 1);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.eip()).isEqualTo(A + 0x2b);
    }

    @ParameterizedTest(name = "compile threshold {0}")
    @ValueSource(ints = {0, 1, 64})
    void a64BitStoreIntoTheNextBlockOfItsTraceRunsTheNewBytes(int threshold) {
        // A:      mov [rip+3], ecx (B's immediate); jmp B
        // B=A+8:  mov eax, imm32 (0); add rdx, rax; dec ecx; jnz A; syscall
        // each pass writes ecx into B and then adds it: rdx = N(N+1)/2. A and B make one trace
        // (the module's tests trace at a block's first compile), whose store into its own second
        // block must end it before B's old immediate runs
        start(new HandAssembledGuest(threshold, 0).load(A, "89 0d 03 00 00 00  eb 00  b8 00 00 00 00  48 01 c2  ff c9  75 ec  0f 05"));
        cpu.setCodeMode(X86Cpu.MODE_64);
        cpu.state.rip = A;
        int n = 300;
        cpu.state.setReg32(X86CpuState.ECX, n);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.regs[X86CpuState.EDX]).isEqualTo((long) n * (n + 1) / 2);
        assertThat(cpu.state.rip).isEqualTo(A + 22); // syscall left its own return address in rcx
    }

    private long statistic(String regex) {
        Matcher m = Pattern.compile(regex).matcher(cpu.translationStatistics());
        assertThat(m.find()).as(cpu.translationStatistics()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String le(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xff, (v >> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24));
    }
}
