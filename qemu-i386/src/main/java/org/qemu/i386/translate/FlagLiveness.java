package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;

/**
 * Which instructions of a straight run of code set flags that nothing reads: a later instruction
 * overwrites them all before any instruction reads them, and nothing in between can fault (a
 * fault would show them in the signal frame). The emitter then leaves out what only those flags
 * need: a rotate's CF/OF and the saved record whose SF ZF AF PF it keeps (five field stores),
 * inc/dec's carry evaluation, the lazy record of an ALU result. Hashes rotate and count all the
 * time and test their flags only at the loop's end.
 *
 * <p>Conservative: an instruction not known here (an op called through its field, a branch, a
 * flag reader) and the end of the run count as reading every flag.
 */
final class FlagLiveness {
    private FlagLiveness() {
    }

    /**
     * Marks in {@code dead} (indexed like {@code ops}) the instructions from {@code from} up to
     * {@code to} (exclusive) whose flags are dead; the flags are live after {@code to - 1}.
     */
    static void mark(X86Op[] ops, int from, int to, boolean[] dead) {
        boolean live = true;
        for (int i = to - 1; i >= from; i--) {
            X86Op op = ops[i];
            dead[i] = !live;
            switch (effect(op)) {
                case WRITES_ALL -> live = mayFault(op);
                case KEEPS_OR_PASSES_ON -> live = live || mayFault(op);
                case NEEDS_OWN_INPUT -> live = !dead[i] || mayFault(op);
                default -> live = true;
            }
        }
    }

    private enum Effect {
        /** Sets all six flags from its own operands. */
        WRITES_ALL,
        /** Neither reads nor writes flags. */
        KEEPS_OR_PASSES_ON,
        /** Sets flags partly from the flags before it (rotates keep SZAP, inc/dec keep CF): reads them only when its own are read. */
        NEEDS_OWN_INPUT,
        /** Reads flags, or is not known here. */
        READS
    }

    private static Effect effect(X86Op op) {
        if (op instanceof ArithmeticOps.Binary b) {
            return b.kind == ArithmeticOps.ADC || b.kind == ArithmeticOps.SBB ? Effect.READS : Effect.WRITES_ALL;
        }
        if (op instanceof ArithmeticOps.ZeroRegister) {
            return Effect.WRITES_ALL;
        }
        if (op instanceof ArithmeticOps.Unary u) {
            return switch (u.kind) {
                case ArithmeticOps.INC, ArithmeticOps.DEC -> Effect.NEEDS_OWN_INPUT;
                case ArithmeticOps.NOT -> Effect.KEEPS_OR_PASSES_ON;
                default -> Effect.WRITES_ALL;
            };
        }
        if (X86Emitter.isInlineShift(op)) {
            int kind = ((ShiftOps.Shift) op).kind;
            return kind == ShiftOps.ROL || kind == ShiftOps.ROR ? Effect.NEEDS_OWN_INPUT : Effect.WRITES_ALL;
        }
        if (op instanceof MulDivOps.Multiply m && m.dst.bits != 8) {
            return Effect.WRITES_ALL;
        }
        if (X86Emitter.isInlineDoubleShift(op)) {
            return Effect.WRITES_ALL;
        }
        if (op instanceof InlineXmmOp x && x.xmmForm() != null) {
            return SseEmitter.writesFlags(x.xmmForm()) ? Effect.WRITES_ALL : Effect.KEEPS_OR_PASSES_ON;
        }
        if (op instanceof MoveOps.Move || op instanceof MoveOps.MoveExtend || op instanceof MoveOps.LoadEffectiveAddress
                || op instanceof StackOps.Push || (op instanceof StackOps.Pop p && p.dst instanceof Operand.Register)
                || (op instanceof MoveOps.ByteSwap bs && bs.bits == 32)) {
            return Effect.KEEPS_OR_PASSES_ON;
        }
        return Effect.READS;
    }

    /** True when the instruction may fault: it touches guest memory. */
    private static boolean mayFault(X86Op op) {
        if (op instanceof StackOps.Push || op instanceof StackOps.Pop) {
            return true;
        }
        if (op instanceof ArithmeticOps.Binary b) {
            return b.dst instanceof Operand.Memory || b.src instanceof Operand.Memory;
        }
        if (op instanceof ArithmeticOps.Unary u) {
            return u.dst instanceof Operand.Memory;
        }
        if (op instanceof MulDivOps.Multiply m) {
            return m.a instanceof Operand.Memory || m.b instanceof Operand.Memory;
        }
        if (op instanceof MoveOps.Move m) {
            return m.dst instanceof Operand.Memory || m.src instanceof Operand.Memory;
        }
        if (op instanceof MoveOps.MoveExtend m) {
            return m.src instanceof Operand.Memory;
        }
        if (op instanceof InlineXmmOp x && x.xmmForm() != null) {
            return SseEmitter.mayFault(x.xmmForm());
        }
        if (X86Emitter.isInlineDoubleShift(op)) {
            return false;
        }
        // lea computes an address without touching it; register shifts and zeroing touch nothing
        return !(op instanceof MoveOps.LoadEffectiveAddress || op instanceof ArithmeticOps.ZeroRegister
                || op instanceof ShiftOps.Shift || op instanceof MoveOps.ByteSwap);
    }
}
