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
        runIntoTheDataPageEnd();
        assertThat(cpu.state.eip()).isEqualTo(B);
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

    /**
     * A diamond after the call (both sides in the unit): at A {@code before}, then mov eax, esi;
     * call eax; test eax, eax; jg T; F: {@code f}; jmp J; J: dec ecx; jnz A; int 0x80, with T at
     * B+0x100: {@code t}; jmp J. The leaf at B returns ecx & 1, so T runs on odd ecx, F on even.
     */
    private void loadDiamond(String before, String f, String t) {
        int at = A + bytes(before);
        int jg = at + 6;
        int fAt = jg + 6;
        int join = fAt + bytes(f) + 2;
        int tAt = B + 0x100;
        String atA = before + " 89 f0  ff d0  85 c0  0f 8f " + le(tAt - fAt) + "  " + f + "  eb 00  49  75 " + rel8(join + 1, A) + "  cd 80";
        String atB = "89 c8  83 e0 01  c3" + " 90".repeat(0x100 - 6) + "  " + t + "  e9 " + le(join - (tAt + bytes(t) + 5));
        start(new HandAssembledGuest(3, 0).load(A, atA).load(B, atB));
        cpu.state.setReg32(X86CpuState.ESI, B);
    }

    private static int bytes(String hex) {
        return hex.replace(" ", "").length() / 2;
    }

    @Test
    void bothSidesOfAJccAfterTheCallStayInTheUnit() {
        // F: sub edi, 1    T: add edi, ecx
        loadDiamond("", "83 ef 01", "01 cf");
        int n = 100_000;
        cpu.state.setReg32(X86CpuState.ECX, n);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(oddAddsEcxEvenSubtractsOne(n));
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(statistic("(\\d+) side paths")).isGreaterThan(0);
        // half the iterations take the side the path does not follow: without the side path in
        // the unit each of them would leave it and run about three blocks outside
        assertThat(statistic("^(\\d+) block runs") + statistic("(\\d+) chained block runs")).isLessThan(1_000);
    }

    @Test
    void aSideBlockRewrittenBeforeEachCallRunsItsNewCode() {
        // A: mov [T+2], ecx (T's immediate)   F: sub edi, 1   T: add edi, imm32 (so T adds the current ecx)
        loadDiamond("89 0d " + le(B + 0x102), "83 ef 01", "81 c7 00 00 00 00");
        int n = 400;
        cpu.state.setReg32(X86CpuState.ECX, n);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(oddAddsEcxEvenSubtractsOne(n));
        assertThat(statistic("(\\d+) invalidated")).isGreaterThanOrEqualTo(n / 2 - 1);
    }

    @Test
    void aFaultInASidePathReportsItsInstructionAndRegisters() {
        // F: sub edi, 1   T: add edi, [ebx]; add ebx, 4 (reads on until the data page ends)
        loadDiamond("", "83 ef 01", "03 3b  83 c3 04");
        cpu.state.setReg32(X86CpuState.ECX, 1_000);
        runIntoTheDataPageEnd();
        // the ninth odd ecx (999, 997, ...): F ran nine times before it (1000, 998, ..., 984)
        assertThat(cpu.state.eip()).isEqualTo(B + 0x100);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(983);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 - 9);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(statistic("(\\d+) side paths")).isGreaterThan(0);
    }

    @Test
    void aGuardFailingOnEitherSideLeavesWithExactState() {
        // A: cmp ecx, 700; jne +6; mov [T+2], ecx; cmp ecx, 600; jne +7; mov byte [F+2], 7
        // F: add edi, 3 (7 from ecx 600 on: the path's own block)   T: add edi, imm32 (5; 700 from ecx 700 on: the side's block)
        int f = A + 29 + 12;
        loadDiamond("81 f9 bc 02 00 00  75 06  89 0d " + le(B + 0x102) + "  81 f9 58 02 00 00  75 07  c6 05 " + le(f + 2) + " 07",
                "83 c7 03", "81 c7 05 00 00 00");
        int n = 1_000;
        cpu.state.setReg32(X86CpuState.ECX, n);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        int expected = 0;
        int fAdds = 3;
        int tAdds = 5;
        for (int ecx = n; ecx > 0; ecx--) {
            tAdds = ecx == 700 ? 700 : tAdds;
            fAdds = ecx == 600 ? 7 : fAdds;
            expected += ecx % 2 == 1 ? tAdds : fAdds;
        }
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(expected);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(statistic("(\\d+) side paths")).isGreaterThan(0);
    }

    /**
     * Runs the guest with ebx at the data page's last eight dwords (1 to 8) until the loop reading
     * on through [ebx] faults where the page ends: SIGSEGV at that address, ebx pointing there.
     */
    private void runIntoTheDataPageEnd() {
        cpu.state.setReg32(X86CpuState.EBX, DATA + 0xfe0);
        for (int i = 0; i < 8; i++) {
            memory.write32(DATA + 0xfe0 + 4 * i, i + 1);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(DATA + 0x1000);
    }

    /** edi after a diamond whose T side adds ecx (odd ecx) and F side subtracts one (even), ecx from n down to 1. */
    private static int oddAddsEcxEvenSubtractsOne(int n) {
        int expected = 0;
        for (int ecx = n; ecx > 0; ecx--) {
            expected += ecx % 2 == 1 ? ecx : -1;
        }
        return expected;
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
