package org.qemu.ppc.translate;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestCpu;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.ppc.cpu.PpcCpuState;
import org.qemu.ppc.cpu.TrapException;

/**
 * One guest PowerPC thread: runs translated blocks until a system call, a guest exception or
 * an exit request. A small direct-mapped table in front of the shared cache keeps the common
 * block-to-block step free of hashing and boxing.
 */
public final class PpcCpu implements GuestCpu {
    /** Linux reports data storage interrupts with the DSI vector and instruction fetch faults with ISI. */
    private static final int DATA_STORAGE = 0x300;
    private static final int INSTRUCTION_STORAGE = 0x400;
    private static final int FAST_SLOTS = 1 << 12;
    private static final int REGION_SLOTS = 1 << 10;
    /** Entries after which an interpreted block is compiled to bytecode. */
    static final int COMPILE_THRESHOLD = Integer.getInteger("qemu.ppc.compileThreshold", 40);
    /** Block entries after which a block's page is compiled into a region. */
    static final int HOT_BLOCK = Integer.getInteger("qemu.ppc.hotBlock", 2000);
    /** Exits in a row from one region to another's page after which the two are compiled as one. */
    static final int MERGE_AFTER_EXITS = Integer.getInteger("qemu.ppc.mergeAfterExits", 5000);

    private final PpcCpuState state;
    private final PpcCodeCache cache;
    private final PpcBlock[] fast = new PpcBlock[FAST_SLOTS];
    private final PpcRegion[] regionTable = new PpcRegion[REGION_SLOTS];
    /** The page each regionTable slot was filled for (a region may hold several pages). */
    private final long[] regionTablePage = new long[REGION_SLOTS];
    /**
     * Regions are off unless asked for (-Dqemu.ppc.regions=true): measured on bench/run-ppc.sh
     * they cost more than they save. A new region class runs in the JVM's bytecode interpreter
     * until C1 or C2 compiles it, C1 gives up on the big ones ("out of virtual registers"), and
     * every recompilation or merge starts over; the block path meanwhile is already compiled.
     */
    private boolean regionsEnabled = Boolean.getBoolean("qemu.ppc.regions");
    private volatile boolean exitPending;
    private GuestTrap lastTrap;
    /** Set while a debugger may be attached (gdbstub); null costs the run loop one check per block. */
    private org.qemu.common.gdbstub.InstructionHook instructionHook;
    /** How often the run loop entered a region and ran a block outside any region (QEMU_PPC_STATS). */
    private long regionEntries;
    private long blockRuns;

    public PpcCpu(PpcCpuState state, PpcCodeCache cache) {
        this.state = state;
        this.cache = cache;
    }

    /** Turns the region tier on or off for this CPU (tests force it on). */
    public void setRegionsEnabled(boolean enabled) {
        regionsEnabled = enabled;
    }

    public PpcCpuState state() {
        return state;
    }

    public PpcCodeCache cache() {
        return cache;
    }

    @Override
    public CpuExit run() {
        try {
            return regionsEnabled || instructionHook != null ? runWithRegionsAndHook() : runBlocks();
        } catch (GuestMemoryFault f) {
            boolean fetch = f.access() == GuestMemoryFault.Access.EXECUTE;
            lastTrap = new GuestTrap(GuestTrap.SIGSEGV, f.mapped() ? GuestTrap.SEGV_ACCERR : GuestTrap.SEGV_MAPERR,
                    f.address(), fetch ? INSTRUCTION_STORAGE : DATA_STORAGE, 0);
            return CpuExit.TRAP;
        } catch (TrapException t) {
            lastTrap = t.trap();
            return CpuExit.TRAP;
        }
    }

    /**
     * The common loop: blocks and traces only, no debugger. A block counts its entries only until
     * it is compiled (nothing else reads the count without regions), so the step from block to
     * block is a table probe, the call, and the stop test.
     */
    private CpuExit runBlocks() {
        PpcCpuState s = state;
        PpcBlock[] table = fast;
        int pc = s.pc;
        long runs = 0;
        try {
            while (true) {
                if (exitPending) {
                    exitPending = false;
                    s.interruptRequested = false;
                    s.pc = pc;
                    return CpuExit.EXIT_REQUEST;
                }
                int slot = (pc >>> 2) & (FAST_SLOTS - 1);
                PpcBlock b = table[slot];
                if (b == null || b.start != pc || !b.valid) {
                    s.pc = pc; // an instruction fetch fault reports it
                    b = cache.lookup(pc);
                    table[slot] = b;
                }
                if (b.executions < COMPILE_THRESHOLD && ++b.executions == COMPILE_THRESHOLD) {
                    s.pc = pc;
                    b = cache.compile(b);
                    table[slot] = b;
                }
                runs++;
                pc = b.execute(s);
                if (s.stop != PpcCpuState.Stop.NONE) {
                    s.pc = pc;
                    s.stop = PpcCpuState.Stop.NONE;
                    return CpuExit.SYSCALL;
                }
            }
        } finally {
            blockRuns += runs;
        }
    }

