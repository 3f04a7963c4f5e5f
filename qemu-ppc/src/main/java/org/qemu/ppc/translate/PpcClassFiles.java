package org.qemu.ppc.translate;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * How compiled blocks, traces and regions are written: class file version 49 (Java 5), without
 * stack map frames.
 *
 * <p>Why: from version 50 on a class file must carry a StackMapTable, and ASM computes it
 * (COMPUTE_FRAMES) by a data-flow analysis over every basic block and local of the method, with
 * the fault handlers as merge points; a trace has hundreds of basic blocks (each inline guest
 * memory access has a fast and a slow path). A version 49 class is checked by HotSpot's
 * type-inferring verifier instead, in native code, with no frames to write. The generated code
 * needs nothing newer: no invokedynamic, no interface statics, no nestmate access. qemu-i386's
 * {@code ClassFiles} measured a clear gain (thousands of block classes per run); for qemu-ppc,
 * which compiles a few dozen per run, none showed above the noise (docs/PERFORMANCE.md).
 */
final class PpcClassFiles {
    static final int VERSION = Opcodes.V1_5;

    private PpcClassFiles() {
    }

    /** A writer that computes only the maximum stack depth and local count, not frames. */
    static ClassWriter writer() {
        return new ClassWriter(ClassWriter.COMPUTE_MAXS);
    }
}
