package org.qemu.ppc.translate;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.ppc.cpu.FloatOps;
import org.qemu.ppc.cpu.FlowOps;
import org.qemu.ppc.cpu.IntegerOps;
import org.qemu.ppc.cpu.LoadStoreOps;
import org.qemu.ppc.cpu.PpcCpuState;

/**
 * Calls any semantic helper by number: one generated class with a {@code tableswitch} over
 * every helper, so cold code can run without a class of its own per block (the cheap tier).
 */
public abstract class HelperDispatcher {
    /** Declared before HELPERS: static initializers run in order. */
    private static final Comparator<Method> BY_CLASS_AND_NAME = new Comparator<>() {
        @Override
        public int compare(Method x, Method y) {
            int byClass = x.getDeclaringClass().getSimpleName().compareTo(y.getDeclaringClass().getSimpleName());
            return byClass != 0 ? byClass : x.getName().compareTo(y.getName());
        }
    };

    private static final List<Method> HELPERS = helpers();
    /** Helper numbers by declaring class and name (no string building: idOf runs for every decoded instruction). */
    private static final Map<Class<?>, Map<String, Integer>> IDS = ids();
    static final HelperDispatcher INSTANCE = generate();

    /** Calls helper {@code id} with the operands; returns the helper's next pc, or 0 for helpers without one. */
    public abstract int call(int id, PpcCpuState state, int[] operands);

    static int idOf(Instruction insn) {
        Map<String, Integer> byName = IDS.get(insn.owner());
        Integer id = byName == null ? null : byName.get(insn.method());
        if (id == null) {
            throw new IllegalStateException("no helper " + insn);
        }
        return id;
    }

    private static List<Method> helpers() {
        List<Method> all = new ArrayList<>();
        for (Class<?> c : List.of(IntegerOps.class, LoadStoreOps.class, FloatOps.class, FlowOps.class)) {
            for (Method m : c.getDeclaredMethods()) {
                Class<?>[] p = m.getParameterTypes();
                boolean intsOnly = p.length > 0 && p[0] == PpcCpuState.class;
                for (int i = 1; i < p.length && intsOnly; i++) {
                    intsOnly = p[i] == int.class;
                }
                if (Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && intsOnly
                        && (m.getReturnType() == void.class || m.getReturnType() == int.class)) {
                    all.add(m);
                }
            }
        }
        // A named comparator, not a lambda: this runs at every start-up, where spinning a lambda
        // class (and a string concatenation's call site) cost more than the rest of this class.
        all.sort(BY_CLASS_AND_NAME);
        return all;
    }

    private static Map<Class<?>, Map<String, Integer>> ids() {
        Map<Class<?>, Map<String, Integer>> ids = new HashMap<>();
        for (int i = 0; i < HELPERS.size(); i++) {
            Method m = HELPERS.get(i);
            Map<String, Integer> byName = ids.get(m.getDeclaringClass());
            if (byName == null) {
                byName = new HashMap<>();
                ids.put(m.getDeclaringClass(), byName);
            }
            byName.put(m.getName(), i);
        }
        return ids;
    }

    private static HelperDispatcher generate() {
        String self = Type.getInternalName(HelperDispatcher.class);
        String name = "org/qemu/ppc/translate/GeneratedHelperDispatcher";
        // No frame computation: ASM's data-flow analysis over a few hundred cases was most of
        // this class's start-up cost. Every case starts with the method's entry frame (the
        // locals never change, the stack is empty), so each label gets F_SAME, and the deepest
        // stack is the state, the helper's other arguments and an array load's two operands.
        ClassWriter cw = new ClassWriter(0);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, self, null);
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, self, "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(1, 1);
        init.visitEnd();
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "call", "(IL" + Type.getInternalName(PpcCpuState.class) + ";[I)I", null, null);
        mv.visitCode();
        Label[] cases = new Label[HELPERS.size()];
        for (int i = 0; i < cases.length; i++) {
            cases[i] = new Label();
        }
        Label unknown = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitTableSwitchInsn(0, cases.length - 1, unknown, cases);
        int maxStack = 1;
        for (int i = 0; i < cases.length; i++) {
            Method m = HELPERS.get(i);
            mv.visitLabel(cases[i]);
            mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
            maxStack = Math.max(maxStack, m.getParameterCount() + 2);
            mv.visitVarInsn(Opcodes.ALOAD, 2);
            for (int j = 0; j < m.getParameterCount() - 1; j++) {
                mv.visitVarInsn(Opcodes.ALOAD, 3);
                PpcTranslator.pushInt(mv, j);
                mv.visitInsn(Opcodes.IALOAD);
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(m.getDeclaringClass()), m.getName(),
                    Type.getMethodDescriptor(m), false);
            if (m.getReturnType() == void.class) {
                mv.visitInsn(Opcodes.ICONST_0);
            }
            mv.visitInsn(Opcodes.IRETURN);
        }
        mv.visitLabel(unknown);
        mv.visitFrame(Opcodes.F_SAME, 0, null, 0, null);
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(maxStack, 4);
        mv.visitEnd();
        cw.visitEnd();
        try {
            Class<?> c = MethodHandles.lookup().defineHiddenClass(cw.toByteArray(), true).lookupClass();
            return (HelperDispatcher) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
