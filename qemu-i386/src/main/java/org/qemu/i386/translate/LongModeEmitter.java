package org.qemu.i386.translate;

import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.Flags64;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;

/**
 * Emits one block of 64-bit code as JVM bytecode (the block tier of {@link BytecodeBlockCompiler}
 * for long mode). The sixteen guest registers live in long locals, loaded at entry and written
 * back at the end, around ops still called through their fields, and in the fault handler; the
 * common integer instructions of every operand size are emitted inline, 32-bit register writes
 * zero-extending as x86-64 requires.
 *
 * <p>Flags: a block is straight-line code, so at each instruction the last flag-setting
 * instruction is known at translation time. Its operands and result stay in locals (FA, FB, FRES,
 * and the kind in {@link #pendingOp}); a condition that follows is a comparison of those locals
 * (cmp; jcc is one long compare), and the record reaches the state object only where something
 * outside the method can see it ({@link Flags64#record}: the ordinary lazy record for 8-32-bit
 * results, an eager evaluation for 64-bit ones).
 */
final class LongModeEmitter {
    private static final String STATE = X86Emitter.STATE;
    private static final String MEMORY = X86Emitter.MEMORY;
    private static final String CPU = X86Emitter.CPU;
    private static final String OP = X86Emitter.OP;
    private static final String CONTEXT = X86Emitter.CONTEXT;
    private static final String FLAGS = X86Emitter.FLAGS;
    private static final String FLAGS64 = Type.getInternalName(Flags64.class);
    private static final String STATE_DESC = "L" + STATE + ";";

    // locals of the generated method (ints first, then longs: two slots each)
    // the first slots as X86Emitter's: SseEmitter.Host's defaults load the CPU, state and memory from them
    private static final int THIS = X86Emitter.THIS, CTX = X86Emitter.CTX, CPU_LOCAL = X86Emitter.CPU_LOCAL, STATE_LOCAL = X86Emitter.STATE_LOCAL, REGS = X86Emitter.REGS, MEM = X86Emitter.MEM, INDEX = 6,
            IN_FALLBACK = 7, THROWN = 8, FLAG_KIND = 9, FC = 10, FCF = 11, FOF = 12, TEMP_INT = 13;
    /** Register r lives in local R0 + 2 * r. */
    private static final int R0 = 14;
    private static final int FA = R0 + 32, FB = FA + 2, FRES = FB + 2, ADDR = FRES + 2, VALUE = ADDR + 2,
            A = VALUE + 2, B = A + 2, RES = B + 2, TEMP = RES + 2;
    /** Inline memory fast path: GuestMemory's protection table, host base and range mask, and the access in flight. */
    private static final int MEM_PROT = TEMP + 2, MEM_BASE = MEM_PROT + 1, MEM_RANGE = MEM_BASE + 2, MEM_ADDR = MEM_RANGE + 2,
            MEM_VALUE = MEM_ADDR + 2;

    /**
     * {@code -Dqemu.tcg.long-mode-inline-memory=true}: emit GuestMemory's fast path as bytecode
     * instead of calling the accessors (as regions do). Off by default: on sha256sum it measured
     * the same as calls (3.2-3.4 s of CPU either way, load 16), HotSpot inlines the accessors into
     * a block, and the inline form makes each block's method larger for C1 and C2.
     */
    private static final boolean INLINE_MEMORY = GuestMemory.directAccess() && Boolean.getBoolean("qemu.tcg.long-mode-inline-memory");
    /**
     * Bytecode past which the remaining instructions of a block are called instead of emitted
     * inline: HotSpot compiles no method over 8,000 bytes ({@code HugeMethodLimit}), and a block
     * left to the JVM interpreter is far slower than calls.
     */
    static final int INLINE_BYTECODE_BUDGET = Integer.getInteger("qemu.tcg.long-mode-budget", 6500);

    /**
     * A rotate's record in locals: CF and OF in FCF and FOF, the record before it (which keeps
     * SF ZF AF PF) moved to the base locals (BASE_KIND, BA, BB, BC, BRES).
     */
    private static final int ROTATE = LazyFlags.ROTATE;
    private static final int BASE_KIND = MEM_VALUE + 2, BC = BASE_KIND + 1, BA = BC + 1, BB = BA + 2, BRES = BB + 2;

    private static final int[] BITS = {8, 16, 32, 64};

    /** Verified windows ({@link AccessWindows}): a scratch long for the window test, then one long per register: its window's host address, or 0. */
    private static final int WINDOW_TEST = BRES + 2, WINDOW_HOST = WINDOW_TEST + 2;
    /**
     * Upper bounds of the bytecode a windowed access adds to a checked one, and of a window's test:
     * the first pass (which emits checked accesses) adds them up, so the second pass, with windows,
     * stays under the budget at the same ops.
     */
    private static final int WINDOW_ACCESS_BYTES = 32, WINDOW_TEST_BYTES = 96;

    /**
     * Page caches of a loop block's accesses that have no window (sha256's {@code [rsp+r10*4+0x28]}
     * and K table, pushes and pops): per access site, the guest address of the page it last
     * verified and that page's host address, two longs each, after the window locals.
     */
    private static final int SITE_CACHE = WINDOW_HOST + 2 * 16, SITE_CACHES = X86Sequence.PAGE_CACHES;

    /** A loop trace's page caches kept across its runs ({@link X86Sequence#pageCaches}), or null: they start empty. */
    private static final int CACHE_ARRAY = SITE_CACHE + 4 * SITE_CACHES;
    /** XMM0-15 in locals ({@link SseEmitter}: two longs each, then its scratch longs), after the page caches: the last locals of the layout. */
    private static final int XMM_BASE = CACHE_ARRAY + 2;
    /** Upper bound of the bytecode a cached access adds to a checked one (the first pass counts it, as for windows). */
    private static final int CACHED_ACCESS_BYTES = 125;

    /** Accesses without a window get a page cache of their own ({@link #SITE_CACHE}): loop blocks. */
    private boolean siteCaches;
    /** Page caches handed out so far. */
    private int sites;
    /** Each page cache's key ({@link #cacheKey}), -1: its site's alone. */
    private final int[] cacheKeys = new int[SITE_CACHES];

    /**
     * {@code -Dqemu.tcg.shared-page-caches=false}: every access site of a loop or trace gets a page
     * cache of its own (the comparison point). Otherwise sites through the same base register (and
     * index register, if any), of the same kind (read or write; a page verified for reading must
     * never take a write) and segment space share one: a loop trace's stack accesses (two loads
     * through rsp, call's push, ret's pop) all hit the stack's page, and each cache is two longs C2
     * must keep live through the whole loop (the int sort's merge trace kept most of its values on
     * the stack).
     */
    private static final boolean SHARED_PAGE_CACHES = !"false".equals(System.getProperty("qemu.tcg.shared-page-caches"));

    /** A cache key for accesses through {@code base} (-1: none; plus 16 times one more than an index register) in {@code space} (DS, FS or GS) that write or read. */
    private static int cacheKey(int base, int space, boolean write) {
        return base < 0 || !SHARED_PAGE_CACHES ? -1 : (base * 8 + space) * 2 + (write ? 1 : 0);
    }

    /** The page cache (an index below {@link #SITE_CACHES}) an access with {@code key} uses, or -1: none is left. */
    private int pageCacheFor(int key) {
        if (key >= 0) {
            for (int i = 0; i < sites; i++) {
                if (cacheKeys[i] == key) {
                    return i;
                }
            }
        }
        if (sites >= SITE_CACHES) {
            return -1;
        }
        cacheKeys[sites] = key;
        return sites++;
    }

    /** The inline SSE forms over XMM registers in locals. */
    private final SseEmitter sse = new SseEmitter(new SseHost(), XMM_BASE, 16, true);
    /** {@link #prepareXmm} was called: SSE forms may be emitted inline. */
    private boolean xmmPrepared;

    /** The windows plan: recording in a first pass, replayed in the second; null without windows. */
    private final AccessWindows windows;
    /** Second pass: which ops the first pass emitted inline (the same ops must be inline, or window numbers disagree); null in a first pass. */
    private final boolean[] inlinePlan;
    /** First pass: which ops were emitted inline. */
    private boolean[] inlined = new boolean[0];
    /** First pass: bytes the windowed form of the accesses so far would add. */
    private int windowBytes;

    /** Emits without windows. */
    LongModeEmitter() {
        this(null, null);
    }

    /**
     * With {@code windows} recording: a first pass, deciding what is inline; replaying: the second
     * pass, emitting inline exactly the ops {@code inlinePlan} (the first pass's {@link #inlined()}) says.
     */
    LongModeEmitter(AccessWindows windows, boolean[] inlinePlan) {
        this.windows = windows != null && GuestMemory.directAccess() && (windows.isRecording() || windows.any()) ? windows : null;
        this.inlinePlan = inlinePlan;
    }

    /** A first pass's decisions, by op index. */
    boolean[] inlined() {
        return inlined.clone();
    }

    private boolean windowed() {
        return windows != null && !windows.isRecording();
    }

    /**
     * A loop block's accesses without a window each keep the page they last verified (call before
     * {@link #prologue}): an iteration that touches the same page again pays a subtraction and a
     * range test instead of GuestMemory's protection lookup (the 32-bit tier's page caches, see
     * {@link X86Emitter#cacheAccessPages}). Sound because a loop block calls no op, so nothing
     * the guest thread runs changes a page's protection while the loop runs; a page that fails
     * the test is never cached, so those accesses keep taking the accessor and fault precisely.
     */
    void cacheAccessPages() {
        siteCaches = GuestMemory.directAccess();
    }

    /**
     * A trace's page-cache misses call GuestMemory.inlineWindowHost instead of testing the page
     * inline, and its caches hold two-page windows ({@link #cachedWindowAccess}; call after
     * {@link #cacheAccessPages}; {@code -Dqemu.tcg.long-mode-inline-miss=true}: never). Why:
     * inline, C2 merged a miss's fill with the hit's access and selected the host address with
     * conditional moves, so every access of a trace's loop computed the miss's page,
     * host address and protection index as well (cpubench's int sort: ~10 instructions an access);
     * a call cannot be folded into a conditional move. Only traces: they call already (their
     * exits), while a loop block that calls nothing keeps its loop's values in registers, and one
     * call in its loop, however rare, made C2 keep them all on the stack (FNV-1a's loop 4x slower).
     */
    void pageCacheMissesOutOfLine() {
        outOfLineMiss = OUT_OF_LINE_MISS;
    }

    private boolean outOfLineMiss;

    /**
     * A loop trace's page caches start from the pages its earlier runs on this thread verified
     * ({@link X86Sequence#pageCaches}) and leave each page they verify there (call after
     * {@link #pageCacheMissesOutOfLine}). {@code -Dqemu.tcg.persistent-page-caches=false}: they
     * start empty at every entry, as before (the comparison point). Not in loop blocks: their miss
     * is inline, and a loop block runs its loop many times an entry.
     */
    void keepPageCachesAcrossRuns() {
        persistentCaches = siteCaches && outOfLineMiss && PERSISTENT_PAGE_CACHES;
    }

    static final boolean PERSISTENT_PAGE_CACHES = !"false".equals(System.getProperty("qemu.tcg.persistent-page-caches"));

    private boolean persistentCaches;
    /** How many page caches the body uses (the first pass's count), or all of them when unknown. */
    private int cachesUsed = SITE_CACHES;

    /** The page caches this first pass handed out. */
    int pageCachesUsed() {
        return sites;
    }

    /** The second pass uses the first pass's page caches: the prologue loads only those. */
    void expectPageCaches(int count) {
        cachesUsed = count;
    }

    /** Registers whose local was written since the array was last in step. */
    private int dirty;
    /** Registers written anywhere in the method: the fault handler stores those. */
    private int everDirty;
    /** Registers the emitted code itself writes (a bit each), whatever was written back since. */
    private int written;
    /**
     * Registers a loop's code writes ({@link #expectLoopWrites}; all sixteen when not known): at the
     * loop head only these may differ from the register array.
     */
    private int loopWrites = 0xffff;
    /** The pending flag record's kind and size ({@link LazyFlags} op code, size index 3 = 64 bits), or -1: the state object holds the flags. */
    private int pendingOp = -1;
    /** The pending record differs from the state object. */
    private boolean flagsDirty;
    /** The pending ADD/SUB record has a carry-in (adc/sbb): its orderings are not a plain comparison of FA and FB. */
    private boolean pendingCarryIn;
    /** With {@link #pendingOp} = ROTATE: the base record's kind and size, or RUNTIME_BASE: only BASE_KIND holds it. */
    private int baseOp = -1;
    private static final int RUNTIME_BASE = -2;
    /** A loop block whose body overwrites the flags before reading them: the backward jump leaves the record in the locals. */
    private boolean loopKeepsFlagsInLocals;
    /** At a loop head reached with the record still in the locals: FLAG_KIND may differ from {@link #pendingOp}. */
    private boolean flagKindUnknown;

    /**
     * Lets the method's SSE instructions be emitted inline, holding the XMM registers they name
     * in locals; call before {@link #prologue} with the ops the method will emit.
     */
    void prepareXmm(X86Op[] ops) {
        if (INLINE_XMM) {
            LongModeEmitter dry = new LongModeEmitter();
            sse.prepare(ops, op -> !(op instanceof InlineXmmOp) && dry.emitInline(DISCARD, op));
            xmmPrepared = true;
        }
    }

    /** {@code -Dqemu.tcg.long-mode-sse=false}: 64-bit blocks call every SSE op (the comparison point). */
    private static final boolean INLINE_XMM = !"false".equals(System.getProperty("qemu.tcg.long-mode-sse"));

    /** Where {@link #prepareXmm}'s dry runs (which ops this class emits inline) emit to. */
    private static final MethodVisitor DISCARD = new MethodVisitor(Opcodes.ASM9) {
    };

    void prologue(MethodVisitor mv) {
        X86Emitter.loadContextLocals(mv, true);
        prologueAfterContext(mv);
    }

