package org.qemu.ppc.translate;

import java.util.List;

import org.qemu.ppc.cpu.PpcCpuState;

/**
 * A block run by calling its helpers through the {@link HelperDispatcher}: no class to
 * define, so the thousands of blocks a program runs only a few times cost a decode each.
 * Runners compile a block to bytecode once it has run {@link PpcCpu#COMPILE_THRESHOLD} times.
 */
final class InterpretedBlock extends PpcBlock {
    private final int[] ids;
    private final int[][] operands;
    private final boolean[] mayTrap;
    /** Conditional branches inside the block: a taken one leaves it. */
    private final boolean[] sideExit;
    private final int[] addresses;
    private final boolean endsWithBranch;
    private final int fallThrough;

    InterpretedBlock(List<Instruction> insns) {
        super(insns.getFirst().address(), insns.getLast().address() + 4);
        int n = insns.size();
        ids = new int[n];
        operands = new int[n][];
        mayTrap = new boolean[n];
        sideExit = new boolean[n];
        addresses = new int[n];
        for (int i = 0; i < n; i++) {
            Instruction insn = insns.get(i);
            ids[i] = HelperDispatcher.idOf(insn);
            operands[i] = insn.operands();
            mayTrap[i] = insn.kind() == Instruction.Kind.MAY_TRAP;
            sideExit[i] = insn.endsBlock() && i < n - 1;
            addresses[i] = insn.address();
        }
        endsWithBranch = insns.getLast().endsBlock();
        fallThrough = insns.getLast().address() + 4;
        instructions = List.copyOf(insns);
    }

    @Override
    public int execute(PpcCpuState s) {
        HelperDispatcher d = HelperDispatcher.INSTANCE;
        int last = ids.length - 1;
        for (int i = 0; i < last; i++) {
            if (mayTrap[i]) {
                s.pc = addresses[i];
            }
            int next = d.call(ids[i], s, operands[i]);
            if (sideExit[i] && next != addresses[i] + 4) {
                return next;
            }
        }
        if (mayTrap[last]) {
            s.pc = addresses[last];
        }
        int next = d.call(ids[last], s, operands[last]);
        if (endsWithBranch) {
            lastTarget = next;
            return next;
        }
        return fallThrough;
    }
}
