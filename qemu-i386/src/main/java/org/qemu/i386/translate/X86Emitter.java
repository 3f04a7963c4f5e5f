package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.memory.GuestMemory;
import org.qemu.common.tcg.OpContext;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;

/**
 * Emits x86 instructions as JVM bytecode into one method, for both hot tiers (a single block,
 * {@link BytecodeBlockCompiler}, and a region of blocks, {@link RegionCompiler}). The guest
 * registers and the lazy flag record live in JVM locals; this class tracks, at translation time,
 * which of them differ from the state object, so they are written back only where something
 * outside the method can see them.
 *
 * <p>Every guest memory access the emitted code makes goes through {@link #memoryAccess}: the
 * one place a software MMU (system mode with paging) will change.
 */
final class X86Emitter {
    static final String CPU = Type.getInternalName(X86Cpu.class);
    static final String STATE = Type.getInternalName(X86CpuState.class);
    static final String MEMORY = Type.getInternalName(GuestMemory.class);
    static final String FLAGS = Type.getInternalName(LazyFlags.class);
    static final String OP = Type.getInternalName(X86Op.class);
    static final String ARITHMETIC = Type.getInternalName(ArithmeticOps.class);
    static final String MULDIV = Type.getInternalName(MulDivOps.class);
    static final String SHIFT = Type.getInternalName(ShiftOps.class);
    static final String CONTEXT = Type.getInternalName(OpContext.class);

    // locals of the generated method
    static final int THIS = 0, CTX = 1, CPU_LOCAL = 2, STATE_LOCAL = 3, REGS = 4, MEM = 5, INDEX = 6,
            A = 7, B = 8, RES = 9, ADDR = 10, VALUE = 12, THROWN = 13, IN_FALLBACK = 14;
    /** Guest registers EAX..EDI live in locals R0..R0+7 while the method runs. */
    static final int R0 = 15;
    /** A long for imul's full product (two slots). */
    static final int PRODUCT = 23;
    /** The lazy flag record (ccOp, ccA, ccB, ccC, ccRes) lives in locals F_OP..F_OP+4 while the method runs. */
    static final int F_OP = 25;
    /** Region methods: the guest pc of the next block to run. */
    static final int NEXT = 30;
    private static final String[] FLAG_FIELDS = {"ccOp", "ccA", "ccB", "ccC", "ccRes"};
    /**
     * Inline memory fast path (regions): the protection table, host base and range mask of
     * {@link GuestMemory}, loaded once at entry, and the address and value of the access in
     * flight, after the other locals.
     */
    static final int MEM_PROT = NEXT + 1, MEM_BASE = NEXT + 2, MEM_RANGE = NEXT + 4, MEM_ADDR = NEXT + 6, MEM_VALUE = NEXT + 8;
    /**
     * Verified windows ({@link AccessWindows}): a scratch long for the window test, then one long per
     * guest register holding the host address of its window's lowest byte (0: not verified).
     */
    static final int WINDOW_TEST = MEM_VALUE + 1, WINDOW_HOST = WINDOW_TEST + 2;
    /**
     * Page caches of a loop block's accesses that have no window (indexed accesses such as
     * sha256's {@code [esp+ebp*4+0x4c]} and its K table, accesses through registers the loop
     * changes): per access site, the guest address of the page it last verified and that page's
     * host address, two longs each, after the window locals.
     */
    static final int SITE_CACHE = WINDOW_HOST + 2 * 8, SITE_CACHES = 8;
    /** Loop blocks: the six segment bases, two slots each, after the page caches. */
    static final int SEGMENT_BASE = SITE_CACHE + 4 * SITE_CACHES;
    /** XMM0-7 in locals ({@link SseEmitter}: two longs each), after the segment bases: the last locals of the layout. */
    static final int XMM_BASE = SEGMENT_BASE + 2 * 6;

    /** XMM registers in locals after the segment bases, and the SSE instructions emitted over them. */
    private final SseEmitter sse = new SseEmitter(new SseHost(), XMM_BASE, 8);
    /** {@link #prepareXmm} was called: SSE forms may be emitted inline. */
    private boolean xmmPrepared;

    /** The access windows of this method (null: none), planned by a first emission pass. */
    private final AccessWindows windows;

    /** Accesses without a window get a page cache of their own ({@link #SITE_CACHE}): loop blocks. */
    private boolean siteCaches;
    /** Page caches handed out so far. */
    private int sites;

    /** Emit guest memory accesses' fast path as bytecode instead of calling GuestMemory's accessors. */
    private final boolean inlineMemory;


    /** Registers whose local was written since the array was last in step (one bit per register). */
    private int dirty;
    /** The flag locals were written since the state fields were last in step. */
    private boolean flagsDirty;
    /**
     * Registers (one bit each) and flags whose locals were written anywhere in the method so
     * far: the fault handler writes back only those, so a register the method never changes
     * needs no load at entry unless it is read (HotSpot drops the dead loads).
     */
    private int everDirty;
    private boolean flagsEverDirty;

    private void noteWritten() {
        everDirty |= dirty;
        flagsEverDirty |= flagsDirty;
    }
    /** The ccOp local's value when known at translation time (set by the last flag-setting instruction emitted), else -1. */
    private int knownFlagOp = -1;
    /** The code emitted since {@link #forgetState} may store to guest memory or call out. */
    private boolean mayWrite;
    /**
     * Estimated bytecode that HotSpot inlines into the method for the calls emitted so far:
     * C2 stops inlining once the method and its inlined callees pass DesiredMethodLimit (8,000
     * bytes), and every call it then leaves in place spills all guest registers held in locals.
     */
    private int calleeBytes;
    /** GuestMemory's accessor, its protection check and the segment access, inlined. */
    static final int MEMORY_ACCESS_BYTES = Integer.getInteger("qemu.tcg.region-access-weight", 200);
    /** What HotSpot inlines for an inline fast path: the host load or store helper and Unsafe's wrapper. */
    static final int INLINE_ACCESS_BYTES = Integer.getInteger("qemu.tcg.region-inline-access-weight", 40);
    /** An op called through its field: its exec and what that calls (x87/SSE ops are large). */
    static final int OP_CALL_BYTES = Integer.getInteger("qemu.tcg.region-op-weight", 300);
    /** LazyFlags' general condition and carry evaluation. */
    static final int FLAG_EVALUATION_BYTES = 150;

    /** 64-bit code: nothing inline, the registers are never written back from int locals. */
    private final boolean longMode;

    X86Emitter() {
        this(false);
    }

    X86Emitter(boolean longMode) {
        this(longMode, false);
    }

    X86Emitter(boolean longMode, boolean inlineMemory) {
        this(longMode, inlineMemory, null);
    }

    /**
     * {@code windows}: a plan being recorded (this emitter's output is thrown away) or one
     * recorded by an emitter that emitted the same method before; null for none.
     */
    X86Emitter(boolean longMode, boolean inlineMemory, AccessWindows windows) {
        this.longMode = longMode;
        this.inlineMemory = inlineMemory && GuestMemory.directAccess();
        // a method without a window needs none of their locals, nor the fast path's values
        this.windows = !longMode && GuestMemory.directAccess() && windows != null && (windows.any() || windows.isRecording())
                ? windows : null;
    }

    int calleeBytes() {
        return calleeBytes;
    }

    /**
     * Lets the method's SSE instructions be emitted inline, holding the XMM registers they name
     * in locals; call before {@link #prologue} with the ops the method will emit.
     */
    void prepareXmm(X86Op[] ops) {
        if (!longMode) {
            sse.prepare(ops);
            xmmPrepared = true;
            for (X86Op op : ops) {
                xmmOps |= op instanceof InlineXmmOp;
            }
        }
    }

    /**
     * The method has SSE instructions to emit: only then does the prologue initialise the SSE
     * scratch locals, the highest of the layout. A method without them then ends its locals
     * where the windows, page caches or flag record end (31-101 slots instead of 139: a smaller
     * interpreter frame per chained call; defineHiddenClass's verification measured the same).
     */
    private boolean xmmOps;

    /**
     * Initialises every local (so all frames agree) and loads the registers and flags;
     * {@code castContext}: the method's parameter is an {@link OpContext} to cast to the CPU.
     */
    void prologue(MethodVisitor mv, boolean castContext) {
        loadContextLocals(mv, castContext);
        prologueAfterContext(mv);
    }

