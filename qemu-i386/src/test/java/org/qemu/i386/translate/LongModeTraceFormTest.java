package org.qemu.i386.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.cpu.X86Cpu;

/**
 * Which way a 64-bit trace goes at a jcc. The code has the shape of qsort's merge step: a call,
 * a jcc on its result, and on the hot side a second jcc whose one side jumps back to the start (the
 * next element) and whose other side leaves (the run's end). The run loop's counts, which see a
 * chained block only when a chain ends there, may call the leaving side hotter: the trace must
 * still close its loop.
 */
class LongModeTraceFormTest {
    private static final long START = 0x1000;
    private static final long CALL_RETURNS_TO = 0x1008;
    private static final long TAKEN = 0x1020;
    private static final long CLOSES_LOOP = 0x1028;
    private static final long LEAVES = 0x1040;
    private static final long FUNCTION = 0x1100;

    private static final String CODE = String.join("",
            "48ffc0", "e8f8000000",                 // 1000: inc rax; call 1100
            "85c0", "7f14",                         // 1008: test eax, eax; jg 1020
            "48ffc3", "eb17",                       // 100c: inc rbx; jmp 1028
            "90".repeat(0x0f),                      // 1011: padding
            "48ffc1", "4d85e4", "7418",             // 1020: inc rcx; test r12, r12; je 1040
            "4885ed", "75d3",                       // 1028: test rbp, rbp; jne 1000
            "0f05");                                // 102d: syscall

