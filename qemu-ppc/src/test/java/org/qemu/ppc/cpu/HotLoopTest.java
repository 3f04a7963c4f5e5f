package org.qemu.ppc.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;

/**
 * Loops that run long enough to be compiled into a page region (self-looping blocks and
 * multi-block loops) must compute what the block-at-a-time path computes.
 */
class HotLoopTest {
    @Test
    void multiBlockLoopGivesTheClosedFormResult() {
        // for i in 1..N: if (i & 1) odd += i else even += i  -- N = 50000:
        // odd sum = 25000^2 = 625000000, even sum = 25000*25001 = 625025000.
        String asm = "lis r4,0\n ori r4,r4,50000\n li r3,1\n li r5,0\n li r6,0\n"
                + "1: andi. r7,r3,1\n beq 2f\n add r5,r5,r3\n b 3f\n2: add r6,r6,r3\n3: addi r3,r3,1\n cmpw r3,r4\n ble 1b\n";
        try (SnippetRunner r = new SnippetRunner(asm).withRegions()) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(5)).isEqualTo(625_000_000);
            assertThat(r.gpr(6)).isEqualTo(625_025_000);
            assertThat(r.cpu.cache().region(SnippetRunner.CODE >>> 12)).as("the loop's page got a region").isNotNull();
        }
    }

    @Test
    void selfLoopingBlockCountsDownCtr() {
        // sum 1..100000 (5000050000, more than 32 bits) in a carry chain, on one block looping with bdnz.
        try (SnippetRunner r = new SnippetRunner("lis r4,1\n ori r4,r4,34464\n mtctr r4\n li r3,0\n li r5,0\n"
                + "1: mfctr r6\n addc r3,r3,r6\n addze r5,r5\n bdnz 1b\n")) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            long sum = (Integer.toUnsignedLong(r.gpr(5)) << 32) | Integer.toUnsignedLong(r.gpr(3));
            assertThat(sum).isEqualTo(100_000L * 100_001L / 2);
        }
    }

    @Test
    void faultInsideARegionLeavesTheStateAtTheFaultingLoad() {
        // 5000 loads from DATA (long enough for a region: two blocks, so the run loop sees it hot),
        // then the index jumps to unmapped memory.
        String asm = "lis r4,2\n li r7,0\n li r5,0\n li r6,5000\n"
                + "1: lwzx r3,r4,r7\n b 2f\n2: addi r5,r5,1\n cmpw r5,r6\n blt 1b\n lis r7,0x4000\n b 1b\n";
        try (SnippetRunner r = new SnippetRunner(asm).withRegions()) {
            assertThat(r.run()).isEqualTo(CpuExit.TRAP);
            assertThat(r.cpu.lastTrap().address()).isEqualTo(0x40020000L);
            assertThat(r.state.pc).isEqualTo(SnippetRunner.CODE + 16);
            assertThat(r.gpr(5)).isEqualTo(5000);
            assertThat(r.gpr(7)).isEqualTo(0x40000000);
            assertThat(r.cpu.cache().region(SnippetRunner.CODE >>> 12)).as("the loop ran in a region").isNotNull();
        }
    }

    @Test
    void loopAcrossAPageBoundaryBecomesOneRegion() {
        // The loop body straddles 0x11000: its two halves live on two pages.
        String asm = "li r5,0\n li r7,0\n lis r6,1\n b 1f\n .space 4072\n"
                + "1: addi r5,r5,1\n addi r7,r7,3\n cmpw r5,r6\n blt 1b\n";
        try (SnippetRunner r = new SnippetRunner(asm).withRegions()) {
            assertThat(r.run()).isEqualTo(CpuExit.SYSCALL);
            assertThat(r.gpr(5)).isEqualTo(0x10000);
            assertThat(r.gpr(7)).isEqualTo(3 * 0x10000);
            var region = r.cpu.cache().region(SnippetRunner.CODE >>> 12);
            assertThat(region).as("the first page got a region").isNotNull();
            assertThat(region.covers((SnippetRunner.CODE >>> 12) + 1)).as("it took in the second page").isTrue();
        }
    }

    @Test
    void exitRequestStopsARegionThatLoopsForever() throws Exception {
        try (SnippetRunner r = new SnippetRunner("li r5,0\n1: addi r5,r5,1\n b 2f\n2: cmpwi r5,0\n bne 1b\n b 1b\n").withRegions()) {
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
            assertThat(r.gpr(5)).as("the loop ran").isNotZero();
            assertThat(r.cpu.cache().region(SnippetRunner.CODE >>> 12)).as("it ran in a region").isNotNull();
            int pc = r.state.pc;
            assertThat(pc).as("stopped at a block start of the loop").isIn(SnippetRunner.CODE + 4, SnippetRunner.CODE + 12);
        }
    }
}
