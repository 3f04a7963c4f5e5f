package org.qemu.i386.translate;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.i386.cpu.X86Op;

/**
 * The region tier: compiles a set of blocks into one hidden class whose {@code run} method is
 * a loop over them. Each block is a label; a branch to a block of the region is a {@code goto}
 * to its label, a branch whose target is known only at run time (ret, jmp r/m, ops that set
 * eip) goes through one {@code lookupswitch} over the region's block addresses, and anything
 * else leaves the method with eip set. The guest registers and the lazy flag record stay in JVM
 * locals across blocks and are written back only on leaving, around op calls, and in the
 * exception handler: HotSpot sees a plain Java loop.
 *
 * <p>Leaving is also forced at block boundaries: when the region died (its code was written),
 * checked after blocks that may have stored to memory and on backward branches, and when the
 * CPU must stop (a signal, thread exit, a system call an op requested), checked on backward
 * branches and indirect jumps, so a guest loop that never leaves the region still honours them.
 *
 * <p>HotSpot does not compile methods over 8,000 bytes of bytecode: a region whose method would
 * be bigger than {@link #MAX_METHOD_BYTES} is compiled with fewer blocks.
 */
public final class RegionCompiler {
    /** Method size limit: stays under HotSpot's HugeMethodLimit (8,000) with room to spare. */
    public static final int MAX_METHOD_BYTES = Integer.getInteger("qemu.tcg.region-max-method", 7000);
    /**
     * The budget regions are cut to by default: bytes of bytecode of the method plus the
     * estimated bytecode of what HotSpot inlines into it ({@link X86Emitter#calleeBytes}). C2
     * stops inlining once that passes DesiredMethodLimit (8,000 bytes), and each call it then
     * leaves in place spills every guest register held in locals.
     */
    public static final int DEFAULT_BUDGET = 8000;

    /** Guest memory accesses' fast path emitted inline (false: calls to GuestMemory's accessors, for comparison). */
    static final boolean INLINE_MEMORY = !Boolean.getBoolean("qemu.tcg.region-memory-calls");

    private final int budget = Integer.getInteger("qemu.tcg.region-budget", DEFAULT_BUDGET);

    private static final String NAME = RegionCompiler.class.getPackageName().replace('.', '/') + "/TranslatedRegion";
    private static final String REGION = Type.getInternalName(X86Region.class);
    private static final String BLOCK_ARRAY = "[" + Type.getDescriptor(X86Block.class);
    private static final String CTOR = "([Ljava/lang/Object;" + BLOCK_ARRAY + "[I[I)V";

    /** A measurement aid: each region's size and blocks (pc/instructions x runs) on stderr. */
    private static final boolean LOG = Boolean.getBoolean("qemu.tcg.region-log");

    private final MethodHandles.Lookup lookup = MethodHandles.lookup();
    private long compiled;
    private long blocksCompiled;
    private long tooBig;
    private long withoutLoop;
    private long nanos;
    private int largestMethod;

    /**
     * Compiles the first blocks of {@code blocks} (the seed first) into a region that fits the
     * method size limit and makes it the region entered at the seed; null when not even the
     * seed alone fits, or when {@code requireLoop} and control cannot go round inside it.
     */
    public X86Region compile(List<X86Block> blocks, boolean requireLoop) {
        long start = System.nanoTime();
        // the longest prefix of the walk (nearest blocks first) whose method fits: the first
        // attempt's block offsets tell where to cut, a second attempt (rarely a few) confirms it
        Generated best = generate(blocks);
        int fits = blocks.size();
        while (!fitsBudget(best) && !(fits == 1 && best.methodBytes <= MAX_METHOD_BYTES)) {
            if (fits == 1) {
                synchronized (this) {
                    tooBig++;
                }
                return null;
            }
            int cut = fits - 1;
            while (cut > 1 && best.blockStart[cut] + EXIT_BYTES + best.calleeBytesBefore[cut] > budget) {
                cut--;
            }
            fits = cut;
            best = generate(blocks.subList(0, fits));
        }
        List<X86Block> take = blocks.subList(0, fits);
        if (requireLoop && !containsLoop(take)) {
            // no way round inside: every entry would run a few blocks and leave, paying a bigger
            // entry and exit than a block's for nothing; the block tier serves such code better
            synchronized (this) {
                withoutLoop++;
            }
            return null;
        }
        X86Region region = define(take, best);
        synchronized (this) {
            compiled++;
            if (fits < blocks.size()) {
                tooBig++;
            }
            blocksCompiled += take.size();
            largestMethod = Math.max(largestMethod, best.methodBytes);
            nanos += System.nanoTime() - start;
        }
        for (int i = 0; i < take.size(); i++) {
            take.get(i).joinRegion(region, i == 0);
        }
        // compiled off the run loop's thread: a block may have died meanwhile, after its
        // invalidation looked for the regions to kill with it
        for (X86Block b : take) {
            if (!b.isValid()) {
                region.invalidate();
                break;
            }
        }
        if (LOG) {
            StringBuilder sb = new StringBuilder("qemu.tcg.region-log: " + best.methodBytes + " bytes:");
            for (X86Block b : take) {
                sb.append(' ').append(Long.toHexString(b.pc)).append('/').append(b.instructionCount()).append('x').append(b.executions());
            }
            System.err.println(sb);
        }
        return region;
    }