    private CpuExit runWithRegionsAndHook() {
        PpcCpuState s = state;
        PpcBlock[] table = fast;
        int pc = s.pc;
        while (true) {
            if (exitPending) {
                exitPending = false;
                s.interruptRequested = false;
                s.pc = pc;
                return CpuExit.EXIT_REQUEST;
            }
            if (instructionHook != null) {
                s.pc = pc;
                instructionHook.beforeInstruction(this, Integer.toUnsignedLong(pc));
                pc = s.pc;
            }
            long page = Integer.toUnsignedLong(pc) >>> 12;
            int regionSlot = (int) page & (REGION_SLOTS - 1);
            PpcRegion region = regionTable[regionSlot];
            if (regionsEnabled && region != null && regionTablePage[regionSlot] == page && region.valid) {
                regionEntries++;
                int left = region.execute(s, pc);
                if (s.stop != PpcCpuState.Stop.NONE) {
                    s.pc = left;
                    s.stop = PpcCpuState.Stop.NONE;
                    return CpuExit.SYSCALL;
                }
                if (left != pc) {
                    noteRegionExit(region, left);
                    pc = left;
                    continue;
                }
            }
            int slot = (pc >>> 2) & (FAST_SLOTS - 1);
            PpcBlock b = table[slot];
            if (b == null || b.start != pc || !b.valid) {
                s.pc = pc;
                b = cache.lookup(pc);
                table[slot] = b;
            }
            int runs = ++b.executions;
            if (runs == COMPILE_THRESHOLD) {
                s.pc = pc;
                b = cache.compile(b);
                table[slot] = b;
            }
            if (regionsEnabled && runs % HOT_BLOCK == 0) {
                // First time hot, or hot outside the page's region: (re)compile the region.
                install(cache.compileRegion(page));
            }
            blockRuns++;
            pc = b.execute(s);
            if (s.stop != PpcCpuState.Stop.NONE) {
                s.pc = pc;
                s.stop = PpcCpuState.Stop.NONE;
                return CpuExit.SYSCALL;
            }
        }
    }

    /**
     * Calls {@code hook} before each block (the gdbstub; with {@code qemu.tcg.max-insns=1} and
     * {@code qemu.ppc.regions=false} set before the CPU exists, before each instruction).
     */
    public void setInstructionHook(org.qemu.common.gdbstub.InstructionHook hook) {
        this.instructionHook = hook;
    }

    public org.qemu.common.gdbstub.InstructionHook instructionHook() {
        return instructionHook;
    }

    /** Where the guest keeps leaving one region for another's page, the two become one region. */
    private void noteRegionExit(PpcRegion from, int target) {
        long page = Integer.toUnsignedLong(target) >>> 12;
        int slot = (int) page & (REGION_SLOTS - 1);
        PpcRegion to = regionTable[slot];
        if (to != null && to != from && regionTablePage[slot] == page && to.valid
                && from.noteExitTo(page) == MERGE_AFTER_EXITS) {
            install(cache.mergeRegions(from, to));
        }
    }

    private void install(PpcRegion region) {
        if (region != null) {
            for (long p : region.pages) {
                int slot = (int) p & (REGION_SLOTS - 1);
                regionTable[slot] = region;
                regionTablePage[slot] = p;
            }
        }
    }

    public long regionEntries() {
        return regionEntries;
    }

    public long blockRuns() {
        return blockRuns;
    }

    @Override
    public GuestTrap lastTrap() {
        return lastTrap;
    }

    @Override
    public void requestExit() {
        exitPending = true;
        state.interruptRequested = true;
    }

    @Override
    public long programCounter() {
        return Integer.toUnsignedLong(state.pc);
    }

    @Override
    public void setProgramCounter(long pc) {
        state.pc = (int) pc;
    }
}
