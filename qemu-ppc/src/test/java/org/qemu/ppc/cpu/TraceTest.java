package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;

/**
 * Traces: compiled blocks that follow calls, indirect calls (on the target seen last) and
 * returns into the code they reach. Every loop here runs thousands of times, so its blocks are
 * compiled as traces; the expected values are closed forms of the loops.
 */
class TraceTest {

    @Test
    void callAndReturnInALoopComputeWhatTheCodeSays() {
        // sum of f(i) = 2*i + 1 for i in 0..9999 = 10000^2.
        String asm = "li r5,0\n li r6,0\n li r8,10000\n"
                + "1: mr r3,r5\n bl 5f\n add r6,r6,r3\n addi r5,r5,1\n cmpw r5,r8\n blt 1b\n sc\n"
                + "5: add r3,r3,r3\n addi r3,r3,1\n blr\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(6)).isEqualTo(100_000_000);
            assertThat(r.state.lr).as("LR holds the return address of the last bl").isEqualTo(SnippetRunner.CODE + 20);
        }
    }

    /** A callee in the shape of PIC library code: LR saved on the stack, bcl 20,31 to read its own address, LR restored. */
    private static final String PIC_CALLEE_LOOP = "li r5,0\n li r6,0\n li r8,10000\n"
            + "1: bl 5f\n add r6,r6,r3\n addi r5,r5,1\n cmpw r5,r8\n blt 1b\n sc\n"
            + " .org 0x100\n5: stwu r1,-16(r1)\n mflr r0\n bcl 20,31,2f\n2: mflr r9\n stw r0,20(r1)\n"
            + " andi. r3,r9,0xfff\n lwz r0,20(r1)\n mtlr r0\n addi r1,r1,16\n blr\n";

    @Test
    void picCalleeThatReadsItsOwnAddressAndRestoresLrFromTheStack() {
        // The callee returns the low 12 bits of the address after its bcl (label 2 at 0x10c):
        // 10000 * 0x10c = 2,680,000.
        try (SnippetRunner r = new SnippetRunner(PIC_CALLEE_LOOP)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(6)).isEqualTo(10000 * 0x10c);
            assertThat(r.gpr(9)).isEqualTo(SnippetRunner.CODE + 0x10c);
            assertThat(r.state.lr).as("the return address of the last bl").isEqualTo(SnippetRunner.CODE + 16);
            assertThat(r.gpr(1)).isEqualTo(SnippetRunner.STACK_TOP - 64);
        }
    }

    @Test
    void calleeReturningPastItsReturnAddressSkipsTheInstructionThere() {
        // The callee returns one instruction past its return address, skipping "addi r6,r6,1000"
        // (a trace that guessed the bl's return address would be wrong every time). 10000 * 1 = 10000.
        String asm = "li r5,0\n li r6,0\n li r8,10000\n"
                + "1: bl 5f\n addi r6,r6,1000\n addi r6,r6,1\n addi r5,r5,1\n cmpw r5,r8\n blt 1b\n sc\n"
                + " .org 0x100\n5: mflr r11\n stw r11,8(r1)\n lwz r11,8(r1)\n addi r11,r11,4\n mtlr r11\n blr\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(6)).isEqualTo(10000);
            assertThat(r.gpr(5)).isEqualTo(10000);
        }
    }

    @Test
    void indirectCallThatChangesTargetLeavesTheTraceForTheNewCallee() {
        // The call through CTR goes to f1 (adds 1) for i < 1500 and to f2 (adds 100) after: a trace
        // built on f1 must notice the other target. 1500 * 1 + 1500 * 100 = 151500.
        String asm = "lis r4,1\n addi r11,r4,0x300\n li r5,0\n li r6,0\n li r8,3000\n li r12,1500\n"
                + "1: subf r9,r12,r5\n srawi r9,r9,31\n andi. r9,r9,0x100\n subf r9,r9,r11\n mtctr r9\n bctrl\n"
                + " add r6,r6,r3\n addi r5,r5,1\n cmpw r5,r8\n blt 1b\n sc\n"
                + " .org 0x200\n li r3,1\n blr\n .org 0x300\n li r3,100\n blr\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(6)).isEqualTo(151_500);
            assertThat(r.gpr(5)).isEqualTo(3000);
        }
    }

    @Test
    void storeIntoACalleeOnAnotherPageDropsTheTrace() {
        // f (on the second code page) returns 1; after 1000 calls the loop rewrites f's first
        // instruction to li r3,2 and calls it 1000 times more: 1000 + 2000 = 3000.
        String asm = "lis r4,1\n li r5,0\n li r6,0\n li r8,1000\n"
                + "1: bl 5f\n add r6,r6,r3\n addi r5,r5,1\n cmpw r5,r8\n blt 1b\n"
                + " cmpwi r5,2000\n bge 2f\n lis r9,0x3860\n ori r9,r9,2\n stw r9,0x1000(r4)\n li r8,2000\n b 1b\n"
                + "2: sc\n .org 0x1000\n5: li r3,1\n blr\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            r.memory.protect(SnippetRunner.CODE, 0x2000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(6)).isEqualTo(3000);
        }
    }

    @Test
    void faultInACalleeIsPreciseInsideTheTrace() {
        // The callee loads through r7; after 5000 calls r7 points at unmapped memory. The fault
        // must leave pc at the callee's load, LR at the return address and the counter as it was.
        String asm = "lis r4,2\n li r7,0\n li r5,0\n li r6,5000\n"
                + "1: bl 5f\n addi r5,r5,1\n cmpw r5,r6\n blt 1b\n lis r7,0x4000\n b 1b\n"
                + " .org 0x100\n5: addi r10,r5,7\n lwzx r3,r4,r7\n blr\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.TRAP);
            assertThat(r.cpu.lastTrap().address()).isEqualTo(0x40020000L);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 0x104);
            assertThat(r.state.lr).isEqualTo(SnippetRunner.CODE + 20);
            assertThat(r.gpr(5)).isEqualTo(5000);
            assertThat(r.gpr(10)).as("written before the fault, in a local until then").isEqualTo(5007);
        }
    }

    @Test
    void exitRequestStopsATraceThatLoopsForever() throws Exception {
        try (SnippetRunner r = new SnippetRunner("li r5,0\n1: bl 5f\n b 1b\n5: addi r5,r5,1\n blr\n")) {
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                r.cpu.requestExit();
            });
            stopper.start();
            assertThat(r.run()).isEqualTo(CpuExit.EXIT_REQUEST);
            stopper.join();
            assertThat(r.gpr(5)).as("the loop ran").isGreaterThan(1000);
            assertThat(r.state.pc).as("stopped at a block start").isIn(SnippetRunner.CODE + 4, SnippetRunner.CODE + 8,
                    SnippetRunner.CODE + 12);
        }
    }

    @Test
    void countedLoopKeepsRegistersInLocalsAcrossIterations() {
        // A bdnz loop with a carry chain and a conditional branch in the middle (a side exit
        // that is never taken): 100000 iterations of sum += ctr, with the carry into r5.
        String asm = "lis r4,1\n ori r4,r4,34464\n mtctr r4\n li r3,0\n li r5,0\n li r9,-1\n"
                + "1: mfctr r6\n addc r3,r3,r6\n addze r5,r5\n cmpwi r9,0\n beq 2f\n bdnz 1b\n2: sc\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            long sum = (Integer.toUnsignedLong(r.gpr(5)) << 32) | Integer.toUnsignedLong(r.gpr(3));
            assertThat(sum).isEqualTo(100_000L * 100_001L / 2);
            assertThat(r.state.ctr).isZero();
            assertThat(r.gpr(6)).isEqualTo(1);
        }
    }

    @Test
    void branchBackIntoTheMiddleOfATraceLoopsInsideIt() {
        // Two entries, as in qsort's merge loop: every 4th value of r5 goes back to X (the
        // trace's start), the others to Y (an instruction inside the trace). Worked out by
        // hand: r5 ends at 3001 (3000 goes back to X once more), X runs 1 + 750 times, the
        // r7 += 2 path for each of the 3001 - 750 values that are not multiples of 4.
        String asm = "li r5,0\n li r6,0\n li r7,0\n li r8,3000\n"
                + "1: addi r6,r6,1\n2: addi r5,r5,1\n andi. r9,r5,3\n beq 1b\n addi r7,r7,2\n cmpw r5,r8\n blt 2b\n sc\n";
        for (boolean compiled : new boolean[] {false, true}) {
            SnippetRunner.compileEverything = compiled;
            try (SnippetRunner r = new SnippetRunner(asm)) {
                assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
                assertThat(r.gpr(5)).isEqualTo(3001);
                assertThat(r.gpr(6)).isEqualTo(751);
                assertThat(r.gpr(7)).isEqualTo(4502);
                assertThat(r.gpr(9)).isEqualTo(1);
            } finally {
                SnippetRunner.compileEverything = false;
            }
        }
    }

    @Test
    void exitRequestStopsALoopIntoTheMiddleOfATrace() throws Exception {
        // Compiled on first use, the first block branches back to its fourth instruction, never to its start.
        SnippetRunner.compileEverything = true;
        try (SnippetRunner r = new SnippetRunner("li r5,0\n li r6,0\n1: addi r6,r6,1\n2: addi r5,r5,1\n b 2b\n")) {
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                r.cpu.requestExit();
            });
            stopper.start();
            assertThat(r.run()).isEqualTo(CpuExit.EXIT_REQUEST);
            stopper.join();
            assertThat(r.gpr(5)).as("the loop ran").isGreaterThan(1000);
            assertThat(r.gpr(6)).isEqualTo(1);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 12);
        } finally {
            SnippetRunner.compileEverything = false;
        }
    }

    @Test
    void sideExitBlockThatBranchesBackRunsInsideTheTrace() {
        // Every 4th value of r5 leaves the loop's trace for the block at 3:, which branches back
        // to the loop's start: r5 runs to 3000 (a multiple of 4, so it ends in that block), the
        // block runs 750 times (r7 = 5 * 750) and the loop's own path 2250 times.
        String asm = "li r5,0\n li r6,0\n li r7,0\n li r8,3000\n"
                + "1: addi r5,r5,1\n andi. r9,r5,3\n beq 3f\n addi r6,r6,1\n cmpw r5,r8\n blt 1b\n sc\n"
                + "3: addi r7,r7,5\n cmpw r5,r8\n blt 1b\n sc\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(5)).isEqualTo(3000);
            assertThat(r.gpr(6)).isEqualTo(2250);
            assertThat(r.gpr(7)).isEqualTo(3750);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 0x3c);
        }
    }

    @Test
    void faultInASideExitBlockRunInsideTheTraceIsPrecise() {
        // As above, but the block at 3: loads through an address that turns unmapped once r5
        // reaches 2000: the fault stops at that load with the counters of the iterations before.
        String asm = "lis r4,2\n li r5,0\n li r6,0\n li r7,0\n li r8,3000\n li r12,2000\n"
                + "1: addi r5,r5,1\n andi. r9,r5,3\n beq 3f\n addi r6,r6,1\n cmpw r5,r8\n blt 1b\n sc\n"
                + "3: subf r11,r12,r5\n srawi r11,r11,31\n not r11,r11\n andis. r11,r11,0x4000\n lwzx r10,r4,r11\n"
                + " addi r7,r7,5\n cmpw r5,r8\n blt 1b\n sc\n";
        try (SnippetRunner r = new SnippetRunner(asm)) {
            assertThat(r.run()).isEqualTo(CpuExit.TRAP);
            assertThat(r.cpu.lastTrap().address()).isEqualTo(0x40020000L);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 0x44);
            assertThat(r.gpr(5)).isEqualTo(2000);
            assertThat(r.gpr(6)).isEqualTo(1500);
            assertThat(r.gpr(7)).isEqualTo(5 * 499);
            assertThat(r.gpr(11)).isEqualTo(0x40000000);
        }
    }
}
