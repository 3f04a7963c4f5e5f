package org.qemu.common.jit;

import java.lang.reflect.Executable;

/**
 * Asks HotSpot's JIT to compile a method at a chosen tier, now, instead of waiting for the tiered
 * policy's invocation counters.
 *
 * <p>Why: a translator knows before HotSpot does which generated methods will be hot (a block
 * that already ran 64 times in our own interpreter, a loop block). Left to the tiered policy, a
 * new block class first runs some 200 times in the JVM's bytecode interpreter, waits in C1's
 * queue, then runs in C1's slow profiling tier until C2 takes it: about 0.25 s of a short run's
 * warm-up. HotSpot offers no supported API for this; its WhiteBox testing API does, through the
 * class {@code jdk.test.whitebox.WhiteBox} (module {@code qemu-whitebox}), bound only when that
 * class is on the boot class path and the JVM runs with {@code -XX:+UnlockDiagnosticVMOptions
 * -XX:+WhiteBoxAPI} (bin/qemu-launcher adds all three).
 *
 * <p>Without them (plain {@code java -cp}, the unit tests, another JVM), or with
 * {@code -Dqemu.tcg.hotspot-requests=false}, {@link #available()} is false and every request does
 * nothing: the JIT decides alone, as before.
 *
 * <p>A request the VM cannot take (a method too big for C2, a code cache that is full) makes the
 * WhiteBox code print an error line on the JVM's tty, which is the guest's stdout; so a request is
 * only made for a method the VM reports compilable at that level, and only while the code cache
 * still takes compiles ({@link #request} checks both).
 */
public final class HotSpotCompileRequests {
    /** HotSpot's tiers, as the WhiteBox API numbers them. */
    public static final int INTERPRETER = 0;
    /** C1 without profiling: quick to make, about half C2's speed, never recompiled by the policy. */
    public static final int C1_FULL_OPTIMIZATION = 1;
    /** C1 with invocation and back-edge counters only. */
    public static final int C1_LIMITED_PROFILE = 2;
    /** C1 with full profiling (branches, types): the policy takes the method to C2 from here. */
    public static final int C1_FULL_PROFILE = 3;
    /** C2. */
    public static final int C2 = 4;

    private static final String WHITE_BOX = "jdk.test.whitebox.WhiteBox";
    /** The bytecode index the WhiteBox API takes for a method's normal entry (others: on-stack replacement at that index). */
    private static final int NORMAL_ENTRY = -1;

    /** {@code getCompilationActivityMode}'s answer while the compilers take work (not stopped by a full code cache, not shut down). */
    private static final int COMPILING = 1;
    private static final boolean AVAILABLE = probe();

    /**
     * True when the WhiteBox class was loaded by the boot loader and its natives are bound. The
     * class is called directly (compiled against module qemu-whitebox): a call resolves it
     * through the boot loader first, so the calls reach the class found here. Not through method
     * handles bound here: their set-up spun method-handle classes in HotSpot's interpreter at every
     * start (most of the CPU set-up thread's samples in busybox true).
     */
    private static boolean probe() {
        if ("false".equals(System.getProperty("qemu.tcg.hotspot-requests"))) {
            return false;
        }
        try {
            // the boot loader only: a copy on the class path is never bound by the VM
            if (Class.forName(WHITE_BOX, true, null) != jdk.test.whitebox.WhiteBox.class) {
                return false;
            }
            // throws UnsatisfiedLinkError when the natives were not bound (no -XX:+WhiteBoxAPI)
            jdk.test.whitebox.WhiteBox.getCompileQueueSize(C2);
            return true;
        } catch (Throwable absent) {
            // ClassNotFoundException, LinkageError (UnsatisfiedLinkError), a changed API: run as before
            return false;
        }
    }

    private HotSpotCompileRequests() {
    }

    /** True when requests reach the JIT; false: every request does nothing. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * Asks the JIT to compile {@code method} at {@code level} in the background, unless its code
     * is at that level or higher already or it is queued. True when a compile was queued (or
     * made) by this request.
     */
    public static boolean request(Executable method, int level) {
        if (!AVAILABLE) {
            return false;
        }
        try {
            if (jdk.test.whitebox.WhiteBox.getMethodCompilationLevel0(method, false) >= level
                    || jdk.test.whitebox.WhiteBox.isMethodQueuedForCompilation0(method)
                    || !jdk.test.whitebox.WhiteBox.isMethodCompilable0(method, level, false)
                    || jdk.test.whitebox.WhiteBox.getCompilationActivityMode() != COMPILING) {
                return false;
            }
            return jdk.test.whitebox.WhiteBox.enqueueMethodForCompilation0(method, level, NORMAL_ENTRY);
        } catch (Throwable t) {
            return false;
        }
    }

    /** The tier of {@code method}'s current code ({@link #INTERPRETER}: none), or -1 without the API. */
    public static int level(Executable method) {
        if (!AVAILABLE) {
            return -1;
        }
        try {
            return jdk.test.whitebox.WhiteBox.getMethodCompilationLevel0(method, false);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** True while {@code method} waits in a compile queue or is being compiled; false without the API. */
    public static boolean queued(Executable method) {
        if (!AVAILABLE) {
            return false;
        }
        try {
            return jdk.test.whitebox.WhiteBox.isMethodQueuedForCompilation0(method);
        } catch (Throwable t) {
            return false;
        }
    }

    /** Methods waiting in the queue of the compiler that makes {@code level}'s code, or -1 without the API. */
    public static int queueSize(int level) {
        if (!AVAILABLE) {
            return -1;
        }
        try {
            return jdk.test.whitebox.WhiteBox.getCompileQueueSize(level);
        } catch (Throwable t) {
            return -1;
        }
    }
}
