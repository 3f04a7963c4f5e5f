package org.qemu.ppc.translate;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.memory.GuestMemory;
import org.qemu.ppc.cpu.PpcCpuState;

/**
 * Turns a run of guest instructions into a hidden class whose {@code execute} method calls
 * each instruction's semantic helper with its decoded fields as constants. HotSpot inlines
 * the small static helpers, so the block compiles to straight-line code over the CPU state.
 * Bytecode is written with Byte Buddy's bundled ASM (a few microseconds per block, where the
 * high-level builder takes hundreds).
 *
 * <p>A block ends after a branch or sc, at the end of the 4 KiB page (so a block lives in one
 * page and invalidating a page finds all of its blocks) or after {@link #MAX_INSTRUCTIONS}.
 */
public final class PpcTranslator {
    /** Enough to cover long straight-line runs, small enough to stay far below HotSpot's 8,000-byte method limit. */
    public static final int MAX_INSTRUCTIONS = 96;

    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final String STATE = Type.getInternalName(PpcCpuState.class);
    private static final String BLOCK = Type.getInternalName(PpcBlock.class);
    private static final String CLASS_NAME = "org/qemu/ppc/translate/GuestBlock";
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private final GuestMemory memory;

    /** Instructions per block; 1 (system property qemu.tcg.max-insns) lets the gdbstub see every instruction. */
    private final int maxInstructions = Math.max(1, Math.min(MAX_INSTRUCTIONS, Integer.getInteger("qemu.tcg.max-insns", MAX_INSTRUCTIONS)));

    public PpcTranslator(GuestMemory memory) {
        this.memory = memory;
    }

    /** Decodes from {@code pc}; throws GuestMemoryFault if pc is not executable. */
    public List<Instruction> decodeBlock(int pc) {
        List<Instruction> block = new ArrayList<>();
        long address = Integer.toUnsignedLong(pc);
        memory.checkExecute(address);
        long pageEnd = (address | GuestMemory.PAGE_MASK) + 1;
        while (true) {
            int word = memory.segment().get(BE32, address);
            Instruction insn = PpcDecoder.decode((int) address, word);
            block.add(insn);
            address += 4;
            if (insn.endsBlock() && !insn.continuesBlock() || address >= pageEnd || block.size() >= maxInstructions
                    || insn.method().equals("illegal") || insn.method().equals("privileged")) {
                org.qemu.common.log.TranslationLog log = org.qemu.common.log.TranslationLog.active();
                if (log != null) {
                    org.qemu.ppc.disas.PpcBlockListing.write(log, block);
                }
                return block;
            }
        }
    }

    /** The cheap tier: decoded only, run through the helper dispatcher. */
    public PpcBlock interpret(int pc) {
        return new InterpretedBlock(decodeBlock(pc));
    }

    public PpcBlock translate(int pc) {
        return compile(decodeBlock(pc));
    }

    /** The compiled tier: a hidden class whose method calls the helpers with constant operands. */
    public PpcBlock compile(List<Instruction> instructions) {
        int pc = instructions.getFirst().address();
        Instruction last = instructions.getLast();
        byte[] bytes = generate(instructions);
        try {
            Class<?> c = LOOKUP.defineHiddenClass(bytes, false, MethodHandles.Lookup.ClassOption.NESTMATE).lookupClass();
            PpcBlock block = (PpcBlock) c.getDeclaredConstructor(int.class, int.class).newInstance(pc, last.address() + 4);
            block.instructions = List.copyOf(instructions);
            return block;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot define translated block at 0x" + Integer.toHexString(pc), e);
        }
    }

