package org.qemu.ppc.translate;

import java.util.Arrays;

/**
 * One decoded guest instruction: the semantic helper that implements it (a static method on
 * {@code owner} taking the CPU state and {@code operands}) and how it relates to control flow.
 */
public record Instruction(int address, int word, Kind kind, Class<?> owner, String method, int[] operands) {

    public enum Kind {
        /** Cannot fault: no guest memory access, no trap. */
        PLAIN,
        /** May raise a guest exception: the translator stores the instruction's address in pc first. */
        MAY_TRAP,
        /** Ends the block; the helper returns the next guest pc (branches, sc). */
        END_OF_BLOCK
    }

    /**
     * A conditional branch: a block goes on past it (the not-taken path stays in the block and
     * the taken one is a side exit), so a loop test in the middle of straight code does not cost
     * a trip through the dispatcher. Branches whose BO says "always" end the block.
     */
    public boolean continuesBlock() {
        return kind == Kind.END_OF_BLOCK && method.equals("bc") && (operands[0] & 0x14) != 0x14;
    }

    public boolean endsBlock() {
        return kind == Kind.END_OF_BLOCK;
    }

    /** The JVM descriptor of the helper: (PpcCpuState, int...) returning int for block ends. */
    public String descriptor() {
        StringBuilder d = new StringBuilder("(Lorg/qemu/ppc/cpu/PpcCpuState;");
        d.append("I".repeat(operands.length)).append(')').append(endsBlock() ? 'I' : 'V');
        return d.toString();
    }

    @Override
    public String toString() {
        return String.format("%08x: %08x %s.%s%s", address, word, owner.getSimpleName(), method, Arrays.toString(operands));
    }
}
