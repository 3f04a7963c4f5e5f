package org.qemu.i386.translate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.OpSequence;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;

/**
 * The block tier for x86: compiles one block into a hidden class whose {@code run} method is the
 * block's instructions as JVM bytecode, emitted by {@link X86Emitter} (registers and lazy flags in
 * locals, the common instructions inline, every other one a call to its op through a field of its
 * own, a monomorphic call site). Hot loops go further, into a region ({@link RegionCompiler}).
 *
 * <p>Precise exceptions: each instruction's memory accesses come before its register and flag
 * updates; the index of the instruction in flight is kept in a local that the one exception
 * handler reports through {@link OpContext#recordFaultingOp}.
 */
public final class BytecodeBlockCompiler {
    private static final String NAME = BytecodeBlockCompiler.class.getPackageName().replace('.', '/') + "/TranslatedBlock";
    private static final String OP = X86Emitter.OP;
    private static final String CONTEXT = X86Emitter.CONTEXT;
    private static final String SEQUENCE = Type.getInternalName(OpSequence.class);

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private long compiled;
    private long inlined;
    private long total;
    private long nanos;
    private int largestClass;

    /** Compiles the ops of one block (one per guest instruction) into a new hidden class instance. */
    @SuppressWarnings("unchecked")
    public OpSequence<X86Cpu> compile(X86Op[] ops) {
        return compile(ops, false);
    }

    /**
     * {@code longMode}: the block is 64-bit code, whose ops are all called (the inline emitters
     * keep 32-bit registers in int locals and wrap addresses to 32 bits).
     */
    public OpSequence<X86Cpu> compile(X86Op[] ops, boolean longMode) {
        long start = System.nanoTime();
        int[] counts = new int[1];
        byte[] bytes;
        synchronized (this) {
            bytes = generate(ops, counts, longMode);
        }
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class, Object[].class));
            OpSequence<X86Cpu> sequence = (OpSequence<X86Cpu>) ctor.invoke((Object[]) ops);
            synchronized (this) {
                compiled++;
                largestClass = Math.max(largestClass, bytes.length);
                inlined += counts[0];
                total += ops.length;
                nanos += System.nanoTime() - start;
            }
            return sequence;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot define translated block", t);
        }
    }

    public synchronized String statistics() {
        return compiled + " blocks compiled (" + (compiled == 0 ? 0 : nanos / compiled / 1000) + " us each), "
                + inlined + " of " + total + " instructions inline, largest class " + largestClass + " bytes";
    }

    private byte[] generate(X86Op[] ops, int[] inlineCount, boolean longMode) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        String opType = "L" + OP + ";";
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null, SEQUENCE, null);
        for (int i = 0; i < ops.length; i++) {
            cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "op" + i, opType, null, null).visitEnd();
        }
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, SEQUENCE, "<init>", "()V", false);
        for (int i = 0; i < ops.length; i++) {
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(Opcodes.ALOAD, 1);
            push(init, i);
            init.visitInsn(Opcodes.AALOAD);
            init.visitTypeInsn(Opcodes.CHECKCAST, OP);
            init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "op" + i, opType);
        }
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "(L" + CONTEXT + ";)V", null, null);
        mv.visitCode();
        X86Emitter emitter = new X86Emitter(longMode, false, WINDOWS ? planWindows(ops, longMode) : null);
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        emitter.prologue(mv, true);
        mv.visitLabel(start);
        for (int i = 0; i < ops.length; i++) {
            if (emitter.emitOp(mv, ops[i], i, NAME, "op" + i)) {
                inlineCount[0]++;
            }
        }
        emitter.flushAll(mv);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        emitter.faultHandler(mv);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Verified windows in blocks ({@link AccessWindows}); {@code -Dqemu.tcg.access-windows=false} turns them off, for comparison. */
    static final boolean WINDOWS = !"false".equals(System.getProperty("qemu.tcg.access-windows"));

    /** The first pass: the block's body emitted into nothing, to see which accesses share a window. */
    private static AccessWindows planWindows(X86Op[] ops, boolean longMode) {
        AccessWindows plan = AccessWindows.recording();
        MethodVisitor nowhere = new MethodVisitor(Opcodes.ASM9) {
        };
        X86Emitter planner = new X86Emitter(longMode, false, plan);
        planner.prologue(nowhere, true);
        for (int i = 0; i < ops.length; i++) {
            planner.emitOp(nowhere, ops[i], i, NAME, "op" + i);
        }
        return plan.replay();
    }

    static void push(MethodVisitor mv, int value) {
        X86Emitter.push(mv, value);
    }
}
