package org.qemu.ppc.translate;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * How compiled blocks, traces and regions are written: class file version 49 (Java 5), without
 * stack map frames.
 *
 * <p>Why: from version 50 on a class file must carry a StackMapTable, and ASM computes it
 * (COMPUTE_FRAMES) by a data-flow analysis over every basic block and local of the method, with
 * the fault handlers as merge points. A trace has hundreds of basic blocks (each inline guest
 * memory access has a fast and a slow path), so the analysis was the translator's most expensive
 * step, run first in the JVM's bytecode interpreter and then compiled by C2 (ASM's
 * {@code Frame.merge} and {@code Frame.execute} were C2's longest compilations after the helper
 * dispatcher, on the one C2 thread the block classes wait for). A version 49 class is checked by
 * HotSpot's type-inferring verifier instead, in native code, with no frames to write. The
 * generated code needs nothing newer: no invokedynamic, no interface statics, no nestmate access.
 * (The x86 translator made the same change, qemu-i386's {@code ClassFiles}.)
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