    static byte[] generate(List<Instruction> instructions) {
        // Stack map frames: the fault handlers and a loop back to the start are jump targets.
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, CLASS_NAME, null, BLOCK, null);

        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "(II)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ILOAD, 1);
        init.visitVarInsn(Opcodes.ILOAD, 2);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, BLOCK, "<init>", "(II)V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();

        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "execute", "(L" + STATE + ";)I", null, null);
        mv.visitCode();
        int start = instructions.getFirst().address();
        BlockEmitter emitter = new BlockEmitter(mv);
        emitter.prologue();
        Label top = new Label();
        mv.visitLabel(top);
        emitter.forget();
        boolean ended = false;
        for (Instruction insn : instructions) {
            emit(mv, emitter, insn);
            if (insn.endsBlock() && insn != instructions.getLast()) {
                // A side exit: leave with the taken target, or go on with the next instruction.
                Label notTaken = new Label();
                mv.visitInsn(Opcodes.DUP);
                pushInt(mv, insn.address() + 4);
                mv.visitJumpInsn(Opcodes.IF_ICMPEQ, notTaken);
                mv.visitInsn(Opcodes.IRETURN);
                mv.visitLabel(notTaken);
                mv.visitInsn(Opcodes.POP);
                continue;
            }
            if (insn.endsBlock()) {
                if (branchesTo(insn, start)) {
                    loopBack(mv, start, top);
                }
                mv.visitInsn(Opcodes.IRETURN);
                ended = true;
                break;
            }
        }
        if (!ended) {
            emitter.flush();
            pushInt(mv, instructions.getLast().address() + 4);
            mv.visitInsn(Opcodes.IRETURN);
        }
        emitter.emitFaultHandlers();
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /**
     * One instruction: its address into pc first if it may trap (so the fault is precise), then
     * the helper call with the decoded fields as constants. A block-ending helper leaves the
     * next pc on the stack.
     */
    static void emitCall(MethodVisitor mv, Instruction insn) {
        if (insn.kind() == Instruction.Kind.MAY_TRAP) {
            mv.visitVarInsn(Opcodes.ALOAD, 1);
            pushInt(mv, insn.address());
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "pc", "I");
        }
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        for (int operand : insn.operands()) {
            pushInt(mv, operand);
        }
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(insn.owner()), insn.method(), insn.descriptor(), false);
    }

    /** Keeping registers in JVM locals can be switched off (-Dqemu.ppc.noRegisterLocals=true) to compare. */
    static final boolean REGISTER_LOCALS = !Boolean.getBoolean("qemu.ppc.noRegisterLocals");

    static void emit(MethodVisitor mv, BlockEmitter emitter, Instruction insn) {
        if (REGISTER_LOCALS) {
            emitter.emit(insn);
        } else {
            emitCall(mv, insn);
        }
    }

    /** The pcs a block-ending instruction can continue at when they are known without running it; empty if computed. */
    static int[] staticSuccessors(Instruction insn) {
        int[] o = insn.operands();
        return switch (insn.method()) {
            case "branch" -> new int[] {o[0]};
            case "bc" -> o[2] == o[3] ? new int[] {o[2]} : new int[] {o[2], o[3]};
            default -> new int[0];
        };
    }

    /** A branch whose static target is the block's own start: a loop the block can run without returning. */
    private static boolean branchesTo(Instruction insn, int start) {
        return switch (insn.method()) {
            case "bc" -> insn.operands()[2] == start;
            case "branch" -> insn.operands()[0] == start && insn.operands()[1] != start;
            default -> false;
        };
    }

    /**
     * Loops inside the method while the branch goes back to the block start, so HotSpot sees
     * a real loop; another thread's exit request (a signal, exit_group) is checked on each
     * back edge. Leaves the next pc on the stack for the return that follows.
     */
    private static void loopBack(MethodVisitor mv, int start, Label top) {
        Label leave = new Label();
        mv.visitVarInsn(Opcodes.ISTORE, 2);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
        pushInt(mv, start);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, leave);
        mv.visitVarInsn(Opcodes.ALOAD, 1);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "interruptRequested", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        mv.visitJumpInsn(Opcodes.GOTO, top);
        mv.visitLabel(leave);
        mv.visitVarInsn(Opcodes.ILOAD, 2);
    }

    static void pushInt(MethodVisitor mv, int value) {
        if (value >= -1 && value <= 5) {
            mv.visitInsn(Opcodes.ICONST_0 + value);
        } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.BIPUSH, value);
        } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
            mv.visitIntInsn(Opcodes.SIPUSH, value);
        } else {
            mv.visitLdcInsn(value);
        }
    }
}
