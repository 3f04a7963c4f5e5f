package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * How the compiled tiers write their class files: version 49 (Java 5) without stack map frames.
 *
 * <p>Why: a class file of version 50 or later must carry a StackMapTable, and ASM computes it
 * (COMPUTE_FRAMES) with a data-flow analysis over every basic block of the method and every
 * local, merged into the one exception handler that covers the whole method. A block method has
 * hundreds of basic blocks (each guest memory access has a fast and a slow path) and about fifty
 * locals, so that analysis was the translator's most expensive step: measured on busybox
 * sha256sum of 32 MiB (JFR compilation events), HotSpot's C2 spent more time compiling ASM's
 * {@code Frame.merge} and {@code Frame.execute} than any translated block, and the analysis ran
 * in the JVM interpreter before that. A version 49 class is checked by HotSpot's type-inferring
 * verifier instead, in native code, with no frames to write. Our code needs nothing newer: no
 * invokedynamic, no static or private interface methods, no nestmates.
 */
final class ClassFiles {
    static final int VERSION = Opcodes.V1_5;

    private ClassFiles() {
    }

    /** A writer that computes only the maximum stack depth and local count, not frames. */
    static ClassWriter writer() {
        return new ClassWriter(ClassWriter.COMPUTE_MAXS);
    }
}
