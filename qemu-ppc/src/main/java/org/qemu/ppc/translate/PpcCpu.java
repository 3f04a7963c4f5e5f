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
    static final int COMPILE_THRESHOLD = 40;
    /** Block entries after which a block's page is compiled into a region. */
    static final int HOT_BLOCK = 2000;

    private final PpcCpuState state;
    private final PpcCodeCache cache;
    private final PpcBlock[] fast = new PpcBlock[FAST_SLOTS];
    private final PpcRegion[] regionTable = new PpcRegion[REGION_SLOTS];
    private final boolean regionsEnabled = !Boolean.getBoolean("qemu.ppc.noRegions");
    private volatile boolean exitPending;
    private GuestTrap lastTrap;
    /** How often the run loop entered a region and ran a block outside any region (QEMU_PPC_STATS). */
    private long regionEntries;
    private long blockRuns;

    public PpcCpu(PpcCpuState state, PpcCodeCache cache) {
        this.state = state;
        this.cache = cache;
    }

    public PpcCpuState state() {
        return state;
    }

    public PpcCodeCache cache() {
        return cache;
    }

    @Override
    public CpuExit run() {
        PpcCpuState s = state;
        PpcBlock[] table = fast;
        int pc = s.pc;
        try {
            while (true) {
                if (exitPending) {
                    exitPending = false;
                    s.interruptRequested = false;
                    s.pc = pc;
                    return CpuExit.EXIT_REQUEST;
                }
                long page = Integer.toUnsignedLong(pc) >>> 12;
                PpcRegion region = regionTable[(int) page & (REGION_SLOTS - 1)];
                if (region != null && region.page == page && region.valid) {
                    regionEntries++;
                    int left = region.execute(s, pc);
                    if (s.stop != PpcCpuState.Stop.NONE) {
                        s.pc = left;
                        s.stop = PpcCpuState.Stop.NONE;
                        return CpuExit.SYSCALL;
                    }
                    if (left != pc) {
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
                if (runs == HOT_BLOCK && regionsEnabled) {
                    regionTable[(int) page & (REGION_SLOTS - 1)] = cache.compileRegion(page);
                }
                blockRuns++;
                pc = b.execute(s);
                if (s.stop != PpcCpuState.Stop.NONE) {
                    s.pc = pc;
                    s.stop = PpcCpuState.Stop.NONE;
                    return CpuExit.SYSCALL;
                }
            }
        } catch (GuestMemoryFault f) {
            boolean fetch = f.access() == GuestMemoryFault.Access.EXECUTE;
            if (fetch) {
                s.pc = pc;
            }
            lastTrap = new GuestTrap(GuestTrap.SIGSEGV, f.mapped() ? GuestTrap.SEGV_ACCERR : GuestTrap.SEGV_MAPERR,
                    f.address(), fetch ? INSTRUCTION_STORAGE : DATA_STORAGE, 0);
            return CpuExit.TRAP;
        } catch (TrapException t) {
            lastTrap = t.trap();
            return CpuExit.TRAP;
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
