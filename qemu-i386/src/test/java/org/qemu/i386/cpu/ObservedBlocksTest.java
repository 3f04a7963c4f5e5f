package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;

/**
 * A block listener (QEMU's {@code -d exec}) and a debugger hook (the gdbstub's) see every block
 * the guest runs, hot 64-bit code included: traces run several blocks as one method, and
 * they test nothing for a listener at their joins, so none may run while one is set, whether it
 * was set before the loop got hot or after its trace was compiled. The loop (64-bit, a call and
 * its return each round, which makes one loop trace of three blocks once compiled) runs a known
 * number of rounds, so each block's count is known.
 */
class ObservedBlocksTest extends HandAssembledGuestTest {
    private static final int A = HandAssembledGuest.CODE;
    private static final int BACK = A + 5;
    private static final int FUNCTION = A + 0x20;
    private static final int SYSCALL = A + 9;
    private static final int ROUNDS = 2_000;

    // A:        call FUNCTION
    // A+5:      dec ecx; jnz A
    // A+9:      syscall
    // FUNCTION: inc rdx; ret
    private static final String CODE = "e8 1b 00 00 00  ff c9  75 f7  0f 05" + " 90".repeat(0x15) + "  48 ff c2  c3";

    @Test
    void aListenerSetBeforeTheLoopGotHotSeesEveryBlockOfEveryRound() {
        start(new HandAssembledGuest(64, 0).load(A, CODE));
        Map<Long, Integer> seen = listen();

        runRounds(ROUNDS);

        assertThat(seen).containsExactlyInAnyOrderEntriesOf(everyRound());
        assertThat(cpu.state.regs[X86CpuState.EDX]).isEqualTo(ROUNDS);
    }

    @Test
    void aListenerSetAfterTheLoopsTraceWasCompiledSeesEveryBlockOfEveryLaterRound() {
        start(new HandAssembledGuest(64, 0).load(A, CODE));
        runRounds(ROUNDS);
        assertThat(cpu.translationStatistics()).as("the loop ran as a trace before the listener came").containsPattern("[1-9]\\d* of them loops");
        Map<Long, Integer> seen = listen();

        runRounds(ROUNDS);

        assertThat(seen).containsExactlyInAnyOrderEntriesOf(everyRound());
        assertThat(cpu.state.regs[X86CpuState.EDX]).isEqualTo(2L * ROUNDS);
    }

    @Test
    void aDebuggerHookSetAfterTheLoopsTraceWasCompiledSeesEveryBlockOfEveryLaterRound() {
        start(new HandAssembledGuest(64, 0).load(A, CODE));
        runRounds(ROUNDS);
        assertThat(cpu.translationStatistics()).as("the loop ran as a trace before the hook came").containsPattern("[1-9]\\d* of them loops");
        Map<Long, Integer> seen = new TreeMap<>();
        cpu.setInstructionHook((hooked, pc) -> seen.merge(pc, 1, Integer::sum));

        runRounds(ROUNDS);

        assertThat(seen).containsExactlyInAnyOrderEntriesOf(everyRound());
        assertThat(cpu.state.regs[X86CpuState.EDX]).isEqualTo(2L * ROUNDS);
    }

    /** Each block of the loop once a round; the syscall's block once, at the end. */
    private static Map<Long, Integer> everyRound() {
        return Map.of((long) A, ROUNDS, (long) FUNCTION, ROUNDS, (long) BACK, ROUNDS, (long) SYSCALL, 1);
    }

    private Map<Long, Integer> listen() {
        Map<Long, Integer> seen = new TreeMap<>();
        cpu.setBlockListener(pc -> seen.merge(pc, 1, Integer::sum));
        return seen;
    }

    private void runRounds(int rounds) {
        cpu.setCodeMode(X86Cpu.MODE_64);
        cpu.state.rip = A;
        cpu.state.setReg32(X86CpuState.ECX, rounds);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.rip).isEqualTo(SYSCALL + 2);
    }
}