    public synchronized String statistics() {
        return compiled + " regions compiled (" + blocksCompiled + " blocks, "
                + (compiled == 0 ? 0 : nanos / compiled / 1000) + " us each, largest method " + largestMethod
                + " bytes, " + tooBig + " cut to fit, " + withoutLoop + " without a loop dropped)";
    }

    /** Bytes of bytecode after the last block (the exit and the exception handler), for cutting a region to size. */
    private static final int EXIT_BYTES = 200;

    private record Generated(byte[] bytes, int methodBytes, int calleeBytes, int[] blockStart, int[] calleeBytesBefore, X86Op[] ops, int[] instructionAddress, int[] nextAddress) {
    }

    /**
     * True when control can go round inside the region: a cycle over its blocks, following
     * branches with known targets, and taking a return or other computed jump to reach any block
     * that follows a call in the region.
     */
    static boolean containsLoop(List<X86Block> blocks) {
        Map<Integer, Integer> indexOfPc = new HashMap<>();
        for (int k = 0; k < blocks.size(); k++) {
            indexOfPc.put((int) blocks.get(k).pc, k);
        }
        List<Integer> returnPoints = new ArrayList<>();
        for (X86Block b : blocks) {
            for (X86Op op : b.ops()) {
                if (op instanceof ControlOps.Call c && indexOfPc.containsKey(c.returnAddress)) {
                    returnPoints.add(indexOfPc.get(c.returnAddress));
                }
            }
        }
        List<List<Integer>> next = new ArrayList<>();
        for (X86Block b : blocks) {
            List<Integer> out = new ArrayList<>();
            X86Op last = b.ops()[b.ops().length - 1];
            int[] targets = switch (last) {
                case ControlOps.Goto g -> new int[] {g.target};
                case ControlOps.ConditionalJump j -> new int[] {j.target, j.fallThrough};
                case ControlOps.Loop l -> new int[] {l.target, l.fallThrough};
                case ControlOps.Call c when c.indirectTarget == null -> new int[] {c.target};
                default -> null;
            };
            if (targets == null) {
                out.addAll(returnPoints);
            } else {
                for (int t : targets) {
                    Integer k = indexOfPc.get(t);
                    if (k != null) {
                        out.add(k);
                    }
                }
            }
            next.add(out);
        }
        int[] state = new int[blocks.size()]; // 0 unseen, 1 on the path, 2 done
        for (int start = 0; start < blocks.size(); start++) {
            if (state[start] == 0 && reachesPath(start, next, state)) {
                return true;
            }
        }
        return false;
    }

    private static boolean reachesPath(int k, List<List<Integer>> next, int[] state) {
        state[k] = 1;
        for (int n : next.get(k)) {
            if (state[n] == 1 || (state[n] == 0 && reachesPath(n, next, state))) {
                return true;
            }
        }
        state[k] = 2;
        return false;
    }

    private boolean fitsBudget(Generated g) {
        return g.methodBytes <= MAX_METHOD_BYTES && g.methodBytes + g.calleeBytes <= budget;
    }

    /** A debugging aid: each region's class file is written to this directory (javap -c reads it). */
    private static final String DUMP_DIR = System.getProperty("qemu.tcg.region-dump");

