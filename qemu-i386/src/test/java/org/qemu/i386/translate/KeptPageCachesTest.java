package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.OpContext;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The page caches a loop trace keeps between its runs ({@link X86Sequence#pageCaches}): one
 * thread's alone, emptied whenever the memory's protection epoch moved, and another thread's run
 * starts from its own emptied scratch caches. (The generated prologue's side, the key compare, and
 * the behaviour end to end: X86_64ProgramsTest's keptcaches program.)
 */
class KeptPageCachesTest {
    private static final class Loop extends X86Sequence {
        Loop() {
            super(null);
        }

        @Override
        public void enter(OpContext context, X86Cpu cpu, X86CpuState state, long[] regs, GuestMemory memory) {
        }

        @Override
        public void run(X86Cpu context) {
        }

        /** What the prologue tests: the kept caches' key is this CPU's at the memory's epoch. */
        boolean keptFor(X86Cpu cpu, GuestMemory memory) {
            return pageCaches[0] == cpu.pageCacheKey() + memory.protectionEpoch();
        }
    }

    @Test
    void theFirstThreadKeepsThemUntilTheProtectionEpochMoves() {
        try (GuestMemory memory = new GuestMemory(32)) {
            X86Cpu first = new X86Cpu(memory, new X86CpuState());
            X86Cpu second = new X86Cpu(memory, new X86CpuState());
            assertThat(first.pageCacheKey()).isNotEqualTo(second.pageCacheKey());
            Loop loop = new Loop();
            assertThat(loop.keptFor(first, memory)).as("nothing kept before the first run").isFalse();

            long[] kept = loop.refreshPageCaches(first, memory);
            assertThat(kept).hasSize(1 + X86Sequence.PAGE_CACHES);
            assertThat(java.util.Arrays.copyOfRange(kept, 1, kept.length)).containsOnly(X86Sequence.NO_PAGE);
            assertThat(loop.keptFor(first, memory)).isTrue();
            kept[3] = 0x10000; // what a miss leaves there

            long[] other = loop.refreshPageCaches(second, memory);
            assertThat(other).isNotSameAs(kept).isSameAs(second.scratchPageCaches());
            assertThat(java.util.Arrays.copyOfRange(other, 1, other.length)).containsOnly(X86Sequence.NO_PAGE);
            assertThat(loop.keptFor(second, memory)).as("another thread never matches the key").isFalse();
            assertThat(loop.keptFor(first, memory)).as("the owner's caches untouched by it").isTrue();
            assertThat(kept[3]).isEqualTo(0x10000);

            memory.map(0x20000, 0x1000, GuestMemory.READ);
            assertThat(loop.keptFor(first, memory)).as("a mapping change moved the epoch").isFalse();
            assertThat(loop.refreshPageCaches(first, memory)).isSameAs(kept);
            assertThat(kept[3]).isEqualTo(X86Sequence.NO_PAGE);
            assertThat(loop.keptFor(first, memory)).isTrue();
        }
    }
}