    /** The rest of {@link #prologue}, for {@link X86Sequence#enter}, whose parameters are the context locals. */
    void prologueAfterContext(MethodVisitor mv) {
        for (int local : new int[] {INDEX, IN_FALLBACK, FC, FCF, FOF, TEMP_INT}) {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, local);
        }
        X86Emitter.push(mv, -1);
        mv.visitVarInsn(Opcodes.ISTORE, FLAG_KIND);
        for (int local : new int[] {BASE_KIND, BC}) {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, local);
        }
        for (int local : new int[] {FA, FB, FRES, ADDR, VALUE, A, B, RES, TEMP, MEM_ADDR, MEM_VALUE, BA, BB, BRES}) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, local);
        }
        if (INLINE_MEMORY || windowed() || siteCaches) {
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "protectionTable", "()[B", false);
            mv.visitVarInsn(Opcodes.ASTORE, MEM_PROT);
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "hostBase", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_BASE);
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "rangeMask", "()J", false);
            mv.visitVarInsn(Opcodes.LSTORE, MEM_RANGE);
        }
        if (siteCaches) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, WINDOW_TEST);
            if (persistentCaches) {
                // this thread's caches from the loop's earlier runs when their key is this CPU's at
                // the current protection epoch, else emptied ones (X86Sequence#refreshPageCaches)
                Label current = new Label();
                mv.visitVarInsn(Opcodes.ALOAD, THIS);
                mv.visitFieldInsn(Opcodes.GETFIELD, BytecodeBlockCompiler.X86_SEQUENCE, "pageCaches", "[J");
                mv.visitInsn(Opcodes.DUP);
                mv.visitVarInsn(Opcodes.ASTORE, CACHE_ARRAY);
                mv.visitInsn(Opcodes.ICONST_0);
                mv.visitInsn(Opcodes.LALOAD);
                mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CPU, "pageCacheKey", "()J", false);
                mv.visitVarInsn(Opcodes.ALOAD, MEM);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "protectionEpoch", "()I", false);
                mv.visitInsn(Opcodes.I2L);
                mv.visitInsn(Opcodes.LADD);
                mv.visitInsn(Opcodes.LCMP);
                mv.visitJumpInsn(Opcodes.IFEQ, current);
                mv.visitVarInsn(Opcodes.ALOAD, THIS);
                mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
                mv.visitVarInsn(Opcodes.ALOAD, MEM);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, BytecodeBlockCompiler.X86_SEQUENCE, "refreshPageCaches", "(L" + CPU + ";L" + MEMORY + ";)[J", false);
                mv.visitVarInsn(Opcodes.ASTORE, CACHE_ARRAY);
                mv.visitLabel(current);
                // the host page from the guest page (the space is one flat host mapping); an empty
                // cache's host address is never used (its distance test fails)
                for (int i = 0; i < SITE_CACHES; i++) {
                    int cache = SITE_CACHE + 4 * i;
                    if (i >= cachesUsed) {
                        X86Emitter.emptyPageCache(mv, cache);
                        continue;
                    }
                    mv.visitVarInsn(Opcodes.ALOAD, CACHE_ARRAY);
                    X86Emitter.push(mv, 1 + i);
                    mv.visitInsn(Opcodes.LALOAD);
                    if (TRACE_CACHE_HOSTS) {
                        mv.visitInsn(Opcodes.DUP2);
                        mv.visitVarInsn(Opcodes.LSTORE, cache);
                        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
                        mv.visitInsn(Opcodes.LADD);
                    } else {
                        mv.visitVarInsn(Opcodes.LSTORE, cache);
                        mv.visitInsn(Opcodes.LCONST_0);
                    }
                    mv.visitVarInsn(Opcodes.LSTORE, cache + 2);
                }
            } else {
                for (int cache = SITE_CACHE; cache < SITE_CACHE + 4 * SITE_CACHES; cache += 4) {
                    X86Emitter.emptyPageCache(mv, cache);
                }
            }
        }
        if (windowed()) {
            for (int local = WINDOW_TEST; local <= WINDOW_HOST + 2 * 15; local += 2) {
                mv.visitInsn(Opcodes.LCONST_0);
                mv.visitVarInsn(Opcodes.LSTORE, local);
            }
        }
        if (DEFERRED_REGISTER_LOADS) {
            // the registers the body reads are known only once it is emitted: their loads go at the method's end
            registersChanged(0xffff);
            dirty = 0;
            mv.visitJumpInsn(Opcodes.GOTO, registerLoads);
            mv.visitLabel(body);
        } else {
            load(mv, registersLoaded);
        }
        if (xmmPrepared) {
            sse.initialiseScratch(mv);
            sse.load(mv);
        }
    }

    /**
     * {@code -Dqemu.tcg.long-mode-used-registers=true}: the prologue jumps to a tail emitted after
     * the body ({@link #emitRegisterLoads}), which loads only the registers whose locals the body
     * reads (a block touches three or four of sixteen), then jumps back to the body. Off by
     * default: it measured no gain on gzip and cost cpubench 0.6-1.4 s of CPU (interleaved, load
     * 21-24; likely the jump back, a backward branch HotSpot counts for on-stack replacement at
     * every block entry).
     */
    static final boolean DEFERRED_REGISTER_LOADS = Boolean.getBoolean("qemu.tcg.long-mode-used-registers");

    /**
     * The registers the prologue loads into their locals (a bit each; all sixteen unless
     * {@link #loadOnly} narrowed them). Why fewer: a block reads three or four of sixteen, and each
     * load is an array access that HotSpot's interpreter runs and C1 keeps (it may throw, so C1
     * cannot drop it) at every entry of every block until C2 takes the class.
     */
    private int registersLoaded = 0xffff;

    /**
     * The prologue loads only the registers in {@code mask} (call before {@link #prologue}): the
     * first pass's reads and writes (a written register's local is what the fault handler and the
     * exits store, so it must hold the entry value until the write). {@link #loadedAllItRead}
     * checks the promise once the method is emitted.
     */
    void loadOnly(int mask) {
        registersLoaded = mask;
    }

    /** The registers this emitter's code read from their locals (tracked through {@link #tracking}). */
    int registersRead() {
        return registersRead;
    }

    /**
     * False when the emitted code reads a register the prologue did not load (the first pass
     * missed a path): the class must be made again with every register loaded, or its method
     * would read a local never written (the verifier refuses it).
     */
    boolean loadedAllItRead() {
        return (registersRead & ~registersLoaded) == 0;
    }

    private final Label registerLoads = new Label();
    private final Label body = new Label();
    /** Registers (a bit each) whose local the body reads: those {@link #emitRegisterLoads} loads. */
    private int registersRead;

    /**
     * The visitor to emit the body through (everything after {@link #prologue} but
     * {@link #emitRegisterLoads}): it notes which register locals are read.
     */
    MethodVisitor tracking(MethodVisitor mv) {
        if (!DEFERRED_REGISTER_LOADS && !SKIP_DEAD_TESTS && !BytecodeBlockCompiler.LOAD_READ_REGISTERS) {
            return mv;
        }
        return new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitVarInsn(int opcode, int var) {
                if (opcode == Opcodes.LLOAD && var >= R0 && var < R0 + 32) {
                    registersRead |= 1 << ((var - R0) / 2);
                }
                super.visitVarInsn(opcode, var);
            }

            @Override
            public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
                if (mayStoreToGuestMemory(owner, name)) {
                    storedSinceDeadTest = true;
                }
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            }
        };
    }

    /**
     * {@code -Dqemu.tcg.trace-dead-tests-after-stores=false}: every join of a trace tests whether
     * the trace died (the comparison point). By default a join tests it only when a call that may
     * store to guest memory was emitted since the last test (or the trace's start). Why that is
     * enough: a store of the running thread's own into the code it runs ends the trace at the store
     * ({@code RunningCodeOverwritten}: the run loop's store hook sees the block it entered, or a
     * chained one, die), so what a join's test catches is a change another thread made (a write to
     * this code, an munmap), which x86 lets the running thread see late (cross-modifying code needs
     * a serializing instruction on the running side), and a loop's back edge still tests it every
     * round. qsort's merge trace tested it at each of its joins, every round: 9 tests, now 6.
     */
    static final boolean SKIP_DEAD_TESTS = !"false".equals(System.getProperty("qemu.tcg.trace-dead-tests-after-stores"));

    /** A call that may store to guest memory was emitted since the last test of {@code dead} (or since the start). */
    private boolean storedSinceDeadTest = true;

    /**
     * True unless the call is one of those the emitter makes that never store to guest memory:
     * guest memory's reads, page lookups and table getters, the flag helpers, the CPU's queries,
     * SSE's arithmetic and the JDK's. An op called through its field, a store accessor, anything
     * else: it may store.
     */
    private static boolean mayStoreToGuestMemory(String owner, String name) {
        if (owner.startsWith("java/lang/") || owner.equals(FLAGS64) || owner.equals(FLAGS) || owner.equals("org/qemu/i386/fp/SseInline") || owner.equals("org/qemu/i386/fp/SseFastPath")) {
            return false;
        }
        if (owner.equals(MEMORY)) {
            return !(name.startsWith("read") || name.startsWith("hostLoad") || name.startsWith("inline") || name.equals("protectionTable")
                    || name.equals("hostBase") || name.equals("rangeMask") || name.equals("pageProtection") || name.equals("protectionEpoch"));
        }
        if (owner.equals(CPU)) {
            return !(name.equals("observed") || name.equals("mustLeaveLoop") || name.equals("chainTarget") || name.equals("pageCacheKey"));
        }
        return true;
    }

    /** The prologue's tail, after everything else: loads the registers the body read, then enters the body. */
    void emitRegisterLoads(MethodVisitor mv) {
        if (!DEFERRED_REGISTER_LOADS) {
            return;
        }
        mv.visitLabel(registerLoads);
        for (int r = 0; r < 16; r++) {
            if ((registersRead & (1 << r)) != 0) {
                mv.visitVarInsn(Opcodes.ALOAD, REGS);
                X86Emitter.push(mv, r);
                mv.visitInsn(Opcodes.LALOAD);
                mv.visitVarInsn(Opcodes.LSTORE, reg(r));
            }
        }
        mv.visitJumpInsn(Opcodes.GOTO, body);
    }

    /**
     * Emits op {@code index} inline when this class knows it, else as a call to the op held in
     * field {@code fieldName} of {@code owner}. Returns true when it was emitted inline.
     */
    boolean emitOp(MethodVisitor mv, X86Op op, int index, String owner, String fieldName) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, INDEX);
        Label here = new Label();
        mv.visitLabel(here);
        boolean inline = inlinePlan != null ? index < inlinePlan.length && inlinePlan[index] : here.getOffset() + windowBytes < INLINE_BYTECODE_BUDGET;
        if (inline && emitInline(mv, op)) {
            everDirty |= dirty;
            if (index >= inlined.length) {
                inlined = java.util.Arrays.copyOf(inlined, Math.max(index + 1, 2 * inlined.length));
            }
            inlined[index] = true;
            return true;
        }
        if (op instanceof FpuOnlyOp || op instanceof ComparisonToFlagsOp) {
            emitFpuCall(mv, op, owner, fieldName);
            return false;
        }
        flushAll(mv);
        X86Emitter.push(mv, 1);
        mv.visitVarInsn(Opcodes.ISTORE, IN_FALLBACK);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, fieldName, "L" + OP + ";");
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, OP, "exec", "(L" + CPU + ";)V", true);
        X86Emitter.push(mv, 0);
        mv.visitVarInsn(Opcodes.ISTORE, IN_FALLBACK);
        reload(mv);
        sse.load(mv);
        setPending(mv, -1);
        return false;
    }

    /**
     * An x87/MMX/SSE op ({@link FpuOnlyOp}: it may read the general registers but writes none, and
     * neither reads nor writes EFLAGS) called without the reload of all sixteen registers that
     * follows other calls: only the changed registers are written back first, the flag record
     * stays in the locals. A comparison ({@link ComparisonToFlagsOp}) writes its flags to the state
     * object: the record in the locals is dead. IN_FALLBACK stays 0: a fault inside the op writes
     * the locals back like a fault in inline code.
     */
    private void emitFpuCall(MethodVisitor mv, X86Op op, String owner, String fieldName) {
        everDirty |= dirty;
        for (int r = 0; r < 16; r++) {
            if ((dirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
        dirty = 0;
        sse.flush(mv);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, fieldName, "L" + OP + ";");
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, OP, "exec", "(L" + CPU + ";)V", true);
        sse.load(mv);
        if (op instanceof ComparisonToFlagsOp) {
            setPending(mv, -1);
        }
    }

    /** Writes the registers and the flag record back to the state object. */
    void flushAll(MethodVisitor mv) {
        everDirty |= dirty;
        for (int r = 0; r < 16; r++) {
            if ((dirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
        dirty = 0;
        flushFlags(mv);
        sse.flush(mv);
    }

    /**
     * A fault in inline code leaves the locals holding the state before the faulting instruction
     * (each instruction's memory accesses come before its register and flag updates): they are
     * written back; in an op call, the state object is current. Reports the op index and rethrows.
     */
    void faultHandler(MethodVisitor mv) {
        everDirty |= dirty;
        mv.visitVarInsn(Opcodes.ASTORE, THROWN);
        Label stateCurrent = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, IN_FALLBACK);
        mv.visitJumpInsn(Opcodes.IFNE, stateCurrent);
        for (int r = 0; r < 16; r++) {
            if ((everDirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
        storeRecordOfRuntimeKind(mv);
        sse.flushForFault(mv);
        mv.visitLabel(stateCurrent);
        mv.visitVarInsn(Opcodes.ALOAD, CTX);
        mv.visitVarInsn(Opcodes.ILOAD, INDEX);
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONTEXT, "recordFaultingOp", "(I)V", true);
        mv.visitVarInsn(Opcodes.ALOAD, THROWN);
        mv.visitInsn(Opcodes.ATHROW);
    }

    // ---- loop blocks --------------------------------------------------------------------------

    /**
     * {@code -Dqemu.tcg.long-mode-fpu-loops=true}: loop blocks may call x87/SSE ops
     * ({@link FpuOnlyOp}), which keep the registers and flags in locals. Off by default: it halved
     * cpubench's block runs in its floating-point phase (7.7 M to 3.7 M) but cost CPU overall
     * (cpubench 8.1 s against 6.8 s with it off, same jars, runs side by side at load 21-26:
     * the loops' methods are compiled again on stack replacement).
     */
    static final boolean LOOPS_WITH_FPU_CALLS = Boolean.getBoolean("qemu.tcg.long-mode-fpu-loops");

    /** True when the first {@code count} ops would all be emitted inline (a dry run into a throwaway method). */
    static boolean allInline(X86Op[] ops, int count) {
        net.bytebuddy.jar.asm.ClassWriter cw = new net.bytebuddy.jar.asm.ClassWriter(0);
        cw.visit(Opcodes.V21, Opcodes.ACC_FINAL, "DryRun", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC, "run", "()V", null, null);
        mv.visitCode();
        LongModeEmitter dry = new LongModeEmitter(BytecodeBlockCompiler.LONG_MODE_WINDOWS ? AccessWindows.recording() : null, null);
        if (BytecodeBlockCompiler.PAGE_CACHES) {
            dry.cacheAccessPages();
        }
        dry.prepareXmm(ops);
        dry.prologue(mv);
        dry.loopHead();
        for (int i = 0; i < count; i++) {
            if (LOOPS_WITH_FPU_CALLS && (ops[i] instanceof FpuOnlyOp || ops[i] instanceof ComparisonToFlagsOp)) {
                if (!dry.emitInline(mv, ops[i])) {
                    dry.emitFpuCall(mv, ops[i], "DryRun", "op" + i);
                }
                continue;
            }
            if (!dry.emitInline(mv, ops[i])) {
                return false;
            }
        }
        Label end = new Label();
        mv.visitLabel(end);
        return end.getOffset() + dry.windowBytes < INLINE_BYTECODE_BUDGET;
    }

    /**
     * The head of a loop block: reached again with registers only in locals (so every register the
     * loop writes counts as changed, {@link #expectLoopWrites}) and, since the backward jump stores
     * the flag record, the flags in the state object.
     */
    void loopHead() {
        // reached alive: from the prologue, or from a back edge, which tests dead
        storedSinceDeadTest = false;
        registersChanged(0xffff);
        dirty |= loopWrites;
        everDirty |= dirty;
        pendingOp = -1;
        flagsDirty = false;
        flagKindUnknown = loopKeepsFlagsInLocals;
        sse.forgetState();
    }

    /** The registers this emitter's code wrote (a bit each): a dry run's answer for {@link #expectLoopWrites}. */
    int registersWritten() {
        return written;
    }

    /**
     * The loop (body, legs and all) writes only the registers in {@code mask}: every other
     * register's local equals its array element at the head, as the prologue loaded it (an op
     * called through its field reloads all sixteen after the call). Exits then write back only
     * these, and the fault handler stores only these: in a loop trace every exit wrote back all
     * sixteen registers (1.5 KB of the int sort's 4.5 KB merge trace), and C2 kept sixteen values
     * alive through the loop for them.
     */
    void expectLoopWrites(int mask) {
        loopWrites = mask;
    }

    /**
     * The loop body overwrites all flags before it reads any ({@link FlagLiveness#liveOnLongModeEntry}):
     * the backward jump then leaves the last record in the locals instead of storing it (for a
     * 64-bit record that store is an eager evaluation), and the head treats the state object's
     * stale record as the flags, which nothing reads. FLAG_KIND keeps the record's runtime kind,
     * so a fault before the body's first flag write still restores it. Before {@link #loopHead}.
     * Loop traces too (session 18), their legs' back edges included: a join or guard that leaves
     * before the main path's first flag write stores the record of its run-time kind, as a leg's
     * exits do. The int sort's merge trace stored a SUB record (its flags evaluated eagerly) on
     * every iteration: 75-77 -> 71-72 ms a round.
     */
    void keepFlagsAcrossBackEdge() {
        loopKeepsFlagsInLocals = true;
    }

    /**
     * A loop block's last op, a jmp or jcc with a side at {@code loopStart}: that side stores the
     * flag record and jumps back to the head unless the CPU must leave (an exit request, a
     * debugger hook) or the block died (its code was overwritten), in which case rip is the loop
     * start; the other side sets rip. All ways out meet at {@code exit}, where everything is
     * written back once.
     */
    void emitLoopEnd(MethodVisitor mv, X86Op last, int index, long loopStart, Label head, Label exit, String owner) {
        splitBackFromExits(mv, last, index, loopStart, () -> mv.visitJumpInsn(Opcodes.GOTO, exit));
        // the exit path flushes with what is pending here: keep it for after the backward jump's code
        int pending = pendingOp;
        boolean pendingDirty = flagsDirty;
        if (!loopKeepsFlagsInLocals) {
            flushFlags(mv);
            setPending(mv, -1);
        }
        Label leave = new Label();
        jumpBackUnlessLeaving(mv, owner, head, leave);
        mv.visitLabel(leave);
        setRip(mv, loopStart);
        mv.visitJumpInsn(Opcodes.GOTO, exit);
        pendingOp = pending;
        flagsDirty = pendingDirty;
    }

    /**
     * A conditional jump inside a loop block's body: the side that goes on to guest address
     * {@code continueAt} falls through to the next op; the other sets rip, writes back what the
     * locals hold and leaves at {@code writtenBack} (after the method's own write-back). The
     * write-back here is its own: the flag record pending at this jump is not the one pending at
     * the method's exit.
     */
    void emitSideExit(MethodVisitor mv, LongModeOps.ConditionalJump jump, int index, long continueAt, Label writtenBack) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, INDEX);
        boolean stayWhenTaken = jump.target == continueAt;
        Label stay = new Label();
        if (stayWhenTaken) {
            jumpIf(mv, jump.cc, stay);
        } else {
            Label leave = new Label();
            jumpIf(mv, jump.cc, leave);
            mv.visitJumpInsn(Opcodes.GOTO, stay);
            mv.visitLabel(leave);
        }
        setRip(mv, stayWhenTaken ? jump.fallThrough : jump.target);
        leave(mv, writtenBack);
        mv.visitLabel(stay);
    }

    /**
     * A conditional jump of a loop trace whose leaving side runs a leg of the same method
     * (emitted later, from {@link #legHead}): that side jumps to {@code leg} as it is, nothing
     * written back (the leg takes every register and XMM half as changed, and the flag record
     * as the locals' of its run-time kind); the other side falls through to the next op.
     */
    void emitSideExitToLeg(MethodVisitor mv, LongModeOps.ConditionalJump jump, int index, long continueAt, Label leg) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, INDEX);
        if (jump.target == continueAt) {
            Label stay = new Label();
            jumpIf(mv, jump.cc, stay);
            mv.visitJumpInsn(Opcodes.GOTO, leg);
            mv.visitLabel(stay);
        } else {
            jumpIf(mv, jump.cc, leg);
        }
    }

    /**
     * The start of a leg ({@link #emitSideExitToLeg}): as a loop head, but the flags may be a
     * record still in the locals (FLAG_KIND holds its kind, -1 when the state object has them).
     */
    void legHead() {
        loopHead();
        // reached from a side exit of the main path, after whatever it stored
        storedSinceDeadTest = true;
        flagKindUnknown = true;
    }

    /**
     * Writes back what the locals hold and jumps to {@code writtenBack} (rip already set); the
     * code after it goes on with what the emitter knew before (the path that stays).
     */
    private void leave(MethodVisitor mv, Label writtenBack) {
        int keptDirty = dirty;
        int keptPending = pendingOp;
        boolean keptFlagsDirty = flagsDirty;
        boolean keptKindUnknown = flagKindUnknown;
        everDirty |= dirty;
        if (registerWriteBack == null) {
            for (int r = 0; r < 16; r++) {
                if ((dirty & (1 << r)) != 0) {
                    flush(mv, r);
                }
            }
        }
        flushFlags(mv);
        sse.flushForFault(mv);
        mv.visitJumpInsn(Opcodes.GOTO, registerWriteBack != null ? registerWriteBack : writtenBack);
        dirty = keptDirty;
        pendingOp = keptPending;
        flagsDirty = keptFlagsDirty;
        flagKindUnknown = keptKindUnknown;
    }

    /**
     * Where a trace's exits write their registers back ({@link #shareRegisterWriteBack}), or null:
     * each exit writes back its own.
     */
    private Label registerWriteBack;

    /**
     * A trace's exits (side exits, guards, joins, leg ends) set rip and store their flag record,
     * then jump to one register write-back, {@link #emitRegisterWriteBack}, instead of writing
     * back the registers they changed: one store per register the trace ever changed, where a
     * trace's ~15 exits each had one per register changed there (the int sort's merge trace:
     * 4,008 -> 3,219 bytes). A register's local is current at every exit (an op called through its
     * field is followed by a reload), so storing one an exit left alone stores the value the
     * array holds. Call before emitting the body.
     */
    void shareRegisterWriteBack() {
        registerWriteBack = new Label();
    }

    /**
     * The shared write-back ({@link #shareRegisterWriteBack}): stores every register the method
     * ever changed and falls through to what follows (the chained exit). Emit it after the body
     * and its legs, right before the label the exits without it jump to.
     */
    void emitRegisterWriteBack(MethodVisitor mv) {
        if (registerWriteBack == null) {
            return;
        }
        everDirty |= dirty;
        mv.visitLabel(registerWriteBack);
        for (int r = 0; r < 16; r++) {
            if ((everDirty & (1 << r)) != 0) {
                flush(mv, r);
            }
        }
    }

    /**
     * What both loop ends ({@link #emitLoopEnd}, {@link #emitLegEnd}) begin with: the op index
     * stored; for a jcc, each side other than {@code loopStart} sets rip and leaves through
     * {@code leaveWith}, and the side at {@code loopStart} (a jmp's only side) goes on to the code
     * emitted after this, the back edge.
     */
    private void splitBackFromExits(MethodVisitor mv, X86Op last, int index, long loopStart, Runnable leaveWith) {
        X86Emitter.push(mv, index);
        mv.visitVarInsn(Opcodes.ISTORE, INDEX);
        Label back = new Label();
        if (last instanceof LongModeOps.ConditionalJump j) {
            Label taken = new Label();
            jumpIf(mv, j.cc, taken);
            if (j.fallThrough == loopStart) {
                mv.visitJumpInsn(Opcodes.GOTO, back);
            } else {
                setRip(mv, j.fallThrough);
                leaveWith.run();
            }
            mv.visitLabel(taken);
            if (j.target != loopStart) {
                setRip(mv, j.target);
                leaveWith.run();
            }
        }
        mv.visitLabel(back);
    }

    /**
     * The last op of a loop trace's leg ({@link LongModeTrace#legEnds}), a jmp or jcc with a side
     * at {@code loopStart}: that side stores the flag record (unless the loop keeps it in the
     * locals, {@link #keepFlagsAcrossBackEdge}) and jumps back to {@code head} unless
     * the CPU must leave or the trace died (then rip is the loop start); the other side leaves
     * with rip there. Every way out writes back what this leg's state says (not the main path's
     * exit, whose write-back follows the main path's state).
     */
    void emitLegEnd(MethodVisitor mv, X86Op last, int index, long loopStart, Label head, Label writtenBack, String owner) {
        splitBackFromExits(mv, last, index, loopStart, () -> leave(mv, writtenBack));
        if (!loopKeepsFlagsInLocals) {
            flushFlags(mv);
            setPending(mv, -1);
        }
        Label out = new Label();
        jumpBackUnlessLeaving(mv, owner, head, out);
        mv.visitLabel(out);
        setRip(mv, loopStart);
        leave(mv, writtenBack);
    }

    /**
     * A loop's back edge: to {@code head}, unless an interrupt request or a stop asks the loop to
     * leave ({@code mustLeaveLoop}) or the block died (its code was overwritten: X86Block.invalidate
     * kills its compiled sequence, this object; one load from this instead of two through the
     * block): then to {@code leave}.
     */
    private void jumpBackUnlessLeaving(MethodVisitor mv, String owner, Label head, Label leave) {
        mv.visitVarInsn(Opcodes.ALOAD, CPU_LOCAL);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CPU, "mustLeaveLoop", "()Z", false);
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, "dead", "Z");
        mv.visitJumpInsn(Opcodes.IFNE, leave);
        mv.visitJumpInsn(Opcodes.GOTO, head);
    }

    /**
     * A trace's ret ({@link LongModeTrace}), just emitted (rip holds the popped address): the
     * trace stays only when it is {@code expected}, the return address its own call pushed;
     * else it leaves with rip where the ret went.
     */
    void emitReturnGuard(MethodVisitor mv, long expected, Label writtenBack) {
        Label stay = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "rip", "J");
        mv.visitLdcInsn(expected);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFEQ, stay);
        leave(mv, writtenBack);
        mv.visitLabel(stay);
    }

    /**
     * The start of a trace's next block at guest address {@code pc}: the trace leaves there (rip
     * at {@code pc}) when its compiled form died (its own code wrote to the code it runs). No
     * trace runs while a debugger hook or block listener must see every block: its compiler
     * forms none, and the code compiled before one was set is thrown away
     * ({@link BytecodeBlockCompiler#observe}).
     */
    void emitTraceJoin(MethodVisitor mv, long pc, String owner, Label writtenBack) {
        if (!storedSinceDeadTest && SKIP_DEAD_TESTS) {
            return;
        }
        Label stay = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, THIS);
        mv.visitFieldInsn(Opcodes.GETFIELD, owner, "dead", "Z");
        mv.visitJumpInsn(Opcodes.IFEQ, stay);
        storedSinceDeadTest = false;
        setRip(mv, pc);
        leave(mv, writtenBack);
        mv.visitLabel(stay);
    }

    // ---- instructions -------------------------------------------------------------------------

    private boolean emitInline(MethodVisitor mv, X86Op op) {
        if (op instanceof InlineXmmOp x) {
            return xmmPrepared && sse.emit(mv, x) || emitWideXmmAccess(mv, x.xmmForm());
        }
        if (op instanceof SystemOps.Nop) {
            return true;
        }
        if (op instanceof QuadwordOps.BitScan b) {
            return emitBitScan(mv, b.reverse, b.dst, b.src);
        }
        if (op instanceof BitOps.BitScan b) {
            return emitBitScan(mv, b.reverse, b.dst, b.src);
        }
        if (op instanceof QuadwordOps.WideMultiply m) {
            return emitWideMultiply(mv, m.src, m.signed);
        }
        if (op instanceof QuadwordOps.SignExtendAccumulator e) {
            mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.EAX));
            if (e.intoDx) { // cqo
                X86Emitter.push(mv, 63);
                mv.visitInsn(Opcodes.LSHR);
                storeRegister(mv, X86CpuState.EDX, 64);
            } else { // cdqe
                mv.visitInsn(Opcodes.L2I);
                mv.visitInsn(Opcodes.I2L);
                storeRegister(mv, X86CpuState.EAX, 64);
            }
            return true;
        }
        if (op instanceof MoveOps.SignExtendAccumulator e && e.bits == 32) {
            mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.EAX));
            mv.visitInsn(Opcodes.L2I);
            if (e.intoDx) { // cdq
                X86Emitter.push(mv, 31);
                mv.visitInsn(Opcodes.ISHR);
            } else { // cwde
                mv.visitInsn(Opcodes.I2S);
            }
            mv.visitInsn(Opcodes.I2L);
            storeRegister(mv, e.intoDx ? X86CpuState.EDX : X86CpuState.EAX, 32);
            return true;
        }
        if (op instanceof QuadwordOps.Exchange x && x.rm instanceof Operand.Register) {
            read(mv, x.rm, false);
            mv.visitVarInsn(Opcodes.LSTORE, TEMP);
            read(mv, x.reg, false);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, x.rm, false);
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, x.reg, false);
            return true;
        }
        if (op instanceof ArithmeticOps.Binary b) {
            return emitBinary(mv, b.kind, b.dst, b.src);
        }
        if (op instanceof QuadwordOps.Binary b) {
            return emitBinary(mv, b.kind, b.dst, b.src);
        }
        if (op instanceof ArithmeticOps.Unary u) {
            return emitUnary(mv, u.kind, u.dst);
        }
        if (op instanceof QuadwordOps.Unary u) {
            return emitUnary(mv, u.kind, u.dst);
        }
        if (op instanceof ArithmeticOps.ZeroRegister z) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, z.dst, false);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitInsn(Opcodes.DUP2);
            mv.visitVarInsn(Opcodes.LSTORE, A);
            mv.visitVarInsn(Opcodes.LSTORE, RES);
            record(mv, (z.sub ? LazyFlags.SUB : LazyFlags.LOGIC) | LazyFlags.sizeIndex(z.dst.bits), A, A);
            return true;
        }
        if (op instanceof ShiftOps.Shift sh) {
            return emitShift(mv, sh.kind, sh.dst, sh.count);
        }
        if (op instanceof QuadwordOps.Shift sh) {
            return emitShift(mv, sh.kind, sh.dst, sh.count);
        }
        if (op instanceof MulDivOps.Multiply m && m.dst.bits == 32) {
            return emitMultiply(mv, m.dst, m.a, m.b);
        }
        if (op instanceof QuadwordOps.Multiply m) {
            return emitMultiply(mv, m.dst, m.a, m.b);
        }
        if (op instanceof MoveOps.Move m) {
            return emitMove(mv, m.dst, m.src);
        }
        if (op instanceof QuadwordOps.Move m) {
            return emitMove(mv, m.dst, m.src);
        }
        if (op instanceof MoveOps.MoveExtend m) {
            return emitMoveExtend(mv, m.dst, m.src, m.signed);
        }
        if (op instanceof QuadwordOps.MoveExtend m) {
            return emitMoveExtend(mv, m.dst, m.src, m.signed);
        }
        if (op instanceof MoveOps.LoadEffectiveAddress lea) {
            offset(mv, lea.src);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, lea.dst, false);
            return true;
        }
        if (op instanceof QuadwordOps.LoadEffectiveAddress lea) {
            offset(mv, lea.src);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, lea.dst, false);
            return true;
        }
        if (op instanceof MoveOps.ByteSwap bs && bs.bits == 32) {
            mv.visitVarInsn(Opcodes.LLOAD, reg(bs.reg));
            mv.visitInsn(Opcodes.L2I);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", "reverseBytes", "(I)I", false);
            mv.visitInsn(Opcodes.I2L);
            storeRegister(mv, bs.reg, 32);
            return true;
        }
        if (op instanceof QuadwordOps.ByteSwap bs) {
            mv.visitVarInsn(Opcodes.LLOAD, reg(bs.reg));
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "reverseBytes", "(J)J", false);
            storeRegister(mv, bs.reg, 64);
            return true;
        }
        if (op instanceof QuadwordOps.ConditionalMove c) {
            // the destination is always written (a 32-bit one zero-extended), the source always read
            read(mv, c.src, false);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            Label write = new Label();
            jumpIf(mv, c.cc, write);
            read(mv, c.dst, false);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            mv.visitLabel(write);
            write(mv, c.dst, false);
            return true;
        }
        if (op instanceof MoveOps.ConditionalMove c) {
            read(mv, c.src, false);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            Label skip = new Label();
            jumpIf(mv, c.cc ^ 1, skip);
            write(mv, c.dst, false);
            mv.visitLabel(skip);
            return true;
        }
        if (op instanceof MoveOps.SetCondition c) {
            if (c.dst instanceof Operand.Memory m) {
                address(mv, m);
                mv.visitVarInsn(Opcodes.LSTORE, ADDR);
            }
            conditionValue(mv, c.cc);
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, c.dst, true);
            return true;
        }
        if (op instanceof LongModeOps.Push p && p.bits == 64) {
            read(mv, p.src, false);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            pushValue(mv);
            return true;
        }
        if (op instanceof LongModeOps.Pop p && p.bits == 64 && p.dst instanceof Operand.Register) {
            stackRead(mv, X86CpuState.ESP);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            adjustRsp(mv, 8);
            write(mv, p.dst, false);
            return true;
        }
        if (op instanceof LongModeOps.Leave l && l.bits == 64) {
            stackRead(mv, X86CpuState.EBP);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.EBP));
            mv.visitLdcInsn(8L);
            mv.visitInsn(Opcodes.LADD);
            storeRegister(mv, X86CpuState.ESP, 64);
            mv.visitVarInsn(Opcodes.LLOAD, VALUE);
            storeRegister(mv, X86CpuState.EBP, 64);
            return true;
        }
        if (op instanceof LongModeOps.Goto g) {
            setRip(mv, g.target);
            return true;
        }
        if (op instanceof LongModeOps.ConditionalJump j) {
            Label taken = new Label();
            Label done = new Label();
            jumpIf(mv, j.cc, taken);
            setRip(mv, j.fallThrough);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(taken);
            setRip(mv, j.target);
            mv.visitLabel(done);
            return true;
        }
        if (op instanceof LongModeOps.IndirectJump j) {
            read(mv, j.target, false);
            mv.visitVarInsn(Opcodes.LSTORE, TEMP);
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "rip", "J");
            return true;
        }
        if (op instanceof LongModeOps.Call c) {
            if (c.indirectTarget != null) {
                read(mv, c.indirectTarget, false); // before the push: call [rsp] uses the old rsp
            } else {
                mv.visitLdcInsn(c.target);
            }
            mv.visitVarInsn(Opcodes.LSTORE, TEMP);
            mv.visitLdcInsn(c.returnAddress);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            pushValue(mv);
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "rip", "J");
            return true;
        }
        if (op instanceof LongModeOps.Return r) {
            stackRead(mv, X86CpuState.ESP);
            mv.visitVarInsn(Opcodes.LSTORE, TEMP);
            adjustRsp(mv, 8 + r.release);
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "rip", "J");
            return true;
        }
        return false;
    }

    private boolean emitBinary(MethodVisitor mv, int kind, Operand dst, Operand src) {
        boolean withCarry = kind == ArithmeticOps.ADC || kind == ArithmeticOps.SBB;
        int bits = dst.bits;
        if (dst instanceof Operand.Memory m) {
            address(mv, m);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, dst, true);
        mv.visitVarInsn(Opcodes.LSTORE, A);
        read(mv, src, false);
        mv.visitVarInsn(Opcodes.LSTORE, B);
        if (withCarry) {
            conditionValue(mv, 2);
            mv.visitVarInsn(Opcodes.ISTORE, TEMP_INT);
        }
        mv.visitVarInsn(Opcodes.LLOAD, A);
        mv.visitVarInsn(Opcodes.LLOAD, B);
        if (withCarry) {
            mv.visitInsn(kind == ArithmeticOps.ADC ? Opcodes.LADD : Opcodes.LSUB);
            mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitInsn(switch (kind) {
            case ArithmeticOps.ADD, ArithmeticOps.ADC -> Opcodes.LADD;
            case ArithmeticOps.SUB, ArithmeticOps.CMP, ArithmeticOps.SBB -> Opcodes.LSUB;
            case ArithmeticOps.OR -> Opcodes.LOR;
            case ArithmeticOps.XOR -> Opcodes.LXOR;
            default -> Opcodes.LAND; // AND, TEST
        });
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        if (kind != ArithmeticOps.CMP && kind != ArithmeticOps.TEST) {
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, dst, true);
        }
        int flagKind = switch (kind) {
            case ArithmeticOps.ADD, ArithmeticOps.ADC -> LazyFlags.ADD;
            case ArithmeticOps.SUB, ArithmeticOps.CMP, ArithmeticOps.SBB -> LazyFlags.SUB;
            default -> LazyFlags.LOGIC;
        };
        record(mv, flagKind | LazyFlags.sizeIndex(bits), A, B);
        if (withCarry) {
            mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
            mv.visitVarInsn(Opcodes.ISTORE, FC);
            pendingCarryIn = true;
        }
        return true;
    }

    private boolean emitUnary(MethodVisitor mv, int kind, Operand dst) {
        if (dst instanceof Operand.Memory m) {
            address(mv, m);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, dst, true);
        mv.visitVarInsn(Opcodes.LSTORE, A);
        boolean incDec = kind == ArithmeticOps.INC || kind == ArithmeticOps.DEC;
        if (incDec) {
            conditionValue(mv, 2); // inc/dec keep CF: the carry of the record they replace
            mv.visitVarInsn(Opcodes.ISTORE, TEMP_INT);
        }
        switch (kind) {
            case ArithmeticOps.INC, ArithmeticOps.DEC -> {
                mv.visitVarInsn(Opcodes.LLOAD, A);
                mv.visitInsn(Opcodes.LCONST_1);
                mv.visitInsn(kind == ArithmeticOps.INC ? Opcodes.LADD : Opcodes.LSUB);
            }
            case ArithmeticOps.NOT -> {
                mv.visitVarInsn(Opcodes.LLOAD, A);
                mv.visitLdcInsn(-1L);
                mv.visitInsn(Opcodes.LXOR);
            }
            default -> {
                mv.visitVarInsn(Opcodes.LLOAD, A);
                mv.visitInsn(Opcodes.LNEG);
            }
        }
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, true);
        int size = LazyFlags.sizeIndex(dst.bits);
        if (incDec) {
            record(mv, (kind == ArithmeticOps.INC ? LazyFlags.INC : LazyFlags.DEC) | size, A, A);
            mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
            mv.visitVarInsn(Opcodes.ISTORE, FC);
        } else if (kind == ArithmeticOps.NEG) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, B);
            record(mv, LazyFlags.SUB | size, B, A); // the flags of 0 - a
        }
        return true;
    }

    /**
     * shl/sal/shr/sar and rol/ror of 32 or 64 bits: by a constant other than 0 (mod the operand
     * size), or shifts by cl; shl/shr/sar of 8 or 16 bits by a constant below the operand size.
     */
    private boolean emitShift(MethodVisitor mv, int kind, Operand dst, Operand count) {
        int bits = dst.bits;
        if (kind == ShiftOps.RCL || kind == ShiftOps.RCR) {
            return false;
        }
        boolean narrow = bits == 8 || bits == 16;
        if (narrow && (kind == ShiftOps.ROL || kind == ShiftOps.ROR || !(count instanceof Operand.Immediate))) {
            return false;
        }
        if (!(count instanceof Operand.Immediate imm)) {
            return kind != ShiftOps.ROL && kind != ShiftOps.ROR && emitVariableShift(mv, kind, dst, count);
        }
        int n = imm.value & (bits == 64 ? 63 : 31);
        if (n == 0 || n >= bits) {
            return false;
        }
        if (kind == ShiftOps.ROL || kind == ShiftOps.ROR) {
            emitRotate(mv, kind == ShiftOps.ROL, dst, n);
            return true;
        }
        if (dst instanceof Operand.Memory m) {
            address(mv, m);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, dst, true);
        if (kind == ShiftOps.SAR && bits < 64) {
            // the sign of the operand's size fills from the left
            X86Emitter.push(mv, 64 - bits);
            mv.visitInsn(Opcodes.LSHL);
            X86Emitter.push(mv, 64 - bits);
            mv.visitInsn(Opcodes.LSHR);
        }
        mv.visitVarInsn(Opcodes.LSTORE, A);
        mv.visitVarInsn(Opcodes.LLOAD, A);
        X86Emitter.push(mv, n);
        mv.visitInsn(switch (kind) {
            case ShiftOps.SHR -> Opcodes.LUSHR;
            case ShiftOps.SAR -> Opcodes.LSHR;
            default -> Opcodes.LSHL;
        });
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, true);
        // CF: the last bit shifted out
        mv.visitVarInsn(Opcodes.LLOAD, A);
        X86Emitter.push(mv, kind == ShiftOps.SHR || kind == ShiftOps.SAR ? n - 1 : bits - n);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        X86Emitter.push(mv, 1);
        mv.visitInsn(Opcodes.IAND);
        mv.visitVarInsn(Opcodes.ISTORE, TEMP_INT);
        shiftOverflow(mv, kind, bits, TEMP_INT);
        mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
        mv.visitVarInsn(Opcodes.ISTORE, FCF);
        record(mv, LazyFlags.RESULT_CO | LazyFlags.sizeIndex(bits), A, A);
        return true;
    }

    /**
     * rol/ror by a constant: CF and OF change, SF ZF AF PF stay those of the record before, so
     * that record goes to the state object and {@link LazyFlags#setCarryOverflow} keeps it as the base.
     */
    private void emitRotate(MethodVisitor mv, boolean left, Operand dst, int n) {
        int bits = dst.bits;
        if (dst instanceof Operand.Memory m) {
            address(mv, m);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, dst, true);
        if (bits == 32) {
            mv.visitInsn(Opcodes.L2I);
            X86Emitter.push(mv, n);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Integer", left ? "rotateLeft" : "rotateRight", "(II)I", false);
            mv.visitInsn(Opcodes.I2L);
        } else {
            X86Emitter.push(mv, n);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", left ? "rotateLeft" : "rotateRight", "(JI)J", false);
        }
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, true);
        if (pendingOp < 0 && flagKindUnknown) {
            // at a loop head whose record may still be in the locals: that record (or, with
            // FLAG_KIND -1 on the first entry, the state object's) becomes the base, kind known at run time
            recordBecomesBase(mv);
            mv.visitVarInsn(Opcodes.ILOAD, FLAG_KIND);
            mv.visitVarInsn(Opcodes.ISTORE, BASE_KIND);
            baseOp = RUNTIME_BASE;
            setPending(mv, ROTATE);
            rotateFlags(mv, left, bits);
            mv.visitVarInsn(Opcodes.ISTORE, FOF);
            mv.visitVarInsn(Opcodes.ISTORE, FCF);
            flagsDirty = true;
            return;
        }
        if (pendingOp >= 0) {
            // the record stays in locals: the one before the rotate becomes its base
            if (pendingOp != ROTATE) {
                recordBecomesBase(mv);
                X86Emitter.push(mv, pendingOp);
                mv.visitVarInsn(Opcodes.ISTORE, BASE_KIND);
                // an SSE comparison's bits have no result to test SF and ZF by: the base is stored and tested as any kind
                baseOp = pendingOp == LazyFlags.EFLAGS ? RUNTIME_BASE : pendingOp;
                setPending(mv, ROTATE);
            }
            rotateFlags(mv, left, bits);
            mv.visitVarInsn(Opcodes.ISTORE, FOF);
            mv.visitVarInsn(Opcodes.ISTORE, FCF);
            flagsDirty = true;
            return;
        }
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        rotateFlags(mv, left, bits);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS, "setCarryOverflow", "(" + STATE_DESC + "II)V", false);
        setPending(mv, -1);
    }

    /** Pushes a rotate's CF and OF (ints 0 or 1) computed from the RES local. */
    private static void rotateFlags(MethodVisitor mv, boolean left, int bits) {
        // CF: rol: the result's low bit; ror: its top bit. OF: rol: top bit ^ CF; ror: the two top bits differ
        if (left) {
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            mv.visitInsn(Opcodes.L2I);
            X86Emitter.push(mv, 1);
            mv.visitInsn(Opcodes.IAND);
            mv.visitInsn(Opcodes.DUP);
            topBit(mv, RES, bits);
            mv.visitInsn(Opcodes.IXOR);
        } else {
            topBit(mv, RES, bits);
            topBit(mv, RES, bits);
            topBit(mv, RES, bits - 1);
            mv.visitInsn(Opcodes.IXOR);
        }
    }

    /**
     * shl/shr/sar by cl: a count of 0 (mod 32 or 64) changes no flag, so the record before goes
     * to the state object first and a non-zero count stores its own there too: after the
     * instruction the state object holds the flags on both paths.
     */
    private boolean emitVariableShift(MethodVisitor mv, int kind, Operand dst, Operand count) {
        int bits = dst.bits;
        if (!(count instanceof Operand.Register c) || c.bits != 8 || c.reg != X86CpuState.ECX) {
            return false;
        }
        flushFlags(mv);
        setPending(mv, -1);
        Label done = new Label();
        mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.ECX));
        mv.visitInsn(Opcodes.L2I);
        X86Emitter.push(mv, bits - 1);
        mv.visitInsn(Opcodes.IAND);
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ISTORE, TEMP_INT);
        Label shift = new Label();
        mv.visitJumpInsn(Opcodes.IFNE, shift);
        if (bits == 32 && dst instanceof Operand.Register r) {
            // no shift, but a 32-bit register is still written: its upper half clears
            mv.visitVarInsn(Opcodes.LLOAD, reg(r.reg));
            storeRegister(mv, r.reg, 32);
        }
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(shift);
        if (dst instanceof Operand.Memory m) {
            address(mv, m);
            mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        }
        read(mv, dst, true);
        if (kind == ShiftOps.SAR && bits == 32) {
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitVarInsn(Opcodes.LSTORE, A);
        mv.visitVarInsn(Opcodes.LLOAD, A);
        mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
        mv.visitInsn(switch (kind) {
            case ShiftOps.SHR -> Opcodes.LUSHR;
            case ShiftOps.SAR -> Opcodes.LSHR;
            default -> Opcodes.LSHL;
        });
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, true);
        // CF: the last bit shifted out
        mv.visitVarInsn(Opcodes.LLOAD, A);
        if (kind == ShiftOps.SHR || kind == ShiftOps.SAR) {
            mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
            X86Emitter.push(mv, 1);
            mv.visitInsn(Opcodes.ISUB);
        } else {
            X86Emitter.push(mv, bits);
            mv.visitVarInsn(Opcodes.ILOAD, TEMP_INT);
            mv.visitInsn(Opcodes.ISUB);
        }
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        X86Emitter.push(mv, 1);
        mv.visitInsn(Opcodes.IAND);
        mv.visitVarInsn(Opcodes.ISTORE, FCF);
        shiftOverflow(mv, kind, bits, FCF);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, FRES);
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        X86Emitter.push(mv, LazyFlags.RESULT_CO | LazyFlags.sizeIndex(bits));
        recordArguments(mv);
        mv.visitLabel(done);
        return true;
    }

    /** imul r, r/m (, imm) of 32 or 64 bits: the low half; CF = OF = the product did not fit. */
    private boolean emitMultiply(MethodVisitor mv, Operand dst, Operand a, Operand b) {
        int bits = dst.bits;
        read(mv, a, false);
        if (bits == 32) {
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitVarInsn(Opcodes.LSTORE, A);
        read(mv, b, false);
        if (bits == 32) {
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitVarInsn(Opcodes.LSTORE, B);
        mv.visitVarInsn(Opcodes.LLOAD, A);
        mv.visitVarInsn(Opcodes.LLOAD, B);
        mv.visitInsn(Opcodes.LMUL);
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        if (bits == 32) {
            // the register from a 32-bit multiply of the low halves: C2 makes one imul r32 of it,
            // where the 64-bit product (for the flags, dead mostly) sign-extended both operands first
            mv.visitVarInsn(Opcodes.LLOAD, A);
            mv.visitInsn(Opcodes.L2I);
            mv.visitVarInsn(Opcodes.LLOAD, B);
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.IMUL);
            mv.visitInsn(Opcodes.I2L);
        } else {
            mv.visitVarInsn(Opcodes.LLOAD, RES);
        }
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, false);
        // overflow: the high half is not the sign of the low half
        if (bits == 64) {
            mv.visitVarInsn(Opcodes.LLOAD, A);
            mv.visitVarInsn(Opcodes.LLOAD, B);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", "multiplyHigh", "(JJ)J", false);
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            X86Emitter.push(mv, 63);
            mv.visitInsn(Opcodes.LSHR);
        } else {
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            mv.visitInsn(Opcodes.L2I);
            mv.visitInsn(Opcodes.I2L);
        }
        carryAndOverflowWhenDifferent(mv);
        record(mv, LazyFlags.RESULT_CO | LazyFlags.sizeIndex(bits), A, B);
        return true;
    }

    /**
     * bsf/bsr (and tzcnt, which is bsf where BMI1 is not claimed): ZF tells whether the source is
     * zero, the other flags stay (the record goes to the state object and ZF is patched into it);
     * a zero source leaves the destination as it was (this host's behaviour), else it gets the
     * index of the lowest or highest set bit.
     */
    private boolean emitBitScan(MethodVisitor mv, boolean reverse, Operand dst, Operand src) {
        read(mv, src, false);
        mv.visitVarInsn(Opcodes.LSTORE, TEMP);
        flushFlags(mv);
        Label nonzero = new Label();
        Label flagged = new Label();
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        X86Emitter.push(mv, X86CpuState.ZF);
        mv.visitVarInsn(Opcodes.LLOAD, TEMP);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, nonzero);
        X86Emitter.push(mv, X86CpuState.ZF);
        mv.visitJumpInsn(Opcodes.GOTO, flagged);
        mv.visitLabel(nonzero);
        X86Emitter.push(mv, 0);
        mv.visitLabel(flagged);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS, "modify", "(" + STATE_DESC + "II)V", false);
        setPending(mv, -1);
        Label skip = new Label();
        mv.visitVarInsn(Opcodes.LLOAD, TEMP);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFEQ, skip);
        if (reverse) {
            X86Emitter.push(mv, 63);
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "numberOfLeadingZeros", "(J)I", false);
            mv.visitInsn(Opcodes.ISUB);
        } else {
            mv.visitVarInsn(Opcodes.LLOAD, TEMP);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "numberOfTrailingZeros", "(J)I", false);
        }
        mv.visitInsn(Opcodes.I2L);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, false);
        mv.visitLabel(skip);
        return true;
    }

    /** mul/imul r/m64: rdx:rax = rax * src; CF = OF = the high half is not the low half's extension. */
    private boolean emitWideMultiply(MethodVisitor mv, Operand src, boolean signed) {
        read(mv, src, false);
        mv.visitVarInsn(Opcodes.LSTORE, B);
        mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.EAX));
        mv.visitVarInsn(Opcodes.LSTORE, A);
        mv.visitVarInsn(Opcodes.LLOAD, A);
        mv.visitVarInsn(Opcodes.LLOAD, B);
        mv.visitInsn(Opcodes.LMUL);
        mv.visitVarInsn(Opcodes.LSTORE, RES);
        mv.visitVarInsn(Opcodes.LLOAD, A);
        mv.visitVarInsn(Opcodes.LLOAD, B);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Math", signed ? "multiplyHigh" : "unsignedMultiplyHigh", "(JJ)J", false);
        mv.visitVarInsn(Opcodes.LSTORE, TEMP);
        mv.visitVarInsn(Opcodes.LLOAD, TEMP);
        if (signed) {
            mv.visitVarInsn(Opcodes.LLOAD, RES);
            X86Emitter.push(mv, 63);
            mv.visitInsn(Opcodes.LSHR);
        } else {
            mv.visitInsn(Opcodes.LCONST_0);
        }
        carryAndOverflowWhenDifferent(mv);
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        storeRegister(mv, X86CpuState.EAX, 64);
        mv.visitVarInsn(Opcodes.LLOAD, TEMP);
        storeRegister(mv, X86CpuState.EDX, 64);
        record(mv, LazyFlags.RESULT_CO | LazyFlags.sizeIndex(64), A, B);
        return true;
    }

    private boolean emitMove(MethodVisitor mv, Operand dst, Operand src) {
        read(mv, src, false);
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, false);
        return true;
    }

    private boolean emitMoveExtend(MethodVisitor mv, Operand dst, Operand src, boolean signed) {
        read(mv, src, false);
        if (signed) {
            mv.visitInsn(Opcodes.L2I);
            if (src.bits == 8) {
                mv.visitInsn(Opcodes.I2B);
            } else if (src.bits == 16) {
                mv.visitInsn(Opcodes.I2S);
            }
            mv.visitInsn(Opcodes.I2L);
        }
        mv.visitVarInsn(Opcodes.LSTORE, VALUE);
        write(mv, dst, false);
        return true;
    }

    // ---- flags --------------------------------------------------------------------------------

    /** Makes the record of the instruction just emitted pending: FA, FB from locals, FRES from RES, no carry-in. */
    private void record(MethodVisitor mv, int op, int aLocal, int bLocal) {
        int kind = op & ~3;
        boolean partialFlagsInLocals = FORGET_PARTIAL_FLAGS
                && (flagKindUnknown || pendingOp == ROTATE || (pendingOp >= 0 && (pendingOp & ~3) == LazyFlags.RESULT_CO));
        if (FORGET_PARTIAL_FLAGS && (kind == LazyFlags.LOGIC || kind == LazyFlags.RESULT_CO)) {
            // a logic record's flags are its result's alone, a shift's or a multiply's its result's
            // and its CF and OF (in FCF, FOF): the operands would only keep the destination's old
            // value alive to every instruction that may fault
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, FA);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, FB);
        } else {
            mv.visitVarInsn(Opcodes.LLOAD, aLocal);
            mv.visitVarInsn(Opcodes.LSTORE, FA);
            mv.visitVarInsn(Opcodes.LLOAD, bLocal);
            mv.visitVarInsn(Opcodes.LSTORE, FB);
        }
        mv.visitVarInsn(Opcodes.LLOAD, RES);
        mv.visitVarInsn(Opcodes.LSTORE, FRES);
        X86Emitter.push(mv, 0);
        mv.visitVarInsn(Opcodes.ISTORE, FC);
        setPending(mv, op);
        if (partialFlagsInLocals) {
            // a shift's or a multiply's record keeps its own CF and OF there
            forgetPartialFlags(mv, kind != LazyFlags.RESULT_CO);
        }
        flagsDirty = true;
        pendingCarryIn = false;
    }

    /**
     * {@code -Dqemu.tcg.long-mode-forget-partial-flags=false} keeps what a rotate or a shift left
     * in the locals after a record that replaces it (for comparison).
     */
    private static final boolean FORGET_PARTIAL_FLAGS = !"false".equals(System.getProperty("qemu.tcg.long-mode-forget-partial-flags"));

    /**
     * After a plain record replaced a rotate's or a shift's: CF and OF (FCF, FOF) and the base
     * record a rotate keeps (BASE_KIND, BA, BB, BC, BRES) are read by nothing any more, since exits
     * and the fault handler read the locals by the pending kind; but the handler's code reads
     * them for the kinds that use them, so every instruction that may fault kept them alive, and
     * C2 computed every rotate's CF and OF and kept its base record in registers. Constants here
     * end those values: sha256's rounds (six rotates, each followed by xor or add) lose that work.
     * {@code carryOverflow} false: FCF and FOF are the new record's own (a shift or a multiply).
     */
    private static void forgetPartialFlags(MethodVisitor mv, boolean carryOverflow) {
        for (int local : carryOverflow ? new int[] {FCF, FOF, BC, BASE_KIND} : new int[] {BC, BASE_KIND}) {
            mv.visitInsn(Opcodes.ICONST_0);
            mv.visitVarInsn(Opcodes.ISTORE, local);
        }
        for (int local : new int[] {BA, BB, BRES}) {
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitVarInsn(Opcodes.LSTORE, local);
        }
    }

    /** Copies the flag record's operands (FA, FB, FRES, FC) into the base locals a rotate's partial flags build on. */
    private static void recordBecomesBase(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.LLOAD, FA);
        mv.visitVarInsn(Opcodes.LSTORE, BA);
        mv.visitVarInsn(Opcodes.LLOAD, FB);
        mv.visitVarInsn(Opcodes.LSTORE, BB);
        mv.visitVarInsn(Opcodes.LLOAD, FRES);
        mv.visitVarInsn(Opcodes.LSTORE, BRES);
        mv.visitVarInsn(Opcodes.ILOAD, FC);
        mv.visitVarInsn(Opcodes.ISTORE, BC);
    }

    private void setPending(MethodVisitor mv, int op) {
        if (op != pendingOp || flagKindUnknown) {
            flagKindUnknown = false;
            X86Emitter.push(mv, op);
            mv.visitVarInsn(Opcodes.ISTORE, FLAG_KIND);
        }
        pendingOp = op;
        flagsDirty = false;
    }

    private void flushFlags(MethodVisitor mv) {
        if (pendingOp < 0 && flagKindUnknown) {
            // a loop head's record may still be in the locals: store it by its run-time kind, as the fault handler does
            storeRecordOfRuntimeKind(mv);
            setPending(mv, -1);
            return;
        }
        if (!flagsDirty || pendingOp < 0) {
            return;
        }
        if (pendingOp == ROTATE) {
            rotateRecord(mv, baseOp != RUNTIME_BASE);
        } else if ((pendingOp & 3) != 3) {
            storeNarrowRecord(mv, pendingOp);
        } else {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            X86Emitter.push(mv, pendingOp);
            recordArguments(mv);
        }
        flagsDirty = false;
    }

    /**
     * {@link Flags64#record} of an 8/16/32-bit op known here: its five stores inline. Why: record
     * (258 bytes of bytecode, a switch on the kind) is inlined by C2 and folded for the constant,
     * but C1, which compiles most of a kernel boot's blocks, inlines nothing past 35 bytes and the
     * bytecode interpreter runs every byte: one call and switch per block exit in lukewarm code.
     */
    private static void storeNarrowRecord(MethodVisitor mv, int op) {
        boolean resultCarryOverflow = (op & ~3) == LazyFlags.RESULT_CO;
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        X86Emitter.push(mv, op);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ccOp", "I");
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitVarInsn(Opcodes.LLOAD, FA);
        mv.visitInsn(Opcodes.L2I);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ccA", "I");
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        if (resultCarryOverflow) {
            mv.visitVarInsn(Opcodes.ILOAD, FCF);
        } else {
            mv.visitVarInsn(Opcodes.LLOAD, FB);
            mv.visitInsn(Opcodes.L2I);
        }
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ccB", "I");
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitVarInsn(Opcodes.ILOAD, resultCarryOverflow ? FOF : FC);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ccC", "I");
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitVarInsn(Opcodes.LLOAD, FRES);
        mv.visitInsn(Opcodes.L2I);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "ccRes", "I");
    }

    /** Stores the record the locals hold, of the kind FLAG_KIND says at run time (-1: nothing, the state object has it). */
    private void storeRecordOfRuntimeKind(MethodVisitor mv) {
        Label plainRecord = new Label();
        Label done = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, FLAG_KIND);
        X86Emitter.push(mv, ROTATE);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, plainRecord);
        rotateRecord(mv, false);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(plainRecord);
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitVarInsn(Opcodes.ILOAD, FLAG_KIND);
        recordArguments(mv);
        mv.visitLabel(done);
    }

    /** Stores a rotate record kept in locals ({@link Flags64#recordRotate}); the base kind a constant when {@code knownBase}. */
    private void rotateRecord(MethodVisitor mv, boolean knownBase) {
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        if (knownBase) {
            X86Emitter.push(mv, baseOp);
        } else {
            mv.visitVarInsn(Opcodes.ILOAD, BASE_KIND);
        }
        mv.visitVarInsn(Opcodes.LLOAD, BA);
        mv.visitVarInsn(Opcodes.LLOAD, BB);
        mv.visitVarInsn(Opcodes.ILOAD, BC);
        mv.visitVarInsn(Opcodes.LLOAD, BRES);
        mv.visitVarInsn(Opcodes.ILOAD, FCF);
        mv.visitVarInsn(Opcodes.ILOAD, FOF);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS64, "recordRotate", "(" + STATE_DESC + "IJJIJII)V", false);
    }

    /** Expects the state and the op code on the stack; pushes the record's locals and calls {@link Flags64#record}. */
    private static void recordArguments(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.LLOAD, FA);
        mv.visitVarInsn(Opcodes.LLOAD, FB);
        mv.visitVarInsn(Opcodes.ILOAD, FC);
        mv.visitVarInsn(Opcodes.LLOAD, FRES);
        mv.visitVarInsn(Opcodes.ILOAD, FCF);
        mv.visitVarInsn(Opcodes.ILOAD, FOF);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS64, "record", "(" + STATE_DESC + "IJJIJII)V", false);
    }

    /** Pushes bit {@code bits - 1} of a long local as an int 0 or 1. */
    /**
     * OF of a shift by a nonzero count into {@code FOF}, the operand in A, the result in RES and
     * CF in the int local {@code carry}: shl: the result's top bit differs from CF; shr: the
     * operand's top bit; sar: 0.
     */
    private static void shiftOverflow(MethodVisitor mv, int kind, int bits, int carry) {
        switch (kind) {
            case ShiftOps.SHR -> topBit(mv, A, bits);
            case ShiftOps.SAR -> X86Emitter.push(mv, 0);
            default -> {
                topBit(mv, RES, bits);
                mv.visitVarInsn(Opcodes.ILOAD, carry);
                mv.visitInsn(Opcodes.IXOR);
            }
        }
        mv.visitVarInsn(Opcodes.ISTORE, FOF);
    }

    private static void topBit(MethodVisitor mv, int local, int bits) {
        mv.visitVarInsn(Opcodes.LLOAD, local);
        X86Emitter.push(mv, bits - 1);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        X86Emitter.push(mv, 1);
        mv.visitInsn(Opcodes.IAND);
    }

    /** Pushes condition {@code cc} as an int 0 or 1. */
    private void conditionValue(MethodVisitor mv, int cc) {
        Label yes = new Label();
        Label done = new Label();
        jumpIf(mv, cc, yes);
        X86Emitter.push(mv, 0);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(yes);
        X86Emitter.push(mv, 1);
        mv.visitLabel(done);
    }

    /**
     * Jumps to {@code target} when condition {@code cc} holds. With the flag-setting instruction
     * known, the common conditions compare its operands or result directly: a value of n bits
     * shifted left by 64 - n keeps its signed and unsigned order and its sign and zero tests.
     */
    private void jumpIf(MethodVisitor mv, int cc, Label target) {
        int op = pendingOp;
        if (op == LazyFlags.EFLAGS) {
            if (emitFlagBitsCondition(mv, cc, target)) {
                return;
            }
        } else if (op == ROTATE) {
            if (emitRotateCondition(mv, cc, target)) {
                return;
            }
        } else if (op >= 0 && emitKnownCondition(mv, op & ~3, 64 - BITS[op & 3], cc, target)) {
            return;
        }
        flushFlags(mv);
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        X86Emitter.push(mv, cc);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, FLAGS, "condition", "(" + STATE_DESC + "I)Z", false);
        mv.visitJumpInsn(Opcodes.IFNE, target);
    }

    private boolean emitKnownCondition(MethodVisitor mv, int kind, int shift, int cc, Label target) {
        boolean negate = (cc & 1) != 0;
        int base = cc & ~1;
        int jump;
        // 32-bit records (the most common) compare their low halves as ints: no shifts, and the
        // unsigned orderings flip two ints' signs instead of two longs'
        boolean ints = shift == 32;
        if (base == 4 || base == 8) { // Z, S: every record's result
            resultSign(mv, FRES, shift);
            jump = base == 4 ? Opcodes.IFEQ : Opcodes.IFLT;
        } else if (kind == LazyFlags.LOGIC && base != 10) {
            // CF = OF = 0
            if (base == 0 || base == 2) {
                if (negate) {
                    mv.visitJumpInsn(Opcodes.GOTO, target);
                }
                return true;
            }
            resultSign(mv, FRES, shift);
            jump = switch (base) {
                case 6 -> Opcodes.IFEQ; // below or equal: ZF
                case 12 -> Opcodes.IFLT; // less: SF
                default -> Opcodes.IFLE; // less or equal: ZF or SF
            };
        } else if (pendingCarryIn && (kind == LazyFlags.ADD || kind == LazyFlags.SUB)) {
            return false;
        } else if (kind == LazyFlags.SUB && (base == 2 || base == 6 || base == 12 || base == 14)) {
            boolean unsigned = base <= 6;
            ordered(mv, FA, shift, unsigned);
            ordered(mv, FB, shift, unsigned);
            jump = base == 2 || base == 12 ? Opcodes.IFLT : Opcodes.IFLE;
            if (!ints) {
                mv.visitInsn(Opcodes.LCMP);
            } else {
                jump = intComparison(negate ? negated(jump) : jump);
                negate = false;
            }
        } else if (kind == LazyFlags.ADD && base == 2) { // CF: the result wrapped below a
            ordered(mv, FRES, shift, true);
            ordered(mv, FA, shift, true);
            jump = Opcodes.IFLT;
            if (!ints) {
                mv.visitInsn(Opcodes.LCMP);
            } else {
                jump = intComparison(negate ? negated(jump) : jump);
                negate = false;
            }
        } else if (kind == LazyFlags.RESULT_CO && (base == 0 || base == 2)) {
            mv.visitVarInsn(Opcodes.ILOAD, base == 0 ? FOF : FCF);
            jump = Opcodes.IFNE;
        } else if ((kind == LazyFlags.INC || kind == LazyFlags.DEC) && base == 2) {
            mv.visitVarInsn(Opcodes.ILOAD, FC);
            jump = Opcodes.IFNE;
        } else {
            return false;
        }
        mv.visitJumpInsn(negate ? negated(jump) : jump, target);
        return true;
    }

    /**
     * After an SSE comparison kept in locals (the EFLAGS bits in FA): conditions of single flags,
     * and CF or ZF (comisd's "above" and "below or equal"), test those bits; the signed orderings
     * call the general path.
     */
    private static boolean emitFlagBitsCondition(MethodVisitor mv, int cc, Label target) {
        int mask = switch (cc & ~1) {
            case 0 -> X86CpuState.OF;
            case 2 -> X86CpuState.CF;
            case 4 -> X86CpuState.ZF;
            case 6 -> X86CpuState.CF | X86CpuState.ZF;
            case 8 -> X86CpuState.SF;
            case 10 -> X86CpuState.PF;
            default -> 0;
        };
        if (mask == 0) {
            return false;
        }
        mv.visitVarInsn(Opcodes.LLOAD, FA);
        mv.visitInsn(Opcodes.L2I);
        X86Emitter.push(mv, mask);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn((cc & 1) != 0 ? Opcodes.IFEQ : Opcodes.IFNE, target);
        return true;
    }

    /** After a rotate kept in locals: CF and OF are its own, SF and ZF the base record's result's. */
    private boolean emitRotateCondition(MethodVisitor mv, int cc, Label target) {
        int base = cc & ~1;
        int jump;
        if (base == 0 || base == 2) {
            mv.visitVarInsn(Opcodes.ILOAD, base == 0 ? FOF : FCF);
            jump = Opcodes.IFNE;
        } else if ((base == 4 || base == 8) && baseOp != RUNTIME_BASE) {
            shifted(mv, BRES, 64 - BITS[baseOp & 3]);
            mv.visitInsn(Opcodes.LCONST_0);
            mv.visitInsn(Opcodes.LCMP);
            jump = base == 4 ? Opcodes.IFEQ : Opcodes.IFLT;
        } else {
            return false;
        }
        mv.visitJumpInsn((cc & 1) != 0 ? negated(jump) : jump, target);
        return true;
    }

    private static int negated(int jump) {
        return switch (jump) {
            case Opcodes.IFEQ -> Opcodes.IFNE;
            case Opcodes.IFNE -> Opcodes.IFEQ;
            case Opcodes.IFLT -> Opcodes.IFGE;
            case Opcodes.IFGE -> Opcodes.IFLT;
            case Opcodes.IFLE -> Opcodes.IFGT;
            default -> Opcodes.IFLE; // IFGT
        };
    }

    /** Pushes what IFEQ/IFLT/IFLE test of a result of {@code 64 - shift} bits: its low int for 32 bits, else the long's comparison with 0. */
    private static void resultSign(MethodVisitor mv, int local, int shift) {
        if (shift == 32) {
            mv.visitVarInsn(Opcodes.LLOAD, local);
            mv.visitInsn(Opcodes.L2I);
            return;
        }
        shifted(mv, local, shift);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
    }

    /**
     * Pushes an operand of {@code 64 - shift} bits so that signed comparisons order it as the
     * condition wants (its sign flipped for an unsigned one): an int for 32 bits, else a long.
     */
    private static void ordered(MethodVisitor mv, int local, int shift, boolean unsigned) {
        if (shift == 32) {
            mv.visitVarInsn(Opcodes.LLOAD, local);
            mv.visitInsn(Opcodes.L2I);
            if (unsigned) {
                mv.visitLdcInsn(Integer.MIN_VALUE);
                mv.visitInsn(Opcodes.IXOR);
            }
            return;
        }
        shifted(mv, local, shift);
        if (unsigned) {
            flipSign(mv);
        }
    }

    /** The two-int form of a jump on a comparison's sign (IFLT becomes IF_ICMPLT, ...). */
    private static int intComparison(int jump) {
        return switch (jump) {
            case Opcodes.IFLT -> Opcodes.IF_ICMPLT;
            case Opcodes.IFGE -> Opcodes.IF_ICMPGE;
            case Opcodes.IFLE -> Opcodes.IF_ICMPLE;
            default -> Opcodes.IF_ICMPGT; // IFGT
        };
    }

    private static void shifted(MethodVisitor mv, int local, int shift) {
        mv.visitVarInsn(Opcodes.LLOAD, local);
        if (shift != 0) {
            X86Emitter.push(mv, shift);
            mv.visitInsn(Opcodes.LSHL);
        }
    }

    private static void flipSign(MethodVisitor mv) {
        mv.visitLdcInsn(Long.MIN_VALUE);
        mv.visitInsn(Opcodes.LXOR);
    }

    // ---- registers, stack, memory -------------------------------------------------------------

    private static int reg(int r) {
        return R0 + 2 * r;
    }

    private void flush(MethodVisitor mv, int r) {
        mv.visitVarInsn(Opcodes.ALOAD, REGS);
        X86Emitter.push(mv, r);
        mv.visitVarInsn(Opcodes.LLOAD, reg(r));
        mv.visitInsn(Opcodes.LASTORE);
    }

    private void reload(MethodVisitor mv) {
        load(mv, 0xffff);
    }

    /** Loads the registers in {@code mask} from the state's array into their locals; all sixteen count as changed. */
    private void load(MethodVisitor mv, int mask) {
        registersChanged(0xffff);
        for (int r = 0; r < 16; r++) {
            if ((mask & 1 << r) == 0) {
                continue;
            }
            mv.visitVarInsn(Opcodes.ALOAD, REGS);
            X86Emitter.push(mv, r);
            mv.visitInsn(Opcodes.LALOAD);
            mv.visitVarInsn(Opcodes.LSTORE, reg(r));
        }
        dirty = 0;
    }

    /** Expects the new long value on the stack; a 32-bit write zero-extends, 8/16-bit writes merge. */
    private void storeRegister(MethodVisitor mv, int r, int bits) {
        if (bits == 32) {
            mv.visitLdcInsn(0xffffffffL);
            mv.visitInsn(Opcodes.LAND);
        } else if (bits != 64) {
            throw new IllegalArgumentException("merge through write()");
        }
        mv.visitVarInsn(Opcodes.LSTORE, reg(r));
        dirty |= 1 << r;
        written |= 1 << r;
        registersChanged(1 << r);
    }

    /** rsp moved by {@code delta} (push, pop, ret): its window stays, at shifted offsets. */
    private void adjustRsp(MethodVisitor mv, int delta) {
        mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.ESP));
        mv.visitLdcInsn((long) delta);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LSTORE, reg(X86CpuState.ESP));
        dirty |= 1 << X86CpuState.ESP;
        written |= 1 << X86CpuState.ESP;
        if (windows != null) {
            windows.registerMoved(X86CpuState.ESP, delta);
        }
    }

    /** push of the VALUE local (64 bits): the store first, rsp only once it succeeded. */
    private void pushValue(MethodVisitor mv) {
        mv.visitVarInsn(Opcodes.LLOAD, reg(X86CpuState.ESP));
        mv.visitLdcInsn(8L);
        mv.visitInsn(Opcodes.LSUB);
        mv.visitVarInsn(Opcodes.LSTORE, ADDR);
        access(mv, X86CpuState.ESP, X86CpuState.ESP, -8, X86CpuState.SS, 64, true, () -> mv.visitVarInsn(Opcodes.LLOAD, ADDR));
        adjustRsp(mv, -8);
    }

    /** Pushes the 64-bit value at register {@code base} (pop, ret, leave). */
    private void stackRead(MethodVisitor mv, int base) {
        access(mv, base, base, 0, X86CpuState.SS, 64, false, () -> mv.visitVarInsn(Opcodes.LLOAD, reg(base)));
    }

    // ---- verified windows ---------------------------------------------------------------------

    /** Registers whose value changed (a bit each): accesses through them start new windows. */
    private void registersChanged(int mask) {
        if (windows != null) {
            windows.registersChanged(mask);
        }
    }

    /**
     * One guest memory access at register {@code base} (-1: not through a plain base register)
     * plus {@code displacement}; a write stores the VALUE local, a read leaves the value
     * zero-extended to a long. {@code pushAddress} pushes the linear address.
     */
    private void access(MethodVisitor mv, int base, int cacheBase, int displacement, int segment, int bits, boolean write, Runnable pushAddress) {
        int space = windowSpace(segment);
        AccessWindows.Window w = window(base, space, displacement, bits / 8, write, WINDOW_ACCESS_BYTES);
        int cache = w == null && siteCaches ? pageCacheFor(cacheKey(cacheBase, space, write)) : -1;
        if (cache >= 0) {
            if (windows != null && windows.isRecording()) {
                windowBytes += CACHED_ACCESS_BYTES;
            }
            cachedPageAccess(mv, SITE_CACHE + 4 * cache, bits, write, pushAddress);
            return;
        }
        if (w == null) {
            mv.visitVarInsn(Opcodes.ALOAD, MEM);
            pushAddress.run();
            if (write) {
                mv.visitVarInsn(Opcodes.LLOAD, VALUE);
                memoryWrite(mv, bits);
            } else {
                memoryRead(mv, bits);
            }
            return;
        }
        int host = WINDOW_HOST + 2 * base;
        if (w.first()) {
            verifyWindow(mv, base, space, w);
        }
        Label slow = new Label();
        Label done = new Label();
        jumpIfWindowFailed(mv, host, slow);
        hostAddress(mv, host, w.offset());
        hostAccess(mv, write, bits);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        // the window failed its test: the accessor checks this access alone (and faults precisely)
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        pushAddress.run();
        accessorAccess(mv, write, bits);
        mv.visitLabel(done);
    }

    /** Long mode ignores every segment base but FS and GS: accesses through one register share a window whatever their segment. */
    private static int windowSpace(int segment) {
        return segment == X86CpuState.FS || segment == X86CpuState.GS ? segment : X86CpuState.DS;
    }

    /** A memory operand whose address is its base register plus a displacement: the kind a window can serve. */
    private static boolean windowEligible(Operand.Memory m) {
        return m.base >= 0 && m.index < 0 && m.ripAnchor == null && !m.address32InLongMode;
    }

    /**
     * The window an access of {@code bytes} at register {@code base} (-1: none) plus {@code
     * displacement} goes through, or null; while the first pass records, adds {@code accessBytes}
     * (and a window test's bytes for a window it opens) to the bytecode the windows will add.
     */
    private AccessWindows.Window window(int base, int space, int displacement, int bytes, boolean write, int accessBytes) {
        if (windows == null || base < 0) {
            return null;
        }
        int before = windows.opened();
        AccessWindows.Window w = windows.access(base, space, displacement, bytes, write);
        if (windows.isRecording()) {
            windowBytes += accessBytes + (windows.opened() > before ? WINDOW_TEST_BYTES : 0);
        }
        return w;
    }

    /** Jumps to {@code slow} when the window whose host address is in local {@code host} failed its test (0). */
    private static void jumpIfWindowFailed(MethodVisitor mv, int host, Label slow) {
        mv.visitVarInsn(Opcodes.LLOAD, host);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
    }

    /** Pushes the host address {@code offset} bytes into the window whose host address is in local {@code host}. */
    private static void hostAddress(MethodVisitor mv, int host, int offset) {
        mv.visitVarInsn(Opcodes.LLOAD, host);
        if (offset != 0) {
            mv.visitLdcInsn((long) offset);
            mv.visitInsn(Opcodes.LADD);
        }
    }

    /**
     * An access through the page cache at local {@code cache} (the page's guest address, then its
     * host address): a hit is a host load or store; a miss makes GuestMemory's fast-path test and,
     * when the page allows the access, caches the page; a page that does not takes the accessor.
     * Long mode adds no segment base but FS/GS, so the linear address is the offset the hit test uses.
     */
    private void cachedPageAccess(MethodVisitor mv, int cache, int bits, boolean write, Runnable pushAddress) {
        if (outOfLineMiss && !TRACE_CACHE_HOSTS) {
            cachedWindowAccess(mv, cache, bits, write, pushAddress);
            return;
        }
        Label miss = new Label();
        Label slow = new Label();
        Label done = new Label();
        distanceFromCache(mv, cache, pushAddress);
        if (outOfLineMiss) {
            X86Emitter.jumpUnlessInFirstTwoPages(mv, WINDOW_TEST, bits / 8, miss);
        } else {
            X86Emitter.jumpUnlessInFirstPage(mv, WINDOW_TEST, bits / 8, miss);
        }
        mv.visitVarInsn(Opcodes.LLOAD, cache + 2);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitInsn(Opcodes.LADD);
        hostAccess(mv, write, bits);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(miss);
        if (outOfLineMiss) {
            // (session 18's layout, now the comparison point: the host window the call returns fills
            // the cache and addresses this access; filled from MEM_BASE + the page instead, with the hit
            // and the miss each making its own access, C2 merged the two again: int sort 72 -> 77 ms a
            // round. cachedWindowAccess joins them at one access and keeps no host address.)
            fillWindow(mv, cache, bits, write, slow);
            mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
            mv.visitVarInsn(Opcodes.LSTORE, cache + 2);
            mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
            mv.visitVarInsn(Opcodes.LLOAD, cache);
            mv.visitInsn(Opcodes.LSUB);
            mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
            mv.visitInsn(Opcodes.LADD);
            hostAccess(mv, write, bits);
            mv.visitJumpInsn(Opcodes.GOTO, done);
        } else {
            fastPathTest(mv, bits, write ? GuestMemory.INLINE_WRITE : GuestMemory.INLINE_READ, slow);
            X86Emitter.fillFlatPageCache(mv, MEM_ADDR, cache, MEM_BASE);
            flatAccessOrAccessor(mv, bits, write, slow);
            mv.visitLabel(done);
            return;
        }
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        accessorAccess(mv, write, bits);
        mv.visitLabel(done);
    }

    /** Stores the access's address in MEM_ADDR and its distance from the start of the page cache at local {@code cache} in WINDOW_TEST. */
    private static void distanceFromCache(MethodVisitor mv, int cache, Runnable pushAddress) {
        X86Emitter.storeAddressAndDistance(mv, pushAddress, MEM_ADDR, cache, WINDOW_TEST);
    }

    /** The host access at MEM_BASE plus MEM_ADDR (the space is one flat host mapping), then {@code slow}: GuestMemory's checked accessor. */
    private static void flatAccessOrAccessor(MethodVisitor mv, int bits, boolean write, Label slow) {
        Label done = new Label();
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitInsn(Opcodes.LADD);
        hostAccess(mv, write, bits);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        accessorAccess(mv, write, bits);
        mv.visitLabel(done);
    }

    /**
     * A trace's access through its page cache at local {@code cache}, which holds only the guest
     * address of a two-page window: a hit and a filled miss meet at one host access at MEM_BASE
     * plus the address (the space is one flat host mapping), so no host address per cache stays
     * live through the trace. A miss calls GuestMemory.inlineWindowHost; a refused one takes the accessor.
     */
    private void cachedWindowAccess(MethodVisitor mv, int cache, int bits, boolean write, Runnable pushAddress) {
        Label access = new Label();
        Label slow = new Label();
        distanceFromCache(mv, cache, pushAddress);
        X86Emitter.jumpIfInFirstTwoPages(mv, WINDOW_TEST, bits / 8, access);
        fillWindow(mv, cache, bits, write, slow);
        mv.visitLabel(access);
        flatAccessOrAccessor(mv, bits, write, slow);
    }

    /**
     * A trace's page-cache miss: GuestMemory.inlineWindowHost for the access at MEM_ADDR (its host
     * window left in WINDOW_TEST), on to {@code slow} when it has none, else the window's guest
     * address into the cache (the space is one flat host mapping; the window may start a page
     * below the access's) and into the kept caches.
     */
    private void fillWindow(MethodVisitor mv, int cache, int bits, boolean write, Label slow) {
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        X86Emitter.push(mv, bits / 8 - 1);
        X86Emitter.push(mv, write ? GuestMemory.INLINE_WRITE : GuestMemory.INLINE_READ);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "inlineWindowHost", "(JII)J", false);
        mv.visitInsn(Opcodes.DUP2);
        mv.visitVarInsn(Opcodes.LSTORE, WINDOW_TEST);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitInsn(Opcodes.LSUB);
        mv.visitVarInsn(Opcodes.LSTORE, cache);
        keepCachedPage(mv, cache);
    }

    /** A miss's newly verified page goes into the kept caches too, for this thread's next runs (another thread's run stores into its CPU's scratch caches, harmlessly). */
    private void keepCachedPage(MethodVisitor mv, int cache) {
        if (persistentCaches) {
            mv.visitVarInsn(Opcodes.ALOAD, CACHE_ARRAY);
            X86Emitter.push(mv, 1 + (cache - SITE_CACHE) / 4);
            mv.visitVarInsn(Opcodes.LLOAD, cache);
            mv.visitInsn(Opcodes.LASTORE);
        }
    }

    /** {@code -Dqemu.tcg.trace-cache-hosts=true}: a trace's page caches keep their host address too, the hit and the miss each with its own access (the comparison point). */
    private static final boolean TRACE_CACHE_HOSTS = Boolean.getBoolean("qemu.tcg.trace-cache-hosts");

    /** {@code -Dqemu.tcg.long-mode-inline-miss=true}: traces' page-cache misses test the page inline too (the comparison point). */
    private static final boolean OUT_OF_LINE_MISS = !Boolean.getBoolean("qemu.tcg.long-mode-inline-miss");

    /** GuestMemory's checked accessor, with the memory and the address on the stack (a write stores the VALUE local). */
    private static void accessorAccess(MethodVisitor mv, boolean write, int bits) {
        if (write) {
            mv.visitVarInsn(Opcodes.LLOAD, VALUE);
            accessorWrite(mv, bits);
        } else {
            accessorRead(mv, bits);
        }
    }

    /** A host load (leaves the value zero-extended to a long) or store (of the VALUE local) at the host address on the stack. */
    private static void hostAccess(MethodVisitor mv, boolean write, int bits) {
        if (write) {
            mv.visitVarInsn(Opcodes.LLOAD, VALUE);
            if (bits == 64) {
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore64", "(JJ)V", false);
            } else {
                mv.visitInsn(Opcodes.L2I);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore" + bits, "(JI)V", false);
            }
        } else if (bits == 64) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad64", "(J)J", false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad" + bits, "(J)I", false);
            zeroExtend(mv, bits);
        }
    }

    /**
     * At a window's first access: sets the register's window host address when all bytes the
     * window's accesses touch lie in one guest page that allows every kind of access they make
     * (GuestMemory's fast-path test, once for all of them), else 0.
     */
    private void verifyWindow(MethodVisitor mv, int base, int segment, AccessWindows.Window w) {
        int host = WINDOW_HOST + 2 * base;
        Label bad = new Label();
        Label done = new Label();
        // the lowest byte: the register now, minus the offset of this access within the window
        mv.visitVarInsn(Opcodes.LLOAD, reg(base));
        mv.visitLdcInsn((long) w.lowFromNow());
        mv.visitInsn(Opcodes.LADD);
        if (segment != X86CpuState.DS) {
            mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
            mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "segBase", "[J");
            X86Emitter.push(mv, segment);
            mv.visitInsn(Opcodes.LALOAD);
            mv.visitInsn(Opcodes.LADD);
        }
        mv.visitVarInsn(Opcodes.LSTORE, WINDOW_TEST);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_RANGE);
        mv.visitInsn(Opcodes.LAND);
        mv.visitLdcInsn((long) (w.span() - 1));
        mv.visitInsn(Opcodes.LADD);
        X86Emitter.push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, bad);
        int need = (w.reads() ? GuestMemory.INLINE_READ : 0) | (w.writes() ? GuestMemory.INLINE_WRITE : 0);
        mv.visitVarInsn(Opcodes.ALOAD, MEM_PROT);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        X86Emitter.push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.BALOAD);
        X86Emitter.push(mv, need);
        mv.visitInsn(Opcodes.IAND);
        X86Emitter.push(mv, need);
        mv.visitJumpInsn(Opcodes.IF_ICMPNE, bad);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, WINDOW_TEST);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LSTORE, host);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(bad);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitVarInsn(Opcodes.LSTORE, host);
        mv.visitLabel(done);
    }

    private void setRip(MethodVisitor mv, long target) {
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitLdcInsn(target);
        mv.visitFieldInsn(Opcodes.PUTFIELD, STATE, "rip", "J");
    }

    /** Expects the memory object and the address; leaves the value zero-extended to a long. */
    private static void memoryRead(MethodVisitor mv, int bits) {
        if (!INLINE_MEMORY) {
            accessorRead(mv, bits);
            return;
        }
        mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
        mv.visitInsn(Opcodes.POP);
        Label slow = new Label();
        Label done = new Label();
        fastPathTest(mv, bits, GuestMemory.INLINE_READ, slow);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitInsn(Opcodes.LADD);
        if (bits == 64) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad64", "(J)J", false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad" + bits, "(J)I", false);
            zeroExtend(mv, bits);
        }
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        accessorRead(mv, bits);
        mv.visitLabel(done);
    }

    /** Expects the memory object, the address and the long value. */
    private static void memoryWrite(MethodVisitor mv, int bits) {
        if (!INLINE_MEMORY) {
            accessorWrite(mv, bits);
            return;
        }
        mv.visitVarInsn(Opcodes.LSTORE, MEM_VALUE);
        mv.visitVarInsn(Opcodes.LSTORE, MEM_ADDR);
        mv.visitInsn(Opcodes.POP);
        Label slow = new Label();
        Label done = new Label();
        fastPathTest(mv, bits, GuestMemory.INLINE_WRITE, slow);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_BASE);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitInsn(Opcodes.LADD);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_VALUE);
        if (bits == 64) {
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore64", "(JJ)V", false);
        } else {
            mv.visitInsn(Opcodes.L2I);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore" + bits, "(JI)V", false);
        }
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_VALUE);
        accessorWrite(mv, bits);
        mv.visitLabel(done);
    }

    /**
     * Jumps to {@code slow} unless the access at MEM_ADDR lies inside one page of the guest space
     * whose protection byte has {@code bit} (GuestMemory's own fast-path test, see {@link GuestMemory#rangeMask}).
     */
    private static void fastPathTest(MethodVisitor mv, int bits, int bit, Label slow) {
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_RANGE);
        mv.visitInsn(Opcodes.LAND);
        if (bits > 8) {
            mv.visitLdcInsn((long) (bits / 8 - 1));
            mv.visitInsn(Opcodes.LADD);
        }
        X86Emitter.push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCMP);
        mv.visitJumpInsn(Opcodes.IFNE, slow);
        mv.visitVarInsn(Opcodes.ALOAD, MEM_PROT);
        mv.visitVarInsn(Opcodes.LLOAD, MEM_ADDR);
        X86Emitter.push(mv, GuestMemory.PAGE_SHIFT);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.BALOAD);
        X86Emitter.push(mv, bit);
        mv.visitInsn(Opcodes.IAND);
        mv.visitJumpInsn(Opcodes.IFEQ, slow);
    }

    private static void zeroExtend(MethodVisitor mv, int bits) {
        mv.visitInsn(Opcodes.I2L);
        if (bits == 32) {
            mv.visitLdcInsn(0xffffffffL);
            mv.visitInsn(Opcodes.LAND);
        }
    }

    private static void accessorRead(MethodVisitor mv, int bits) {
        if (bits == 64) {
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read64", "(J)J", false);
        } else {
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read" + bits, "(J)I", false);
            zeroExtend(mv, bits);
        }
    }

    private static void accessorWrite(MethodVisitor mv, int bits) {
        if (bits == 64) {
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write64", "(JJ)V", false);
        } else {
            mv.visitInsn(Opcodes.L2I);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write" + bits, "(JI)V", false);
        }
    }

    /** Pushes the operand's value as a long, zero-extended from its size (a 64-bit immediate as the instruction extends it). */
    private void read(MethodVisitor mv, Operand o, boolean addressInLocal) {
        if (o instanceof Operand.Immediate imm) {
            mv.visitLdcInsn(imm.longValue);
        } else if (o instanceof Operand.Register r) {
            int bits = r.bits;
            boolean high = bits == 8 && r.reg >= 4 && r.reg < 8;
            int n = bits == 8 ? (high ? r.reg - 4 : r.reg & 15) : r.reg;
            mv.visitVarInsn(Opcodes.LLOAD, reg(n));
            if (high) {
                X86Emitter.push(mv, 8);
                mv.visitInsn(Opcodes.LUSHR);
            }
            if (bits != 64) {
                mv.visitLdcInsn(bits == 32 ? 0xffffffffL : bits == 16 ? 0xffffL : 0xffL);
                mv.visitInsn(Opcodes.LAND);
            }
        } else {
            memoryOperand(mv, (Operand.Memory) o, false, addressInLocal);
        }
    }

    /** Writes the VALUE local to the operand; a memory operand takes its address from ADDR when {@code addressInLocal}. */
    private void write(MethodVisitor mv, Operand o, boolean addressInLocal) {
        if (o instanceof Operand.Register r) {
            int bits = r.bits;
            if (bits == 64 || bits == 32) {
                mv.visitVarInsn(Opcodes.LLOAD, VALUE);
                storeRegister(mv, r.reg, bits);
                return;
            }
            boolean high = bits == 8 && r.reg >= 4 && r.reg < 8;
            int n = bits == 8 ? (high ? r.reg - 4 : r.reg & 15) : r.reg;
            long field = bits == 16 ? 0xffffL : high ? 0xff00L : 0xffL;
            mv.visitVarInsn(Opcodes.LLOAD, reg(n));
            mv.visitLdcInsn(~field);
            mv.visitInsn(Opcodes.LAND);
            mv.visitVarInsn(Opcodes.LLOAD, VALUE);
            mv.visitLdcInsn(bits == 16 ? 0xffffL : 0xffL);
            mv.visitInsn(Opcodes.LAND);
            if (high) {
                X86Emitter.push(mv, 8);
                mv.visitInsn(Opcodes.LSHL);
            }
            mv.visitInsn(Opcodes.LOR);
            storeRegister(mv, n, 64);
        } else if (o instanceof Operand.Memory m) {
            memoryOperand(mv, m, true, addressInLocal);
        } else {
            throw new IllegalStateException("write to an immediate");
        }
    }

    /** A memory operand's access (a write stores VALUE): through a verified window when the plan gives it one. */
    private void memoryOperand(MethodVisitor mv, Operand.Memory m, boolean write, boolean addressInLocal) {
        memoryOperand(mv, m, m.bits, write, addressInLocal);
    }

    /** {@link #memoryOperand(MethodVisitor, Operand.Memory, boolean, boolean)} of {@code bits} at the operand's address, whatever its own size (SSE's scalar parts of wider operands). */
    private void memoryOperand(MethodVisitor mv, Operand.Memory m, int bits, boolean write, boolean addressInLocal) {
        boolean eligible = windowEligible(m);
        // a site with a 32-bit address shares the base register's cache all the same (the cache
        // holds a page, whatever address found it); one with an index shares only with sites of
        // the same index register: a merge's a[i] and a[j] through one base walk two halves of an
        // array, and one cache for both missed at nearly every access (GuestMemory.inlineWindowHost
        // took 7% of a merge sort's time). Rip-relative sites have their own.
        int cacheBase = m.base >= 0 && m.ripAnchor == null ? m.base + 16 * (m.index + 1) : -1;
        access(mv, eligible ? m.base : -1, cacheBase, m.displacement, m.segment, bits, write, () -> {
            if (addressInLocal) {
                mv.visitVarInsn(Opcodes.LLOAD, ADDR);
            } else {
                address(mv, m);
            }
        });
    }

    /** Pushes the 64-bit offset (what lea computes): zero-extended from 32 bits with an 0x67 prefix. */
    private static void offset(MethodVisitor mv, Operand.Memory m) {
        if (m.ripAnchor != null) {
            mv.visitLdcInsn(m.ripAnchor.nextInstruction + m.displacement);
        } else {
            mv.visitLdcInsn((long) m.displacement);
            if (m.base >= 0) {
                mv.visitVarInsn(Opcodes.LLOAD, reg(m.base));
                mv.visitInsn(Opcodes.LADD);
            }
            if (m.index >= 0) {
                mv.visitVarInsn(Opcodes.LLOAD, reg(m.index));
                if (m.scale > 0) {
                    X86Emitter.push(mv, m.scale);
                    mv.visitInsn(Opcodes.LSHL);
                }
                mv.visitInsn(Opcodes.LADD);
            }
        }
        if (m.address32InLongMode) {
            mv.visitLdcInsn(0xffffffffL);
            mv.visitInsn(Opcodes.LAND);
        }
    }

    /** {@code -Dqemu.tcg.long-mode-xmm-access=false}: 16-byte XMM loads and stores call their op (the comparison point). */
    private static final boolean WIDE_XMM_ACCESS = !"false".equals(System.getProperty("qemu.tcg.long-mode-xmm-access"));

    /**
     * A 16-byte XMM load or store ({@link SseEmitter#wideMemoryAccess}) whose register the SSE
     * emitter does not hold: the address inline, then one call of GuestMemory's 128-bit accessor
     * on the state's XMM array. Why: called, the op computed its address from its operand object's
     * fields and tested the page once per half; inlined by C2 eight times over, glibc's memcpy
     * block (8 loads, 8 stores) made 37-44 KB of code in 90-130 ms of C2's time, during
     * cpubench's sort. A fault leaves the register and memory as they were (the accessors test
     * the whole range before they write) and finds the instruction by INDEX like inline code.
     * Through a plain base register the access joins that register's verified window (as general
     * registers' accesses do): two host loads or stores when the window passed its test, the
     * accessor when it did not. Why: C2 inlined the accessor's own page test at each of the
     * eight accesses of glibc's 64-byte copy loop, 52-55 ms of its time and 12.8 KB of code for
     * that loop in a sort; through windows 22 ms and 2.9 KB (python3 -c pass -2%, cpubench the same).
     */
    private boolean emitWideXmmAccess(MethodVisitor mv, XmmForm f) {
        if (!WIDE_XMM_ACCESS || f == null || !SseEmitter.wideMemoryAccess(f)) {
            return false;
        }
        boolean load = f.kind() == XmmForm.MOVE;
        int r = load ? f.destination() : f.sourceRegister();
        if (sse.holds(r)) {
            return false;
        }
        Operand.Memory m = f.sourceMemory();
        int space = windowSpace(m.segment);
        AccessWindows.Window w = WIDE_XMM_WINDOWS && windowEligible(m)
                ? window(m.base, space, m.displacement, 16, !load, WIDE_WINDOW_ACCESS_BYTES) : null;
        Label done = new Label();
        if (w != null) {
            if (f.immediate() == 1) {
                // movaps/movdqa: #GP on a misaligned address before anything else, as on the accessor's path
                address(mv, m);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, "org/qemu/i386/fp/SseInline", "requireAligned", "(J)V", false);
            }
            if (w.first()) {
                verifyWindow(mv, m.base, space, w);
            }
            Label slow = new Label();
            windowedWideAccess(mv, WINDOW_HOST + 2 * m.base, w.offset(), load, r, slow);
            mv.visitJumpInsn(Opcodes.GOTO, done);
            mv.visitLabel(slow);
        }
        // the accessor: it tests the whole range before it writes, and a fault finds the instruction by INDEX
        mv.visitVarInsn(Opcodes.ALOAD, MEM);
        address(mv, m);
        if (f.immediate() == 1 && w == null) {
            mv.visitInsn(Opcodes.DUP2);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "org/qemu/i386/fp/SseInline", "requireAligned", "(J)V", false);
        }
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xmm", "[J");
        if (load) {
            X86Emitter.push(mv, 2 * r);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "read128", "(J[JI)V", false);
        } else {
            mv.visitInsn(Opcodes.DUP);
            X86Emitter.push(mv, 2 * r);
            mv.visitInsn(Opcodes.LALOAD);
            mv.visitInsn(Opcodes.DUP2_X1);
            mv.visitInsn(Opcodes.POP2);
            X86Emitter.push(mv, 2 * r + 1);
            mv.visitInsn(Opcodes.LALOAD);
            mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, MEMORY, "write128", "(JJJ)V", false);
        }
        mv.visitLabel(done);
        return true;
    }

    /**
     * {@code -Dqemu.tcg.long-mode-xmm-windows=false}: 16-byte XMM loads and stores through a plain
     * base register take no verified window (each calls GuestMemory's 128-bit accessor, the
     * comparison point).
     */
    private static final boolean WIDE_XMM_WINDOWS = !"false".equals(System.getProperty("qemu.tcg.long-mode-xmm-windows"));

    /** Upper bound of the bytecode a windowed 16-byte access adds to the accessor's call (the first pass counts it). */
    private static final int WIDE_WINDOW_ACCESS_BYTES = 80;

    /**
     * The two host halves of a 16-byte XMM access at {@code offset} from the window whose host
     * address is in local {@code host}, or {@code slow} when the window failed its test (0).
     */
    private void windowedWideAccess(MethodVisitor mv, int host, int offset, boolean load, int r, Label slow) {
        jumpIfWindowFailed(mv, host, slow);
        for (int half = 0; half < 2; half++) {
            if (load) {
                mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
                mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xmm", "[J");
                X86Emitter.push(mv, 2 * r + half);
                hostAddress(mv, host, offset + 8 * half);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostLoad64", "(J)J", false);
                mv.visitInsn(Opcodes.LASTORE);
            } else {
                hostAddress(mv, host, offset + 8 * half);
                mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
                mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "xmm", "[J");
                X86Emitter.push(mv, 2 * r + half);
                mv.visitInsn(Opcodes.LALOAD);
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, MEMORY, "hostStore64", "(JJ)V", false);
            }
        }
    }

    /** Pushes the linear address: the offset plus the segment base (long mode ignores all bases but FS and GS). */
    private void address(MethodVisitor mv, Operand.Memory m) {
        offset(mv, m);
        if (m.segment != X86CpuState.FS && m.segment != X86CpuState.GS) {
            return;
        }
        mv.visitVarInsn(Opcodes.ALOAD, STATE_LOCAL);
        mv.visitFieldInsn(Opcodes.GETFIELD, STATE, "segBase", "[J");
        X86Emitter.push(mv, m.segment);
        mv.visitInsn(Opcodes.LALOAD);
        mv.visitInsn(Opcodes.LADD);
    }

    /**
     * Multiplications: CF and OF (the locals) are 1 when the two longs on the stack differ (the
     * product did not fit its destination), else 0. Without a branch ((d | -d) >>> 63 of their
     * difference d): the flags of a multiplication are nearly always dead, but C2 turns a branch
     * one way of which its profile never saw into a guard that deoptimizes when taken, and keeps
     * the guard alive whatever the flags' fate. FNV-1a's 32-bit imul overflows nearly always; the
     * product that fits, once in millions, threw the hash loop's C2 code away (twice in cpubench).
     */
    private static void carryAndOverflowWhenDifferent(MethodVisitor mv) {
        mv.visitInsn(Opcodes.LXOR);
        mv.visitInsn(Opcodes.DUP2);
        mv.visitInsn(Opcodes.LNEG);
        mv.visitInsn(Opcodes.LOR);
        X86Emitter.push(mv, 63);
        mv.visitInsn(Opcodes.LUSHR);
        mv.visitInsn(Opcodes.L2I);
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.ISTORE, FCF);
        mv.visitVarInsn(Opcodes.ISTORE, FOF);
    }

    /** What {@link SseEmitter} needs from this emitter: the CPU, long-mode addresses, integer operands, the flag record. */
    private final class SseHost implements SseEmitter.Host {
        @Override
        public void pushAddress(MethodVisitor mv, Operand.Memory m) {
            address(mv, m);
        }

        @Override
        public void readInteger(MethodVisitor mv, Operand o) {
            read(mv, o, false);
            mv.visitInsn(Opcodes.L2I);
        }

        @Override
        public void writeInteger(MethodVisitor mv, Operand o) {
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, o, false);
        }

        @Override
        public void readQuadword(MethodVisitor mv, Operand o) {
            read(mv, o, false);
        }

        @Override
        public void writeQuadword(MethodVisitor mv, Operand o) {
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            write(mv, o, false);
        }

        /**
         * The comparison's ZF/PF/CF (an int on the stack) become the pending record, of kind
         * EFLAGS: a write-back stores it as the called op leaves it, a fault handler finds it
         * through FLAG_KIND.
         */
        @Override
        public void comparisonFlags(MethodVisitor mv) {
            // the seta/jbe that follows tests the bits in FA; a flag write before the next exit
            // (comisd; seta; ...; sub) leaves nothing to store
            mv.visitInsn(Opcodes.I2L);
            mv.visitVarInsn(Opcodes.LSTORE, FA);
            setPending(mv, LazyFlags.EFLAGS);
            flagsDirty = true;
            pendingCarryIn = false;
        }

        @Override
        public void memoryAccessed(boolean write) {
        }

        /**
         * Scalar SSE loads (movsd, addsd m64, comisd m64, movss, cvtsi2sd m32...) take the page
         * caches and windows of the integer accesses: through GuestMemory's accessor, a double
         * merge sort's comparator tested the protection table on both its loads in every
         * iteration of the trace, where the integer sort's hit its caches.
         */
        @Override
        public void readMemory(MethodVisitor mv, Operand.Memory m, int bits) {
            memoryOperand(mv, m, bits, false, false);
            if (bits == 32) {
                mv.visitInsn(Opcodes.L2I);
            }
        }

        @Override
        public void writeMemory(MethodVisitor mv, Operand.Memory m, int bits, Runnable pushValue) {
            pushValue.run();
            mv.visitVarInsn(Opcodes.LSTORE, VALUE);
            memoryOperand(mv, m, bits, true, false);
        }
    }
}
