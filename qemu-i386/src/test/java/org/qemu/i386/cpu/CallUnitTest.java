package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;

/**
 * Call-return units (a loop that calls a leaf function through a register, compiled with the
 * function and the code after the call as one method): the loop on page A, the functions on
 * page B. Every block is compiled at its second run, when the blocks it leads to are
 * translated, so units form. Checked: the result and that units formed and the run loop was
 * bypassed, a call target that alternates (the call guard fails every other iteration, and
 * the unit is rebuilt), a fault inside the function reporting the function's instruction with
 * every register as it was there, the function's code rewritten by the loop before each call
 * (the unit must not run the old code), and a function that returns elsewhere (the ret guard
 * fails: like a longjmp out of a comparator). Expected values follow from the x86 semantics
 * of the hand-assembled code.
 */
class CallUnitTest extends HandAssembledGuestTest {
    private static final int A = HandAssembledGuest.CODE;
    private static final int B = A + 0x1000;
    private static final int DATA = HandAssembledGuest.DATA;
    private static final int STACK_TOP = HandAssembledGuest.STACK_TOP;


    private void load(String atA, String atB) {
        start(new HandAssembledGuest(2, 0).load(A, atA).load(B, atB));
        cpu.state.setReg32(X86CpuState.ESI, B);
    }

    /** The loop: mov eax, esi; call eax; add edi, eax; dec ecx; jnz A; int 0x80 (preceded by {@code before} at A). */
    private static String loop(String before) {
        int length = before.replace(" ", "").length() / 2;
        int jnz = A + length + 7;
        return before + " 89 f0  ff d0  01 c7  49  75 " + rel8(jnz, A) + "  cd 80";
    }

    @Test
    void aLoopCallingALeafThroughARegisterRunsAsOneUnit() {
        // B: lea eax, [ecx+ecx]; ret
        load(loop(""), "8d 04 09  c3");
        cpu.state.setReg32(X86CpuState.ECX, 100_000);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo((int) (100_000L * 100_001));
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(2);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(memory.read32(STACK_TOP - 4)).isEqualTo(A + 4);
        assertThat(cpu.state.eip()).isEqualTo(A + 11);
        assertThat(statistic("(\\d+) call units")).isGreaterThan(0);
        // 300,000 blocks' worth of code: nearly all of it inside units looping on themselves
        assertThat(statistic("^(\\d+) block runs") + statistic("(\\d+) chained block runs")).isLessThan(1_000);
    }

    @Test
    void aCallTargetThatAlternatesLeavesThroughTheGuardAndStaysExact() {
        // A: xor esi, edx (esi alternates between f and g); then the loop
        // B: f: lea eax, [ecx+ecx]; ret    B+4: g: lea eax, [ecx+ecx*2]; ret
        load(loop("31 d6"), "8d 04 09  c3  8d 04 49  c3");
        int n = 20_000;
        cpu.state.setReg32(X86CpuState.ECX, n);
        cpu.state.setReg32(X86CpuState.EDX, B ^ (B + 4));
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        int expected = 0;
        for (int i = 1; i <= n; i++) {
            int ecx = n - i + 1;
            expected += i % 2 == 1 ? 3 * ecx : 2 * ecx;
        }
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(expected);
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(B);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(statistic("(\\d+) call units")).isGreaterThan(0);
    }

    @Test
    void aFaultInsideTheCalledFunctionReportsItsInstruction() {
        // B: mov eax, [ebx]; add ebx, 4; ret   (reads on until the data page ends)
        load(loop(""), "8b 03  83 c3 04  c3");
        cpu.state.setReg32(X86CpuState.ECX, 1_000);
        cpu.state.setReg32(X86CpuState.EBX, DATA + 0xfe0);
        for (int i = 0; i < 8; i++) {
            memory.write32(DATA + 0xfe0 + 4 * i, i + 1);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(B);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(DATA + 0x1000);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(1_000 - 8);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(B);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP - 4);
        assertThat(memory.read32(STACK_TOP - 4)).isEqualTo(A + 4);
        assertThat(statistic("(\\d+) call units")).isGreaterThan(0);
    }

    @Test
    void aFunctionRewrittenBeforeEachCallRunsItsNewCode() {
        // A: mov [B+1], ecx (f's immediate); then the loop
        // B: f: mov eax, imm32; ret   so f returns the ecx of the current iteration
        load(loop("89 0d " + le(B + 1)), "b8 00 00 00 00  c3");
        cpu.state.setReg32(X86CpuState.ECX, 300);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(300 * 301 / 2);
        assertThat(statistic("(\\d+) invalidated")).isGreaterThanOrEqualTo(299);
    }

    @Test
    void aFunctionReturningElsewhereLeavesThroughTheReturnGuard() {
        // A: mov eax, esi; call eax; dec ecx; jnz A; int 0x80;  A+11: int 0x80 (the escape)
        // B: cmp ecx, 5; mov edx, [esp]; cmovz edx, ebx; mov [esp], edx; ret
        //    returns to ebx (the escape) once ecx is 5, like a longjmp out of a comparator
        load("89 f0  ff d0  49  75 " + rel8(A + 5, A) + "  cd 80  90 90  cd 80",
                "83 f9 05  8b 14 24  0f 44 d3  89 14 24  c3");
        cpu.state.setReg32(X86CpuState.ECX, 10_000);
        cpu.state.setReg32(X86CpuState.EBX, A + 11);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.eip()).isEqualTo(A + 13);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(5);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isEqualTo(A + 11);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        // the flags of f's cmp (ecx == 5: ZF set), left by the side exit
        assertThat(cpu.state.eflags() & 0x40).isEqualTo(0x40);
        assertThat(statistic("(\\d+) call units")).isGreaterThan(0);
    }

    private long statistic(String regex) {
        Matcher m = Pattern.compile(regex).matcher(cpu.translationStatistics());
        assertThat(m.find()).as(cpu.translationStatistics()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String rel8(int jccAddress, int target) {
        return String.format("%02x", (target - (jccAddress + 2)) & 0xff);
    }

    private static String le(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24));
    }
}
