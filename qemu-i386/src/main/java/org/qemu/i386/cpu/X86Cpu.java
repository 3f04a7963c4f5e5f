package org.qemu.i386.cpu;

import java.util.Map;
import java.util.WeakHashMap;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestCpu;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.common.tcg.ChainedSequence;
import org.qemu.common.tcg.OpContext;
import org.qemu.common.tcg.OpSequence;
import org.qemu.common.tcg.RunningCodeOverwritten;
import org.qemu.common.tcg.TranslationCache;
import org.qemu.i386.translate.BytecodeBlockCompiler;
import org.qemu.i386.translate.InstructionLocator;
import org.qemu.i386.translate.RegionCompiler;
import org.qemu.i386.translate.RegionSelector;
import org.qemu.i386.translate.X86Block;
import org.qemu.i386.translate.X86Region;
import org.qemu.i386.translate.X86Translator;

/**
 * An x86 CPU in 32-bit protected user mode, or in 64-bit long mode ({@link #MODE_64}, set with
 * {@link #setCodeMode}): finds or translates the block at rip, runs it,
 * follows block links, and turns faults into {@link GuestTrap}s with eip at the faulting
 * instruction. All CPUs over one {@link GuestMemory} (threads of one process) share one
 * translation cache; a fork child gets a new memory and so a new cache.
 */
public final class X86Cpu implements GuestCpu, OpContext {
    /** Code segment default size: the mode flag that changes decoding. */
    public static final int MODE_32 = 0;
    /** System mode: a 16-bit code segment (real mode, e.g. an application processor's start-up code). */
    public static final int MODE_16 = 1;
    /** The bits of a mode that give the code size ({@link #MODE_32}, {@link #MODE_16}). */
    public static final int MODE_SIZE_MASK = 0xf;
    /**
     * System mode: the current privilege level sits above the size bits, so a block translated
     * at CPL 0 (where privileged instructions are translated as themselves) never runs at CPL 3.
     * Code that asks for the size (16, 32, 64) masks a mode with {@link #MODE_SIZE_MASK}.
     */
    public static final int MODE_PRIVILEGE_SHIFT = 4;
    /**
     * Long mode, 64-bit code (x86_64 user mode): REX prefixes, 64-bit registers and addresses,
     * {@code syscall}. Blocks of 64-bit code run interpreted or compiled with every instruction
     * an op call (no inline emitters), and never join regions.
     */
    public static final int MODE_64 = 2;

    /** True when {@code mode} (privilege bits included) runs 64-bit code. */
    public static boolean isLongMode(int mode) {
        return (mode & MODE_SIZE_MASK) == MODE_64;
    }

    /** The code size of {@code mode} (privilege bits included): 16, 32 or 64. */
    public static int codeBits(int mode) {
        return switch (mode & MODE_SIZE_MASK) {
            case MODE_16 -> 16;
            case MODE_64 -> 64;
            default -> 32;
        };
    }

    /**
     * Regions are off by default: measured on the benchmark workloads (docs/TRANSLATOR.md,
     * "Regions"), they only pay on tight loops so far. {@code -Dqemu.tcg.region-threshold=N}
     * turns them on.
     */
    public static final int DEFAULT_REGION_THRESHOLD = 0;
    /** The threshold that measured best with regions on: lower ones compile too many regions. */
    public static final int HOT_REGION_THRESHOLD = 10_000;

    private static final Map<GuestMemory, Shared> SHARED = new WeakHashMap<>();

    /** Loaded before any block runs: HotSpot must never take X86InterpretedSequence.run for the only run (see UnrunSequence). */
    private static final OpSequence<X86Cpu> SECOND_RUN = new org.qemu.common.tcg.UnrunSequence<>();

    /**
     * Compiled blocks one run-loop iteration may chain ({@link ChainedSequence}) before control
     * comes back to the run loop: bounds how long an exit request, a signal, a debugger hook or
     * a block listener waits, and how deep the Java stack grows (each chained block is a nested
     * call). {@code -Dqemu.tcg.chain-depth=0} turns chaining off, for comparison.
     *
     * <p>24, not 32: a chain's blocks return all at once at its end, and the processor predicts
     * returns from a stack of the last 32 calls here (AMD EPYC; 16 on older Intel cores). With the
     * run loop's own frames on top of 32 nested blocks the deepest returns were mispredicted.
     * Session 13, interleaved under qemu-x86_64 (depth 16 / 24 / 32): a loop of five blocks with
     * two unpredictable branches (bench/chain-branches.S) 2.53 / 2.52 / 2.80 s, busybox unxz of the
     * amd64 kernel's 65 MB 5.77 / 5.74 / 6.20 s, cpubench 1.82 / 1.89 / 1.92 s, gzip 32 MiB the
     * same; the amd64 boot 14.94 against 15.68 s (4 pairs, 3 faster). 64 and 128 were 30-50% slower.
     */
    static final int CHAIN_DEPTH = Integer.getInteger("qemu.tcg.chain-depth", 24);
    /**
     * -Dqemu.tcg.entry-stats=true (with qemu.tcg.stats=true, which prints them) also counts why the
     * run loop is entered, by cause and by block. Its own switch: the counting (a synchronized
     * map update per entry) slows the run loop down, and qemu.tcg.stats is used to time things.
     * A constant: off, it costs nothing.
     */
    private static final boolean ENTRY_STATS = Boolean.getBoolean("qemu.tcg.entry-stats");

