package org.qemu.ppc.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Compiled blocks are written as class files of version 49 without stack map frames
 * ({@link PpcClassFiles}); the JVM's own verifier, not our code, decides whether such a class
 * is acceptable: a block with a loop (a jump back), guest memory accesses (fault handlers) and a
 * detour is defined and instantiated, which links and verifies it.
 */
class ClassFileFormatTest {
    /** lwz r3,0(r4); addi r4,r4,4; cmpwi r3,0; beq 0x1100 (a detour target); bdnz 0x1000; blr. */
    private static final int[] LOOP = {0x80640000, 0x38840004, 0x2c030000, 0x418200f4, 0x4200fff0, 0x4e800020};
    /** At 0x1100: stw r3,0(r4); b 0x1004, back into the loop. */
    private static final int[] DETOUR = {0x90640000, 0x4bffff00};

    private static List<Instruction> decode(int address, int[] words) {
        return java.util.stream.IntStream.range(0, words.length).mapToObj(i -> PpcDecoder.decode(address + 4 * i, words[i])).toList();
    }

    @Test
    void blockClassIsVersion49WithoutStackMapFramesAndPassesTheVerifier() {
        List<Instruction> loop = decode(0x1000, LOOP);
        List<Instruction> detour = decode(0x1100, DETOUR);
        assertThat(detour.getLast().operands()[0]).as("the detour branches back into the loop").isEqualTo(0x1004);

        byte[] bytes = PpcTranslator.generate(loop, Map.of(0x1100, detour));
        int major = (bytes[6] & 0xff) << 8 | (bytes[7] & 0xff);
        assertThat(major).isEqualTo(49);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("StackMapTable");

        PpcBlock block = new PpcTranslator(null).compile(loop, Map.of(0x1100, detour));
        assertThat(block.start).isEqualTo(0x1000);
        assertThat(block.end).isEqualTo(0x1018);
    }
    /**
     * With an address space (PpcTranslator.compile), the class takes the memory fast path's values
     * as constants: no call of the memory object's getters at block entry, the live protection
     * table in a static final field (which C2 folds), and the host base and range mask as
     * constants of the class file.
     */
    @Test
    void blockClassHoldsTheMemoryFastPathsValuesAsConstants() throws ReflectiveOperationException {
        org.junit.jupiter.api.Assumptions.assumeTrue(PpcTranslator.MEMORY_CONSTANTS, "the inline memory fast path is off on this host");
        List<Instruction> loop = decode(0x1000, LOOP);
        try (org.qemu.common.memory.GuestMemory memory = new org.qemu.common.memory.GuestMemory(32)) {
            byte[] bytes = PpcTranslator.generate(loop, Map.of(),
                    BlockEmitter.MemoryConstants.of(memory, "org/qemu/ppc/translate/GuestBlock"));
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContain("protectionTable").doesNotContain("hostBase").doesNotContain("rangeMask")
                    .contains(BlockEmitter.TABLE_FIELD);

            PpcBlock block = new PpcTranslator(memory).compile(loop, Map.of());
            java.lang.reflect.Field table = block.getClass().getDeclaredField(BlockEmitter.TABLE_FIELD);
            assertThat(java.lang.reflect.Modifier.isStatic(table.getModifiers()) && java.lang.reflect.Modifier.isFinal(table.getModifiers())).isTrue();
            table.setAccessible(true);
            assertThat(table.get(null)).isSameAs(memory.protectionTable());
        }
    }
    /**
     * addi r3,r3,1; addi r4,r4,2; cmpwi r3,5; beq 0x1100; cmpwi r3,6; beq 0x1200; blr: three
     * exits with the same dirty registers (r3, r4), which share one write-back tail.
     */
    private static final int[] THREE_EXITS = {0x38630001, 0x38840002, 0x2c030005, 0x418200f4, 0x2c030006, 0x418201ec, 0x4e800020};

    @Test
    void exitsWithTheSameDirtyRegistersShareOneWriteBackAndEachLeavesExact() throws ReflectiveOperationException {
        List<Instruction> block = decode(0x1000, THREE_EXITS);
        int shared = count(PpcTranslator.generate(block), net.bytebuddy.jar.asm.Opcodes.IASTORE);
        assertThat(shared).as("r3 and r4 written back once, in the shared tail").isEqualTo(2);

        try (org.qemu.common.memory.GuestMemory memory = new org.qemu.common.memory.GuestMemory(32)) {
            PpcBlock compiled = new PpcTranslator(memory).compile(block, Map.of());
            int[][] cases = {{4, 0x1100, 5}, {5, 0x1200, 6}, {0, 0x2000, 1}};
            for (int[] c : cases) {
                org.qemu.ppc.cpu.PpcCpuState state = new org.qemu.ppc.cpu.PpcCpuState(memory);
                state.gpr[3] = c[0];
                state.gpr[4] = 40;
                state.lr = 0x2003;
                assertThat(compiled.execute(state)).as("exit for r3 = %d", c[0]).isEqualTo(c[1]);
                assertThat(state.gpr[3]).isEqualTo(c[2]);
                assertThat(state.gpr[4]).isEqualTo(42);
            }
        }
    }

    /** How many times {@code opcode} occurs in the class's methods, as ASM reads them. */
    private static int count(byte[] bytes, int opcode) {
        int[] n = {0};
        new net.bytebuddy.jar.asm.ClassReader(bytes).accept(new net.bytebuddy.jar.asm.ClassVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
            @Override
            public net.bytebuddy.jar.asm.MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new net.bytebuddy.jar.asm.MethodVisitor(net.bytebuddy.jar.asm.Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int op) {
                        if (op == opcode) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }
}
