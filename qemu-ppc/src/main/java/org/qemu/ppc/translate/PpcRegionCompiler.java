package org.qemu.ppc.translate;

import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.ppc.cpu.PpcCpuState;

/**
 * Compiles a page's hot blocks into one {@link PpcRegion}: {@code while (true) switch (pc)}
 * with each block's helper calls inlined in a case. The hottest blocks go first until the
 * method nears HotSpot's 8,000-byte limit for JIT compilation.
 */
final class PpcRegionCompiler {
    /** Stay well below HugeMethodLimit (8,000 bytes): bigger methods are never compiled. */
    static final int BYTECODE_BUDGET = 7000;

    private static final String STATE = Type.getInternalName(PpcCpuState.class);
    private static final String REGION = Type.getInternalName(PpcRegion.class);
    private static final String CLASS_NAME = "org/qemu/ppc/translate/GuestRegion";
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private PpcRegionCompiler() {
    }

    /** The blocks that fit the budget, hottest first; empty if none is worth it. */
    static List<PpcBlock> select(List<PpcBlock> pageBlocks) {
        List<PpcBlock> sorted = new ArrayList<>(pageBlocks);
        sorted.sort(Comparator.comparingInt((PpcBlock b) -> b.executions).reversed());
        List<PpcBlock> chosen = new ArrayList<>();
        int size = 64;
        for (PpcBlock b : sorted) {
            if (!b.valid || b.instructions.isEmpty()) {
                continue;
            }
            int cost = 32;
            for (Instruction insn : b.instructions) {
                cost += PpcTranslator.estimatedSize(insn);
            }
            if (size + cost > BYTECODE_BUDGET) {
                continue;
            }
            size += cost;
            chosen.add(b);
        }
        return chosen;
    }

    static PpcRegion compile(long page, List<PpcBlock> blocks) {
        byte[] bytes = generate(blocks);
        try {
            Class<?> c = LOOKUP.defineHiddenClass(bytes, false, MethodHandles.Lookup.ClassOption.NESTMATE).lookupClass();
            return (PpcRegion) c.getDeclaredConstructor(long.class).newInstance(page);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot define region for page 0x" + Long.toHexString(page), e);
        }
    }

    static byte[] generate(List<PpcBlock> blocks) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, CLASS_NAME, null, REGION, null);
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "(J)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.LLOAD, 1);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, REGION, "<init>", "(J)V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        // execute(state=1, pc=2)
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "execute", "(L" + STATE + ";I)I", null, null);
        mv.visitCode();
        Label dispatch = new Label();
        Label leave = new Label();
        Label next = new Label();
        List<PpcBlock> sorted = new ArrayList<>(blocks);
        sorted.sort(Comparator.comparingInt(b -> b.start));
        int[] keys = new int[sorted.size()];
        Label[] cases = new Label[sorted.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = sorted.get(i).start;
            cases[i] = new Label();
        }
        BlockEmitter emitter = new BlockEmitter(mv);
        emitter.prologue();
        mv.visitLabel(dispatch);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitLookupSwitchInsn(leave, keys, cases);
        for (int i = 0; i < keys.length; i++) {
            mv.visitLabel(cases[i]);
            emitter.forget();
            List<Instruction> insns = sorted.get(i).instructions;
            boolean ended = false;
            for (Instruction insn : insns) {
                PpcTranslator.emit(mv, emitter, insn);
                if (insn.endsBlock()) {
                    mv.visitVarInsn(Opcodes.ISTORE, 2);
                    if (insn.method().equals("sc")) {
                        mv.visitJumpInsn(Opcodes.GOTO, leave); // the runner serves the system call
                    } else {
                        mv.visitJumpInsn(Opcodes.GOTO, next);
                    }
                    ended = true;
                    break;
                }
            }
            if (!ended) {
                emitter.flush();
                PpcTranslator.pushInt(mv, insns.getLast().address() + 4);
                mv.visitVarInsn(Opcodes.ISTORE, 2);
                mv.visitJumpInsn(Opcodes.GOTO, next);
            }
        }
        // Between blocks: stop if another thread wants this CPU, else dispatch on the new pc.
        mv.visitLabel(next);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
        mv.visitJumpInsn(Opcodes.IFEQ, dispatch);
        mv.visitLabel(leave);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitInsn(Opcodes.IRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
