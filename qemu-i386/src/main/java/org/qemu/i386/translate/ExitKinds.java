package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;

/**
 * A measurement aid ({@code -Dqemu.tcg.entry-stats=true}): names the kind of instruction a block ends
 * with, so the run loop's entry statistics can say which exits come back to it.
 */
public final class ExitKinds {
    private ExitKinds() {
    }

    /**
     * Why a block still runs interpreted: its class was asked for and is not ready yet (queued on
     * the background compiler, or being made), or the compile policy has not asked for it yet.
     */
    public static String interpretedBecause(X86Block block) {
        return block.nextCheck == CompilePolicy.NEVER ? "class asked for, not ready" : "not due for a class yet";
    }

    /** The kind of the block's last instruction: its op's class name, an indirect call told apart from a direct one. */
    public static String of(X86Block block) {
        X86Op[] ops = block.ops();
        if (ops.length == 0) {
            return "empty";
        }
        X86Op last = ops[ops.length - 1];
        if (last instanceof LongModeOps.Call c) {
            return c.indirectTarget == null ? "call64" : "call64-indirect";
        }
        String name = last.getClass().getName();
        int lambda = name.indexOf("$$Lambda");
        if (lambda >= 0) {
            name = "lambda:" + name.substring(0, lambda);
        }
        name = name.substring(name.lastIndexOf('.') + 1);
        if (!last.endsBlock()) {
            name += "(falls through)";
        }
        return name;
    }
}