    /** Loop blocks in system mode ({@code -Dqemu.tcg.system-loops=false} turns them off, for comparison). */
    private static final boolean SYSTEM_LOOPS = !"false".equals(System.getProperty("qemu.tcg.system-loops"));

    /** Chaining in system mode ({@link Shared#chaining}); a switch kept for measuring against the run loop alone. */
    private static final boolean SYSTEM_CHAINING = !"false".equals(System.getProperty("qemu.tcg.system-chaining"));

    /**
     * Generates block and region classes off the run loop's thread, as HotSpot compiles in
     * the background: a hot block keeps running in its current tier until its class is ready,
     * instead of the guest waiting for our code generation (and, on the second core, for it
     * alone). {@code -Dqemu.tcg.background-compile=true} or {@code false} decides; unset, it is on
     * wherever blocks wait for HotSpot's code of their classes ({@link X86Block#waitsForHotSpotCode}:
     * the WhiteBox API bound, which the launcher does for every x86 emulator) and off elsewhere.
     * Alone it did not pay in user mode (session 3, a loaded machine: sha256sum 4.1-5.2 s of CPU
     * with it against 4.2-4.6 s without, hot blocks staying longer in the slow tier); with the
     * wait, blocks never run a class still in HotSpot's bytecode interpreter (session 16:
     * docs/PERFORMANCE.md). A compile threshold of 1 (tests: every block compiled at its first
     * run) always compiles in the run loop, so what runs where does not depend on timing.
     */
    private static final String BACKGROUND_COMPILE = System.getProperty("qemu.tcg.background-compile");
    private static final java.util.concurrent.Executor BACKGROUND = userModeBackground() ? backgroundCompiler() : null;

    private static boolean userModeBackground() {
        return BACKGROUND_COMPILE != null ? "true".equals(BACKGROUND_COMPILE) : X86Block.waitsForHotSpotCode();
    }

    /** The system emulators' compiler thread, made only when one starts (user mode's start-up loads no executor). */
    private static final class SystemBackground {
        static final java.util.concurrent.Executor EXECUTOR = BACKGROUND != null ? BACKGROUND : backgroundCompiler();
    }

