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
                + inlined + " of " + total + " instructions inline, largest class " + largestClass + " bytes"
                + (CALLED_64.isEmpty() ? "" : ", 64-bit ops called " + new java.util.TreeMap<>(CALLED_64));
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
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        if (longMode && LONG_MODE_INLINE) {
            generateLongMode(mv, ops, inlineCount, start, end, handler);
            cw.visitEnd();
            return cw.toByteArray();
        }
        X86Emitter emitter = new X86Emitter(longMode);
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

    /** {@code -Dqemu.tcg.long-mode-inline=false}: 64-bit blocks call every op (the comparison point). */
    private static final boolean LONG_MODE_INLINE = !"false".equals(System.getProperty("qemu.tcg.long-mode-inline"));

    private static void generateLongMode(MethodVisitor mv, X86Op[] ops, int[] inlineCount, Label start, Label end, Label handler) {
        LongModeEmitter emitter = new LongModeEmitter();
        emitter.prologue(mv);
        mv.visitLabel(start);
        for (int i = 0; i < ops.length; i++) {
            if (emitter.emitOp(mv, ops[i], i, NAME, "op" + i)) {
                inlineCount[0]++;
            } else {
                CALLED_64.merge(ops[i].getClass().getName().replaceFirst(".*\\.", ""), 1, Integer::sum);
            }
        }
        emitter.flushAll(mv);
        mv.visitLabel(end);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        emitter.faultHandler(mv);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /** Ops of compiled 64-bit blocks still called through their field, by class (for qemu.tcg.stats: what to inline next). */
    private static final java.util.Map<String, Integer> CALLED_64 = new java.util.concurrent.ConcurrentHashMap<>();

    static void push(MethodVisitor mv, int value) {
        X86Emitter.push(mv, value);
    }
}
