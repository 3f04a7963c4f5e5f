package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;


import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;

/**
 * The region tier (hot blocks compiled together into one method): loops that cross a page,
 * code that writes itself inside a running region, an exit request while a region loops
 * forever, a fault in the middle of a region. Expected values follow from the x86 semantics
 * of the hand-assembled code; each case also runs without regions (threshold 0), and with
 * regions formed at the first run of every block (1) or after {@link X86Cpu#HOT_REGION_THRESHOLD} runs.
 */
class RegionTierTest extends HandAssembledGuestTest {
    private static final int CODE = HandAssembledGuest.CODE;
    private static final int DATA = HandAssembledGuest.DATA;
    private static final int STACK_TOP = HandAssembledGuest.STACK_TOP;
    /** Parameter value: regions at the threshold recommended for turning them on. */
    private static final int DEFAULT = -1;


    private void load(int regionThreshold, int at, String hex) {
        start(new HandAssembledGuest(1, regionThreshold == DEFAULT ? X86Cpu.HOT_REGION_THRESHOLD : regionThreshold).load(at, hex));
        cpu.state.setEip(at);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, DEFAULT})
    void aLoopAcrossAPageBoundaryRunsInsideOneRegion(int regionThreshold) {
        // ff0: mov ecx, 30000; xor eax, eax
        // ff7: loop: add eax, ecx; add eax, 3; nop x4      (the page ends after ffff)
        // 1000: dec ecx; jnz loop; int 0x80
        load(regionThreshold, CODE + 0xff0, "b9 30 75 00 00  31 c0  01 c8  83 c0 03  90 90 90 90  49  75 f4  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(30000 * 30001 / 2 + 3 * 30000);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        if (regionThreshold == 1) {
            // both blocks of the loop are in one region: the loop does not go back to the run loop
            assertThat(cpu.regionEntries()).isLessThan(10);
        } else if (regionThreshold == DEFAULT) {
            assertThat(cpu.regionEntries()).isBetween(1L, 100L);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void anInstructionPatchedByItsOwnLoopTakesEffectOnTheNextIteration(int regionThreshold) {
        // mov ecx, 5; xor eax, eax
        // 7: add eax, 1                    (its immediate is at CODE+8)
        // c: mov dword [CODE+8], 0x100
        // 16: dec ecx; jnz 7; int 0x80
        load(regionThreshold, CODE, "b9 05 00 00 00  31 c0  05 01 00 00 00  c7 05 " + le(CODE + 8) + " 00 01 00 00  49  75 ee  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1 + 4 * 0x100);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aBlockPatchedByAnEarlierBlockOfTheSameRegionRunsTheNewCode(int regionThreshold) {
        // mov ecx, 5; xor eax, eax
        // 7: mov dword [CODE+0x14], 0x100; jmp 13
        // 13: add eax, 1 (immediate at CODE+0x14); dec ecx; jnz 7; int 0x80
        load(regionThreshold, CODE, "b9 05 00 00 00  31 c0  c7 05 " + le(CODE + 0x14) + " 00 01 00 00  eb 00  05 01 00 00 00  49  75 ec  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(5 * 0x100);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, DEFAULT})
    void anExitRequestStopsARegionThatLoopsForeverAtABlockBoundary(int regionThreshold) throws Exception {
        // 0: inc eax; jmp 3
        // 3: inc eax; jmp 0
        load(regionThreshold, CODE, "40  eb 00  40  eb fa");
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
        // the state is that of a block boundary: an even count at CODE, an odd one at CODE+3
        assertThat(cpu.state.eip()).isIn(CODE, CODE + 3);
        assertThat(eax & 1).isEqualTo(cpu.state.eip() == CODE ? 0 : 1);
        assertThat(eax).isGreaterThan(10_000);
        if (regionThreshold == 1) {
            assertThat(cpu.regionEntries()).isLessThan(10);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aFaultInTheMiddleOfARegionLeavesEveryRegisterAtTheFaultingInstruction(int regionThreshold) {
        // mov esi, DATA+0xff0; xor eax, eax
        // 7: add eax, [esi]; add esi, 4; jmp e
        // e: inc ecx; jmp 7                     (reads on until the end of the data page)
        load(regionThreshold, CODE, "be " + le(DATA + 0xff0) + "  31 c0  03 06  83 c6 04  eb 00  41  eb f6");
        for (int i = 0; i < 4; i++) {
            memory.write32(DATA + 0xff0 + 4L * i, 1 << i);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 7);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(15);
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(DATA + 0x1000);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(4);
        // the flags are those of the last inc ecx (4): ZF, SF clear
        assertThat(LazyFlags.condition(cpu.state, 4)).isFalse();
        assertThat(LazyFlags.condition(cpu.state, 8)).isFalse();
    }

    private static String le(int v) {
        return String.format("%02x %02x %02x %02x", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24));
    }
}