    /**
     * The CPU, its state, register array and guest memory into their locals, from the method's
     * parameter (a context to cast to the CPU, or the CPU). {@link X86Sequence#enter} has them as
     * parameters in the same slots and starts with {@link #prologueAfterContext}.
     */
    static void loadContextLocals(MethodVisitor mv, boolean castContext) {
        mv.visitVarInsn(Opcodes.ALOAD, CTX);
        if (castContext) {
            mv.visitTypeInsn(Opcodes.CHECKCAST, CPU);
        }
        mv.visitVarInsn(Opcodes.ASTORE, CPU_LOCAL);
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, CPU, "state", "L" + STATE + ";");
        mv.visitVarInsn(Opcodes.ASTORE, STATE_LOCAL);
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "regs", "[J");
        mv.visitVarInsn(Opcodes.ASTORE, REGS);
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, CPU, "memory", "L" + MEMORY + ";");
        mv.visitVarInsn(Opcodes.ASTORE, MEM);
    }

    /** The rest of {@link #prologue}: every other local initialised, registers and flags loaded. */
    void prologueAfterContext(MethodVisitor mv) {
        for (int local : new int[] {INDEX, A, B, RES, VALUE, IN_FALLBACK, NEXT}) {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, local);
        }
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitVarInsn(Opcodes.LSTORE, PRODUCT);
        if (inlineMemory || (windows != null && !windows.isRecording()) || siteCaches) {
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "protectionTable", "()[B", false);
            mv.visitVarInsn(Opcodes.ASTORE, MEM_PROT);
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "hostBase", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_BASE);
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "rangeMask", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_RANGE);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, MEM_VALUE);
        }
        if ((windows != null && !windows.isRecording()) || siteCaches) {
            for (int local = WINDOW_TEST; local <= WINDOW_HOST + 2 * 7; local += 2) {
                mv.visitInsn(Opcodes.LCONST_0);
                mv.visitVarInsn(Opcodes.LSTORE, local);
            }
            if (siteCaches) {
                for (int site = 0; site < SITE_CACHES; site++) {
                    emptyPageCache(mv, SITE_CACHE + 4 * site);
                }
            }
        }
        if (segmentLocals) {
            for (int segment = 0; segment < 6; segment++) {
                mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
                mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "segBase", "[J");
                push(mv, segment);
                mv.visitInsn(Opcodes.LALOAD);
                mv.visitVarInsn(Opcodes.LSTORE, SEGMENT_BASE + 2 * segment);
            }
        }
        reload(mv);
        reloadFlags(mv);
        dirty = 0;
        if (xmmPrepared) {
            if (xmmOps) {
                sse.initialiseScratch(mv);
            }
            sse.load(mv);
        }
    }

    /**
     * Emits op {@code index} (its position in the method's op numbering, reported on a fault):
     * inline when this class knows the instruction, else as a call to the op held in field
     * {@code fieldName} of class {@code owner}. Returns true when it was emitted inline.
     */
    boolean emitOp(MethodVisitor mv, X86Op op, int index, String owner, String fieldName) {
        currentOp = index;
        if (longMode || !cannotThrow(op)) {
            push(mv, index);
            mv.visitVarInsn(Opcodes.ISTORE, INDEX);
        }
        if (!longMode && emitInline(mv, op)) {
            noteWritten();
            return true;
        }
        if (!longMode && (op instanceof FpuOnlyOp || op instanceof ComparisonToFlagsOp)) {
            emitFpuCall(mv, op, owner, fieldName);
            return false;
        }
        // the op works on the register array: bring it up to date, and reload what the op changed
        flushDirty(mv);
        flushFlags(mv);
        sse.flush(mv);
        push(mv, 1);
        mv.visitVarInsn(Opcodes.ISTORE, IN_FALLBACK);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, fieldName, "L" + OP + ";");
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, OP, "exec", "(L" + CPU + ";)V", true);
        calleeBytes += OP_CALL_BYTES;
        push(mv, 0);
        mv.visitVarInsn(Opcodes.ISTORE, IN_FALLBACK);
        reload(mv);
        reloadFlags(mv);
        sse.load(mv);
        mayWrite = true;
        noteWritten();
        return false;
    }

    /**
     * An x87/MMX/SSE op called through its field without the reload that follows other calls:
     * it changes no general register and no EFLAGS bit except, for a comparison, ZF/PF/CF, which
     * it returns into the flag locals. Only the changed registers are written back first (the op
     * may read them). IN_FALLBACK stays 0: the locals remain current, so a fault inside the op
     * writes them back like a fault in inline code.
     */
    private void emitFpuCall(MethodVisitor mv, X86Op op, String owner, String fieldName) {
        flushDirty(mv);
        sse.flush(mv);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, fieldName, "L" + OP + ";");
        if (op instanceof ComparisonToFlagsOp) {
            String comparison = Type.getInternalName(ComparisonToFlagsOp.class);
            mv.visitTypeInsn(Opcodes.CHECKCAST, comparison);
            mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, comparison, "compareToFlags", "(L" + CPU + ";)I", true);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
            push(mv, LazyFlags.EFLAGS);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP);
            knownFlagOp = LazyFlags.EFLAGS;
            flagsDirty = true;
        } else {
            mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
            mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, OP, "exec", "(L" + CPU + ";)V", true);
        }
        sse.load(mv);
        calleeBytes += OP_CALL_BYTES;
        mayWrite = true;
        noteWritten();
    }

    /** True when code emitted since the last {@link #forgetState} may have stored to guest memory or called out. */
    boolean mayWrite() {
        return mayWrite;
    }

    /**
     * At a point several paths reach (a region's block entry): nothing is known about what the
     * locals hold relative to the state object, so everything counts as written.
     */
    void forgetState() {
        if (windows != null) {
            windows.loopHead();
        }
        dirty = 0xff;
        flagsDirty = true;
        knownFlagOp = -1;
        mayWrite = false;
        sse.forgetState();
        noteWritten();
    }

    /**
     * A join inside a call-return unit (a side path coming back to the path) and the start of a
     * side path: nothing is known about what the locals hold against the state, and the access
     * windows opened before it were verified on one way in only, so they close (the next
     * access through each register verifies a new one). Unlike {@link #forgetState} it leaves
     * the loop's tracking of changed registers alone.
     */
    void joinPoint() {
        if (windows != null) {
            windows.join();
        }
        dirty = 0xff;
        flagsDirty = true;
        knownFlagOp = -1;
        sse.forgetState();
        noteWritten();
    }

    /**
     * A side exit reached from several points (a call-return unit's failed guard): what the
     * locals hold against the state is not tracked there, so every register, the flag record and
     * every XMM local are written back. The access windows are left alone: they stay valid.
     */
    void flushEverything(MethodVisitor mv) {
        dirty = 0xff;
        flagsDirty = true;
        sse.forgetState();
        flushAll(mv);
    }

    /** Writes every register and the flag record back to the state object. */
    void flushAll(MethodVisitor mv) {
        flushDirty(mv);
        flushFlags(mv);
        sse.flush(mv);
    }

    /**
     * The exception handler: a fault in inline code leaves the locals holding the state before
     * the faulting instruction (written back here); in an op call, the state object is current.
     * Reports the op index and rethrows.
     */
    void faultHandler(MethodVisitor mv) {
        noteWritten();
        mv.visitVarInsn(Opcodes.ASTORE, THROWN);
        Label arrayCurrent = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, IN_FALLBACK);
        mv.visitJumpInsn(Opcodes.IFNE, arrayCurrent);
        for (int r = 0; r < 8 && !longMode; r++) {
            if ((everDirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
        flagsDirty = flagsEverDirty;
        flushFlags(mv);
        sse.flushForFault(mv);
        mv.visitLabel(arrayCurrent);
        mv.visitVarInsn(Opcodes.ALOAD, CTX);
        mv.visitVarInsn(Opcodes.ILOAD, INDEX);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONTEXT, "recordFaultingOp", "(I)V", true);
        mv.visitVarInsn(Opcodes.ALOAD, THROWN);
        mv.visitInsn(Opcodes.ATHROW);
    }

    /** Region terminators: ret's target popped into the NEXT local (the load first, esp after). */
    void emitReturnToNext(MethodVisitor mv, ControlOps.Return ret) {
        stackAccess(mv, 0, false, ret.bits);
        mv.visitVarInsn(Opcodes.ISTORE, NEXT);
        adjustEsp(mv, ret.bits / 8 + ret.release);
        noteWritten();
    }

    /** Region terminators: a direct call's return-address push (the jump itself is the caller's). */
    void emitCallPush(MethodVisitor mv, ControlOps.Call c) {
        push(mv, c.returnAddress);
        mv.visitVarInsn(Opcodes.ISTORE, VALUE);
        pushValue(mv, c.bits);
        noteWritten();
    }

    /**
     * The one emission point of guest memory accesses: expects the memory object and the long
     * linear address (and for a write the int value) on the operand stack; a read leaves the
     * zero-extended value.
     */
    void memoryAccess(MethodVisitor mv, boolean write, int bits) {
        mayWrite |= write;
        String size = switch (bits) {
            case 8 -> "8";
            case 16 -> "16";
            default -> "32";
        };
        if (inlineMemory) {
            inlineMemoryAccess(mv, write, bits, size);
            return;
        }
        calleeBytes += MEMORY_ACCESS_BYTES;
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, (write ? "write" : "read") + size, write ? "(JI)V" : "(J)I", false);
    }

    /**
     * GuestMemory's fast path as bytecode (see {@link GuestMemory#protectionTable}): an access
     * inside one page whose protection allows it goes straight to the host address; anything
     * else calls the accessor, which checks again and takes the slow path (faults, code pages,
     * page-crossing accesses).
     */
    private void inlineMemoryAccess(MethodVisitor mv, boolean write, int bits, String size) {
        calleeBytes += INLINE_ACCESS_BYTES;
        Label slow = new Label();
        Label done = new Label();
        if (write) {
            mv.visitVarInsn(Opcodes.ISTORE, MEM_VALUE);
        }
        mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
        mv.visitInsn(Opcodes.POP);
        inlineAccessTest(mv, bits / 8, write, slow);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitInsn(Opcodes.LADD);
        hostAccess(mv, write, bits, MEM_VALUE);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        accessorCall(mv, write, size, MEM_VALUE);
        mv.visitLabel(done);
    }

    /** What {@link SseEmitter} needs from this emitter: the CPU, addresses, integer operands, the flag record. */
    private final class SseHost implements SseEmitter.Host {
        @Override
        public void pushAddress(MethodVisitor mv, Operand.Memory m) {
            address(mv, m);
        }

        @Override
        public void readInteger(MethodVisitor mv, Operand o) {
            read(mv, o, false);
        }

        @Override
        public void writeInteger(MethodVisitor mv, Operand o) {
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, o, false);
        }

        @Override
        public void comparisonFlags(MethodVisitor mv) {
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
            push(mv, LazyFlags.EFLAGS);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP);
            knownFlagOp = LazyFlags.EFLAGS;
            flagsDirty = true;
        }

        @Override
        public void memoryAccessed(boolean write) {
            mayWrite |= write;
            calleeBytes += MEMORY_ACCESS_BYTES;
        }
    }

    // ---- flag liveness -------------------------------------------------------------------

    /** Per op index: its flags are dead ({@link FlagLiveness}); null: all live. */
    private boolean[] deadFlags;
    /** The index of the op being emitted. */
    private int currentOp;

    /** Tells which ops' flags nothing reads (indexed like emitOp's {@code index}). */
    void flagLiveness(boolean[] dead) {
        this.deadFlags = dead;
    }

    private boolean flagsDead() {
        return deadFlags != null && currentOp >= 0 && currentOp < deadFlags.length && deadFlags[currentOp];
    }

    // ---- verified windows ------------------------------------------------------------------

    /**
     * A loop block's accesses without a window each keep the page they last verified (call before
     * {@link #prologue}): an iteration that touches the same page again pays a subtraction and a
     * range test instead of the protection lookup. Sound for the reason hoisted windows are (a
     * loop block calls no op); a page that fails the test is never cached, so those accesses keep
     * taking the accessor.
     */
    void cacheAccessPages() {
        // also without any window (a loop whose accesses are all indexed, such as a byte-swapping
        // copy between two arrays): the caches need only the inline fast path's locals
        siteCaches = !longMode && GuestMemory.directAccess() && (windows == null || !windows.isRecording());
    }

    /** Segment bases live in locals ({@link #SEGMENT_BASE}); see {@link #segmentBasesInLocals}. */
    private boolean segmentLocals;

    /**
     * A loop block keeps the segment bases in locals, loaded once (call before {@link #prologue}):
     * only an op called through its field can load a segment register, and a loop block calls none.
     * Without it every address computation reloads the base from the state's array, which C2 cannot
     * hoist out of the loop past the volatile read of the loop's exit poll.
     */
    void segmentBasesInLocals() {
        segmentLocals = true;
    }

    /**
     * Fills a page cache (long locals {@code cache}: the page, {@code cache + 2}: its host address)
     * with the page of the linear address in long local {@code linear}; with a {@code segment}
     * (not -1) the page is kept as an offset in that segment, which is what the hit test compares.
     */
    private void fillPageCache(MethodVisitor mv, int linear, int cache, int segment) {
        fillFlatPageCache(mv, linear, cache, MEM_BASE);
        if (segment >= 0) {
            mv.visitVarInsn(Opcodes.LLOAD, cache);
            segmentBase(mv, segment);
            mv.visitInsn(Opcodes.LSUB);
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LSTORE, cache);
        }
    }

    /**
     * Fills a page cache (long locals {@code cache}: the page, {@code cache + 2}: its host address)
     * with the page of the address in long local {@code linear}, the host address from the guest
     * memory's base in long local {@code memBase} (both block tiers keep page caches this way).
     */
    static void fillFlatPageCache(MethodVisitor mv, int linear, int cache, int memBase) {
        mv.visitVarInsn(Opcodes.LLOAD, linear);
        mv.visitLdcInsn(~(long) GuestMemory.PAGE_MASK);
        mv.visitInsn(Opcodes.LAND);
        mv.visitVarInsn(Opcodes.LSTORE, cache);
        mv.visitVarInsn(Opcodes.LLOAD, memBase);
        mv.visitVarInsn(Opcodes.LLOAD, cache);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LSTORE, cache + 2);
    }

    /**
     * Jumps to {@code outside} unless the {@code span} bytes at the guest address in long local
     * {@code address} stay in one page of the guest range (the address masked by {@link #MEM_RANGE}).
     */
    private static void jumpUnlessInRangePage(MethodVisitor mv, int address, int span, Label outside) {
        mv.visitVarInsn(Opcodes.LLOAD, address);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_RANGE);
        mv.visitInsn(Opcodes.LAND);
        if (span > 1) {
            mv.visitLdcInsn((long) (span - 1));
            mv.visitInsn(Opcodes.LADD);
        }
        jumpIfBeyondFirstPage(mv, outside);
    }

    /**
     * Jumps to {@code outside} unless the {@code span} bytes at the distance in long local
     * {@code distance} from a cached page's start lie in that page (first and last byte 0..4095).
     */
    static void jumpUnlessInFirstPage(MethodVisitor mv, int distance, int span, Label outside) {
        pushSpanEnds(mv, distance, span);
        jumpIfBeyondFirstPage(mv, outside);
    }

    /** As {@link #jumpUnlessInFirstPage}, for a cache of two pages: jumps unless the span lies in 0..8191. */
    static void jumpUnlessInFirstTwoPages(MethodVisitor mv, int distance, int span, Label outside) {
        pushSpanEnds(mv, distance, span);
        jumpIfNotBelow(mv, GuestMemory.PAGE_SHIFT + 1, outside);
    }

    /**
     * Stores the address {@code pushAddress} pushes in long local {@code addressLocal}, and its
     * distance from the start of the page cache in long local {@code cache} in {@code distanceLocal}.
     */
    static void storeAddressAndDistance(MethodVisitor mv, Runnable pushAddress, int addressLocal, int cache, int distanceLocal) {
        pushAddress.run();
        mv.visitVarInsn(Opcodes.LSTORE, addressLocal);
        mv.visitVarInsn(Opcodes.LLOAD, addressLocal);
        mv.visitVarInsn(Opcodes.LLOAD, cache);
        mv.visitInsn(Opcodes.LSUB);
        mv.visitVarInsn(Opcodes.LSTORE, distanceLocal);
    }

    /** The other way round: jumps to {@code inside} when the span lies in 0..8191 (a two-page cache's hit). */
    static void jumpIfInFirstTwoPages(MethodVisitor mv, int distance, int span, Label inside) {
        pushSpanEnds(mv, distance, span);
        jumpOnRange(mv, GuestMemory.PAGE_SHIFT + 1, Opcodes.IFEQ, inside);
    }

    /** Pushes the distance in long local {@code distance} or'ed with the distance of the span's last byte: negative or too far shows in its high bits. */
    private static void pushSpanEnds(MethodVisitor mv, int distance, int span) {
        mv.visitVarInsn(Opcodes.LLOAD, distance);
        if (span > 1) {
            mv.visitVarInsn(Opcodes.LLOAD, distance);
            mv.visitLdcInsn((long) (span - 1));
            mv.visitInsn(Opcodes.LADD);
            mv.visitInsn(Opcodes.LOR);
        }
    }

    /**
     * An empty page cache in long locals {@code cache} (its page: {@link X86Sequence#NO_PAGE}, which
     * no access's distance test passes) and {@code cache + 2} (0): both emitters' loops start so,
     * and a loop trace's kept caches hold the same value when empty.
     */
    static void emptyPageCache(MethodVisitor mv, int cache) {
        mv.visitLdcInsn(X86Sequence.NO_PAGE);
        mv.visitVarInsn(Opcodes.LSTORE, cache);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitVarInsn(Opcodes.LSTORE, cache + 2);
    }

    /** Pops a long and jumps to {@code outside} if it is not in 0..4095. */
    private static void jumpIfBeyondFirstPage(MethodVisitor mv, Label outside) {
        jumpIfNotBelow(mv, GuestMemory.PAGE_SHIFT, outside);
    }

    /** Pops a long and jumps to {@code outside} unless it lies in 0 .. 2^{@code bits} - 1. */
    private static void jumpIfNotBelow(MethodVisitor mv, int bits, Label outside) {
        jumpOnRange(mv, bits, Opcodes.IFNE, outside);
    }

    /** Pops a long and tests whether it lies in 0 .. 2^{@code bits} - 1: {@code IFEQ} jumps when it does, {@code IFNE} when not. */
    private static void jumpOnRange(MethodVisitor mv, int bits, int jump, Label to) {
        push(mv, bits);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(jump, to);
    }

    /**
     * The inline fast path's test: jumps to {@code slow} unless the {@code bytes} at the guest
     * address in {@link #MEM_ADDR} stay in one page of the guest range whose protection allows the access.
     */
    private static void inlineAccessTest(MethodVisitor mv, int bytes, boolean write, Label slow) {
        jumpUnlessInRangePage(mv, MEM_ADDR, bytes, slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM_PROT);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.BALOAD);
        push(mv, write ? GuestMemory.INLINE_WRITE : GuestMemory.INLINE_READ);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
    }

    /** Pushes the long base of {@code segment}. */
    private void segmentBase(MethodVisitor mv, int segment) {
        if (segmentLocals) {
            mv.visitVarInsn(Opcodes.LLOAD, SEGMENT_BASE + 2 * segment);
            return;
        }
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "segBase", "[J");
        push(mv, segment);
        mv.visitInsn(Opcodes.LALOAD);
    }

    /** A loop block, before its head: verifies the windows of registers the loop never changes. */
    void verifyHoistedWindows(MethodVisitor mv) {
        if (windows != null && !windows.isRecording()) {
            for (AccessWindows.Hoisted h : windows.hoisted()) {
                verifyWindow(mv, h.register(), h.segment(), h.window(), false);
            }
        }
    }

    /** Registers whose value changed (a bit each): accesses through them start new windows. */
    private void registersChanged(int mask) {
        if (windows != null) {
            windows.registersChanged(mask);
        }
    }

    /** A memory operand's access: through a verified window when the plan gives it one. */
    private void operandAccess(MethodVisitor mv, Operand.Memory m, boolean write, boolean addressInLocal) {
        Runnable pushAddress = () -> {
            if (addressInLocal) {
                mv.visitVarInsn(Opcodes.LLOAD, ADDR);
            } else {
                address(mv, m);
            }
        };
        boolean eligible = m.base >= 0 && m.index < 0 && !m.address16;
        Runnable pushOffset = addressInLocal || m.address16 ? null : () -> offset(mv, m);
        access(mv, eligible ? m.base : -1, m.displacement, m.segment, m.bits, write, pushAddress, pushOffset);
    }

    /** A stack access at esp + {@code delta} (a write stores the VALUE local; a read leaves the value). */
    private void stackAccess(MethodVisitor mv, int delta, boolean write, int bits) {
        access(mv, X86CpuState.ESP, delta, X86CpuState.SS, bits, write, () -> stackAddress(mv, delta), null);
    }

    /**
     * One guest memory access at register {@code base} (-1: not through a plain base register)
     * plus {@code displacement} in {@code segment}; a write stores the VALUE local, a read leaves
     * the zero-extended value. {@code pushAddress} pushes the long linear address.
     */
    private void access(MethodVisitor mv, int base, int displacement, int segment, int bits, boolean write, Runnable pushAddress,
            Runnable pushOffset) {
        AccessWindows.Window w = windows == null || base < 0 ? null : windows.access(base, segment, displacement, bits / 8, write);
        if (w == null && siteCaches && sites < SITE_CACHES) {
            cachedPageAccess(mv, SITE_CACHE + 4 * sites++, bits, write, pushAddress, pushOffset, segment);
            return;
        }
        if (w == null) {
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            pushAddress.run();
            if (write) {
                mv.visitVarInsn(Opcodes.ILOAD, VALUE);
            }
            memoryAccess(mv, write, bits);
            return;
        }
        mayWrite |= write;
        calleeBytes += INLINE_ACCESS_BYTES;
        int host = WINDOW_HOST + 2 * base;
        if (w.first()) {
            verifyWindow(mv, base, segment, w, true);
        }
        String size = bits == 8 ? "8" : bits == 16 ? "16" : "32";
        Label slow = new Label();
        Label done = new Label();
        mv.visitVarInsn(Opcodes.LLOAD, host);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
        mv.visitVarInsn(Opcodes.LLOAD, host);
        if (w.offset() != 0) {
            mv.visitLdcInsn((long) w.offset());
            mv.visitInsn(Opcodes.LADD);
        }
        hostAccess(mv, write, bits, VALUE);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        // the window failed its test: the accessor checks this access alone (and faults precisely)
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        pushAddress.run();
        accessorCall(mv, write, size, VALUE);
        mv.visitLabel(done);
    }

    /**
     * An access through the page cache at local {@code cache} (the page's guest address, then its
     * host address): a hit is a host load or store; a miss makes GuestMemory's inline test and, when
     * the page allows the access, caches the page; a page that does not takes the accessor.
     */
    private void cachedPageAccess(MethodVisitor mv, int cache, int bits, boolean write, Runnable pushAddress, Runnable pushOffset,
            int segment) {
        mayWrite |= write;
        calleeBytes += INLINE_ACCESS_BYTES;
        int bytes = bits / 8;
        String size = bits == 8 ? "8" : bits == 16 ? "16" : "32";
        Label miss = new Label();
        Label slow = new Label();
        Label done = new Label();
        if (pushOffset != null) {
            // the cache holds the page's start as an offset in the segment (sign-extended): the
            // hit test works on the instruction's own offset, without the segment base's add and
            // the 32-bit wrap (a page whose offsets straddle 2^31 only misses, never hits wrongly)
            pushOffset.run();
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LLOAD, cache);
            mv.visitInsn(Opcodes.LSUB);
            mv.visitVarInsn(Opcodes.LSTORE, WINDOW_TEST);
        } else {
            // hit: the distance from the cached page is 0..4096-bytes (first and last byte in the page)
            storeAddressAndDistance(mv, pushAddress, MEM_ADDR, cache, WINDOW_TEST);
        }
        jumpUnlessInFirstPage(mv, WINDOW_TEST, bytes, miss);
        mv.visitVarInsn(Opcodes.LLOAD, cache + 2);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitInsn(Opcodes.LADD);
        hostAccess(mv, write, bits, VALUE);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(miss);
        if (pushOffset != null) {
            pushAddress.run();
            mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
        }
        inlineAccessTest(mv, bytes, write, slow);
        fillPageCache(mv, MEM_ADDR, cache, pushOffset != null ? segment : -1);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitInsn(Opcodes.LADD);
        hostAccess(mv, write, bits, VALUE);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        accessorCall(mv, write, size, VALUE);
        mv.visitLabel(done);
    }

    /**
     * The slow path of an inline access: {@link GuestMemory}'s accessor for the memory and address
     * on the stack (a store takes its value from {@code valueLocal}), which checks the access alone
     * and faults precisely; a load leaves the value.
     */
    private static void accessorCall(MethodVisitor mv, boolean write, String size, int valueLocal) {
        if (write) {
            mv.visitVarInsn(Opcodes.ILOAD, valueLocal);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write" + size, "(JI)V", false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read" + size, "(J)I", false);
        }
    }

    /**
     * A host load (leaves the value) or store (of local {@code valueLocal}) at the host address on
     * the stack: Unsafe called directly when it can be ({@link HostAccess}: cheaper C1 profiling code).
     */
    private static void hostAccess(MethodVisitor mv, boolean write, int accessBits, int valueLocal) {
        // the same widths as the callers' accessor names: 8, 16, anything else 32
        int bits = accessBits == 8 || accessBits == 16 ? accessBits : 32;
        if (HostAccess.available()) {
            if (write) {
                HostAccess.store(mv, bits, valueLocal);
            } else {
                HostAccess.load(mv, bits);
            }
            return;
        }
        String size = Integer.toString(bits);
        if (write) {
            mv.visitVarInsn(Opcodes.ILOAD, valueLocal);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore" + size, "(JI)V", false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad" + size, "(J)I", false);
        }
    }

    /**
     * At a window's first access: sets the register's window host address when all bytes the
     * window's accesses touch lie in one guest page that allows every kind of access they make
     * (GuestMemory's inline fast-path test, once for all of them), else 0.
     */
    private void verifyWindow(MethodVisitor mv, int base, int segment, AccessWindows.Window w, boolean inBody) {
        int host = WINDOW_HOST + 2 * base;
        Label bad = new Label();
        Label done = new Label();
        // a loop block verifies the window of a register it moves (a pointer walking an array) on
        // every iteration: the page the window was last verified in comes first, as for indexed
        // accesses (cachedPageAccess, the same offset form), so a walk verifies each page once
        // instead of each step
        int cache = inBody && siteCaches && sites < SITE_CACHES ? SITE_CACHE + 4 * sites++ : -1;
        Label verify = new Label();
        if (cache >= 0) {
            mv.visitVarInsn(Opcodes.ILOAD, R0 + base);
            push(mv, w.lowFromNow());
            mv.visitInsn(Opcodes.IADD);
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LLOAD, cache);
            mv.visitInsn(Opcodes.LSUB);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
            jumpUnlessInFirstPage(mv, MEM_ADDR, w.span(), verify);
            mv.visitVarInsn(Opcodes.LLOAD, cache + 2);
            mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
            mv.visitInsn(Opcodes.LADD);
            mv.visitVarInsn(Opcodes.LSTORE, host);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(verify);
        }
        // the lowest byte: the register now, minus the offset of this access within the window
        mv.visitVarInsn(Opcodes.ILOAD, R0 + base);
        push(mv, w.lowFromNow());
        mv.visitInsn(Opcodes.IADD);
        mv.visitInsn(Opcodes.I2L);
        segmentBase(mv, segment);
        mv.visitInsn(Opcodes.LADD);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
        mv.visitVarInsn(Opcodes.LSTORE, WINDOW_TEST);
        jumpUnlessInRangePage(mv, WINDOW_TEST, w.span(), bad);
        int need = (w.reads() ? GuestMemory.INLINE_READ : 0) | (w.writes() ? GuestMemory.INLINE_WRITE : 0);
        mv.visitVarInsn(Opcodes.ALOAD, MEM_PROT);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.BALOAD);
        push(mv, need);
        mv.visitInsn(Opcodes.IAND);
        push(mv, need);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, bad);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LSTORE, host);
        if (cache >= 0) {
            // the page allows every access of the window: later iterations inside it skip the test
            fillPageCache(mv, WINDOW_TEST, cache, segment);
        }
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(bad);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitVarInsn(Opcodes.LSTORE, host);
        mv.visitLabel(done);
    }

    // ---- instruction emitters -------------------------------------------------------------

    private boolean emitInline(MethodVisitor mv, X86Op op) {
        if (op instanceof InlineXmmOp x) {
            return xmmPrepared && sse.emit(mv, x);
        }
        if (op instanceof ArithmeticOps.Binary b) {
            return emitBinary(mv, b);
        }
        if (op instanceof ArithmeticOps.ZeroRegister z) {
            push(mv, 0);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, z.dst, false);
            push(mv, 0);
            mv.visitVarInsn(Opcodes.ISTORE, RES);
            recordFlags(mv, (z.sub ? LazyFlags.SUB : LazyFlags.LOGIC) | LazyFlags.sizeIndex(z.dst.bits), -1, -1);
            return true;
        }
        if (op instanceof ArithmeticOps.Unary u) {
            return emitUnary(mv, u);
        }
        if (isInlineShift(op)) {
            ShiftOps.Shift sh = (ShiftOps.Shift) op;
            emitShift32(mv, sh.kind, sh.dst, ((Operand.Immediate) sh.count).value & 31);
            return true;
        }
        if (isInlineDoubleShift(op)) {
            // 64-bit integers in 32-bit code (a xorshift generator): shld/shrd by a constant
            ShiftOps.DoubleShift ds = (ShiftOps.DoubleShift) op;
            emitDoubleShift32(mv, ds.left, ds.dst, ds.src, ((Operand.Immediate) ds.count).value & 31);
            return true;
        }
        if (op instanceof MulDivOps.Multiply m && m.dst.bits != 8) {
            read(mv, m.a, false);
            if (m.dst.bits == 16) {
                mv.visitInsn(Opcodes.I2S);
            }
            mv.visitInsn(Opcodes.I2L);
            read(mv, m.b, false);
            if (m.dst.bits == 16) {
                mv.visitInsn(Opcodes.I2S);
            }
            mv.visitInsn(Opcodes.I2L);
            mv.visitInsn(Opcodes.LMUL);
            mv.visitVarInsn(Opcodes.LSTORE, PRODUCT);
            mv.visitVarInsn(Opcodes.LLOAD, PRODUCT);
            mv.visitInsn(Opcodes.L2I);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, m.dst, false);
            push(mv, m.dst.bits);
            mv.visitVarInsn(Opcodes.LLOAD, PRODUCT);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MULDIV, "multiplyOverflow", "(IJ)I", false);
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
            push(mv, LazyFlags.RESULT_CO | LazyFlags.sizeIndex(m.dst.bits));
            mv.visitVarInsn(Opcodes.ISTORE, F_OP);
            knownFlagOp = LazyFlags.RESULT_CO | LazyFlags.sizeIndex(m.dst.bits);
            mv.visitVarInsn(Opcodes.ILOAD, VALUE);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
            flagsDirty = true;
            return true;
        }
        if (op instanceof MoveOps.Move m && register32(m.dst) >= 0) {
            read(mv, m.src, false);
            storeRegister32(mv, register32(m.dst));
            return true;
        }
        if (op instanceof MoveOps.Move m) {
            // a store computes its address only where it needs it: the window and page-cache
            // paths work from the offset, the accessor path adds the segment base itself
            read(mv, m.src, false);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, m.dst, false);
            return true;
        }
        if (op instanceof MoveOps.MoveExtend m) {
            read(mv, m.src, false);
            if (m.signed) {
                mv.visitInsn(m.src.bits == 8 ? Opcodes.I2B : Opcodes.I2S);
            }
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, m.dst, false);
            return true;
        }
        if (op instanceof MoveOps.ByteSwap bs && bs.bits == 32) {
            mv.visitVarInsn(Opcodes.ILOAD, R0 + bs.reg);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
            mv.visitVarInsn(Opcodes.ISTORE, R0 + bs.reg);
            registersChanged(1 << bs.reg);
            dirty |= 1 << bs.reg;
            return true;
        }
        if (op instanceof MoveOps.LoadEffectiveAddress lea && register32(lea.dst) >= 0) {
            offset(mv, lea.src);
            storeRegister32(mv, register32(lea.dst));
            return true;
        }
        if (op instanceof MoveOps.LoadEffectiveAddress lea) {
            offset(mv, lea.src);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, lea.dst, false);
            return true;
        }
        if (op instanceof MoveOps.ConditionalMove c) {
            read(mv, c.src, false);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            condition(mv, c.cc);
            Label skip = new Label();
            mv.visitJumpInsn(Opcodes.IFEQ, skip);
            write(mv, c.dst, false);
            mv.visitLabel(skip);
            return true;
        }
        if (op instanceof MoveOps.SetCondition c) {
            if (c.dst instanceof Operand.Memory mem) {
                address(mv, mem);
                mv.visitVarInsn(Opcodes.LSTORE, ADDR);
            }
            condition(mv, c.cc);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, c.dst, true);
            return true;
        }
        if (op instanceof ControlOps.Goto g) {
            setEip(mv, g.target);
            return true;
        }
        if (op instanceof ControlOps.ConditionalJump j) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            condition(mv, j.cc);
            Label notTaken = new Label();
            Label done = new Label();
            mv.visitJumpInsn(Opcodes.IFEQ, notTaken);
            push(mv, j.target);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(notTaken);
            push(mv, j.fallThrough);
            mv.visitLabel(done);
            putEip(mv);
            return true;
        }
        if (op instanceof ControlOps.Call c && c.indirectTarget == null) {
            push(mv, c.returnAddress);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            pushValue(mv, c.bits);
            setEip(mv, c.target);
            return true;
        }
        if (op instanceof ControlOps.Call c && c.indirectTarget != null && c.bits == 32 && c.indirectTarget.bits == 32) {
            // call r/m32 (qsort's comparator, function pointers): the target is read before the push
            read(mv, c.indirectTarget, false);
            mv.visitVarInsn(Opcodes.ISTORE, A);
            push(mv, c.returnAddress);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            pushValue(mv, c.bits);
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.ILOAD, A);
            putEip(mv);
            return true;
        }
        if (op instanceof StackOps.Push p) {
            read(mv, p.src, false);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            pushValue(mv, p.bits);
            return true;
        }
        if (op instanceof StackOps.Pop p && p.dst instanceof Operand.Register) {
            stackAccess(mv, 0, false, p.bits);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            adjustEsp(mv, p.bits / 8);
            write(mv, p.dst, false);
            return true;
        }
        if (op instanceof ControlOps.Return ret) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            stackAccess(mv, 0, false, ret.bits);
            putEip(mv);
            adjustEsp(mv, ret.bits / 8 + ret.release);
            return true;
        }
        return false;
    }

    /** True when 32-bit code emits {@code op} as bytecode of its own (not a call to the op). */
    static boolean emitsInline(X86Op op) {
        X86Emitter probe = new X86Emitter();
        if (op instanceof InlineXmmOp) {
            probe.prepareXmm(new X86Op[] {op});
        }
        return probe.emitInline(new MethodVisitor(Opcodes.ASM9) {
        }, op);
    }

    /** True for the shld/shrd forms {@link #emitDoubleShift32} emits inline: 32-bit registers, a constant count 1..31. */
    static boolean isInlineDoubleShift(X86Op op) {
        return op instanceof ShiftOps.DoubleShift ds && ds.bits == 32 && ds.dst instanceof Operand.Register
                && ds.src instanceof Operand.Register && ds.count instanceof Operand.Immediate count && (count.value & 31) != 0;
    }

    /** True for the shifts and rotates {@link #emitShift32} emits inline. */
    static boolean isInlineShift(X86Op op) {
        return op instanceof ShiftOps.Shift sh && sh.bits == 32 && sh.dst instanceof Operand.Register
                && sh.count instanceof Operand.Immediate count && (count.value & 31) != 0
                && sh.kind != ShiftOps.RCL && sh.kind != ShiftOps.RCR;
    }

    /**
     * shl/shr/sar/rol/ror of a 32-bit register by a constant 1..31, all in locals: shifts record
     * RESULT_CO (CF, OF computed here), rotates set CF and OF over the saved base record
     * (the same records {@code ShiftOps.shift32} makes, without its five field stores and loads).
     */
    /**
     * shld/shrd of a 32-bit register by a constant 1..31, filling from register {@code src}:
     * records RESULT_CO with CF (the last bit shifted out of dst) and OF (the sign changed).
     */
    private void emitDoubleShift32(MethodVisitor mv, boolean left, Operand dst, Operand src, int n) {
        read(mv, dst, false);
        mv.visitVarInsn(Opcodes.ISTORE, A);
        read(mv, src, false);
        mv.visitVarInsn(Opcodes.ISTORE, B);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        push(mv, n);
        mv.visitInsn(left ? Opcodes.ISHL : Opcodes.IUSHR);
        mv.visitVarInsn(Opcodes.ILOAD, B);
        push(mv, 32 - n);
        mv.visitInsn(left ? Opcodes.IUSHR : Opcodes.ISHL);
        mv.visitInsn(Opcodes.IOR);
        mv.visitVarInsn(Opcodes.ISTORE, RES);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, VALUE);
        write(mv, dst, false);
        if (flagsDead()) {
            return;
        }
        mv.visitVarInsn(Opcodes.ILOAD, A);
        push(mv, left ? 32 - n : n - 1);
        mv.visitInsn(Opcodes.IUSHR);
        push(mv, 1);
        mv.visitInsn(Opcodes.IAND);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        mv.visitInsn(Opcodes.IXOR);
        push(mv, 31);
        mv.visitInsn(Opcodes.IUSHR);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
        push(mv, LazyFlags.RESULT_CO | 2);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
        knownFlagOp = LazyFlags.RESULT_CO | 2;
        flagsDirty = true;
    }

    /**
     * Rotates the int on the stack left by {@code n} (1..31) as two shifts and an or, not a call of
     * Integer.rotateLeft: C2 folds the pattern into one rotate instruction as it does the
     * intrinsic, while HotSpot's bytecode interpreter, which runs a block class for its first few
     * hundred calls, would make a Java call per rotate.
     */
    private static void rotate32(MethodVisitor mv, int n) {
        mv.visitInsn(Opcodes.DUP);
        push(mv, n);
        mv.visitInsn(Opcodes.ISHL);
        mv.visitInsn(Opcodes.SWAP);
        push(mv, 32 - n);
        mv.visitInsn(Opcodes.IUSHR);
        mv.visitInsn(Opcodes.IOR);
    }

    /** The number of the 32-bit general register {@code o} names, or -1 (memory, immediate, 8- or 16-bit register). */
    private static int register32(Operand o) {
        return o instanceof Operand.Register r && r.bits == 32 ? r.reg : -1;
    }

    /**
     * Pops an int into 32-bit register {@code reg}'s local: what {@link #write} does for such a
     * register, without passing the value through the VALUE local (HotSpot's interpreter runs
     * every bytecode a block class has, and C1 and C2 parse them all).
     */
    private void storeRegister32(MethodVisitor mv, int reg) {
        mv.visitVarInsn(Opcodes.ISTORE, R0 + reg);
        registersChanged(1 << reg);
        dirty |= 1 << reg;
    }

    /**
     * True for inline ops that work on registers and immediates only and call nothing: no
     * exception can leave them, so they need not store their index for the fault handler (the
     * next op that can fault stores its own before anything in it can throw).
     */
    static boolean cannotThrow(X86Op op) {
        if (op instanceof ArithmeticOps.Binary b) {
            return b.kind != ArithmeticOps.ADC && b.kind != ArithmeticOps.SBB && b.dst instanceof Operand.Register
                    && !(b.src instanceof Operand.Memory);
        }
        if (op instanceof ArithmeticOps.Unary u) {
            return u.dst instanceof Operand.Register && (u.kind == ArithmeticOps.NOT || u.kind == ArithmeticOps.NEG);
        }
        if (op instanceof MoveOps.Move m) {
            return m.dst instanceof Operand.Register && !(m.src instanceof Operand.Memory);
        }
        if (op instanceof MoveOps.LoadEffectiveAddress || op instanceof ArithmeticOps.ZeroRegister z && z.dst instanceof Operand.Register) {
            return true;
        }
        return isInlineShift(op);
    }

    private void emitShift32(MethodVisitor mv, int kind, Operand dst, int n) {
        int reg = register32(dst);
        if (reg >= 0 && flagsDead()) {
            // nothing reads the flags: the register's local in, the result out, no scratch locals
            mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
            switch (kind) {
                case ShiftOps.SHL, ShiftOps.SAL, ShiftOps.SHR, ShiftOps.SAR -> {
                    push(mv, n);
                    mv.visitInsn(kind == ShiftOps.SHR ? Opcodes.IUSHR : kind == ShiftOps.SAR ? Opcodes.ISHR : Opcodes.ISHL);
                }
                default -> rotate32(mv, kind == ShiftOps.ROL ? n : 32 - n);
            }
            storeRegister32(mv, reg);
            return;
        }
        read(mv, dst, false);
        mv.visitVarInsn(Opcodes.ISTORE, A);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        switch (kind) {
            case ShiftOps.SHL, ShiftOps.SAL -> {
                push(mv, n);
                mv.visitInsn(Opcodes.ISHL);
            }
            case ShiftOps.SHR -> {
                push(mv, n);
                mv.visitInsn(Opcodes.IUSHR);
            }
            case ShiftOps.SAR -> {
                push(mv, n);
                mv.visitInsn(Opcodes.ISHR);
            }
            default -> rotate32(mv, kind == ShiftOps.ROL ? n : 32 - n);
        }
        mv.visitVarInsn(Opcodes.ISTORE, RES);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, VALUE);
        write(mv, dst, false);
        if (flagsDead()) {
            return;
        }
        if (kind == ShiftOps.ROL || kind == ShiftOps.ROR) {
            saveRotateBase(mv);
            // CF
            mv.visitVarInsn(Opcodes.ILOAD, RES);
            if (kind == ShiftOps.ROL) {
                push(mv, 1);
                mv.visitInsn(Opcodes.IAND);
            } else {
                push(mv, 31);
                mv.visitInsn(Opcodes.IUSHR);
            }
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
            // OF: ROL: msb ^ CF; ROR: the two top bits differ
            mv.visitVarInsn(Opcodes.ILOAD, RES);
            push(mv, 31);
            mv.visitInsn(Opcodes.IUSHR);
            if (kind == ShiftOps.ROL) {
                mv.visitVarInsn(Opcodes.ILOAD, F_OP + 2);
            } else {
                mv.visitVarInsn(Opcodes.ILOAD, RES);
                push(mv, 30);
                mv.visitInsn(Opcodes.IUSHR);
                push(mv, 1);
                mv.visitInsn(Opcodes.IAND);
            }
            mv.visitInsn(Opcodes.IXOR);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
            knownFlagOp = LazyFlags.ROTATE;
        } else {
            // CF: the last bit shifted out
            mv.visitVarInsn(Opcodes.ILOAD, A);
            if (kind == ShiftOps.SHL || kind == ShiftOps.SAL) {
                push(mv, 32 - n);
            } else {
                push(mv, n - 1);
            }
            mv.visitInsn(Opcodes.IUSHR);
            push(mv, 1);
            mv.visitInsn(Opcodes.IAND);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
            switch (kind) {
                case ShiftOps.SHR -> {
                    mv.visitVarInsn(Opcodes.ILOAD, A);
                    push(mv, 31);
                    mv.visitInsn(Opcodes.IUSHR);
                }
                case ShiftOps.SAR -> push(mv, 0);
                default -> {
                    mv.visitVarInsn(Opcodes.ILOAD, RES);
                    push(mv, 31);
                    mv.visitInsn(Opcodes.IUSHR);
                    mv.visitVarInsn(Opcodes.ILOAD, F_OP + 2);
                    mv.visitInsn(Opcodes.IXOR);
                }
            }
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
            push(mv, LazyFlags.RESULT_CO | 2);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP);
            mv.visitVarInsn(Opcodes.ILOAD, RES);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
            knownFlagOp = LazyFlags.RESULT_CO | 2;
        }
        flagsDirty = true;
    }

    /**
     * A rotate keeps SF ZF AF PF of the operation before it: unless a rotate record is current,
     * the current record becomes the base (in the state object, where {@link LazyFlags} reads it).
     */
    private void saveRotateBase(MethodVisitor mv) {
        if (knownFlagOp == LazyFlags.ROTATE) {
            return;
        }
        Label already = new Label();
        if (knownFlagOp < 0) {
            mv.visitVarInsn(Opcodes.ILOAD, F_OP);
            push(mv, ~3);
            mv.visitInsn(Opcodes.IAND);
            push(mv, LazyFlags.ROTATE);
            mv.visitJumpInsn(Opcodes.IF_ICMPEQ, already);
        }
        String[] base = {"ccBaseOp", "ccBaseA", "ccBaseB", "ccBaseC", "ccBaseRes"};
        for (int i = 0; i < 5; i++) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + i);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, base[i], "I");
        }
        push(mv, LazyFlags.ROTATE);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP);
        mv.visitLabel(already);
    }

    private boolean emitBinary(MethodVisitor mv, ArithmeticOps.Binary b) {
        int kind = b.kind;
        if (kind == ArithmeticOps.ADC || kind == ArithmeticOps.SBB) {
            if (!(b.dst instanceof Operand.Register)) {
                return false; // the helper records flags before the store: keep memory destinations in the op
            }
            if (INLINE_CARRY_OPS) {
                emitCarryBinary(mv, b);
                return true;
            }
            flushFlags(mv);
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            push(mv, b.bits);
            read(mv, b.dst, false);
            read(mv, b.src, false);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, ARITHMETIC, kind == ArithmeticOps.ADC ? "addWithCarry" : "subtractWithBorrow",
                    "(L" + STATE + ";III)I", false);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            reloadFlags(mv);
            write(mv, b.dst, false);
            return true;
        }
        int flagKind = switch (kind) {
            case ArithmeticOps.ADD -> LazyFlags.ADD;
            case ArithmeticOps.SUB, ArithmeticOps.CMP -> LazyFlags.SUB;
            default -> LazyFlags.LOGIC;
        };
        int reg = register32(b.dst);
        if (reg >= 0 && b.bits == 32) {
            emitRegisterBinary(mv, kind, reg, b.src, flagKind | LazyFlags.sizeIndex(32));
            return true;
        }
        boolean memoryDst = b.dst instanceof Operand.Memory;
        if (memoryDst) {
            address(mv, (Operand.Memory) b.dst);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, b.dst, true);
        mv.visitVarInsn(Opcodes.ISTORE, A);
        read(mv, b.src, false);
        mv.visitVarInsn(Opcodes.ISTORE, B);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        mv.visitVarInsn(Opcodes.ILOAD, B);
        mv.visitInsn(intOpcode(kind));
        mv.visitVarInsn(Opcodes.ISTORE, RES);
        if (kind != ArithmeticOps.CMP && kind != ArithmeticOps.TEST) {
            mv.visitVarInsn(Opcodes.ILOAD, RES);
            mv.visitVarInsn(Opcodes.ISTORE, VALUE);
            write(mv, b.dst, true);
        }
        recordFlags(mv, flagKind | LazyFlags.sizeIndex(b.bits), A, B);
        return true;
    }

    /**
     * {@code -Dqemu.tcg.inline-carry-ops=false}: adc and sbb call {@link ArithmeticOps} with the
     * flag record written back and reloaded around the call, as before (for comparison).
     */
    static final boolean INLINE_CARRY_OPS = !"false".equals(System.getProperty("qemu.tcg.inline-carry-ops"));

    /** The JVM int instruction of add/sub/cmp/and/or/xor/test (cmp subtracts, test ands). */
    private static int intOpcode(int kind) {
        return switch (kind) {
            case ArithmeticOps.ADD -> Opcodes.IADD;
            case ArithmeticOps.SUB, ArithmeticOps.CMP -> Opcodes.ISUB;
            case ArithmeticOps.OR -> Opcodes.IOR;
            case ArithmeticOps.XOR -> Opcodes.IXOR;
            default -> Opcodes.IAND; // AND, TEST
        };
    }

    /**
     * adc/sbb to a register, inline: the carry in is the current record's CF (a direct compare
     * when the record is known, as after cpubench's {@code cmp edx, ecx; sbb eax, 0}), and the
     * record becomes the add/sub with that carry in its carry slot, as the helper records it. Why:
     * the helper call wrote the five flag locals to the state and read them back around it, ten
     * field accesses and a call in glibc's integer comparator, run once per comparison.
     */
    private void emitCarryBinary(MethodVisitor mv, ArithmeticOps.Binary b) {
        boolean add = b.kind == ArithmeticOps.ADC;
        read(mv, b.dst, false);
        mv.visitVarInsn(Opcodes.ISTORE, A);
        read(mv, b.src, false);
        mv.visitVarInsn(Opcodes.ISTORE, B);
        boolean dead = flagsDead();
        mv.visitVarInsn(Opcodes.ILOAD, A);
        mv.visitVarInsn(Opcodes.ILOAD, B);
        mv.visitInsn(add ? Opcodes.IADD : Opcodes.ISUB);
        condition(mv, 2); // CF of the record before: read before the record is overwritten
        if (!dead) {
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
        }
        mv.visitInsn(add ? Opcodes.IADD : Opcodes.ISUB);
        mv.visitVarInsn(Opcodes.ISTORE, RES);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, VALUE);
        write(mv, b.dst, false);
        if (dead) {
            return; // the locals keep the record before, which knownFlagOp still describes
        }
        push(mv, (add ? LazyFlags.ADD : LazyFlags.SUB) | LazyFlags.sizeIndex(b.bits));
        mv.visitVarInsn(Opcodes.ISTORE, F_OP);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
        mv.visitVarInsn(Opcodes.ILOAD, B);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
        // a carry in makes the record's orderings more than a compare of a and b: evaluated lazily
        knownFlagOp = -1;
        flagsDirty = true;
    }

    /**
     * add/sub/cmp/and/or/xor/test of a 32-bit register with any source, on the operand stack: the
     * operands and the result go straight into the flag record's locals (the source is read,
     * and may fault, before any local changes), not through the A, B and RES scratch locals.
     */
    private void emitRegisterBinary(MethodVisitor mv, int kind, int reg, Operand src, int flagOp) {
        boolean keep = kind != ArithmeticOps.CMP && kind != ArithmeticOps.TEST;
        boolean flags = !flagsDead();
        mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
        read(mv, src, false);
        if (flags) {
            mv.visitInsn(Opcodes.DUP2);
        }
        mv.visitInsn(intOpcode(kind));
        if (flags) {
            mv.visitInsn(Opcodes.DUP);
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
        }
        if (keep) {
            storeRegister32(mv, reg);
        } else {
            mv.visitInsn(Opcodes.POP);
        }
        if (!flags) {
            return;
        }
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
        push(mv, flagOp);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP);
        push(mv, 0);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
        knownFlagOp = flagOp;
        flagsDirty = true;
    }

    private boolean emitUnary(MethodVisitor mv, ArithmeticOps.Unary u) {
        int reg = register32(u.dst);
        if (reg >= 0 && (u.kind == ArithmeticOps.NOT || flagsDead())) {
            // no flag record to make (not sets none): the register's local only
            switch (u.kind) {
                case ArithmeticOps.INC, ArithmeticOps.DEC -> {
                    mv.visitIincInsn(R0 + reg, u.kind == ArithmeticOps.INC ? 1 : -1);
                    registersChanged(1 << reg);
                    dirty |= 1 << reg;
                }
                default -> {
                    mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
                    if (u.kind == ArithmeticOps.NOT) {
                        push(mv, -1);
                        mv.visitInsn(Opcodes.IXOR);
                    } else {
                        mv.visitInsn(Opcodes.INEG);
                    }
                    storeRegister32(mv, reg);
                }
            }
            return true;
        }
        boolean memoryDst = u.dst instanceof Operand.Memory;
        if (memoryDst) {
            address(mv, (Operand.Memory) u.dst);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, u.dst, true);
        mv.visitVarInsn(Opcodes.ISTORE, A);
        mv.visitVarInsn(Opcodes.ILOAD, A);
        switch (u.kind) {
            case ArithmeticOps.INC -> {
                push(mv, 1);
                mv.visitInsn(Opcodes.IADD);
            }
            case ArithmeticOps.DEC -> {
                push(mv, 1);
                mv.visitInsn(Opcodes.ISUB);
            }
            case ArithmeticOps.NOT -> {
                push(mv, -1);
                mv.visitInsn(Opcodes.IXOR);
            }
            default -> mv.visitInsn(Opcodes.INEG);
        }
        mv.visitVarInsn(Opcodes.ISTORE, RES);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, VALUE);
        write(mv, u.dst, true);
        int bits = u.dst.bits;
        if (flagsDead()) {
            return true;
        }
        switch (u.kind) {
            case ArithmeticOps.INC, ArithmeticOps.DEC -> {
                // inc/dec keep CF: it becomes the record's carry-in slot
                for (int i = 0; i < 5; i++) {
                    mv.visitVarInsn(Opcodes.ILOAD, F_OP + i);
                }
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS, "carryOf", "(IIIII)I", false);
                calleeBytes += FLAG_EVALUATION_BYTES;
                mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
                push(mv, (u.kind == ArithmeticOps.INC ? LazyFlags.INC : LazyFlags.DEC) | LazyFlags.sizeIndex(bits));
                mv.visitVarInsn(Opcodes.ISTORE, F_OP);
                knownFlagOp = (u.kind == ArithmeticOps.INC ? LazyFlags.INC : LazyFlags.DEC) | LazyFlags.sizeIndex(bits);
                mv.visitVarInsn(Opcodes.ILOAD, A);
                mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
                mv.visitVarInsn(Opcodes.ILOAD, RES);
                mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
                flagsDirty = true;
            }
            case ArithmeticOps.NEG -> recordFlags(mv, LazyFlags.SUB | LazyFlags.sizeIndex(bits), -1, A); // flags of 0 - a
            default -> {
            }
        }
        return true;
    }

    /**
     * Pushes condition {@code cc} as 0 or 1. When the flag-setting instruction is known at
     * translation time (a 32-bit cmp/sub, logic or arithmetic result earlier in the same block),
     * the condition is a direct comparison of its operands: no lazy-flag evaluation at all.
     */
    void condition(MethodVisitor mv, int cc) {
        if (emitKnownCondition(mv, cc)) {
            return;
        }
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        for (int i = 0; i < 5; i++) {
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + i);
        }
        push(mv, cc);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS, "conditionOf", "(L" + STATE + ";IIIIII)Z", false);
        calleeBytes += FLAG_EVALUATION_BYTES;
    }

    private boolean emitKnownCondition(MethodVisitor mv, int cc) {
        int op = knownFlagOp;
        if (op == LazyFlags.EFLAGS && cc >> 1 < 6) {
            // the flags themselves (after a floating-point comparison): O, B, E, BE, S, P are bit tests
            int mask = switch (cc >> 1) {
                case 0 -> X86CpuState.OF;
                case 1 -> X86CpuState.CF;
                case 2 -> X86CpuState.ZF;
                case 3 -> X86CpuState.CF | X86CpuState.ZF;
                case 4 -> X86CpuState.SF;
                default -> X86CpuState.PF;
            };
            Label no = new Label();
            Label end = new Label();
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + 1);
            push(mv, mask);
            mv.visitInsn(Opcodes.IAND);
            mv.visitJumpInsn((cc & 1) == 0 ? Opcodes.IFEQ : Opcodes.IFNE, no);
            push(mv, 1);
            mv.visitJumpInsn(Opcodes.GOTO, end);
            mv.visitLabel(no);
            push(mv, 0);
            mv.visitLabel(end);
            return true;
        }
        if (op < 0 || (op & 3) != 2) {
            return false;
        }
        int kind = op & ~3;
        boolean resultFlags = kind == LazyFlags.ADD || kind == LazyFlags.SUB || kind == LazyFlags.LOGIC
                || kind == LazyFlags.INC || kind == LazyFlags.DEC || kind == LazyFlags.RESULT_CO;
        if (!resultFlags) {
            return false;
        }
        int zeroCompare = switch (cc) {
            case 4 -> Opcodes.IFEQ;
            case 5 -> Opcodes.IFNE;
            case 8 -> Opcodes.IFLT;
            case 9 -> Opcodes.IFGE;
            default -> -1;
        };
        if (kind == LazyFlags.LOGIC && zeroCompare < 0) {
            // CF = OF = 0: the orderings reduce to the result's sign and zero
            zeroCompare = switch (cc) {
                case 7 -> Opcodes.IFNE; // above: !CF && !ZF
                case 6 -> Opcodes.IFEQ; // below or equal
                case 12 -> Opcodes.IFLT; // less: SF != OF
                case 13 -> Opcodes.IFGE;
                case 14 -> Opcodes.IFLE;
                case 15 -> Opcodes.IFGT;
                default -> -1;
            };
        }
        Label yes = new Label();
        Label done = new Label();
        if (zeroCompare >= 0) {
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + 4);
            mv.visitJumpInsn(zeroCompare, yes);
        } else if (kind == LazyFlags.SUB && cc >= 2 && cc != 8 && cc != 9 && cc != 10 && cc != 11 && cc != 0 && cc != 1) {
            // recordFlags leaves no borrow-in: a cmp/sub of a and b orders a against b
            boolean unsigned = cc <= 7;
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + 1);
            if (unsigned) {
                push(mv, Integer.MIN_VALUE);
                mv.visitInsn(Opcodes.IXOR);
            }
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + 2);
            if (unsigned) {
                push(mv, Integer.MIN_VALUE);
                mv.visitInsn(Opcodes.IXOR);
            }
            mv.visitJumpInsn(switch (cc) {
                case 2, 12 -> Opcodes.IF_ICMPLT;
                case 3, 13 -> Opcodes.IF_ICMPGE;
                case 6, 14 -> Opcodes.IF_ICMPLE;
                default -> Opcodes.IF_ICMPGT; // 7, 15
            }, yes);
        } else {
            return false;
        }
        push(mv, 0);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(yes);
        push(mv, 1);
        mv.visitLabel(done);
        return true;
    }

    // ---- lazy flags in locals ------------------------------------------------------------------

    /** Records a flag-setting result: op constant, a and b from locals (-1: zero), no carry-in, RES. */
    private void recordFlags(MethodVisitor mv, int op, int aLocal, int bLocal) {
        if (flagsDead()) {
            // nothing reads them: the locals keep the record before, which knownFlagOp still describes
            return;
        }
        knownFlagOp = op;
        push(mv, op);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP);
        if (aLocal < 0) {
            push(mv, 0);
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, aLocal);
        }
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 1);
        if (bLocal < 0) {
            push(mv, 0);
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, bLocal);
        }
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 2);
        push(mv, 0);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 3);
        mv.visitVarInsn(Opcodes.ILOAD, RES);
        mv.visitVarInsn(Opcodes.ISTORE, F_OP + 4);
        flagsDirty = true;
    }

    void flushFlags(MethodVisitor mv) {
        noteWritten();
        if (!flagsDirty) {
            return;
        }
        for (int i = 0; i < 5; i++) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.ILOAD, F_OP + i);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, FLAG_FIELDS[i], "I");
        }
        flagsDirty = false;
    }

    void reloadFlags(MethodVisitor mv) {
        knownFlagOp = -1;
        for (int i = 0; i < 5; i++) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, FLAG_FIELDS[i], "I");
            mv.visitVarInsn(Opcodes.ISTORE, F_OP + i);
        }
        flagsDirty = false;
    }

    static void setEip(MethodVisitor mv, int target) {
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        push(mv, target);
        putEip(mv);
    }

    /** Expects the state object and an int eip on the stack: stores it zero-extended into {@code rip}. */
    static void putEip(MethodVisitor mv) {
        mv.visitInsn(Opcodes.I2L);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "rip", "J");
    }

    // ---- registers in locals ------------------------------------------------------------------

    /** A 32-bit register write-back: zero-extends the local into the 64-bit register, the x86-64 rule. */
    private static void flush(MethodVisitor mv, int reg) {
        mv.visitVarInsn(Opcodes.ALOAD, REGS);
        push(mv, reg);
        mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
        mv.visitInsn(Opcodes.I2L);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
        mv.visitInsn(Opcodes.LASTORE);
    }

    /** Stores the locals written since the last sync back into the register array. */
    void flushDirty(MethodVisitor mv) {
        noteWritten();
        for (int r = 0; r < 8; r++) {
            if ((dirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
        dirty = 0;
    }

    void reload(MethodVisitor mv) {
        registersChanged(0xff);
        for (int r = 0; r < 8; r++) {
            mv.visitVarInsn(Opcodes.ALOAD, REGS);
            push(mv, r);
            mv.visitInsn(Opcodes.LALOAD);
            mv.visitInsn(Opcodes.L2I);
            mv.visitVarInsn(Opcodes.ISTORE, R0 + r);
        }
    }

    /** Pushes the linear address esp + delta on the stack segment. */
    private void stackAddress(MethodVisitor mv, int delta) {
        mv.visitVarInsn(Opcodes.ILOAD, R0 + X86CpuState.ESP);
        if (delta != 0) {
            push(mv, delta);
            mv.visitInsn(Opcodes.IADD);
        }
        mv.visitInsn(Opcodes.I2L);
        segmentBase(mv, X86CpuState.SS);
        mv.visitInsn(Opcodes.LADD);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
    }

    private void adjustEsp(MethodVisitor mv, int delta) {
        if (windows != null) {
            windows.registerMoved(X86CpuState.ESP, delta);
        }
        mv.visitIincInsn(R0 + X86CpuState.ESP, delta);
        dirty |= 1 << X86CpuState.ESP;
    }

    /** push of the VALUE local: the store first, esp only once it succeeded. */
    private void pushValue(MethodVisitor mv, int bits) {
        stackAccess(mv, -bits / 8, true, bits);
        adjustEsp(mv, -bits / 8);
    }

    // ---- operands ---------------------------------------------------------------------------

    /** Pushes the operand's value (zero-extended). A memory operand uses the ADDR local when {@code addressInLocal}. */
    private void read(MethodVisitor mv, Operand o, boolean addressInLocal) {
        if (o instanceof Operand.Immediate imm) {
            push(mv, imm.value);
        } else if (o instanceof Operand.Register r) {
            int reg = r.bits == 8 && r.reg >= 4 ? r.reg - 4 : r.reg;
            mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
            if (r.bits == 8) {
                if (r.reg >= 4) {
                    push(mv, 8);
                    mv.visitInsn(Opcodes.IUSHR);
                }
                push(mv, 0xff);
                mv.visitInsn(Opcodes.IAND);
            } else if (r.bits == 16) {
                push(mv, 0xffff);
                mv.visitInsn(Opcodes.IAND);
            }
        } else {
            operandAccess(mv, (Operand.Memory) o, false, addressInLocal);
        }
    }

    /** Writes the VALUE local to the operand; a memory operand takes its address from ADDR when {@code addressInLocal}. */
    private void write(MethodVisitor mv, Operand o, boolean addressInLocal) {
        if (o instanceof Operand.Register r) {
            int reg = r.bits == 8 && r.reg >= 4 ? r.reg - 4 : r.reg;
            int keep = switch (r.bits) {
                case 8 -> r.reg >= 4 ? ~0xff00 : ~0xff;
                case 16 -> ~0xffff;
                default -> 0;
            };
            if (keep == 0) {
                mv.visitVarInsn(Opcodes.ILOAD, VALUE);
            } else {
                mv.visitVarInsn(Opcodes.ILOAD, R0 + reg);
                mv.visitLdcInsn(keep);
                mv.visitInsn(Opcodes.IAND);
                mv.visitVarInsn(Opcodes.ILOAD, VALUE);
                mv.visitLdcInsn(r.bits == 16 ? 0xffff : 0xff);
                mv.visitInsn(Opcodes.IAND);
                if (r.bits == 8 && r.reg >= 4) {
                    push(mv, 8);
                    mv.visitInsn(Opcodes.ISHL);
                }
                mv.visitInsn(Opcodes.IOR);
            }
            mv.visitVarInsn(Opcodes.ISTORE, R0 + reg);
            registersChanged(1 << reg);
            dirty |= 1 << reg;
        } else if (o instanceof Operand.Memory m) {
            operandAccess(mv, m, true, addressInLocal);
        } else {
            throw new IllegalStateException("write to an immediate");
        }
    }

    /** Pushes the int offset of a memory operand (what lea computes). */
    private void offset(MethodVisitor mv, Operand.Memory m) {
        push(mv, m.displacement);
        if (m.base >= 0) {
            mv.visitVarInsn(Opcodes.ILOAD, R0 + m.base);
            mv.visitInsn(Opcodes.IADD);
        }
        if (m.index >= 0) {
            mv.visitVarInsn(Opcodes.ILOAD, R0 + m.index);
            if (m.scale > 0) {
                push(mv, m.scale);
                mv.visitInsn(Opcodes.ISHL);
            }
            mv.visitInsn(Opcodes.IADD);
        }
        if (m.address16) {
            push(mv, 0xffff);
            mv.visitInsn(Opcodes.IAND);
        }
    }

    /** Pushes the long linear address: (offset + segment base) mod 2^32. */
    private void address(MethodVisitor mv, Operand.Memory m) {
        offset(mv, m);
        mv.visitInsn(Opcodes.I2L);
        segmentBase(mv, m.segment);
        mv.visitInsn(Opcodes.LADD);
        mv.visitLdcInsn(0xffffffffL);
        mv.visitInsn(Opcodes.LAND);
    }

    static void push(MethodVisitor mv, int value) {
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

