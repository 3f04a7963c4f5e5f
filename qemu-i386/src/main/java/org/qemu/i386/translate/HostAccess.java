package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.qemu.common.memory.GuestMemory;

/**
 * The host load or store of an inline memory fast path, emitted as one call of
 * {@code sun.misc.Unsafe} on a constant instance instead of {@code GuestMemory.hostLoad32}, which
 * gets there through {@code HostLoadStore.rawGet32}.
 *
 * <p>Why: while a block class runs as C1's profiling code (tier 3, the ~100 ms between a class's
 * first C1 compile and C2's code on sha256sum), every method inlined on the way to the Unsafe
 * intrinsic bumps its own invocation counter and its call site's counter in its method data, and
 * those counters are shared by every access of every block: sha256's round does 26 accesses, so
 * each counter is a chain of 26 dependent read-modify-writes a round. Calling Unsafe directly
 * takes two of the five inlined levels (and their counters) off every access; C2's code is the
 * same (it inlined the whole chain to one load before). Only used when
 * {@link GuestMemory#directAccess()} is true, as the helpers it replaces.
 */
final class HostAccess {
    /**
     * Null when direct access is off (the emitter then never takes the inline fast path) or
     * {@code -Dqemu.tcg.direct-unsafe=false} (the GuestMemory helpers, kept for measuring).
     */
    @SuppressWarnings("removal")
    static final sun.misc.Unsafe UNSAFE = "false".equals(System.getProperty("qemu.tcg.direct-unsafe"))
            ? null : GuestMemory.directAccessUnsafe();

    private static final String OWNER = Type.getInternalName(HostAccess.class);
    private static final String UNSAFE_NAME = "sun/misc/Unsafe";
    private static final String UNSAFE_DESC = "L" + UNSAFE_NAME + ";";

    private HostAccess() {
    }

    /** True when the emitter may use {@link #load} and {@link #store}. */
    static boolean available() {
        return UNSAFE != null;
    }

    /**
     * Puts the Unsafe instance under the host address (a long) on top of the stack: the
     * receiver of the call {@link #load} or {@link #store} emits.
     */
    static void receiverUnderAddress(MethodVisitor mv) {
        mv.visitFieldInsn(Opcodes.GETSTATIC, OWNER, "UNSAFE", UNSAFE_DESC);
        mv.visitInsn(Opcodes.DUP_X2);
        mv.visitInsn(Opcodes.POP);
    }

    /** Host address (long) on the stack -> the zero-extended value ({@code bits} 8, 16 or 32) as an int. */
    static void load(MethodVisitor mv, int bits) {
        receiverUnderAddress(mv);
        switch (bits) {
            case 8 -> {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "getByte", "(J)B", false);
                mv.visitIntInsn(Opcodes.SIPUSH, 0xff);
                mv.visitInsn(Opcodes.IAND);
            }
            case 16 -> {
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "getShort", "(J)S", false);
                mv.visitLdcInsn(0xffff);
                mv.visitInsn(Opcodes.IAND);
            }
            case 32 -> mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "getInt", "(J)I", false);
            default -> throw new IllegalArgumentException("host load of " + bits + " bits");
        }
    }

    /**
     * Stores the int in local {@code valueLocal} ({@code bits} 8, 16 or 32 of it) at the host
     * address (a long) on the stack.
     */
    static void store(MethodVisitor mv, int bits, int valueLocal) {
        receiverUnderAddress(mv);
        mv.visitVarInsn(Opcodes.ILOAD, valueLocal);
        switch (bits) {
            case 8 -> {
                mv.visitInsn(Opcodes.I2B);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "putByte", "(JB)V", false);
            }
            case 16 -> {
                mv.visitInsn(Opcodes.I2S);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "putShort", "(JS)V", false);
            }
            case 32 -> mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE_NAME, "putInt", "(JI)V", false);
            default -> throw new IllegalArgumentException("host store of " + bits + " bits");
        }
    }
}