    @Test
    void takesTheSideThatClosesTheLoopWhateverTheRunLoopCounted() {
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(0, 0x2000, GuestMemory.READ | GuestMemory.EXEC);
            load(memory, START, CODE);
            load(memory, LEAVES, "0f05");          // syscall
            load(memory, FUNCTION, "c3");          // ret
            X86Translator translator = new X86Translator(memory);
            TranslationCache<X86Block> cache = new TranslationCache<>(memory);
            for (long pc : new long[] {START, CALL_RETURNS_TO, 0x100c, TAKEN, CLOSES_LOOP, LEAVES, FUNCTION}) {
                cache.insert(translator.translate(pc, X86Cpu.MODE_64));
            }
            // the hot side of the first jcc, and a leaving side the run loop saw more often than the loop's
            runs(cache.lookup(TAKEN, X86Cpu.MODE_64), 100);
            runs(cache.lookup(LEAVES, X86Cpu.MODE_64), 1_000);
            runs(cache.lookup(CLOSES_LOOP, X86Cpu.MODE_64), 10);

            LongModeTrace trace = LongModeTrace.form(cache.lookup(START, X86Cpu.MODE_64), cache, Set.of());

            assertThat(trace).isNotNull();
            long[] path = Arrays.copyOf(trace.address, trace.mainLength);
            assertThat(path).as("through the call, the hot side, and the block jumping back")
                    .contains(FUNCTION, TAKEN, CLOSES_LOOP).doesNotContain(0x100cL, LEAVES);
            assertThat(trace.loopsTo(START)).isTrue();
        }
    }

    /**
     * An indirect call whose callee branches before its ret (a comparator with a test of its own):
     * the trace follows the callee the run loop saw (the call block's remembered successor) through
     * its hot side and back to the loop's start. Until session 19 only a callee of one block ending
     * in ret was followed, and no trace formed at all.
     */
    @Test
    void followsAnIndirectCallIntoACalleeThatBranches() {
        long returnsTo = 0x1005;
        long function = 0x1100;
        long calleeReturns = 0x1105;
        long calleeRareSide = 0x1108;
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(0, 0x2000, GuestMemory.READ | GuestMemory.EXEC);
            load(memory, START, "48ffc0" + "ffd2"        // 1000: inc rax; call *rdx
                    + "4885ed" + "75f6" + "0f05");       // 1005: test rbp, rbp; jne 1000; syscall
            load(memory, function, "4885f6" + "7403"     // 1100: test rsi, rsi; je 1108
                    + "c3" + "9090" + "0f05");           // 1105: ret; 1108: syscall
            X86Translator translator = new X86Translator(memory);
            TranslationCache<X86Block> cache = new TranslationCache<>(memory);
            for (long pc : new long[] {START, returnsTo, function, calleeReturns, calleeRareSide}) {
                cache.insert(translator.translate(pc, X86Cpu.MODE_64));
            }
            // what the run loop leaves after a chain ended at the call: the call block linked to the callee
            cache.lookup(START, X86Cpu.MODE_64).link(cache.lookup(function, X86Cpu.MODE_64));
            runs(cache.lookup(calleeReturns, X86Cpu.MODE_64), 1_000);
            runs(cache.lookup(calleeRareSide, X86Cpu.MODE_64), 1);

            LongModeTrace trace = LongModeTrace.form(cache.lookup(START, X86Cpu.MODE_64), cache, Set.of());

            assertThat(trace).isNotNull();
            long[] path = Arrays.copyOf(trace.address, trace.mainLength);
            assertThat(path).as("into the callee, its hot side, the ret, and back").contains(function, calleeReturns, returnsTo)
                    .doesNotContain(calleeRareSide);
            assertThat(trace.loopsTo(START)).isTrue();
        }
    }

    /**
     * A loop of jmps and jccs only whose data-dependent jcc takes both sides in turn, each side
     * jumping back to the start (a merge step comparing inline, an LZMA bit decoder): one loop trace
     * through the side run more often, the other side a leg of the same method. Until session 20 a
     * call-free loop that needed a leg made no trace at all (busybox unxz, chain-branches).
     */
    @Test
    void aCallFreeLoopTakesItsOtherSideAsALeg() {
        long more = 0x1008;
        long less = 0x1012;
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(0, 0x2000, GuestMemory.READ | GuestMemory.EXEC);
            load(memory, START, "48ffc0" + "4885d2" + "740a"    // 1000: inc rax; test rdx, rdx; je 1012
                    + "48ffc3" + "48ffc9" + "75f0" + "0f05"     // 1008: inc rbx; dec rcx; jnz 1000; syscall
                    + "48ffcb" + "48ffc9" + "75e6" + "0f05");   // 1012: dec rbx; dec rcx; jnz 1000; syscall
            X86Translator translator = new X86Translator(memory);
            TranslationCache<X86Block> cache = new TranslationCache<>(memory);
            for (long pc : new long[] {START, more, 0x1010, less, 0x101a}) {
                cache.insert(translator.translate(pc, X86Cpu.MODE_64));
            }
            runs(cache.lookup(more, X86Cpu.MODE_64), 100);
            runs(cache.lookup(less, X86Cpu.MODE_64), 90);

            LongModeTrace trace = LongModeTrace.form(cache.lookup(START, X86Cpu.MODE_64), cache, Set.of());

            assertThat(trace).isNotNull();
            assertThat(trace.loopsTo(START)).isTrue();
            assertThat(Arrays.copyOf(trace.address, trace.mainLength)).as("the main path").contains(more).doesNotContain(less);
            assertThat(Arrays.copyOfRange(trace.address, trace.mainLength, trace.address.length)).as("the leg").contains(less);
        }
    }

    /**
     * The same loop shape with scalar double additions in its first block (addsd, compiled
     * inline): a loop of up to {@link LongModeTrace#MAX_FLOATING_POINT_OPS} such instructions makes
     * a trace, one with more makes none and its blocks stay chained (a trace of cpubench's n-body
     * loop, 13-17 of them, was slower than its chained blocks and took C2 up to a second).
     */
    @Test
    void aCallFreeLoopOfMuchFloatingPointArithmeticMakesNoTrace() {
        int limit = LongModeTrace.MAX_FLOATING_POINT_OPS;
        assertThat(limit).isEqualTo(8);
        LongModeTrace small = floatingPointLoop(limit);
        assertThat(small).as("%d additions", limit).isNotNull();
        assertThat(small.loopsTo(START)).isTrue();
        assertThat(floatingPointLoop(limit + 1)).as("%d additions", limit + 1).isNull();
    }

    /** The trace formed at the start of a call-free loop whose first block holds {@code additions} addsd. */
    private static LongModeTrace floatingPointLoop(int additions) {
        long more = START + 4L * additions + 5;
        long less = more + 10;
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(0, 0x2000, GuestMemory.READ | GuestMemory.EXEC);
            String back = String.format("%02x", (256 - (4 * additions + 13)) & 0xff);
            String backFromLess = String.format("%02x", (256 - (4 * additions + 23)) & 0xff);
            load(memory, START, "f20f58c1".repeat(additions) + "4885d2" + "740a" // addsd xmm0, xmm1 ...; test rdx, rdx; je less
                    + "48ffc3" + "48ffc9" + "75" + back + "0f05"               // more: inc rbx; dec rcx; jnz START; syscall
                    + "48ffcb" + "48ffc9" + "75" + backFromLess + "0f05");     // less: dec rbx; dec rcx; jnz START; syscall
            X86Translator translator = new X86Translator(memory);
            TranslationCache<X86Block> cache = new TranslationCache<>(memory);
            for (long pc : new long[] {START, more, more + 8, less, less + 8}) {
                cache.insert(translator.translate(pc, X86Cpu.MODE_64));
            }
            runs(cache.lookup(more, X86Cpu.MODE_64), 100);
            runs(cache.lookup(less, X86Cpu.MODE_64), 90);
            X86Block start = cache.lookup(START, X86Cpu.MODE_64);
            // the emitter takes the whole block inline, so only the rule can refuse the loop
            assertThat(LongModeEmitter.allInline(start.ops(), start.instructionCount())).isTrue();
            assertThat(LongModeTrace.floatingPointOps(start.ops())).isEqualTo(additions);
            return LongModeTrace.form(start, cache, Set.of());
        }
    }

    private static void runs(X86Block block, int n) {
        for (int i = 0; i < n; i++) {
            block.countExecution();
        }
    }

    private static void load(GuestMemory memory, long address, String hex) {
        byte[] code = java.util.HexFormat.of().parseHex(hex);
        memory.load(address, code, 0, code.length);
    }
}
