package org.qemu.common.tcg;

/**
 * Thrown by a store, before it writes, when its invalidation killed the translated code that is
 * running it (self-modifying code within one block or loop pass). It travels the same way as a
 * memory fault, so the guest state is left exactly at the storing instruction; the run loop
 * then runs that instruction alone, and the code after it is translated afresh from the bytes
 * the store wrote. One shared instance without a stack trace: it carries nothing.
 */
public final class RunningCodeOverwritten extends RuntimeException {
    public static final RunningCodeOverwritten INSTANCE = new RunningCodeOverwritten();

    private RunningCodeOverwritten() {
        super("a store overwrote the code running it", null, false, false);
    }
}
