package org.qemu.i386.translate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.OpSequence;
import org.qemu.common.tcg.TranslationCache;
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
    private static final String SEQUENCE = Type.getInternalName(ChainedSequence.class);

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    /** Where loop blocks find the block a jmp leads to; null: no loop blocks (system mode). */
    private final TranslationCache<X86Block> cache;
    private long loopBlocks;
    private long compiled;
    private long inlined;
    private long total;
    private long nanos;
    private int largestClass;

    public BytecodeBlockCompiler() {
        this(null);
    }

    /**
     * {@code cache}: the blocks that loop blocks may take in (null: none). A loop block is a
     * block whose code leads back to its own start, directly or through one jmp to a block of the
     * same pages; compiled as one method with a backward jump, a hot loop such as sha256's round
     * (a 9-instruction block jumping to a 54-instruction one that branches back) runs without
     * returning to the run loop on every iteration.
     */
    public BytecodeBlockCompiler(TranslationCache<X86Block> cache) {
        this.cache = LOOPS ? cache : null;
    }

    /** Loop blocks; {@code -Dqemu.tcg.loop-blocks=false} turns them off, for comparison. */
    static final boolean LOOPS = !"false".equals(System.getProperty("qemu.tcg.loop-blocks"));

    /*
     * Only loops whose every instruction is emitted inline become loop blocks: measured on
     * cpubench (x87 build, CPU seconds), loop blocks over code that calls x87/SSE ops through
     * fields cost more than they saved (C2 compiles such loops, with every op inlined, as big
     * methods, and on-stack replacement adds compiles).
     */

    /** The most instructions a loop block takes in: the two blocks' limits. */
    private static final int MAX_LOOP_OPS = 128;

    /**
     * Compiles {@code block}: as a loop block when its code leads back to its start (it then
     * reports the instructions it took in to the block, for precise faults), else as itself.
     */
    public OpSequence<X86Cpu> compileBlock(X86Block block) {
        if (STATS) {
            synchronized (this) {
                compiledBlocks.add(block);
            }
        }
        boolean longMode = X86Cpu.isLongMode(block.flags);
        X86Op[] ops = block.ops();
        if (longMode && cache != null && LONG_MODE_INLINE && LONG_MODE_LOOPS && ops.length > 0) {
            return compileLongModeBlock(block, ops);
        }
        if (cache == null || longMode || ops.length == 0) {
            return compile(ops, longMode, null, block);
        }
        X86Op[] body = ops;
        long[] address = null;
        long[] next = null;
        X86Op last = ops[ops.length - 1];
        if (last instanceof ControlOps.Goto g && g.target != (int) block.pc) {
            LoopBody taken = bodyThroughJump(block, ops, g.target & 0xffffffffL);
            if (taken == null) {
                return compile(ops, false, null, block);
            }
            body = taken.ops();
            address = taken.address();
            next = taken.next();
        }
        int start = (int) block.pc;
        X86Op end = body[body.length - 1];
        boolean loops = end instanceof ControlOps.Goto g ? g.target == start
                : end instanceof ControlOps.ConditionalJump j && (j.target == start || j.fallThrough == start);
        if (!loops) {
            return compile(ops, false, null, block);
        }
        for (X86Op op : body) {
            if (!X86Emitter.emitsInline(op)) {
                return compile(ops, false, null, block);
            }
        }
        if (address != null) {
            block.takeIn(address, next);
        }
        synchronized (this) {
            loopBlocks++;
        }
        return compile(body, false, block, block);
    }

    /**
     * A loop block's body when the block ends in a jmp to {@code target}: its own ops but the jmp,
     * then the ops of the block jumped to, with each instruction's address and next address.
     */
    private record LoopBody(X86Op[] ops, long[] address, long[] next) {
    }

    /** The body through the jump to {@code target}; null when that block cannot be taken in (not translated, dead, on other pages, or the whole too long). */
    private LoopBody bodyThroughJump(X86Block block, X86Op[] ops, long target) {
        X86Block then = cache.lookup(target, block.flags);
        if (then == null || !then.isValid() || then.firstPage != block.firstPage || then.lastPage != block.lastPage
                || ops.length - 1 + then.instructionCount() > MAX_LOOP_OPS) {
            return null;
        }
        int n = ops.length - 1;
        int m = then.instructionCount();
        X86Op[] body = new X86Op[n + m];
        long[] address = new long[n + m];
        long[] next = new long[n + m];
        System.arraycopy(ops, 0, body, 0, n);
        System.arraycopy(then.ops(), 0, body, n, m);
        for (int i = 0; i < n + m; i++) {
            address[i] = i < n ? block.instructionAddress(i) : then.instructionAddress(i - n);
            next[i] = i < n ? block.nextAddress(i) : then.nextAddress(i - n);
        }
        return new LoopBody(body, address, next);
    }

    /**
     * Loop blocks for 64-bit code ({@code -Dqemu.tcg.long-mode-loops=false} turns them off). Only
     * loops whose body is all inline: with op calls (SSE) in the body cpubench measured dearer
     * (8.4-8.6 s of CPU against 6.7 s, load 20); all-inline loops: sha256sum 2.5-2.9 s against
     * 3.1-3.5 s, cpubench 6.6 s against 6.9 s.
     */
    static final boolean LONG_MODE_LOOPS = !"false".equals(System.getProperty("qemu.tcg.long-mode-loops"));

    /**
     * {@link #compileBlock} for 64-bit code: the same loop shapes, with 64-bit branch targets,
     * for loops whose body is emitted inline whole (a body that calls ops measured slower as a loop).
     */
    private OpSequence<X86Cpu> compileLongModeBlock(X86Block block, X86Op[] ops) {
        X86Op[] body = ops;
        long[] address = null;
        long[] next = null;
        if (ops[ops.length - 1] instanceof LongModeOps.Goto g && g.target != block.pc) {
            LoopBody taken = bodyThroughJump(block, ops, g.target);
            if (taken == null) {
                return compile(ops, true, null, block);
            }
            body = taken.ops();
            address = taken.address();
            next = taken.next();
        }
        long start = block.pc;
        X86Op end = body[body.length - 1];
        boolean loops = end instanceof LongModeOps.Goto g ? g.target == start
                : end instanceof LongModeOps.ConditionalJump j && (j.target == start || j.fallThrough == start);
        if (!loops || !LongModeEmitter.allInline(body, body.length - 1)) {
            return compile(ops, true, null, block);
        }
        if (address != null) {
            block.takeIn(address, next);
        }
        synchronized (this) {
            loopBlocks++;
        }
        return compile(body, true, block, block);
    }

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
        return compile(ops, longMode, null, null);
    }

    /**
     * {@code loop}: the block whose start the last op may jump back to (a loop block), or null;
     * {@code owner}: the block this is the compiled form of (what chained exits link to), or null.
     */
    private OpSequence<X86Cpu> compile(X86Op[] ops, boolean longMode, X86Block loop, X86Block owner) {
        long start = System.nanoTime();
        int[] counts = new int[1];
        byte[] bytes;
        synchronized (this) {
            longModeLoopStart = longMode && loop != null ? loop.pc : -1;
            bytes = generate(ops, counts, longMode, loop == null ? 0 : (int) loop.pc);
        }
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(bytes, true);
            MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class, Object[].class));
            Object[] fields = java.util.Arrays.copyOf(ops, ops.length + 2, Object[].class);
            fields[ops.length] = loop;
            fields[ops.length + 1] = owner;
            OpSequence<X86Cpu> sequence = (OpSequence<X86Cpu>) ctor.invoke(fields);
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

    /** {@code -Dqemu.tcg.stats=true}: the statistics name the compiled blocks that ran most often in the run loop. */
    private static final boolean STATS = Boolean.getBoolean("qemu.tcg.stats");
    private final java.util.List<X86Block> compiledBlocks = new java.util.ArrayList<>();

    /** The compiled blocks the run loop ran most often: address, instructions, runs (what dispatch still costs). */
    private String hottestBlocks() {
        return compiledBlocks.stream().sorted((a, b) -> Integer.compare(b.executions(), a.executions())).limit(16)
                .map(b -> String.format("%x/%d:%d", b.pc, b.instructionCount(), b.executions()))
                .collect(java.util.stream.Collectors.joining(" ", ", hottest compiled blocks (pc/instructions:runs) ", ""));
    }

    public synchronized String statistics() {
        return (STATS ? hottestBlocks() + "\n" : "") + compiled + " blocks compiled (" + (compiled == 0 ? 0 : nanos / compiled / 1000) + " us each, " + loopBlocks + " loop blocks), "
                + inlined + " of " + total + " instructions inline, largest class " + largestClass + " bytes"
                + (CALLED_64.isEmpty() ? "" : ", 64-bit ops called " + new java.util.TreeMap<>(CALLED_64));
    }

    /** {@code loopStart}: the guest address the last op may jump back to (a loop block), 0 for none. */
    private byte[] generate(X86Op[] ops, int[] inlineCount, boolean longMode, int loopStart) {
        ClassWriter cw = ClassFiles.writer();
        String opType = "L" + OP + ";";
        cw.visit(ClassFiles.VERSION, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null, SEQUENCE, null);
        for (int i = 0; i < ops.length; i++) {
            cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "op" + i, opType, null, null).visitEnd();
        }
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "([Ljava/lang/Object;)V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 1);
        push(init, ops.length + 1);
        init.visitInsn(Opcodes.AALOAD);
        init.visitTypeInsn(Opcodes.CHECKCAST, BlockChaining.BLOCK);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, SEQUENCE, "<init>", "(L" + BlockChaining.BLOCK + ";)V", false);
        for (int i = 0; i < ops.length; i++) {
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(Opcodes.ALOAD, 1);
            push(init, i);
            init.visitInsn(Opcodes.AALOAD);
            init.visitTypeInsn(Opcodes.CHECKCAST, OP);
            init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "op" + i, opType);
        }
        cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "loop", "L" + BLOCK + ";", null, null).visitEnd();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 1);
        push(init, ops.length);
        init.visitInsn(Opcodes.AALOAD);
        init.visitTypeInsn(Opcodes.CHECKCAST, BLOCK);
        init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "loop", "L" + BLOCK + ";");
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
            generateLongMode(mv, ops, inlineCount, start, end, handler, longModeLoopStart);
            cw.visitEnd();
            return cw.toByteArray();
        }
        X86Emitter emitter = new X86Emitter(longMode, false, WINDOWS ? planWindows(ops, longMode, loopStart != 0) : null);
        emitter.prepareXmm(ops);
        if (loopStart != 0 && PAGE_CACHES) {
            emitter.cacheAccessPages();
        }
        if (loopStart != 0) {
            emitter.segmentBasesInLocals();
        }
        emitter.prologue(mv, true);
        mv.visitLabel(start);
        Label head = new Label();
        Label exit = new Label();
        int body = loopStart != 0 ? ops.length - 1 : ops.length;
        if (LIVENESS && !longMode) {
            boolean[] dead = new boolean[ops.length];
            FlagLiveness.mark(ops, 0, body, dead);
            emitter.flagLiveness(dead);
        }
        if (loopStart != 0) {
            emitter.verifyHoistedWindows(mv);
            // the loop head: reached again with registers and flags only in locals
            mv.visitLabel(head);
            emitter.forgetState();
        }
        for (int i = 0; i < body; i++) {
            if (emitter.emitOp(mv, ops[i], i, NAME, "op" + i)) {
                inlineCount[0]++;
            }
        }
        if (loopStart != 0) {
            emitLoopEnd(mv, emitter, ops[body], body, loopStart, head, exit);
            inlineCount[0]++;
        }
        mv.visitLabel(exit);
        emitter.flushAll(mv);
        mv.visitLabel(end);
        BlockChaining.emitExit(mv);
        mv.visitLabel(handler);
        BlockChaining.emitFaultOwner(mv);
        emitter.faultHandler(mv);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code -Dqemu.tcg.long-mode-inline=false}: 64-bit blocks call every op (the comparison point). */
    private static final boolean LONG_MODE_INLINE = !"false".equals(System.getProperty("qemu.tcg.long-mode-inline"));

    /** The 64-bit loop start of the block {@link #generate} compiles (-1: not a loop block); guarded by this. */
    private long longModeLoopStart = -1;

    private static void generateLongMode(MethodVisitor mv, X86Op[] ops, int[] inlineCount, Label start, Label end, Label handler, long loopStart) {
        LongModeEmitter emitter = LONG_MODE_WINDOWS ? planLongMode(ops, loopStart) : new LongModeEmitter();
        emitter.prepareXmm(ops);
        emitter.prologue(mv);
        MethodVisitor prologue = mv;
        mv = emitter.tracking(mv);
        mv.visitLabel(start);
        Label head = new Label();
        Label exit = new Label();
        int body = loopStart != -1 ? ops.length - 1 : ops.length;
        if (loopStart != -1) {
            if (LIVENESS && !FlagLiveness.liveOnLongModeEntry(ops, 0, ops.length)) {
                emitter.keepFlagsAcrossBackEdge();
            }
            mv.visitLabel(head);
            emitter.loopHead();
        }
        for (int i = 0; i < body; i++) {
            if (emitter.emitOp(mv, ops[i], i, NAME, "op" + i)) {
                inlineCount[0]++;
            } else {
                CALLED_64.merge(ops[i].getClass().getName().replaceFirst(".*\\.", ""), 1, Integer::sum);
            }
        }
        if (loopStart != -1) {
            emitter.emitLoopEnd(mv, ops[body], body, loopStart, head, exit, NAME, BLOCK);
            inlineCount[0]++;
        }
        mv.visitLabel(exit);
        emitter.flushAll(mv);
        mv.visitLabel(end);
        BlockChaining.emitExit(mv);
        mv.visitLabel(handler);
        BlockChaining.emitFaultOwner(mv);
        emitter.faultHandler(mv);
        emitter.emitRegisterLoads(prologue);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
    }

    /**
     * The first pass of a 64-bit block with verified windows: the body emitted (checked accesses)
     * into a throwaway method, to see which accesses share a window and which ops fit the budget;
     * returns the emitter of the second pass, which emits the same ops inline, with windows.
     */
    private static LongModeEmitter planLongMode(X86Op[] ops, long loopStart) {
        AccessWindows plan = AccessWindows.recording();
        LongModeEmitter planner = new LongModeEmitter(plan, null);
        planner.prepareXmm(ops);
        net.bytebuddy.jar.asm.ClassWriter cw = new net.bytebuddy.jar.asm.ClassWriter(0);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL, "Plan", null, "java/lang/Object", null);
        MethodVisitor nowhere = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "()V", null, null);
        nowhere.visitCode();
        planner.prologue(nowhere);
        int body = loopStart != -1 ? ops.length - 1 : ops.length;
        if (loopStart != -1) {
            planner.loopHead();
        }
        for (int i = 0; i < body; i++) {
            planner.emitOp(nowhere, ops[i], i, NAME, "op" + i);
        }
        return new LongModeEmitter(plan.replay(), planner.inlined());
    }

    /** Ops of compiled 64-bit blocks still called through their field, by class (for qemu.tcg.stats: what to inline next). */
    private static final java.util.Map<String, Integer> CALLED_64 = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A loop block's last op (a jmp or jcc with a side at {@code loopStart}): that side jumps back
     * to {@code head} unless the CPU must leave (an exit request, a debugger hook) or the block
     * died (its code was overwritten), in which case eip is the loop start; the other side sets eip.
     * All ways out meet at {@code exit}, where the registers are written back once.
     */
    private static void emitLoopEnd(MethodVisitor mv, X86Emitter emitter, X86Op last, int index, int loopStart, Label head, Label exit) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.INDEX);
        Label back = new Label();
        if (last instanceof ControlOps.ConditionalJump j) {
            emitter.condition(mv, j.cc);
            Label notTaken = new Label();
            mv.visitJumpInsn(Opcodes.IFEQ, notTaken);
            if (j.target == loopStart) {
                mv.visitJumpInsn(Opcodes.GOTO, back);
            } else {
                X86Emitter.setEip(mv, j.target);
                mv.visitJumpInsn(Opcodes.GOTO, exit);
            }
            mv.visitLabel(notTaken);
            if (j.fallThrough != loopStart) {
                X86Emitter.setEip(mv, j.fallThrough);
                mv.visitJumpInsn(Opcodes.GOTO, exit);
            }
        }
        mv.visitLabel(back);
        Label leave = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, X86Emitter.CPU, "mustLeaveLoop", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, NAME, "loop", "L" + BLOCK + ";");
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, BLOCK, "isValid", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFEQ, leave);
        mv.visitJumpInsn(Opcodes.GOTO, head);
        mv.visitLabel(leave);
        X86Emitter.setEip(mv, loopStart);
    }

    private static final String BLOCK = Type.getInternalName(X86Block.class);

    /** Flag liveness ({@link FlagLiveness}); {@code -Dqemu.tcg.flag-liveness=false} turns it off, for comparison. */
    static final boolean LIVENESS = !"false".equals(System.getProperty("qemu.tcg.flag-liveness"));

    /** Page caches in loop blocks ({@link X86Emitter#cacheAccessPages}); {@code -Dqemu.tcg.page-caches=false} turns them off, for comparison. */
    static final boolean PAGE_CACHES = !"false".equals(System.getProperty("qemu.tcg.page-caches"));

    /** Verified windows in blocks ({@link AccessWindows}); {@code -Dqemu.tcg.access-windows=false} turns them off, for comparison. */
    static final boolean WINDOWS = !"false".equals(System.getProperty("qemu.tcg.access-windows"));

    /**
     * Verified windows in 64-bit blocks: off unless {@code -Dqemu.tcg.long-mode-windows=true} (the
     * module's tests turn them on). Their second emission pass cost `python3 -c pass` about 10% more
     * CPU on a quiet machine, and no 64-bit benchmark measured a gain (sha256's round loop reads
     * memory through indexed operands, which windows do not cover); see docs/PERFORMANCE.md.
     */
    static final boolean LONG_MODE_WINDOWS = WINDOWS && Boolean.getBoolean("qemu.tcg.long-mode-windows");

    /** The first pass: the block's body emitted into nothing, to see which accesses share a window. */
    private static AccessWindows planWindows(X86Op[] ops, boolean longMode, boolean loop) {
        AccessWindows plan = AccessWindows.recording();
        MethodVisitor nowhere = new MethodVisitor(Opcodes.ASM9) {
        };
        X86Emitter planner = new X86Emitter(longMode, false, plan);
        planner.prepareXmm(ops);
        planner.prologue(nowhere, true);
        if (loop) {
            planner.forgetState();
        }
        for (int i = 0; i < (loop ? ops.length - 1 : ops.length); i++) {
            planner.emitOp(nowhere, ops[i], i, NAME, "op" + i);
        }
        return loop ? plan.replayLoop() : plan.replay();
    }

    static void push(MethodVisitor mv, int value) {
        X86Emitter.push(mv, value);
    }
}
