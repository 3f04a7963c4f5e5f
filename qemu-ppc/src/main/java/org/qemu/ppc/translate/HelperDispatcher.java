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
    private static final List<Method> HELPERS = helpers();
    private static final Map<String, Integer> IDS = ids();
    static final HelperDispatcher INSTANCE = generate();

    /** Calls helper {@code id} with the operands; returns the helper's next pc, or 0 for helpers without one. */
    public abstract int call(int id, PpcCpuState state, int[] operands);

    static int idOf(Instruction insn) {
        Integer id = IDS.get(key(insn.owner(), insn.method()));
        if (id == null) {
            throw new IllegalStateException("no helper " + insn);
        }
        return id;
    }

    private static String key(Class<?> owner, String name) {
        return owner.getSimpleName() + "." + name;
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
        all.sort(Comparator.comparing((Method m) -> key(m.getDeclaringClass(), m.getName())));
        return all;
    }

    private static Map<String, Integer> ids() {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < HELPERS.size(); i++) {
            ids.put(key(HELPERS.get(i).getDeclaringClass(), HELPERS.get(i).getName()), i);
        }
        return ids;
    }

    private static HelperDispatcher generate() {
        String self = Type.getInternalName(HelperDispatcher.class);
        String name = "org/qemu/ppc/translate/GeneratedHelperDispatcher";
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, name, null, self, null);
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, self, "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
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
        for (int i = 0; i < cases.length; i++) {
            Method m = HELPERS.get(i);
            mv.visitLabel(cases[i]);
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
        mv.visitInsn(Opcodes.ICONST_0);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
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
