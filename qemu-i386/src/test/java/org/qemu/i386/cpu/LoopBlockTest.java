package org.qemu.i386.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;

/**
 * Loop blocks (a block whose code leads back to its start compiled as one method with a
 * backward jump) and verified access windows (one protection test for a block's accesses
 * through one base register): results, precise faults in taken-in code and in windows that
 * fail their test, an exit request while a loop block loops forever, code patched by its own
 * loop. Expected values follow from the x86 semantics of the hand-assembled code.
 */
class LoopBlockTest extends HandAssembledGuestTest {
    private static final int CODE = HandAssembledGuest.CODE;
    private static final int DATA = HandAssembledGuest.DATA;
    private static final int READ_ONLY = HandAssembledGuest.READ_ONLY;
    private static final int STACK_TOP = HandAssembledGuest.STACK_TOP;


    /** {@code compileThreshold} 2: a block is compiled at its second run, when the block it jumps to exists. */
    private void load(int compileThreshold, String hex) {
        start(new HandAssembledGuest(compileThreshold, 0).load(CODE, hex));
    }

    @Test
    void aBlockJumpingToABlockThatBranchesBackLoopsInsideOneMethod() {
        // 0: mov ecx, 1000; xor eax, eax; jmp c
        // 9: inc eax; jmp c                  (the loop block: this block and the one at c)
        // c: add eax, ecx; dec ecx; jnz 9; int 0x80
        load(2, "b9 e8 03 00 00  31 c0  eb 03  40  eb 00  01 c8  49  75 f8  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1000 * 1001 / 2 + 999);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.eip()).isEqualTo(CODE + 0x13);
        assertThat(statistic("(\\d+) loop blocks")).isGreaterThanOrEqualTo(1);
        // without the loop block the run loop would run about 2,000 blocks
        assertThat(statistic("^(\\d+) block runs")).isLessThan(50);
    }

    @Test
    void aFaultInTakenInCodeLeavesEveryRegisterAtTheFaultingInstruction() {
        // mov esi, DATA+0xff0; xor eax, eax
        // 7: add eax, [esi]; add esi, 4; jmp e
        // e: inc ecx; jmp 7                     (reads on until the end of the data page)
        load(2, "be " + le(DATA + 0xff0) + "  31 c0  03 06  83 c6 04  eb 00  41  eb f6");
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
        assertThat(LazyFlags.condition(cpu.state, 4)).isFalse();
    }

    @Test
    void anExitRequestStopsALoopBlockThatLoopsForeverAtItsStart() throws Exception {
        // 0: inc eax; jmp 3
        // 3: inc eax; jmp 0
        load(2, "40  eb 00  40  eb fa");
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
        assertThat(cpu.state.eip()).isIn(CODE, CODE + 3);
        assertThat(eax & 1).isEqualTo(cpu.state.eip() == CODE ? 0 : 1);
        assertThat(eax).isGreaterThan(10_000);
        assertThat(statistic("(\\d+) loop blocks")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anInstructionPatchedByItsOwnLoopTakesEffectOnTheNextIteration() {
        // mov ecx, 5; xor eax, eax
        // 7: add eax, 1                    (its immediate is at CODE+8)
        // c: mov dword [CODE+8], 0x100
        // 16: dec ecx; jnz 7; int 0x80
        load(2, "b9 05 00 00 00  31 c0  05 01 00 00 00  c7 05 " + le(CODE + 8) + " 00 01 00 00  49  75 ee  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1 + 4 * 0x100);
    }

    @Test
    void aWindowRunningIntoAnUnmappedPageFaultsAtTheFirstAccessBeyondIt() {
        // mov esi, DATA+0xff8; mov eax, [esi]; mov ebx, [esi+4]; mov edx, [esi+8]; int 0x80
        load(1, "be " + le(DATA + 0xff8) + "  8b 06  8b 5e 04  8b 56 08  cd 80");
        memory.write32(DATA + 0xff8, 0x11);
        memory.write32(DATA + 0xffc, 0x22);
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_MAPERR);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 10);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(0x11);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(0x22);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isZero();
    }

    @Test
    void aWindowThatReadsAndWritesAReadOnlyPageFaultsAtTheWrite() {
        // mov esi, READ_ONLY; mov eax, [esi]; inc eax; mov [esi+4], eax; int 0x80
        load(1, "be " + le(READ_ONLY) + "  8b 06  40  89 46 04  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_ACCERR);
        assertThat(cpu.lastTrap().address()).isEqualTo(READ_ONLY + 4L);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 8);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(1);
    }

    @Test
    void pushesAndPopsShareOneWindowOfTheStack() {
        // mov eax, 1; mov ebx, 2; push eax; push ebx; mov ecx, [esp+4]; pop edx; pop esi; int 0x80
        load(1, "b8 01 00 00 00  bb 02 00 00 00  50  53  8b 4c 24 04  5a  5e  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(1);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isEqualTo(2);
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(1);
        assertThat(cpu.state.reg32(X86CpuState.ESP)).isEqualTo(STACK_TOP);
        assertThat(memory.read32(STACK_TOP - 8L)).isEqualTo(2);
    }

    @Test
    void anIndexedReadThroughAPageCacheFaultsAtTheFirstAccessPastItsPage() {
        // mov esi, DATA+0xff0; xor eax, eax; xor ecx, ecx
        // 9: add eax, [esi+ecx*4]; inc ecx; cmp ecx, 16; jne 9; int 0x80   (reads on into the unmapped page)
        load(1, "be " + le(DATA + 0xff0) + "  31 c0  31 c9  03 04 8e  41  83 f9 10  75 f7  cd 80");
        for (int i = 0; i < 4; i++) {
            memory.write32(DATA + 0xff0 + 4L * i, 1 << i);
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_MAPERR);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 9);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(15);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(4);
        assertThat(statistic("(\\d+) loop blocks")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void anIndexedStoreThroughAPageCacheFaultsAtTheFirstStoreIntoAReadOnlyPage() {
        // mov edi, READ_ONLY-16; xor ecx, ecx
        // 7: mov [edi+ecx*4], ecx; inc ecx; cmp ecx, 8; jne 7; int 0x80
        load(1, "bf " + le(READ_ONLY - 16) + "  31 c9  89 0c 8f  41  83 f9 08  75 f7  cd 80");
        memory.map(READ_ONLY - 0x1000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_ACCERR);
        assertThat(cpu.lastTrap().address()).isEqualTo(READ_ONLY);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 7);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            assertThat(memory.read32(READ_ONLY - 16L + 4 * i)).isEqualTo(i);
        }
    }

    @Test
    void indexedReadsCrossingIntoTheNextPageReadBothPages() {
        // mov esi, DATA+0xffc; xor edx, edx; xor ecx, ecx
        // 9: mov eax, [esi+ecx]; add edx, eax; inc ecx; cmp ecx, 5; jne 9; int 0x80
        load(1, "be " + le(DATA + 0xffc) + "  31 d2  31 c9  8b 04 0e  01 c2  41  83 f9 05  75 f5  cd 80");
        memory.map(DATA + 0x1000, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        byte[] bytes = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};
        memory.load(DATA + 0xffc, bytes, 0, bytes.length);
        int expected = 0;
        for (int k = 0; k < 5; k++) {
            expected += (bytes[k] & 0xff) | (bytes[k + 1] & 0xff) << 8 | (bytes[k + 2] & 0xff) << 16 | (bytes[k + 3] & 0xff) << 24;
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isEqualTo(expected);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(5);
    }

    @Test
    void aLoopWhoseBranchOutComesBeforeItsJumpBackLeavesThroughTheSideExitWithItsFlags() {
        // 0: mov ecx, 5; mov eax, 0xfffffff1
        // a: add eax, ecx; dec ecx; jz 12      (the loop block: this block, its jz a side exit,
        // f: inc ebx; jmp a                     then the block its other side runs)
        // 12: int 0x80
        // Compiled at its first run: the block at a is entered from f and becomes the loop.
        load(1, "b9 05 00 00 00  b8 f1 ff ff ff  01 c8  49  74 03  43  eb f8  cd 80");
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        // 0xfffffff1 + 5 + 4 + 3 + 2 = 0xffffffff; + 1 carries out: CF from the add, ZF from dec
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(4);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 0x14);
        assertThat(cpu.state.eflags() & (X86CpuState.CF | X86CpuState.ZF | X86CpuState.SF | X86CpuState.OF))
                .isEqualTo(X86CpuState.CF | X86CpuState.ZF);
        assertThat(statistic("(\\d+) loop blocks")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aBlockThatRunsIntoALoopHeadIsCompiledUpToItAndTheLoopIsEnteredThere() {
        // 0: mov esi, DATA; xor eax, eax
        // 7: mov ecx, 100; mov edx, [esi]        (the outer loop; its block falls into the loop at e)
        // e: add eax, ecx; dec ecx; jz 16
        // 13: inc ebx; jmp e
        // 16: add edi, edx; dec ebp; jnz 7; int 0x80
        load(2, "be " + le(DATA) + "  31 c0  b9 64 00 00 00  8b 16  01 c8  49  74 03  43  eb f8  01 d7  4d  75 ec  cd 80");
        memory.write32(DATA, 3);
        cpu.state.setReg32(X86CpuState.EBP, 50);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(50 * 5050);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(50 * 99);
        assertThat(cpu.state.reg32(X86CpuState.EDI)).isEqualTo(50 * 3);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 0x1d);
        assertThat(statistic("(\\d+) stopped at a loop head")).isGreaterThanOrEqualTo(1);
        // one loop, entered at e (its jz a side exit, then the block at 13): the block at 13
        // reaches the threshold first, but its jmp leads to a head that makes the same loop
        // itself, so it gets a class of its own instructions only (before session 8: a second
        // loop block of the same body, entered at 13)
        assertThat(statistic("(\\d+) loop blocks")).isEqualTo(1);
    }

    @Test
    void aFaultBeforeTheLoopHeadInABlockCompiledUpToItReportsThatInstruction() {
        // 0: mov esi, DATA+0x800; xor eax, eax
        // 7: mov ecx, 3; mov edx, [esi]; add esi, 0x400     (the third read is past the data page)
        // 14: add eax, ecx; dec ecx; jz 1c
        // 19: inc ebx; jmp 14
        // 1c: jmp 1e; 1e: jmp 7              (two jumps: no loop block of the outer loop)
        load(2, "be " + le(DATA + 0x800) + "  31 c0  b9 03 00 00 00  8b 16  81 c6 00 04 00 00  01 c8  49  74 03  43  eb f8  eb 00  eb e7");
        memory.write32(DATA + 0x800, 0x11);
        memory.write32(DATA + 0xc00, 0x22);
        assertThat(cpu.run()).isEqualTo(CpuExit.TRAP);
        assertThat(cpu.lastTrap().signal()).isEqualTo(GuestTrap.SIGSEGV);
        assertThat(cpu.lastTrap().code()).isEqualTo(GuestTrap.SEGV_MAPERR);
        assertThat(cpu.lastTrap().address()).isEqualTo(DATA + 0x1000L);
        assertThat(cpu.state.eip()).isEqualTo(CODE + 0xc);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(3);
        assertThat(cpu.state.reg32(X86CpuState.ESI)).isEqualTo(DATA + 0x1000);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isEqualTo(0x22);
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(2 * 6);
        assertThat(cpu.state.reg32(X86CpuState.EBX)).isEqualTo(2 * 2);
        assertThat(statistic("(\\d+) stopped at a loop head")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aLoopWithASideExitThatOverwritesItsOwnCodeRunsTheNewCodeOnTheNextIteration() {
        // 0: mov ecx, 5; xor eax, eax
        // 7: add eax, 1; dec ecx; jz 15          (its immediate is at CODE+8)
        // f: mov [edi], esi; mov edi, ebp; jmp 7  (the first store goes to the data page, the next
        //                                         ones put 0x100 into the immediate)
        // 15: int 0x80
        load(1, "b9 05 00 00 00  31 c0  05 01 00 00 00  49  74 06  89 37  89 ef  eb f2  cd 80");
        cpu.state.setReg32(X86CpuState.EDI, DATA);
        cpu.state.setReg32(X86CpuState.ESI, 0x100);
        cpu.state.setReg32(X86CpuState.EBP, CODE + 8);
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        // iterations 1 and 2 add 1; the store at the end of iteration 2 makes 3, 4, 5 add 0x100
        assertThat(cpu.state.reg32(X86CpuState.EAX)).isEqualTo(2 + 3 * 0x100);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isZero();
        assertThat(memory.read32(DATA)).isEqualTo(0x100);
    }

    @Test
    void indexedReadsThroughASegmentWithAnUnalignedBaseMatchTheBytesAcrossAPageBoundary() {
        // xor ecx, ecx; xor edx, edx
        // 4: mov eax, gs:[ecx*4+0x800]; add edx, eax; inc ecx; cmp ecx, 16; jne 4; int 0x80
        // gs base: 0xff3 - 0x800 bytes into the stack's lower page, so the first read straddles the
        // two pages and the others lie in the upper one, at offsets whose page start is not aligned
        load(1, "31 c9  31 d2  65 8b 04 8d 00 08 00 00  01 c2  41  83 f9 10  75 f0  cd 80");
        long page = STACK_TOP - 0x2000;
        long base = page + 0xff3 - 0x800;
        cpu.state.segBase[X86CpuState.GS] = base;
        int expected = 0;
        for (int i = 0; i < 16; i++) {
            int word = 0;
            for (int b = 0; b < 4; b++) {
                long at = base + 0x800 + 4L * i + b;
                int v = (int) (at * 37 + 11) & 0xff;
                memory.write8(at, v);
                word |= v << (8 * b);
            }
            expected += word;
        }
        assertThat(cpu.run()).isEqualTo(CpuExit.SYSCALL);
        assertThat(cpu.state.reg32(X86CpuState.EDX)).isEqualTo(expected);
        assertThat(cpu.state.reg32(X86CpuState.ECX)).isEqualTo(16);
        assertThat(statistic("(\\d+) loop blocks")).isGreaterThanOrEqualTo(1);
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
