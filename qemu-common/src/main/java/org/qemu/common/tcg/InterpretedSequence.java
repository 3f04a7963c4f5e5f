package org.qemu.common.tcg;

/**
 * The cheap first tier: runs a block's ops through one shared loop. Costs nothing to create,
 * so cold code (run once or a few times) never pays for class generation. The engine's generic
 * form (with {@link SequenceCompiler}, what the engine's own tests run); the x86 translator has
 * a loop of its own, {@code X86InterpretedSequence}, whose call is a virtual one on its ops' base
 * class instead of this interface call (docs/TRANSLATOR.md, "Session 24").
 */
public final class InterpretedSequence<C extends OpContext> extends OpSequence<C> {
    private final GuestOp<C>[] ops;

    public InterpretedSequence(GuestOp<C>[] ops) {
        this.ops = ops;
    }

    @Override
    public void run(C context) {
        GuestOp<C>[] o = ops;
        int i = 0;
        try {
            for (; i < o.length; i++) {
                o[i].exec(context);
            }
        } catch (RuntimeException | Error e) {
            context.recordFaultingOp(i);
            throw e;
        }
    }
}
