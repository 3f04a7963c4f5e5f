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
    /** HotSpot's HugeMethodLimit: a method with more bytecode than this is never JIT-compiled. */
    static final int HUGE_METHOD_LIMIT = 8000;
    /**
     * What a region may use of C2's DesiredMethodLimit (8,000 bytecodes for a method and all it
     * inlines, counting even force-inlined JDK code): beyond it nothing more is inlined, and every
     * guest memory access and helper becomes a real call. So a region is sized by its own
     * bytecode plus an estimate of what its helpers and memory accesses inline.
     */
    static final int INLINING_BUDGET = Integer.getInteger("qemu.ppc.inliningBudget", 7000);
    /** Instructions measured at most per compilation (keeps the measuring pass far below the 64 KiB method limit). */
    static final int MEASURED_INSTRUCTIONS = 1500;

    /**
     * Blocks that ran fewer times than this outside any region stay out: start-up code of the
     * page would only make the method bigger and slower to JIT-compile. A block that gets hot
     * later runs outside the region, counts up, and joins when the region is recompiled.
     */
    static final int WARM_BLOCK = Integer.getInteger("qemu.ppc.warmBlock", 100);

    private static final String STATE = Type.getInternalName(PpcCpuState.class);
    private static final String REGION = Type.getInternalName(PpcRegion.class);
    private static final String CLASS_NAME = "org/qemu/ppc/translate/GuestRegion";
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private PpcRegionCompiler() {
    }

    /**
     * The blocks that fit the budget, hottest first; empty if none. Each block's bytecode size
     * is measured by compiling the candidates once (a few microseconds per block), so the
     * region fills the budget instead of trusting an estimate.
     */
    static List<PpcBlock> select(List<PpcBlock> pageBlocks) {
        List<PpcBlock> sorted = new ArrayList<>();
        // A trace is listed on every page it runs code from, so the pages of a merged region
        // can list it twice; one case per start (a lookupswitch rejects duplicate keys).
        java.util.Set<Integer> starts = new java.util.HashSet<>();
        for (PpcBlock b : pageBlocks) {
            if (b.valid && !b.instructions.isEmpty() && b.executions >= WARM_BLOCK && starts.add(b.start)) {
                sorted.add(b);
            }
        }
        sorted.sort(Comparator.comparingInt((PpcBlock b) -> b.executions).reversed());
        int instructions = 0;
        int measured = 0;
        while (measured < sorted.size() && instructions + sorted.get(measured).instructions.size() <= MEASURED_INSTRUCTIONS) {
            instructions += sorted.get(measured++).instructions.size();
        }
        List<PpcBlock> candidates = sorted.subList(0, measured);
        int[] sizes = generate(candidates).caseSizes();
        List<PpcBlock> chosen = new ArrayList<>();
        int size = 0;
        for (int i = 0; i < candidates.size(); i++) {
            int cost = sizes[i] + 8; // its code plus its lookupswitch entry
            for (Instruction insn : candidates.get(i).instructions) {
                cost += inlinedSize(insn);
            }
            if (size + cost <= INLINING_BUDGET) {
                size += cost;
                chosen.add(candidates.get(i));
            }
        }
        return chosen;
    }

    /** Roughly the bytecode HotSpot inlines for one instruction: a guest memory access through GuestMemory and MemorySegment is the big one. */
    static int inlinedSize(Instruction insn) {
        return switch (insn.owner().getSimpleName()) {
            case "LoadStoreOps" -> 220;
            case "FloatOps" -> 250;
            case "FlowOps" -> 40;
            default -> BlockEmitter.isInline(insn) ? 0 : 40;
        };
    }

    static PpcRegion compile(long page, List<PpcBlock> blocks) {
        List<PpcBlock> chosen = new ArrayList<>(blocks);
        Generated code = generate(chosen);
        while (code.size() > HUGE_METHOD_LIMIT && chosen.size() > 1) {
            chosen.removeLast(); // the coldest (select orders hottest first)
            code = generate(chosen);
        }
        try {
            Class<?> c = LOOKUP.defineHiddenClass(code.bytes(), false).lookupClass();
            return (PpcRegion) c.getDeclaredConstructor(long.class).newInstance(page);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot define region for page 0x" + Long.toHexString(page), e);
        }
    }

    /**
     * Goes straight to a block of the region when the pc (local 2) is {@code target}; a jump
     * backwards first checks whether another thread asked this CPU to stop, so every loop polls.
     */
    private static void jumpIfPc(MethodVisitor mv, int target, Label to, boolean backwards, Label leave) {
        Label other = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        PpcTranslator.pushInt(mv, target);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, other);
        if (backwards) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
            mv.visitJumpInsn(Opcodes.IFNE, leave);
        }
        mv.visitJumpInsn(Opcodes.GOTO, to);
        mv.visitLabel(other);
    }

    /** A region class, its execute method's bytecode size and each block's share of it (in the order given). */
    record Generated(byte[] bytes, int size, int[] caseSizes) {
    }

    /** The region class; also the measuring pass of {@link #select} (no frames to compute either way). */
    static Generated generate(List<PpcBlock> blocks) {
        ClassWriter cw = PpcClassFiles.writer();
        cw.visit(PpcClassFiles.VERSION, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, CLASS_NAME, null, REGION, null);
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
        Label[] caseEnds = new Label[sorted.size()];
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
        java.util.Map<Integer, Label> caseAt = new java.util.HashMap<>();
        for (int i = 0; i < keys.length; i++) {
            caseAt.put(keys[i], cases[i]);
        }
        for (int i = 0; i < keys.length; i++) {
            mv.visitLabel(cases[i]);
            emitter.forget();
            PpcBlock block = sorted.get(i);
            List<Instruction> insns = block.instructions;
            boolean ended = false;
            for (Instruction insn : insns) {
                PpcTranslator.emit(mv, emitter, insn);
                if (insn.endsBlock() && insn != insns.getLast()) {
                    // A side exit: on to the next instruction when not taken, else to the target.
                    Label notTaken = new Label();
                    mv.visitVarInsn(Opcodes.ISTORE, 2);
                    mv.visitVarInsn(Opcodes.ILOAD, 2);
                    PpcTranslator.pushInt(mv, insn.address() + 4);
                    mv.visitJumpInsn(Opcodes.IF_ICMPEQ, notTaken);
                    int target = PpcTranslator.staticSuccessors(insn)[0];
                    Label to = caseAt.get(target);
                    if (to != null) {
                        jumpIfPc(mv, target, to, target <= block.start, leave);
                    }
                    mv.visitJumpInsn(Opcodes.GOTO, leave);
                    mv.visitLabel(notTaken);
                    continue;
                }
                if (insn.endsBlock()) {
                    mv.visitVarInsn(Opcodes.ISTORE, 2);
                    if (insn.method().equals("sc")) {
                        mv.visitJumpInsn(Opcodes.GOTO, leave); // the runner serves the system call
                    } else {
                        int[] targets = PpcTranslator.staticSuccessors(insn);
                        boolean allKnown = targets.length > 0;
                        for (int target : targets) {
                            Label to = caseAt.get(target);
                            if (to != null) {
                                jumpIfPc(mv, target, to, target <= block.start, leave);
                            }
                        }
                        // A static successor outside the region leaves at once; a computed one goes through the switch.
                        mv.visitJumpInsn(Opcodes.GOTO, allKnown ? leave : next);
                    }
                    ended = true;
                    break;
                }
            }
            if (!ended) {
                emitter.flush();
                int fallThrough = insns.getLast().address() + 4;
                PpcTranslator.pushInt(mv, fallThrough);
                mv.visitVarInsn(Opcodes.ISTORE, 2);
                Label to = caseAt.get(fallThrough);
                mv.visitJumpInsn(Opcodes.GOTO, to != null ? to : leave);
            }
            caseEnds[i] = new Label();
            mv.visitLabel(caseEnds[i]);
        }
        // Between blocks: stop if another thread wants this CPU, else dispatch on the new pc.
        mv.visitLabel(next);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
        mv.visitJumpInsn(Opcodes.IFEQ, dispatch);
        mv.visitLabel(leave);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        mv.visitInsn(Opcodes.IRETURN);
        emitter.emitFaultHandlers();
        Label end = new Label();
        mv.visitLabel(end);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        byte[] bytes = cw.toByteArray();
        int[] caseSizes = new int[blocks.size()];
        for (int i = 0; i < sorted.size(); i++) {
            caseSizes[blocks.indexOf(sorted.get(i))] = caseEnds[i].getOffset() - cases[i].getOffset();
        }
        return new Generated(bytes, end.getOffset(), caseSizes);
    }
}
