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

    /**
     * 64-bit code: true when the flags on entry to {@code ops[from..to)} are read before an
     * instruction overwrites them all (the flags are live after {@code to - 1}). Faults do not
     * count here: the long-mode emitter's fault handler restores the flag record from its locals
     * whatever the analysis says, so this only decides whether the state object must hold the
     * entry flags (a loop block's backward jump then skips storing them).
     */
    static boolean liveOnLongModeEntry(X86Op[] ops, int from, int to) {
        boolean live = true;
        for (int i = to - 1; i >= from; i--) {
            Effect e = longModeEffect(ops[i]);
            if (e == Effect.WRITES_ALL) {
                live = false;
            } else if (e == Effect.READS) {
                live = true;
            } // passing flags on (rotates, inc/dec) reads them only where its own are live
        }
        return live;
    }

    private static Effect longModeEffect(X86Op op) {
        if (op instanceof QuadwordOps.Binary b) {
            return b.kind == ArithmeticOps.ADC || b.kind == ArithmeticOps.SBB ? Effect.READS : Effect.WRITES_ALL;
        }
        if (op instanceof QuadwordOps.Unary u) {
            return switch (u.kind) {
                case ArithmeticOps.INC, ArithmeticOps.DEC -> Effect.NEEDS_OWN_INPUT;
                case ArithmeticOps.NOT -> Effect.KEEPS_OR_PASSES_ON;
                default -> Effect.WRITES_ALL;
            };
        }
        int shiftKind = -1;
        Operand count = null;
        if (op instanceof QuadwordOps.Shift sh) {
            shiftKind = sh.kind;
            count = sh.count;
        } else if (op instanceof ShiftOps.Shift sh) {
            shiftKind = sh.kind;
            count = sh.count;
        }
        if (shiftKind >= 0) {
            // a count of 0 (possible with cl) changes nothing; rcl/rcr read CF
            if (!(count instanceof Operand.Immediate imm) || (imm.value & 31) == 0 || shiftKind == ShiftOps.RCL || shiftKind == ShiftOps.RCR) {
                return Effect.READS;
            }
            return shiftKind == ShiftOps.ROL || shiftKind == ShiftOps.ROR ? Effect.NEEDS_OWN_INPUT : Effect.WRITES_ALL;
        }
        if (op instanceof QuadwordOps.Multiply || op instanceof QuadwordOps.WideMultiply) {
            return Effect.WRITES_ALL;
        }
        if (op instanceof QuadwordOps.Move || op instanceof QuadwordOps.MoveExtend || op instanceof QuadwordOps.LoadEffectiveAddress
                || op instanceof QuadwordOps.ByteSwap || op instanceof QuadwordOps.SignExtendAccumulator || op instanceof SystemOps.Nop
                || op instanceof LongModeOps.Push || (op instanceof LongModeOps.Pop p && p.dst instanceof Operand.Register)
                || op instanceof FpuOnlyOp) {
            return Effect.KEEPS_OR_PASSES_ON;
        }
        // inside a trace, its calls, returns and jumps: no flag moves (a guard that leaves stores
        // the record of its run-time kind)
        if (op instanceof LongModeOps.Call || op instanceof LongModeOps.Return || op instanceof LongModeOps.Goto
                || op instanceof LongModeOps.IndirectJump) {
            return Effect.KEEPS_OR_PASSES_ON;
        }
        if (op instanceof ShiftOps.Shift) {
            return Effect.READS;
        }
        return effect(op);
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