    private static java.util.concurrent.Executor backgroundCompiler() {
        return java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "qemu-tcg-compiler");
            t.setDaemon(true);
            return t;
        });
    }

    public final X86CpuState state;
    public final GuestMemory memory;
    private final Shared shared;
    private volatile boolean exitRequested;
    /**
     * What loop blocks poll on their back edge ({@link #mustLeaveLoop}): true whenever one of
     * its conditions may hold (an exit request, a pending exit, a debugger hook, a block
     * listener). Set at once by whatever makes a condition true; cleared only at the start of a
     * run ({@link #refreshLeaveLoops}). One volatile load per iteration instead of four loads
     * through three objects: C2 reloads them on every iteration (the volatile read orders them).
     */
    private volatile boolean leaveLoops;
    private SegmentResolver segmentResolver = SegmentResolver.FLAT;
    private CpuExit pendingExit;
    private GuestTrap lastTrap;
    private int faultingOp;
    private java.util.function.LongConsumer blockListener;
    /**
     * {@link #observed}'s answer: a debugger hook ({@code shared.instructionHook}) or a block
     * listener is set. A field of its own, kept by their setters (the debug targets install a hook
     * on every CPU; a CPU made later takes the address space's at construction): every trace
     * reads it once it has run its first block, and two dependent loads there were 3.6% of busybox
     * unxz's run loop thread (async-profiler; 150 M chained transitions).
     */
    private boolean observing;
    /** Chained blocks still allowed in this run-loop iteration ({@link #chainTarget}). */
    private int chainBudget;
    /** The compiled block whose exit returned to the run loop in this iteration (null: an interpreted one). */
    private ChainedSequence<X86Cpu> leftFrom;
    /** The compiled block whose exception handler saw the fault being thrown (null: the block the run loop entered). */
    private ChainedSequence<X86Cpu> faultedIn;
    /** Blocks entered through chained exits (approximate: counted from the budget the run loop hands out). */
    private long chainedRunsInLoop;
    private Object systemContext;
    private int codeMode = MODE_32;
    /** The block the run loop entered and is running now (null between blocks): what a store into code may kill. */
    private X86Block entered;
    /** The chain budget handed out with {@link #entered}: a budget that changed means chained blocks may be running instead. */
    private int budgetGiven;
    /** Set when a store stopped because it overwrote running code: the run loop runs the next instruction alone. */
    private boolean runAlone;
    /** The CPU running on each thread, for the {@link RunningCodeGuard} of a memory several threads share (user mode). */
    private static final ThreadLocal<X86Cpu> ON_THREAD = new ThreadLocal<>();

    /**
     * Stops a store (before it writes) whose invalidation killed the code that runs it, as QEMU
     * ends a translation block after such a store: without this the running block (or loop
     * block pass) went on with its old decoding of the bytes just written. Asked only on the
     * slow path of stores into code pages, so hot code pays nothing. The running block is
     * known exactly when no chained block was entered since the run loop entered it (a loop
     * block or call unit overlaps all the code it took in); after chained exits, any block
     * killed by the store may be the one running, and the store stops too (then maybe needlessly).
     */
    private static final class RunningCodeGuard implements GuestMemory.CodeStoreGuard {
        private final TranslationCache<X86Block> cache;

        RunningCodeGuard(TranslationCache<X86Block> cache) {
            this.cache = cache;
        }

        @Override
        public long beforeCodeStore() {
            X86Cpu cpu = ON_THREAD.get();
            return cpu == null || cpu.entered == null ? -1 : cache.invalidations();
        }

        @Override
        public void codeInvalidated(long token) {
            if (token < 0) {
                return;
            }
            X86Cpu cpu = ON_THREAD.get();
            X86Block running = cpu.entered;
            if (running == null) {
                return;
            }
            boolean chained = cpu.chainBudget != cpu.budgetGiven;
            if (!running.isValid() || (chained && cache.invalidations() != token)) {
                cpu.shared.runningCodeStores++;
                throw RunningCodeOverwritten.INSTANCE;
            }
        }
    }

    /** The cache and compiler one address space's CPUs share. */
    private static final class Shared {
        final TranslationCache<X86Block> cache;
        final X86Translator translator;
        final BytecodeBlockCompiler compiler;
        final RegionSelector regionSelector;
        final RegionCompiler regionCompiler = new RegionCompiler();
        /**
         * Compiled blocks chain to their successors. In system mode too (session 6): an interrupt
         * request ({@link #requestExit}) and a halt ({@link #endRunWith}) zero the chain budget, a
         * code-mode change (CPL, code size) zeroes it too ({@link #setCodeMode}) and the run loop
         * links only blocks of one mode, so a chained successor always has the mode a lookup
         * would have used; paging changes and code writes kill the blocks they touch at once
         * (their {@link ChainedSequence#dead} flag), as they drop them from the cache.
         * {@code -Dqemu.tcg.system-chaining=false} turns it off in system mode, for comparison.
         */
        final boolean chaining;
        /** Where block classes are generated when compile thresholds are above 1 (null: in the run loop). */
        final java.util.concurrent.Executor background;
        volatile int compileThreshold;
        /** Set while a debugger may be attached (gdbstub); null costs the run loop one check per block. */
        org.qemu.common.gdbstub.InstructionHook instructionHook;
        /**
         * Runs of a block before it seeds a region (0: no regions). System mode has none yet: its
         * ops change the code mode and paging state that a region's internal jumps do not re-check.
         */
        volatile int regionThreshold;

        Shared(GuestMemory memory, org.qemu.i386.translate.SystemTranslator system) {
            cache = new TranslationCache<>(memory);
            // system mode: loop blocks (session 7) but no call units. A loop block leaves at its back
            // edge on an interrupt request (requestExit sets leaveLoops) or when a code write or a
            // paging change killed it (its dead flag); its body is inline code only, which changes
            // neither the code mode nor the mappings its page caches rely on (the MMU fills pages
            // on a miss without dropping others; only flushes, invlpg and control writes, all
            // ops outside loop bodies, take mappings away)
            compiler = system == null ? new BytecodeBlockCompiler(cache)
                    : new BytecodeBlockCompiler(SYSTEM_LOOPS ? cache : null, false);
            translator = system == null ? new X86Translator(memory) : new X86Translator(memory, system);
            if (system != null) {
                compiler.tuneForSystemMode();
            }
            regionSelector = new RegionSelector(cache);
            regionThreshold = system == null ? Integer.getInteger("qemu.tcg.region-threshold", DEFAULT_REGION_THRESHOLD) : 0;
            chaining = CHAIN_DEPTH > 0 && (system == null || SYSTEM_CHAINING);
            // A boot compiles ~4 K block classes at ~180 us each (generating, defining, verifying):
            // on the second core the guest keeps running the interpreted form meanwhile (session
            // 10: the i386 boot 3% faster, median of 16 interleaved pairs). User mode: see BACKGROUND.
            background = system != null && !"false".equals(BACKGROUND_COMPILE) ? SystemBackground.EXECUTOR : BACKGROUND;
            compileThreshold = Integer.getInteger("qemu.tcg.compile-threshold", X86Block.defaultCompileThreshold(background != null));
            memory.setCodeStoreGuard(new RunningCodeGuard(cache));
        }

        /** Stores stopped because they overwrote the code running them (each then ran alone). */
        long runningCodeStores;
        /** Region entries and block runs in the run loop (plain longs: approximate across threads, for -d style statistics). */
        long regionRuns;
        long blockRuns;
        long chainedRuns;
        /** With {@link #ENTRY_STATS}: run-loop entries by cause, run ends by exit, and the blocks whose exits come back most. */
        final Map<String, long[]> entryCauses = new java.util.HashMap<>();
        final Map<String, long[]> runEnds = new java.util.HashMap<>();
        final Map<String, long[]> entryBlocks = new java.util.HashMap<>();

        /** One more of {@code key} in one of the three tables above. */
        synchronized void count(Map<String, long[]> table, String key) {
            table.computeIfAbsent(key, k -> new long[1])[0]++;
        }
    }

    public X86Cpu(GuestMemory memory, X86CpuState state) {
        this(memory, state, null);
    }

    /**
     * This CPU's part of the key a translated loop's kept page caches carry (a distinct multiple of
     * 2^32 per CPU; the memory's protection epoch is added): see {@code X86Sequence#pageCaches}.
     */
    private final long pageCacheKey = PAGE_CACHE_KEYS.incrementAndGet() << 32;
    private static final java.util.concurrent.atomic.AtomicLong PAGE_CACHE_KEYS = new java.util.concurrent.atomic.AtomicLong();
    /** The page caches this CPU's runs of a loop kept by another thread start from (emptied at each entry). */
    private final long[] scratchPageCaches = new long[1 + org.qemu.i386.translate.X86Sequence.PAGE_CACHES];

    public long pageCacheKey() {
        return pageCacheKey;
    }

    public long[] scratchPageCaches() {
        return scratchPageCaches;
    }

    /**
     * A CPU whose privileged instructions {@code system} translates (system mode; null: user mode).
     * CPUs over one memory share the first one's translator.
     */
    public X86Cpu(GuestMemory memory, X86CpuState state, org.qemu.i386.translate.SystemTranslator system) {
        this.memory = memory;
        this.state = state;
        synchronized (SHARED) {
            this.shared = SHARED.computeIfAbsent(memory, m -> {
                Shared created = new Shared(m, system);
                if (Boolean.getBoolean("qemu.tcg.stats")) {
                    // a measurement aid: what the tiers did, printed when the emulator exits
                    org.qemu.common.cli.ExitActions.add(() -> System.err.println("qemu.tcg.stats: " + statistics(created)));
                }
                return created;
            });
        }
        observing = shared.instructionHook != null;
    }

    /** System mode: the machine's per-CPU state (control registers, interrupt pin) that system ops reach. */
    public Object systemContext() {
        return systemContext;
    }

    public void setSystemContext(Object context) {
        this.systemContext = context;
    }

    /**
     * The default operand and address size of the code segment: {@link #MODE_32} (the default),
     * {@link #MODE_16} (system mode) or {@link #MODE_64} (x86_64 user mode: call it once, before
     * the first {@link #run}; clones made with {@link #copyFor} keep it).
     */
    public void setCodeMode(int mode) {
        if (mode != codeMode) {
            if (ENTRY_STATS) {
                modeChanges++;
            }
            // system mode: a privilege or code-size change inside a block (iret, far jump,
            // sysret, ...): its exit must not chain to a successor linked under the old mode
            chainBudget = 0;
        }
        this.codeMode = mode;
    }

    /** The code mode ({@link #MODE_32}, {@link #MODE_16} or {@link #MODE_64}). */
    public int codeMode() {
        return codeMode;
    }

    /** Sets rip from a locator's address: 32-bit code keeps it below 2^32. */
    private void setPc(long address) {
        state.rip = isLongMode(codeMode) ? address : address & 0xffffffffL;
    }

    /** Called by an op (system mode: hlt): ends the run with {@code exit} once the block finishes. */
    public void endRunWith(CpuExit exit) {
        pendingExit = exit;
        leaveLoops = true;
        chainBudget = 0;
    }

    /** A new CPU for a clone()d thread or fork()ed child: a copy of this state over {@code memory}. */
    public X86Cpu copyFor(GuestMemory memory) {
        X86Cpu c = new X86Cpu(memory, state.copy());
        c.segmentResolver = segmentResolver;
        c.codeMode = codeMode;
        return c;
    }

    /** Told the guest pc of every block before it runs (QEMU's -d exec); null turns it off. */
    public void setBlockListener(java.util.function.LongConsumer listener) {
        this.blockListener = listener;
        observing = shared.instructionHook != null || listener != null;
        if (listener != null) {
            leaveLoops = true;
            stopTraces();
        }
    }

    /**
     * A hook or listener must see every block from now on: the compiler forms no more traces,
     * and whatever it compiled before is dropped (a trace runs its blocks without coming back
     * to the run loop, and tests nothing for this at its joins). Usually nothing was compiled
     * yet: both are set before the guest runs.
     */
    private void stopTraces() {
        shared.compiler.observe();
        if (shared.cache.size() > 0) {
            shared.cache.invalidateAll();
        }
    }

    /**
     * Makes every CPU of this address space call {@code hook} before each block (the gdbstub;
     * with {@code qemu.tcg.max-insns=1} set before the CPUs exist, before each instruction).
     * A hooked address space builds no regions: a region runs many blocks without coming back here.
     */
    public void setInstructionHook(org.qemu.common.gdbstub.InstructionHook hook) {
        shared.instructionHook = hook;
        observing = hook != null || blockListener != null;
        if (hook != null) {
            // the debug targets install the hook on every CPU (thread) of the address space
            leaveLoops = true;
            shared.regionThreshold = 0;
            stopTraces();
        }
    }

    public void setSegmentResolver(SegmentResolver resolver) {
        this.segmentResolver = resolver;
    }

    /** mov to a segment register: resolves the selector to a base, or raises #GP. */
    public void loadSegment(int segment, int selector) {
        selector &= 0xffff;
        if (segment == X86CpuState.CS) {
            throw X86Trap.invalidOpcode(state.eip());
        }
        long base = segmentResolver.baseOf(segment, selector);
        if (base < 0) {
            throw X86Trap.generalProtection(selector & ~3);
        }
        state.segSelector[segment] = selector;
        state.segBase[segment] = base;
    }

    @Override
    public CpuExit run() {
        Shared sh = shared;
        long runsBefore = blockRunsInLoop;
        long chainedBefore = chainedRunsInLoop;
        // a fault that ended an earlier run outside the run loop's handlers must not name this run's faulting block
        faultedIn = null;
        refreshLeaveLoops();
        ON_THREAD.set(this);
        try {
            CpuExit exit = runBlocks(sh);
            if (ENTRY_STATS) {
                sh.count(sh.runEnds, String.valueOf(exit));
            }
            return exit;
        } finally {
            entered = null;
            // counted in a field of this CPU, not the shared object: one store less per block
            sh.blockRuns += blockRunsInLoop - runsBefore;
            sh.chainedRuns += chainedRunsInLoop - chainedBefore;
        }
    }

    /** Blocks run by this CPU's run loop (added to the shared statistics when a run ends). */
    private long blockRunsInLoop;
    /** Code-mode changes (for the entry statistics: a change zeroes the chain budget). */
    private long modeChanges;

    /*
     * The run loop's state between two iterations (runOnce): fields, not locals, because each
     * iteration is a call of its own. Why: a method that loops is compiled only by on-stack
     * replacement, which HotSpot's tiered policy asks for after ~60,000 back edges, while a method
     * is compiled after ~200 calls; the run loop is entered once per system call, so it ran in
     * HotSpot's bytecode interpreter for its first 60,000 iterations of every run, well into the
     * guest's first hot loop (a 2,000-element qsort under qemu-x86_64: its run loop's OSR code came
     * 60 ms into the run, the first sort took 47 ms against 1.4 ms natively).
     */
    /** The block that ran last (its exit came back to the run loop), or null: the next block is looked up in the cache. */
    private X86Block loopPrev;
    /** The compiled sequence whose exit returned to the run loop last: linked to the block found next. */
    private ChainedSequence<X86Cpu> loopFrom;
    /** For the entry statistics: the sequence whose exit was classified last. */
    private ChainedSequence<X86Cpu> loopStatsFrom;
    /** Read once per run (a run ends at every system call, so a change is seen soon enough). */
    private BytecodeBlockCompiler loopCompiler;
    private int loopCompileThreshold;
    private boolean loopRegionsOn;
    private java.util.concurrent.Executor loopBackground;
    private int loopChainDepth;

    private CpuExit runBlocks(Shared sh) {
        loopPrev = null;
        loopFrom = null;
        loopStatsFrom = null;
        loopCompiler = sh.compiler;
        loopCompileThreshold = sh.compileThreshold;
        loopRegionsOn = sh.regionThreshold != 0;
        loopBackground = loopCompileThreshold > 1 ? sh.background : null;
        // chained exits would step past region entries: chaining only without regions
        loopChainDepth = sh.chaining && !loopRegionsOn ? CHAIN_DEPTH : 0;
        if (ENTRY_STATS) {
            sh.count(sh.entryCauses, "run start");
        }
        while (true) {
            CpuExit exit = runOnce(sh);
            if (exit != null) {
                return exit;
            }
        }
    }

    /** One iteration of the run loop: looks up (or translates) the block at rip and runs it; an exit ends the run, null goes on. */
    private CpuExit runOnce(Shared sh) {
        X86CpuState s = state;
        if (exitRequested) {
            exitRequested = false;
            return CpuExit.EXIT_REQUEST;
        }
        X86Block prev = loopPrev;
        ChainedSequence<X86Cpu> from = loopFrom;
        int chainDepth = loopChainDepth;
        long pc = s.rip;
        org.qemu.common.gdbstub.InstructionHook hook = shared.instructionHook;
        if (hook != null) {
            hook.beforeInstruction(this, pc);
            pc = s.rip;
        }
        int mode = codeMode;
        boolean alone = runAlone;
        X86Block block = prev == null || alone ? null : (X86Block) prev.successor(pc, mode);
        if (alone) {
            // the instruction whose store overwrote the code running it: on its own, not
            // cached, so its store completes (nothing runs after it in this block) and the
            // code after it is looked up, or translated from the new bytes, as usual
            runAlone = false;
            from = null;
            try {
                block = shared.translator.translate(pc, mode, 1);
            } catch (GuestMemoryFault f) {
                lastTrap = memoryTrap(f);
                return CpuExit.TRAP;
            }
        } else if (block == null) {
            block = shared.cache.lookup(pc, mode);
            if (block == null) {
                try {
                    block = shared.translator.translate(pc, mode);
                } catch (GuestMemoryFault f) {
                    lastTrap = memoryTrap(f);
                    return CpuExit.TRAP;
                }
                shared.cache.insert(block);
            }
            if (prev != null) {
                prev.link(block);
            }
        }
        if (ENTRY_STATS && loopStatsFrom != null) {
            countMissedExit(sh, loopStatsFrom, block);
            loopStatsFrom = null;
        }
        linkExit(from, chainDepth, block, mode);
        if (blockListener != null) {
            blockListener.accept(pc);
        }
        // a hook or listener must see every block: no chaining past this one
        int budget = hook == null && blockListener == null && !alone ? chainDepth : 0;
        if (budget > 1) {
            budget = warmUpBudget(budget);
        }
        chainBudget = budget;
        leftFrom = null;
        long modeChangesBefore = ENTRY_STATS ? modeChanges : 0;
        X86Region region = loopRegionsOn && blockListener == null && !isLongMode(mode) && !alone ? regionAt(block, loopBackground) : null;
        InstructionLocator running = region != null ? region : block;
        try {
            if (alone) {
                block.sequence().run(this);
            } else if (region != null) {
                // a region runs many blocks: any block a store kills may be running (see RunningCodeGuard)
                entered = block;
                budgetGiven = budget - 1;
                shared.regionRuns++;
                block.countExecution();
                region.run(this);
            } else {
                entered = block;
                budgetGiven = budget;
                blockRunsInLoop++;
                block.execute(this, loopCompiler, loopCompileThreshold, loopBackground);
            }
            entered = null;
        } catch (RunningCodeOverwritten w) {
            entered = null;
            countChained(budget);
            running = faultingLocator(running);
            setPc(running.instructionAddress(faultingOp));
            runAlone = true;
            loopPrev = null;
            loopFrom = null;
            return null;
        } catch (GuestMemoryFault f) {
            countChained(budget);
            running = faultingLocator(running);
            setPc(running.instructionAddress(faultingOp));
            lastTrap = memoryTrap(f);
            pendingExit = null;
            return CpuExit.TRAP;
        } catch (X86Trap t) {
            countChained(budget);
            running = faultingLocator(running);
            setPc(t.resumeAfter() ? running.nextAddress(faultingOp) : running.instructionAddress(faultingOp));
            GuestTrap g = t.trap();
            if (g.trapNumber() == 6 || g.trapNumber() == 0 || g.trapNumber() == 16 || g.trapNumber() == 19) {
                g = new GuestTrap(g.signal(), g.code(), s.rip, g.trapNumber(), g.errorCode());
            }
            lastTrap = g;
            pendingExit = null;
            return CpuExit.TRAP;
        }
        countChained(budget);
        if (pendingExit != null) {
            CpuExit e = pendingExit;
            pendingExit = null;
            return e;
        }
        // the block that ran last: the one whose exit came back here (chained exits may have
        // run several); after a region it is unknown: no link to record
        from = leftFrom;
        loopFrom = from;
        if (ENTRY_STATS) {
            loopStatsFrom = classifyEntry(sh, from, block, region != null || alone, modeChangesBefore);
        }
        loopPrev = region != null || alone ? null : lastBlockRun(from, block);
        return null;
    }

    /**
     * Links the exit that came back to the run loop ({@code from}, null after an interpreted block)
     * to the block found next, when that one is compiled. A method of its own, not inlined
     * (launcher), like {@link #lastBlockRun} and {@link #countChained}: their tests go one way
     * until the first block classes run and both ways after, and inlined into the run loop each
     * such test's first use of its other side threw the run loop's C2 code away (two to three of
     * its five C2 compiles in a cpubench run, 20-45 ms each).
     */
    private static void linkExit(ChainedSequence<X86Cpu> from, int chainDepth, X86Block block, int mode) {
        ChainedSequence<X86Cpu> to;
        // one mode only (system mode): the chained exit compares the pc, not the mode
        if (from != null && chainDepth != 0 && (to = ChainedSequence.asChained(block.sequence())) != null
                && from.block != null && from.block.flags == mode) {
            from.link(to);
        }
    }

    /** The block that ran last: the one whose exit came back to the run loop ({@code from}), else the one entered. */
    private static X86Block lastBlockRun(ChainedSequence<X86Cpu> from, X86Block entered) {
        return from != null && from.block instanceof X86Block last ? last : entered;
    }

    /**
     * Why the run loop is entered again after a block returned normally: counted now when this
     * iteration's end tells (an interpreted block, a spent budget, a mode change, an exit request),
     * else the exit that came back is returned and judged with its target ({@link #countMissedExit}).
     */
    private ChainedSequence<X86Cpu> classifyEntry(Shared sh, ChainedSequence<X86Cpu> from, X86Block block, boolean regionOrAlone, long modeChangesBefore) {
        if (regionOrAlone) {
            sh.count(sh.entryCauses, "after region or lone instruction");
        } else if (exitRequested) {
            sh.count(sh.entryCauses, "exit request (ends the run)");
        } else if (from == null) {
            String kind = org.qemu.i386.translate.ExitKinds.of(block);
            sh.count(sh.entryCauses, "interpreted block (" + org.qemu.i386.translate.ExitKinds.interpretedBecause(block) + "): " + kind);
            sh.count(sh.entryBlocks, "interpreted " + Long.toHexString(block.pc) + " " + kind);
        } else if (modeChanges != modeChangesBefore) {
            sh.count(sh.entryCauses, "code-mode change");
        } else if (chainBudget <= 0) {
            sh.count(sh.entryCauses, chainBudget == 0 && budgetGiven > 0 ? "chain budget spent" : "no chaining (budget 0)");
        } else {
            return from;
        }
        return null;
    }

    /** A compiled block's exit came back with budget left: its target was not compiled, or not in its link slots. */
    private static void countMissedExit(Shared sh, ChainedSequence<X86Cpu> from, X86Block target) {
        String kind = from.block instanceof X86Block b ? org.qemu.i386.translate.ExitKinds.of(b) : "?";
        String cause;
        if (!(target.sequence() instanceof ChainedSequence<X86Cpu> to)) {
            cause = "target interpreted: " + kind;
        } else if (from.chain0 == to || from.chain1 == to) {
            cause = "linked but refused (dead): " + kind;
        } else if (from.chain0 != null && from.chain0.entryPc == target.pc || from.chain1 != null && from.chain1.entryPc == target.pc) {
            cause = "linked to a dead translation: " + kind;
        } else {
            cause = "slot miss: " + kind;
        }
        sh.count(sh.entryCauses, cause);
        sh.count(sh.entryBlocks, cause + " from " + Long.toHexString(from.entryPc));
    }

    /** Adds the chained exits taken in this run-loop iteration ({@code budget} was handed out) to the statistics. */
    private void countChained(int budget) {
        // no branch: while no block class runs the budget is never spent, and a test here, compiled
        // into the run loop from that profile, threw the run loop's C2 code away at the first chained exit
        chainedRunsInLoop += Math.max(budget - Math.max(chainBudget, 0), 0);
    }

    /**
     * Where a fault happened: the compiled block whose handler saw it (a block reached through a
     * chained exit), else the block or region the run loop entered.
     */
    private InstructionLocator faultingLocator(InstructionLocator entered) {
        ChainedSequence<X86Cpu> f = faultedIn;
        faultedIn = null;
        return f != null && f.block instanceof X86Block b ? b : entered;
    }

    /**
     * Asked by a compiled block's exit with one of its link slots ({@link ChainedSequence#chain0},
     * {@link ChainedSequence#chain1}) and the pc it leaves to: {@code next} when it starts at that
     * pc, is alive, and this run-loop iteration may chain one more block (one less left then), else
     * null (the exit returns to the run loop). Why one call with one answer: every test here is
     * a branch in this method, whose profile all exits share and which sees each outcome early;
     * the exit itself makes one test of the answer. As separate branches in each exit, a test whose
     * outcome never changed while the class was profiled (a spent budget, a successor replaced by
     * its trace) became an uncommon trap in C2's code, and its first change threw a whole trace's
     * code away mid-sort (cpubench: the double sort's 4.9 KB trace in two runs of three, 30-60 ms
     * each time, LogCompilation). Inlined into every exit (C1 and C2: a {@code CompileCommand} in
     * bin/qemu-launcher, as it is over C1's size limit); the budget's variation while blocks are
     * being profiled is the run loop's business ({@link #warmUpBudget}).
     */
    public ChainedSequence<X86Cpu> chainTarget(ChainedSequence<X86Cpu> next, long pc) {
        int left = chainBudget - 1;
        if (next == null || next.entryPc != pc || next.dead || left < 0) {
            return null;
        }
        chainBudget = left;
        return next;
    }

    /** Chain steps during which the run loop varies the budget ({@link #warmUpBudget}): the time blocks spend in C1's profiling tier. */
    private static final int PROFILED_CHAIN_STEPS = 1 << 22;
    /** Run-loop iterations that handed out a chain budget while warming up. */
    private int warmUpEntries;

    /**
     * The chain budget of this run-loop iteration: while blocks are being profiled (the first
     * {@link #PROFILED_CHAIN_STEPS} chained steps) every fourth iteration gets 0, 1, ... up to
     * {@code budget} in turn, the others all of it; afterwards every 64th iteration still does.
     *
     * <p>Why: with a fixed budget, a chain round a hot loop of k blocks always runs out at the same
     * block, so in the other blocks' profiles the exit's "no successor" branch was never taken and
     * C2 compiled it as an uncommon trap; the first time a chain ran out there (sha256sum: after
     * ~0.3 s of hashing) C2's code of the hottest blocks was thrown away, re-profiled in C1's tier 3
     * and compiled again (up to three times per run). Varied budgets end chains at every block of
     * such a loop, the block the run loop entered included (budget 0). Code that gets hot later
     * (cpubench's sorts, formed 0.3-0.5 s into the run, long after the first 2^22 steps) is
     * profiled in the later phase; one iteration in 64 keeps its chains ending everywhere too,
     * and since one test in each exit stands for every reason to return to the run loop
     * ({@link #chainTarget}), its profile then shows that test going both ways whatever the reason
     * that comes later: a successor replaced by its trace, a slot taken by another target. Until
     * session 13 the blocks' own exits did this ({@code chainStep} counted steps and forced every
     * 256th to answer false for the first 2^22): arithmetic on every chained exit, where busybox
     * unxz under qemu-x86_64 runs ~360 M of them (wall 6.86 -> 6.17 s without it, gzip 32 MiB 5.44
     * -> 5.23 s, 3 interleaved runs each; the same deoptimization traps in LogCompilation).
     */
    private int warmUpBudget(int budget) {
        int n = ++warmUpEntries;
        // Branch-free: the end of the profiling phase is no branch that went one way while the run
        // loop was profiled (C2 compiled it as an uncommon trap, which threw the run loop's code
        // away at 2^22 steps of every run: an OSR compile of ~30 ms of C2 time mid warm-up).
        int profiling = (int) ((chainedRunsInLoop - PROFILED_CHAIN_STEPS) >>> 63);
        int period = 6 - (profiling << 2);
        int varies = ((n & ((1 << period) - 1)) - 1) >>> 31;
        int turn = (n >>> period) & 31;
        int varied = Math.min(turn, budget);
        return budget + ((varied - budget) & -varies);
    }

    /** Told by a compiled block's exit that returns to the run loop: the run loop links it to the block found next. */
    public void leftFrom(ChainedSequence<X86Cpu> sequence) {
        leftFrom = sequence;
    }

    /** Told by a compiled block's exception handler: the fault in flight is this block's. */
    public void faultIn(ChainedSequence<X86Cpu> sequence) {
        faultedIn = sequence;
    }

    /** The region to run instead of {@code block}: its own, or a new one when the block just got hot. */
    private X86Region regionAt(X86Block block, java.util.concurrent.Executor background) {
        X86Region r = block.region();
        if (!block.wantsRegion(shared.regionThreshold)) {
            return r;
        }
        // threshold 1 (tests) puts every block in a region at once; otherwise only regions with a
        // loop pay, and they are compiled in the background (the block is entered through its
        // region from the first run after the class is ready)
        int threshold = shared.regionThreshold;
        java.util.List<X86Block> blocks = shared.regionSelector.select(block);
        if (threshold > 1 && background != null) {
            RegionCompiler compiler = shared.regionCompiler;
            background.execute(() -> compiler.compile(blocks, true));
            return r;
        }
        X86Region grown = shared.regionCompiler.compile(blocks, threshold > 1);
        return grown != null ? grown : r;
    }

    /**
     * Polled by region code at backward branches and indirect jumps: true when the run must end
     * (an exit request: a signal or thread stop; or an op asked to end it, e.g. a system call).
     */
    public boolean mustLeaveRegion() {
        return exitRequested || pendingExit != null;
    }

    /**
     * Asked by a call-return unit after its first block: a debugger hook or a block listener
     * must see every block, so the unit then leaves there (it runs one block at a time).
     */
    public boolean observed() {
        return observing;
    }

    /**
     * Polled by loop blocks on their backward jump: true when the run must end (as
     * {@link #mustLeaveRegion}) or every block must come back to the run loop (a debugger hook
     * or block listener was set).
     */
    public boolean mustLeaveLoop() {
        return leaveLoops;
    }

    /**
     * Clears {@link #leaveLoops} unless a condition still holds. An exit request made by another
     * thread while this runs is not lost: it sets exitRequested before leaveLoops, and the
     * second read of exitRequested (after the write) sees it or its leaveLoops write comes later.
     */
    private void refreshLeaveLoops() {
        leaveLoops = pendingExit != null || observed();
        if (exitRequested) {
            leaveLoops = true;
        }
    }

    private GuestTrap memoryTrap(GuestMemoryFault f) {
        // user mode (4); present (1) as Linux's page table would have it; a write (2); a fetch (16)
        boolean present = f.mapped() && memory.pagePresent(f.address());
        int error = 4 | (present ? 1 : 0) | (f.access() == GuestMemoryFault.Access.WRITE ? 2 : 0)
                | (f.access() == GuestMemoryFault.Access.EXECUTE ? 16 : 0);
        return new GuestTrap(GuestTrap.SIGSEGV, f.mapped() ? GuestTrap.SEGV_ACCERR : GuestTrap.SEGV_MAPERR,
                f.address(), 14, error);
    }

    /** Called by the int 0x80 and syscall ops: ends the run with SYSCALL once the block finishes. */
    public void requestSyscall() {
        pendingExit = CpuExit.SYSCALL;
        leaveLoops = true;
        chainBudget = 0;
    }

    @Override
    public void recordFaultingOp(int opIndex) {
        faultingOp = opIndex;
    }

    @Override
    public GuestTrap lastTrap() {
        return lastTrap;
    }

    @Override
    public void requestExit() {
        exitRequested = true;
        leaveLoops = true;
        // from another thread this plain write may be seen late: the chain then ends within the depth bound
        chainBudget = 0;
    }

    @Override
    public long programCounter() {
        return state.rip;
    }

    @Override
    public void setProgramCounter(long pc) {
        setPc(pc);
    }

    /** How often the run loop entered a compiled region in this address space (approximate across threads). */
    public long regionEntries() {
        return shared.regionRuns;
    }

    /** Translation statistics of this address space, for measurements and -d logs. */
    public String translationStatistics() {
        return statistics(shared);
    }

    private static String statistics(Shared shared) {
        return shared.blockRuns + " block runs and " + shared.regionRuns + " region entries in the run loop, "
                + shared.chainedRuns + " chained block runs, " + shared.runningCodeStores + " stores into running code, "
                + shared.cache.translations() + " blocks translated, " + shared.cache.invalidations() + " invalidated (" + shared.cache.rangeInvalidations() + " by written ranges), "
                + shared.compiler.statistics() + ", " + shared.regionCompiler.statistics() + ", translate " + shared.translator.statistics()
                + (ENTRY_STATS ? entryStatistics(shared) : "");
    }

    private static String entryStatistics(Shared shared) {
        StringBuilder b = new StringBuilder("\nqemu.tcg.stats: run-loop entries by cause:");
        synchronized (shared) {
            top(b, shared.entryCauses, 40);
            b.append("\nqemu.tcg.stats: runs by how they ended:");
            top(b, shared.runEnds, 20);
            b.append("\nqemu.tcg.stats: top blocks whose exits return to the run loop:");
            top(b, shared.entryBlocks, 60);
        }
        return b.toString();
    }

    private static void top(StringBuilder b, Map<String, long[]> counts, int n) {
        counts.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).limit(n)
                .forEach(e -> b.append("\n  ").append(e.getValue()[0]).append("  ").append(e.getKey()));
    }

    /**
     * Runs a block gets before it is compiled to its own class, for this address space
     * (1: compile everything at once, 0: never compile; tests use both to cover each tier).
     */
    public void setCompileThreshold(int runs) {
        shared.compileThreshold = runs;
    }

    /**
     * Runs a block gets in the run loop before it seeds a region, for this address space (1:
     * regions everywhere at once, 0: never; tests use both to cover each tier).
     */
    public void setRegionThreshold(int runs) {
        shared.regionThreshold = runs;
    }

    /** Drops all translations of this address space (after execve replaced the code). */
    public void flushTranslations() {
        shared.cache.invalidateAll();
    }
}