    private X86Region define(List<X86Block> take, Generated g) {
        if (DUMP_DIR != null) {
            try {
                java.nio.file.Files.write(java.nio.file.Path.of(DUMP_DIR, "region-" + Long.toHexString(take.get(0).pc) + ".class"), g.bytes);
            } catch (java.io.IOException e) {
                System.err.println("qemu.tcg.region-dump: " + e.getMessage());
            }
        }
        try {
            MethodHandles.Lookup hidden = lookup.defineHiddenClass(g.bytes, true);
            MethodHandle ctor = hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class, Object[].class, X86Block[].class, int[].class, int[].class));
            return (X86Region) ctor.invoke((Object[]) g.ops, take.toArray(new X86Block[0]), g.instructionAddress, g.nextAddress);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot define translated region", t);
        }
    }

    /**
     * Emits the region twice when verified windows are on: the first pass records which
     * accesses share a window ({@link AccessWindows}), the second uses that plan.
     */
    private Generated generate(List<X86Block> blocks) {
        if (!BytecodeBlockCompiler.WINDOWS) {
            return generate(blocks, null);
        }
        AccessWindows plan = AccessWindows.recording();
        generate(blocks, plan);
        return generate(blocks, plan.replay());
    }

    private Generated generate(List<X86Block> blocks, AccessWindows windows) {
        int total = 0;
        for (X86Block b : blocks) {
            total += b.instructionCount();
        }
        X86Op[] ops = new X86Op[total];
        int[] instructionAddress = new int[total];
        int[] nextAddress = new int[total];
        int[] firstOp = new int[blocks.size()];
        Map<Integer, Integer> indexOfPc = new HashMap<>();
        int n = 0;
        for (int k = 0; k < blocks.size(); k++) {
            X86Block b = blocks.get(k);
            firstOp[k] = n;
            indexOfPc.put((int) b.pc, k);
            for (int i = 0; i < b.instructionCount(); i++, n++) {
                ops[n] = b.ops()[i];
                instructionAddress[n] = (int) b.instructionAddress(i);
                nextAddress[n] = (int) b.nextAddress(i);
            }
        }

        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, NAME, null, REGION, null);

        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "(L" + X86Emitter.CPU + ";)V", null, null);
        mv.visitCode();
        X86Emitter emitter = new X86Emitter(false, INLINE_MEMORY, windows);
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label handler = new Label();
        Label dispatch = new Label();
        Label exit = new Label();
        Label methodEnd = new Label();
        Label[] entry = new Label[blocks.size()];
        for (int k = 0; k < entry.length; k++) {
            entry[k] = new Label();
        }
        mv.visitTryCatchBlock(tryStart, tryEnd, handler, "java/lang/Throwable");
        emitter.prologue(mv, false);
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, X86Emitter.STATE, "rip", "J");
        mv.visitInsn(Opcodes.L2I);
        mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.NEXT);
        mv.visitLabel(tryStart);

        mv.visitLabel(dispatch);
        Integer[] order = new Integer[blocks.size()];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (x, y) -> Integer.compare((int) blocks.get(x).pc, (int) blocks.get(y).pc));
        int[] keys = new int[order.length];
        Label[] targets = new Label[order.length];
        for (int i = 0; i < order.length; i++) {
            keys[i] = (int) blocks.get(order[i]).pc;
            targets[i] = entry[order[i]];
        }
        mv.visitVarInsn(Opcodes.ILOAD, X86Emitter.NEXT);
        mv.visitLookupSwitchInsn(exit, keys, targets);

        if (BytecodeBlockCompiler.LIVENESS) {
            // per block, up to its terminator: control may arrive at a block from anywhere
            boolean[] dead = new boolean[ops.length];
            for (int k = 0; k < blocks.size(); k++) {
                FlagLiveness.mark(ops, firstOp[k], firstOp[k] + blocks.get(k).instructionCount() - 1, dead);
            }
            emitter.flagLiveness(dead);
        }
        List<Integer> fallbackOps = new ArrayList<>();
        Edges edges = new Edges(mv, emitter, entry, indexOfPc, exit);
        int[] calleeBytesBefore = new int[blocks.size()];
        for (int k = 0; k < blocks.size(); k++) {
            X86Block b = blocks.get(k);
            calleeBytesBefore[k] = emitter.calleeBytes();
            mv.visitLabel(entry[k]);
            emitter.forgetState();
            int last = b.instructionCount() - 1;
            for (int i = 0; i < last; i++) {
                emitOp(mv, emitter, ops, firstOp[k] + i, fallbackOps);
            }
            int index = firstOp[k] + last;
            X86Op op = ops[index];
            int from = (int) b.pc;
            if (op instanceof ControlOps.Goto g) {
                edges.to(g.target, from);
            } else if (op instanceof ControlOps.ConditionalJump j) {
                setIndex(mv, index);
                emitter.condition(mv, j.cc);
                Label notTaken = new Label();
                mv.visitJumpInsn(Opcodes.IFEQ, notTaken);
                edges.to(j.target, from);
                mv.visitLabel(notTaken);
                edges.to(j.fallThrough, from);
            } else if (op instanceof ControlOps.Call c && c.indirectTarget == null) {
                setIndex(mv, index);
                emitter.emitCallPush(mv, c);
                edges.to(c.target, from);
            } else if (op instanceof ControlOps.Return r) {
                setIndex(mv, index);
                emitter.emitReturnToNext(mv, r);
                edges.toNext(dispatch);
            } else {
                emitOp(mv, emitter, ops, index, fallbackOps);
                mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
                mv.visitFieldInsn(Opcodes.GETFIELD, X86Emitter.STATE, "rip", "J");
        mv.visitInsn(Opcodes.L2I);
                mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.NEXT);
                edges.toNext(dispatch);
            }
        }
        mv.visitLabel(tryEnd);
        mv.visitLabel(exit);
        emitter.forgetState();
        emitter.flushAll(mv);
        mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.STATE_LOCAL);
        mv.visitVarInsn(Opcodes.ILOAD, X86Emitter.NEXT);
        X86Emitter.putEip(mv);
        mv.visitInsn(Opcodes.RETURN);
        mv.visitLabel(handler);
        emitter.faultHandler(mv);
        mv.visitLabel(methodEnd);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        int methodBytes = methodEnd.getOffset();
        int[] blockStart = new int[entry.length];
        for (int k = 0; k < entry.length; k++) {
            blockStart[k] = entry[k].getOffset();
        }

        String opType = "L" + X86Emitter.OP + ";";
        for (int i : fallbackOps) {
            cw.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "op" + i, opType, null, null).visitEnd();
        }
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", CTOR, null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitVarInsn(Opcodes.ALOAD, 2);
        init.visitVarInsn(Opcodes.ALOAD, 3);
        init.visitVarInsn(Opcodes.ALOAD, 4);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, REGION, "<init>", "(" + BLOCK_ARRAY + "[I[I)V", false);
        for (int i : fallbackOps) {
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(Opcodes.ALOAD, 1);
            X86Emitter.push(init, i);
            init.visitInsn(Opcodes.AALOAD);
            init.visitTypeInsn(Opcodes.CHECKCAST, X86Emitter.OP);
            init.visitFieldInsn(Opcodes.PUTFIELD, NAME, "op" + i, opType);
        }
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        cw.visitEnd();
        return new Generated(cw.toByteArray(), methodBytes, emitter.calleeBytes(), blockStart, calleeBytesBefore, ops, instructionAddress, nextAddress);
    }

    private static void emitOp(MethodVisitor mv, X86Emitter emitter, X86Op[] ops, int index, List<Integer> fallbackOps) {
        if (!emitter.emitOp(mv, ops[index], index, NAME, "op" + index)) {
            fallbackOps.add(index);
        }
    }

    private static void setIndex(MethodVisitor mv, int index) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.INDEX);
    }

    /** Emits the ways out of a block: a jump to a block of the region, the dispatch, or the exit. */
    private record Edges(MethodVisitor mv, X86Emitter emitter, Label[] entry, Map<Integer, Integer> indexOfPc, Label exit) {
        /** To a target known at translation time: a goto when the region holds it. */
        void to(int target, int fromPc) {
            X86Emitter.push(mv, target);
            mv.visitVarInsn(Opcodes.ISTORE, X86Emitter.NEXT);
            Integer k = indexOfPc.get(target);
            if (k == null) {
                mv.visitJumpInsn(Opcodes.GOTO, exit);
                return;
            }
            boolean backward = Integer.compareUnsigned(target, fromPc) <= 0;
            if (backward || emitter.mayWrite()) {
                pollRegionValid();
            }
            if (backward) {
                pollCpuExit();
            }
            mv.visitJumpInsn(Opcodes.GOTO, entry[k]);
        }

        /** To the pc in the NEXT local, through the dispatch switch. */
        void toNext(Label dispatch) {
            pollRegionValid();
            pollCpuExit();
            mv.visitJumpInsn(Opcodes.GOTO, dispatch);
        }

        private void pollRegionValid() {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.THIS);
            mv.visitFieldInsn(Opcodes.GETFIELD, REGION, "valid", "Z");
            mv.visitJumpInsn(Opcodes.IFEQ, exit);
        }

        private void pollCpuExit() {
            mv.visitVarInsn(Opcodes.ALOAD, X86Emitter.CPU_LOCAL);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, X86Emitter.CPU, "mustLeaveRegion", "()Z", false);
            mv.visitJumpInsn(Opcodes.IFNE, exit);
        }
    }
}
