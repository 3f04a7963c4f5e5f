package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;

/**
 * Chained exits (a compiled block calling its compiled successor without the run loop): two
 * blocks on different pages that jump to each other, so neither becomes a loop block and every
 * transfer is a chain. Checked: the result and that the run loop was bypassed, a link broken
 * by invalidation (the successor's code rewritten every iteration), a fault in a successor
 * reached through a chain reporting the successor's instruction with the registers as they were
 * there, and an exit request reaching a chain that never ends. Expected values follow from the
 * x86 semantics of the hand-assembled code.
 */
class BlockChainingTest extends HandAssembledGuestTest {
    private static final int A = HandAssembledGuest.CODE;
    private static final int B = A + 0x1000;
    private static final int DATA = HandAssembledGuest.DATA;
    private static final int STACK_TOP = HandAssembledGuest.STACK_TOP;


    /** Code at A and at B (the next page), every block compiled at its first run. */
    private void load(String atA, String atB) {
        start(new HandAssembledGuest(1, 0).load(A, atA).load(B, atB));
    }

    @Test
    void twoBlocksOnDifferentPagesRunAsAChainWithoutTheRunLoop() {
        // A: add eax, ecx; jmp B
        // B: dec ecx; jnz A; int 0x80
        load("01 c8  e9 f9 0f 00 00", "49  0f 85 f9 ef ff ff  cd 80");
        cpu.state.setReg32(X86CpuState.ECX, 100_000);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo((int) (100_000L * 100_001 / 2));
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.eip()).isEqualTo(B + 9);
        // 200,000 block runs: nearly all of them through chained exits
        assertThat(statistic("(\\d+) chained block runs")).isGreaterThan(150_000);
        assertThat(statistic("^(\\d+) block runs")).isLessThan(20_000);
    }

    @Test
    void aLinkToABlockWhoseCodeWasRewrittenIsNotFollowed() {
        // A: add eax, imm32 (imm at A+1, initially 0); jmp B
        // B: dec ecx; jz done; mov [A+1], ecx; jmp A; done: int 0x80
        // every iteration rewrites A's immediate with the new ecx: A adds N-1, N-2, ..., 1
        load("05 00 00 00 00  e9 f6 0f 00 00", "49  74 0b  89 0d " + le(A + 1) + "  e9 f2 ef ff ff  cd 80");
        cpu.state.setReg32(X86CpuState.ECX, 200);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(200 * 199 / 2);
        assertThat(statistic("(\\d+) invalidated")).isGreaterThanOrEqualTo(199);
    }

    @Test
    void aFaultInAChainedSuccessorReportsTheSuccessorsInstruction() {
        // A: inc eax; jmp B
        // B: inc ecx; mov ebx, [esi]; add esi, 4; jmp A   (reads on until the data page ends)
        load("40  e9 fa 0f 00 00", "41  8b 1e  83 c6 04  e9 f5 ef ff ff");
        cpu.state.setReg32(X86CpuState.ESI, DATA + 0xff0);
        memory.write32(DATA + 0xffc, 0x1234);
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(B + 1);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(5);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(5);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(0x1234);
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(DATA + 0x1000);
        assertThat(statistic("(\\d+) chained block runs")).isGreaterThan(0);
    }

    @Test
    void anExitRequestReachesAChainThatNeverEnds() throws Exception {
        // A: inc eax; jmp B
        // B: inc eax; jmp A
        load("40  e9 fa 0f 00 00", "40  e9 fa ef ff ff");
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cpu.requestExit();
        });
        assertThat(cpu.run()).isEqualTo(CpuExit.EXIT_REQUEST);
        t.join();
        int eax = cpu.state.reg32(X86CpuState.EAX);
        assertThat(cpu.state.eip()).isIn(A, B);
        assertThat(eax & 1).isEqualTo(cpu.state.eip() == A ? 0 : 1);
        assertThat(eax).isGreaterThan(10_000);
        assertThat(statistic("(\\d+) chained block runs")).isGreaterThan(eax / 2);
    }

    private long statistic(String regex) {
        Matcher m = Pattern.compile(regex).matcher(cpu.translationStatistics());
        assertThat(m.find()).as(cpu.translationStatistics()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String le(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24));
    }
}
