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

    /** A trace stops growing once it holds this many instructions or segments. */
    static final int MAX_TRACE_INSTRUCTIONS = Integer.getInteger("qemu.ppc.traceInstructions", 128);
    static final int MAX_TRACE_SEGMENTS = Integer.getInteger("qemu.ppc.traceSegments", 4);
    /** Traces can be switched off (-Dqemu.ppc.noTraces=true) to compare; they need registers in locals. */
    private boolean traces = !Boolean.getBoolean("qemu.ppc.noTraces") && !Boolean.getBoolean("qemu.ppc.noRegisterLocals");

    /** Compiles blocks alone (the region tests: a trace that loops never returns to the run loop that builds regions). */
    public void setTraces(boolean enabled) {
        traces = enabled && REGISTER_LOCALS;
    }

    /**
     * A block followed through its unconditional exits: a direct branch or call goes on at its
     * target, an indirect call (bctrl, bctr) at the target it took last time it ran interpreted,
     * and a return (blr) at the address the trace's own call left in LR. The compiled trace
     * checks the computed targets at run time and leaves when they differ, so the guesses only
     * decide what is worth compiling. In qsort, a comparison is a call through CTR and a return:
     * three blocks and three trips through the run loop each, one method as a trace. A trace
     * stops at a branch back to its start (the block loops instead), at an address it already
     * holds, at a conditional exit, a system call, or {@link #MAX_TRACE_INSTRUCTIONS}.
     *
     * @param pageListener told about each page a later segment comes from, before it is decoded
     */
    public List<Instruction> trace(PpcBlock block, java.util.function.LongConsumer pageListener) {
        List<Instruction> trace = new ArrayList<>(block.instructions);
        if (!traces || maxInstructions < MAX_INSTRUCTIONS) {
            return trace;
        }
        int start = block.start;
        int segments = 1;
        int knownLr = 0;
        boolean lrKnown = false;
        java.util.Set<Integer> addresses = new java.util.HashSet<>();
        int scanned = 0;
        while (true) {
            // What the trace so far has left in LR, as far as the code tells.
            for (; scanned < trace.size(); scanned++) {
                Instruction insn = trace.get(scanned);
                addresses.add(insn.address());
                int[] o = insn.operands();
                switch (insn.method()) {
                    case "branch" -> { if (o[2] != 0) { knownLr = o[1]; lrKnown = true; } }
                    case "bc" -> { if (o[4] != 0) { knownLr = o[3]; lrKnown = true; } }
                    case "bclr", "bcctr" -> { if (o[3] != 0) { knownLr = o[2]; lrKnown = true; } }
                    case "mtlr" -> lrKnown = false;
                    default -> { }
                }
            }
            Instruction last = trace.getLast();
            if (segments >= MAX_TRACE_SEGMENTS || trace.size() >= MAX_TRACE_INSTRUCTIONS || !last.endsBlock()) {
                return trace;
            }
            int[] o = last.operands();
            int target;
            switch (last.method()) {
                case "branch" -> target = o[0];
                case "bcctr" -> {
                    if ((o[0] & 0x10) == 0 || segments > 1 || block.lastTarget == 0) {
                        return trace;
                    }
                    target = block.lastTarget;
                }
                case "bclr" -> {
                    if ((o[0] & 0x14) != 0x14 || o[3] != 0 || !lrKnown) {
                        return trace;
                    }
                    target = knownLr;
                }
                default -> {
                    return trace;
                }
            }
            if (target == start || addresses.contains(target) || last.word() == ISYNC) {
                return trace;
            }
            List<Instruction> segment;
            try {
                pageListener.accept(Integer.toUnsignedLong(target) >>> GuestMemory.PAGE_SHIFT);
                segment = decodeBlock(target);
            } catch (org.qemu.common.memory.GuestMemoryFault f) {
                return trace;
            }
            int room = MAX_TRACE_INSTRUCTIONS - trace.size();
            if (segment.size() > room) {
                // Cut where the block itself could have ended: after a conditional branch or anywhere straight.
                segment = segment.subList(0, room);
            }
            trace.addAll(segment);
            segments++;
        }
    }

    /** A trace runs at most this many side-exit blocks inline, each of at most DETOUR_INSTRUCTIONS. */
    static final int MAX_DETOURS = Integer.getInteger("qemu.ppc.detours", 2);
    static final int DETOUR_INSTRUCTIONS = 32;

    /**
     * The blocks at the conditional side exits of a trace that branch straight back into it
     * (see BlockEmitter's detours): each is decoded at its exit's target and kept when one of
     * its own branches goes to an instruction of the trace. Empty without traces.
     *
     * @param pageListener told about each page a detour comes from, before it is decoded
     */
    public java.util.Map<Integer, List<Instruction>> detours(List<Instruction> trace, java.util.function.LongConsumer pageListener) {
        java.util.Map<Integer, List<Instruction>> detours = new java.util.LinkedHashMap<>();
        if (!traces || maxInstructions < MAX_INSTRUCTIONS || MAX_DETOURS <= 0) {
            return detours;
        }
        java.util.Set<Integer> addresses = new java.util.HashSet<>();
        for (Instruction insn : trace) {
            addresses.add(insn.address());
        }
        for (int i = 0; i < trace.size() - 1 && detours.size() < MAX_DETOURS; i++) {
            Instruction insn = trace.get(i);
            int[] o = insn.operands();
            if (!insn.method().equals("bc") || (o[0] & 0x14) == 0x14 || addresses.contains(o[2]) || detours.containsKey(o[2])) {
                continue;
            }
            List<Instruction> block;
            try {
                pageListener.accept(Integer.toUnsignedLong(o[2]) >>> GuestMemory.PAGE_SHIFT);
                block = decodeBlock(o[2]);
            } catch (org.qemu.common.memory.GuestMemoryFault f) {
                continue;
            }
            // It must end with a static branch: one ending in a call or a computed branch (qsort's
            // call of the comparison) would leave the trace there, where it used to leave at once
            // for a trace of its own that runs the call inline.
            Instruction end = block.getLast();
            boolean staticEnd = end.method().equals("bc") && end.operands()[4] == 0
                    || end.method().equals("branch") && end.operands()[2] == 0;
            if (block.size() <= DETOUR_INSTRUCTIONS && staticEnd && block.stream().anyMatch(b -> branchesInto(b, addresses))) {
                detours.put(o[2], block);
            }
        }
        return detours;
    }

    private static boolean branchesInto(Instruction insn, java.util.Set<Integer> addresses) {
        int[] o = insn.operands();
        return switch (insn.method()) {
            case "bc" -> addresses.contains(o[2]);
            case "branch" -> o[2] == 0 && addresses.contains(o[0]);
            default -> false;
        };
    }

    /** isync decodes as a branch to the next instruction; a trace need not follow it. */
    private static final int ISYNC = 0x4c00012c;

    /** The cheap tier: decoded only, run through the helper dispatcher. */
    public PpcBlock interpret(int pc) {
        return new InterpretedBlock(decodeBlock(pc));
    }

    public PpcBlock translate(int pc) {
        return compile(decodeBlock(pc));
    }

    /** The compiled tier: a hidden class whose method calls the helpers with constant operands. */
    public PpcBlock compile(List<Instruction> instructions) {
        return compile(instructions, java.util.Map.of());
    }

    /** A trace with the side-exit blocks it runs inline ({@link #detours}). */
    public PpcBlock compile(List<Instruction> instructions, java.util.Map<Integer, List<Instruction>> detours) {
        int pc = instructions.getFirst().address();
        Instruction last = instructions.getLast();
        BlockEmitter.MemoryConstants constants = MEMORY_CONSTANTS && memory != null
                ? BlockEmitter.MemoryConstants.of(memory, CLASS_NAME) : null;
        byte[] bytes = generate(instructions, detours, constants);
        try {
            Class<?> c = LOOKUP.defineHiddenClass(bytes, false).lookupClass();
            if (DUMP_FOLDER != null) {
                dump(bytes, pc, c);
            }
            PpcBlock block;
            // The class initialiser takes the protection table from here (see tableForClassInit).
            TABLE_FOR_CLASS_INIT.set(constants != null ? memory.protectionTable() : null);
            try {
                block = (PpcBlock) c.getDeclaredConstructor(int.class, int.class).newInstance(pc, last.address() + 4);
            } finally {
                TABLE_FOR_CLASS_INIT.remove();
            }
            block.instructions = List.copyOf(instructions);
            return block;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot define translated block at 0x" + Integer.toHexString(pc), e);
        }
    }

    /**
     * Block classes take the inline memory fast path's host base, range mask and protection table
     * as constants of their own (BlockEmitter.MemoryConstants); -Dqemu.ppc.noMemoryConstants=true
     * loads them from the memory object at each block entry instead, to compare.
     */
    static final boolean MEMORY_CONSTANTS = BlockEmitter.INLINE_MEMORY && !Boolean.getBoolean("qemu.ppc.noMemoryConstants");

    /** Exits share one write-back tail per dirty-register set (BlockEmitter); -Dqemu.ppc.noSharedExits=true gives each its own. */
    static final boolean SHARED_EXITS = !Boolean.getBoolean("qemu.ppc.noSharedExits");

    private static final ThreadLocal<byte[]> TABLE_FOR_CLASS_INIT = new ThreadLocal<>();

    /**
     * Called by a block class's static initialiser, which runs on this thread when
     * {@link #compile} makes the first instance: the protection table of the memory the class
     * was generated for, kept in a static final field so that C2 takes it as a constant.
     * (Class data through a dynamic constant would need a class file version with stack map
     * frames, which block classes leave out: PpcClassFiles.)
     */
    static byte[] tableForClassInit() {
        byte[] table = TABLE_FOR_CLASS_INIT.get();
        if (table == null) {
            throw new IllegalStateException("a block class with memory constants was initialised outside PpcTranslator.compile");
        }
        return table;
    }

    /**
     * Where compiled block classes are written, for reading HotSpot's logs: a deoptimization names
     * the hidden class and a bytecode index, which {@code javap -c} on the dumped file turns into
     * the guest instruction (-Dqemu.ppc.dumpClasses=folder; off by default).
     */
    private static final String DUMP_FOLDER = System.getProperty("qemu.ppc.dumpClasses");

    private static void dump(byte[] bytes, int pc, Class<?> c) {
        String name = c.getName();
        String suffix = name.substring(name.lastIndexOf('/') + 1);
        java.nio.file.Path file = java.nio.file.Path.of(DUMP_FOLDER, String.format("%08x-%s.class", pc, suffix));
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.write(file, bytes);
        } catch (java.io.IOException e) {
            System.err.println("qemu-ppc: cannot dump " + file + ": " + e.getMessage());
        }
    }

    static byte[] generate(List<Instruction> instructions) {
        return generate(instructions, java.util.Map.of());
    }

    static byte[] generate(List<Instruction> instructions, java.util.Map<Integer, List<Instruction>> detours) {
        return generate(instructions, detours, null);
    }

    /** With {@code constants}, the class holds the memory fast path's values (see {@link #tableForClassInit}). */
    static byte[] generate(List<Instruction> instructions, java.util.Map<Integer, List<Instruction>> detours,
            BlockEmitter.MemoryConstants constants) {
        ClassWriter cw = PpcClassFiles.writer();
        cw.visit(PpcClassFiles.VERSION, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, CLASS_NAME, null, BLOCK, null);
        if (constants != null) {
            cw.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL | Opcodes.ACC_PRIVATE, BlockEmitter.TABLE_FIELD, "[B", null, null).visitEnd();
            MethodVisitor clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
            clinit.visitCode();
            clinit.visitMethodInsn(Opcodes.INVOKESTATIC, Type.getInternalName(PpcTranslator.class), "tableForClassInit", "()[B", false);
            clinit.visitFieldInsn(Opcodes.PUTSTATIC, CLASS_NAME, BlockEmitter.TABLE_FIELD, "[B");
            clinit.visitInsn(Opcodes.RETURN);
            clinit.visitMaxs(0, 0);
            clinit.visitEnd();
        }

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
        boolean loops = REGISTER_LOCALS && instructions.stream().anyMatch(insn -> branchesTo(insn, start));
        BlockEmitter emitter = new BlockEmitter(mv);
        emitter.setDetours(detours);
        emitter.setMemoryConstants(constants);
        emitter.setSharedExits(SHARED_EXITS);
        emitter.prologue();
        Label top = null;
        if (loops) {
            // A first pass learns which registers the body touches; they stay in locals across iterations.
            BlockEmitter survey = new BlockEmitter(new MethodVisitor(Opcodes.ASM9) { });
            survey.setDetours(detours);
            emitBody(survey, instructions, start, null);
            emitDetours(survey, start, null);
            top = new Label();
            emitter.enterLoop(top, survey.usedRegisters(), survey.writtenRegisters(), survey.storesSeen());
        }
        emitBody(emitter, instructions, start, top);
        emitDetours(emitter, start, top);
        emitter.emitFaultHandlers();
        emitter.emitExitTails();
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** The side-exit blocks the body jumped to, each after the code before it, until none is left. */
    private static void emitDetours(BlockEmitter emitter, int start, Label loopTop) {
        for (BlockEmitter.Detour d = emitter.enterNextDetour(); d != null; d = emitter.enterNextDetour()) {
            emitBody(emitter, d.instructions(), start, loopTop);
        }
    }

    /** The instructions of a block, each exit returning the next pc; {@code loopTop} is where a branch to the start goes. */
    private static void emitBody(BlockEmitter emitter, List<Instruction> instructions, int start, Label loopTop) {
        MethodVisitor mv = emitter.visitor();
        for (int i = 0; i < instructions.size(); i++) {
            Instruction insn = instructions.get(i);
            boolean last = i == instructions.size() - 1;
            if (REGISTER_LOCALS) {
                if (i > 0 && emitter.emitted(insn.address())) {
                    // A detour running straight into code already in the method goes on there.
                    emitter.continueAt(insn.address(), start, loopTop);
                    return;
                }
                emitter.markInstruction(insn.address());
                int continueAt = last ? 0 : instructions.get(i + 1).address();
                BlockEmitter.BranchEmission done = emitter.emitBranch(insn, last, continueAt, start, loopTop);
                if (done == BlockEmitter.BranchEmission.ENDS_BLOCK) {
                    return;
                }
                if (done == BlockEmitter.BranchEmission.CONTINUES) {
                    continue;
                }
            }
            emit(mv, emitter, insn);
            if (insn.endsBlock() && !last) {
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
                mv.visitInsn(Opcodes.IRETURN);
                return;
            }
        }
        emitter.flush();
        pushInt(mv, instructions.getLast().address() + 4);
        mv.visitInsn(Opcodes.IRETURN);
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
            case "branch" -> insn.operands()[0] == start;
            default -> false;
        };
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
