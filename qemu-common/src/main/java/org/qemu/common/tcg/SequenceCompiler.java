package org.qemu.common.tcg;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The second tier: turns a hot block's ops into a hidden class whose {@code run} calls each op
 * through its own field, one call site per guest instruction. Every call site then sees a
 * single receiver class, so HotSpot inlines the op bodies into one compiled method per block
 * instead of dispatching megamorphically in a shared loop.
 *
 * <p>Generated with Byte Buddy's bundled ASM (about 3 us per class; the type-matching DSL costs
 * hundreds) and defined with {@link MethodHandles.Lookup#defineHiddenClass} without
 * {@code STRONG}, so a block's class is unloaded once the block is dropped.
 *
 * <p>The op in flight is tracked in a local variable; one exception handler reports it through
 * {@link OpContext#recordFaultingOp} so the CPU can restore the faulting instruction's pc.
 */
public final class SequenceCompiler<C extends OpContext> {
    private static final String PACKAGE = SequenceCompiler.class.getPackageName().replace('.', '/');
    private static final String SEQUENCE = Type.getInternalName(OpSequence.class);
    private static final String CONTEXT = Type.getInternalName(OpContext.class);

    private final String opInterface;
    private final String opMethod;
    private final String opDescriptor;
    private final String contextClass;
    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private long compiled;
    private long nanos;

    /**
     * @param opInterface the target's op interface (a sub-interface of {@link GuestOp})
     * @param contextType the target's CPU class, the argument type of the op interface's {@code exec}
     */
    public SequenceCompiler(Class<?> opInterface, Class<C> contextType) {
        this.opInterface = Type.getInternalName(opInterface);
        this.opMethod = "exec";
        this.opDescriptor = Type.getMethodDescriptor(Type.VOID_TYPE, Type.getType(contextType));
        this.contextClass = Type.getInternalName(contextType);
    }

    /** Compiles {@code ops} into a new hidden class instance. */
    @SuppressWarnings("unchecked")
    public OpSequence<C> compile(Object[] ops) {
        long start = System.nanoTime();
        byte[] bytes = generate(ops.length);
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class, Object[].class));
            OpSequence<C> sequence = (OpSequence<C>) ctor.invoke(ops);
            synchronized (this) {
                compiled++;
                nanos += System.nanoTime() - start;
            }
            return sequence;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot define compiled block", t);
        }
    }

    /** Blocks compiled so far and their total compile time, for measurements. */
    public synchronized String statistics() {
        return compiled + " blocks compiled, " + (compiled == 0 ? 0 : nanos / compiled / 1000) + " us each";
    }

    private byte[] generate(int count) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        String name = PACKAGE + "/CompiledBlock";
        String opType = "L" + opInterface + ";";
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, SEQUENCE, null);
        for (int i = 0; i < count; i++) {
            cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "op" + i, opType, null, null).visitEnd();
        }

        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, SEQUENCE, "<init>", "()V", false);
        for (int i = 0; i < count; i++) {
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(Opcodes.ALOAD, 1);
            pushInt(init, i);
            init.visitInsn(Opcodes.AALOAD);
            init.visitTypeInsn(Opcodes.CHECKCAST, opInterface);
            init.visitFieldInsn(Opcodes.PUTFIELD, name, "op" + i, opType);
        }
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        // run(OpContext ctx): locals 0 this, 1 ctx, 2 typed ctx, 3 op index
        MethodVisitor run = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "(L" + CONTEXT + ";)V", null, null);
        run.visitCode();
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        run.visitTryCatchBlock(start, end, handler, "java/lang/Throwable");
        run.visitVarInsn(Opcodes.ALOAD, 1);
        run.visitTypeInsn(Opcodes.CHECKCAST, contextClass);
        run.visitVarInsn(Opcodes.ASTORE, 2);
        run.visitInsn(Opcodes.ICONST_0);
        run.visitVarInsn(Opcodes.ISTORE, 3);
        run.visitLabel(start);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                pushInt(run, i);
                run.visitVarInsn(Opcodes.ISTORE, 3);
            }
            run.visitVarInsn(Opcodes.ALOAD, 0);
            run.visitFieldInsn(Opcodes.GETFIELD, name, "op" + i, opType);
            run.visitVarInsn(Opcodes.ALOAD, 2);
            run.visitMethodInsn(Opcodes.INVOKEINTERFACE, opInterface, opMethod, opDescriptor, true);
        }
        run.visitLabel(end);
        run.visitInsn(Opcodes.RETURN);
        run.visitLabel(handler);
        run.visitVarInsn(Opcodes.ASTORE, 4);
        run.visitVarInsn(Opcodes.ALOAD, 1);
        run.visitVarInsn(Opcodes.ILOAD, 3);
        run.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONTEXT, "recordFaultingOp", "(I)V", true);
        run.visitVarInsn(Opcodes.ALOAD, 4);
        run.visitInsn(Opcodes.ATHROW);
        run.visitMaxs(0, 0);
        run.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    private static void pushInt(MethodVisitor mv, int value) {
        if (value <= 5) {
            mv.visitInsn(Opcodes.ICONST_0 + value);
        } else if (value <= Byte.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.BIPUSH, value);
        } else {
            mv.visitIntInsn(Opcodes.SIPUSH, value);
        }
    }
}
