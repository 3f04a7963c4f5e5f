package org.qemu.i386.system.mmu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.common.memory.LazyByteTable;
import org.qemu.common.memory.LazyIntTable;
import org.qemu.common.memory.SharedRam;

/**
 * One CPU's linear address space, filled page by page from its page tables. The CPU's
 * {@link GuestMemory} is the linear space; each linear page starts without access, and the
 * first access that misses walks the guest's page tables ({@link PageWalker}), maps the
 * physical RAM page there (a shared host mapping of {@link SharedRam}) with the rights the
 * entries and the CPL allow, or raises the guest's page fault. A device page stays an I/O page
 * whose accesses reach the board with their physical address. Paging off is the identity map.
 *
 * <p>What the hardware TLB keeps, this keeps too (until CR3 is written, invlpg, or a paging
 * control bit changes): global pages survive a CR3 write. Rights granted to the supervisor
 * beyond what user mode may do are withdrawn when the CPU enters CPL 3, so user code faults on
 * kernel pages. Pages are executable only once a fetch missed on them, which is how the
 * physical pages holding translated code are known ({@link PhysicalCodePages}).
 */
public final class Mmu implements GuestMemory.PageMissHandler, GuestMemory.IoHandler {
    /** The control registers and privilege level the walk depends on (the CPU's). */
    public interface Registers {
        int cr0();

        int cr3();

        int cr4();

        int cpl();

        /** EFER: NXE (execute-disable) and LMA (4-level paging) change the walk. */
        default long efer() {
            return 0;
        }
    }

    private static final int CR0_PG = 0x80000000;
    private static final int TRACKED = 1;
    private static final int GLOBAL = 2;
    private static final int PRIVILEGED = 4;
    private static final int LARGE = 8;
    /** The page was user-accessible when mapped (a kept translation must still be). */
    private static final int USER_PAGE = 16;
    /** Unmapped, its translations parked with the translation cache (see {@link #park}); {@link #physicalOf} still names their page. */
    private static final int PARKED = 32;
    /**
     * Code pages whose mapping a flush took away keep their translations aside (session 10);
     * {@code -Dqemu.tcg.park-code=false} kills them at once, as before, for comparison.
     */
    static final boolean PARK_CODE = !"false".equals(System.getProperty("qemu.tcg.park-code"));
    /** Pages of one 4 GiB space (the low one, or a window of far addresses: see {@link GuestMemory#assignWindow}). */
    private static final int SPACE_PAGES = 1 << 20;

    private final GuestMemory linear;
    private final SharedRam ram;
    private final MemorySegment physical;
    private final long ramPages;
    private final GuestMemory.IoHandler devices;
    private final PhysicalCodePages code;
    private final PageWalker walker;
    /** Long mode's linear addresses beyond the 4 GiB of {@link #linear}. */
    private final FarPages far;
    private volatile Registers registers;
    private GuestMemory.CodeWriteListener translations;
    /** The translation cache's drop of the blocks a write overlaps. */
    private GuestMemory.CodeRangeInvalidator rangeTranslations;
    /** The translation cache's parking (null: none, then unmapped code dies). */
    private GuestMemory.CodeParking parking;
    /** Low linear pages in the {@link #PARKED} state (a set bit may be stale: the state decides). */
    private final java.util.BitSet parkedPages = new java.util.BitSet();
    private long codePagesParked;
    private long codePagesRevived;
    /** A write to a code page kills only the blocks whose bytes it overlaps (false: the whole page's, as before session 8). */
    static final boolean RANGE_INVALIDATION = !"false".equals(System.getProperty("qemu.tcg.range-invalidation"));
    /** Pages of the linear space and its windows: the per-page arrays below are indexed by folded page. */
    private final int pages;
    /** Per linear page: the physical page it maps while it is mapped. */
    private final LazyIntTable physicalOf;
    /** Per linear page: the RAM page host-mapped there (kept after the guest mapping goes), -1 for none. */
    private final LazyIntTable hostMapped;
    private final LazyByteTable state;
    /** The RAM page host-mapped at linear page {@code page}, -1 for none. */
    private int hostMappedAt(int page) {
        return hostMapped.get(page) - 1;
    }

    private void setHostMapped(int page, int physicalPage) {
        hostMapped.set(page, physicalPage + 1);
    }

    /** The window to give the next far slice when every window is taken (round robin). */
    private int nextVictim = 1;
    private long windowClaims;
    private int[] tracked = new int[4096];
    private int trackedCount;
    /**
     * The tracked pages that are not global (every such page is here; entries that have since
     * gone or become global are skipped and dropped at the next CR3 write): a CR3 write forgets
     * only these. The amd64 kernel keeps ~3,000 global pages tracked and writes CR3 ~17,000 times a
     * boot (text_poke's temporary mm): walking the whole list at each write was 165 ms of its CPU thread.
     */
    private int[] localTracked = new int[1024];
    private int localCount;
    private int[] privileged = new int[1024];
    private int privilegedCount;
    private boolean paging;
    private long faultAddress;
    private int faultError = -1;
    /**
     * The thread that runs this MMU's CPU ({@link #runsOn}): the only one that may walk pages.
     * The background compiler looks blocks up too (a loop block's partner), and a lookup of a
     * parked block would walk here ({@link #parkedCodeWanted}) on the compiler's thread, racing
     * the CPU's own walks: its restore of the fault error could wipe a page fault the CPU had
     * just met, which the CPU then reported as a fetch outside RAM and stopped.
     */
    private Thread owner;
    private long misses;
    private long flushes;

    /** {@code linear} must be a fresh 32-bit space; {@code devices} takes physical addresses outside RAM. */
    public Mmu(GuestMemory linear, SharedRam ram, long ramBytes, GuestMemory.IoHandler devices, PhysicalCodePages code) {
        if (linear.addressBits() != 32) {
            throw new IllegalArgumentException("a 32-bit linear space is needed");
        }
        this.linear = linear;
        this.pages = linear.windowCount() * SPACE_PAGES;
        this.physicalOf = new LazyIntTable(pages);
        this.hostMapped = new LazyIntTable(pages); // the page + 1, 0 for none
        this.state = new LazyByteTable(pages);
        this.ram = ram;
        this.physical = ram.segment();
        this.ramPages = ramBytes >>> GuestMemory.PAGE_SHIFT;
        this.devices = devices;
        this.code = code;
        this.walker = new PageWalker(new PageWalker.PhysicalWords() {
            @Override
            public int read32(long address) {
                return address + 4 <= ramBytes ? physical.get(ValueLayout.JAVA_INT_UNALIGNED, address) : (int) devices.read(address, 4);
            }

            @Override
            public void write32(long address, int value) {
                if (address + 4 <= ramBytes) {
                    physical.set(ValueLayout.JAVA_INT_UNALIGNED, address, value);
                    code.written(address >>> GuestMemory.PAGE_SHIFT);
                } else {
                    devices.write(address, 4, value & 0xffffffffL);
                }
            }
        });
        this.far = new FarPages(this, walker, physical, ramBytes, devices, code);
        linear.setFarAccessHandler(far);
        ram.mapInto(linear, 0, 0, ramBytes);
        for (int p = 0; p < ramPages; p++) {
            setHostMapped(p, p);
        }
        linear.setPageMissHandler(this);
        code.attach(this);
        identity();
    }

    public GuestMemory linear() {
        return linear;
    }

    /**
     * Binds the CPU (at power-on and after each reset) and chains the translation cache's
     * code-write listener (once, after the CPU over {@link #linear()} exists), so a write to
     * code through any mapping drops the translations made through every mapping.
     */
    public void bind(Registers cpu) {
        this.registers = cpu;
        if (translations == null) {
            translations = linear.codeWriteListener();
            linear.setCodeWriteListener(this::codeWritten);
            rangeTranslations = linear.codeRangeInvalidator();
            parking = PARK_CODE ? linear.codeParking() : null;
            if (rangeTranslations != null && RANGE_INVALIDATION) {
                linear.setCodeRangeWriteListener(this::codeRangeWritten);
            }
        }
        faultError = -1;
        if (paging) {
            paging = false;
            dropAll();
            identity();
        }
    }

    /** The CPU's thread, from now on the only one whose lookups of parked code walk pages here. */
    public void runsOn(Thread thread) {
        owner = thread;
    }

    Registers registers() {
        return registers;
    }

    public boolean pagingEnabled() {
        return paging;
    }

    /** Linear page misses since start (a measuring aid). */
    public long misses() {
        return misses;
    }

    /** TLB flushes (CR3 writes, control changes) since start (a measuring aid). */
    public long flushes() {
        return flushes;
    }

    // ---- what the CPU tells the MMU ------------------------------------------------------

    /** After a write to CR0 or CR4: paging switched on or off, or a bit the walk depends on changed (everything is dropped). */
    public void controlChanged() {
        flushes++;
        far.controlChanged();
        boolean on = (registers.cr0() & CR0_PG) != 0;
        if (on && paging) {
            // CR4.PGE toggled (Linux's global flush), PSE or WP changed: every page is re-walked or forgotten
            int kept = 0;
            for (int i = 0; i < trackedCount; i++) {
                int page = tracked[i];
                if ((state.get(page) & TRACKED) == 0) {
                    continue;
                }
                if (keepsTranslations(page)) {
                    tracked[kept++] = page;
                } else {
                    unmap(page);
                }
            }
            trackedCount = kept;
            privilegedCount = 0;
            return;
        }
        dropAll();
        paging = on;
        if (!on) {
            identity();
        }
    }

    /** A write to CR3: every translation except global pages is forgotten (SDM 4.10.4.1). */
    public void addressSpaceChanged() {
        if (!paging) {
            return;
        }
        flushes++;
        far.addressSpaceChanged();
        int kept = 0;
        for (int i = 0; i < localCount; i++) {
            int page = localTracked[i];
            int s = state.get(page);
            if ((s & TRACKED) == 0 || (s & GLOBAL) != 0) {
                continue; // gone since, or global now: not this list's any more
            }
            if (keepsTranslations(page)) {
                localTracked[kept++] = page;
            } else {
                unmap(page);
            }
        }
        localCount = kept;
    }

    /** Notes a tracked page that is not global (see {@link #localTracked}). */
    private void listLocal(int page) {
        if (localCount == localTracked.length) {
            localCount = compact(localTracked, localCount, GLOBAL);
            if (localCount > localTracked.length / 2) {
                localTracked = java.util.Arrays.copyOf(localTracked, localTracked.length * 2);
            }
        }
        localTracked[localCount++] = page;
    }

    /**
     * Keeps the entries of {@code list} whose page is tracked and lacks the state bits
     * {@code without}, each once (a page dropped and tracked again is listed twice); returns the new count.
     */
    private int compact(int[] list, int count, int without) {
        java.util.BitSet seen = new java.util.BitSet();
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int page = list[i];
            int s = state.get(page);
            if ((s & TRACKED) != 0 && (s & without) == 0 && !seen.get(page)) {
                seen.set(page);
                list[kept++] = page;
            }
        }
        return kept;
    }

    /**
     * A TLB flush forgets a page, but its translated code stays good if the page still maps the
     * same physical page: re-walked now, such a page only loses its rights (the next access walks
     * again and sets the accessed and dirty bits as it should) and keeps its translations, which
     * saves translating the same code again after every address-space switch. Pages without code
     * are simply forgotten.
     */
    private boolean keepsTranslations(int page) {
        if (!linear.holdsCode(page)) {
            return false;
        }
        Registers r = registers;
        long address = linear.linearAddress((long) page << GuestMemory.PAGE_SHIFT);
        boolean user = (state.get(page) & USER_PAGE) != 0;
        PageWalker.Translation t = walker.walk(address, PageWalker.Access.READ, false, r.cr0(), r.cr3() & 0xffffffffL, r.cr4(), r.efer());
        if (t.faulted() || t.physicalPage() >>> GuestMemory.PAGE_SHIFT != physicalOf.get(page) || t.user() != user
                || !t.executable()) {
            return false;
        }
        linear.revokePageAccess(page);
        boolean wasGlobal = (state.get(page) & GLOBAL) != 0;
        state.set(page, (byte) (TRACKED | (t.global() ? GLOBAL : 0) | (t.largePage() ? LARGE : 0) | (user ? USER_PAGE : 0)));
        if (wasGlobal && !t.global()) {
            listLocal(page);
        }
        return true;
    }

    /** invlpg: the page's translation (a whole 4 MiB page's, if it came from one) is forgotten, global or not. */
    public void invalidate(long linearAddress) {
        int page;
        if (FarPages.isFar(linearAddress)) {
            far.invalidate(linearAddress);
            long folded = linear.foldedAddress(linearAddress);
            if (folded < 0) {
                return;
            }
            page = (int) (folded >>> GuestMemory.PAGE_SHIFT);
        } else {
            page = (int) ((linearAddress & 0xffffffffL) >>> GuestMemory.PAGE_SHIFT);
        }
        if (!paging || (state.get(page) & TRACKED) == 0) {
            return;
        }
        if ((state.get(page) & LARGE) == 0) {
            unmap(page);
            return;
        }
        // a large page is 2 MiB under PAE and 4-level paging, 4 MiB under 32-bit paging
        int shift = (registers.cr4() & PageWalker.CR4_PAE) != 0 ? 9 : 10;
        int region = page >>> shift;
        for (int i = 0; i < trackedCount; i++) {
            int p = tracked[i];
            if (p >>> shift == region && (state.get(p) & (TRACKED | LARGE)) == (TRACKED | LARGE)) {
                unmap(p);
            }
        }
    }

    /** The CPL changed: entering user mode withdraws what only the supervisor may do. */
    public void privilegeChanged(int cpl) {
        if (cpl != 3 || !paging) {
            return;
        }
        for (int i = 0; i < privilegedCount; i++) {
            int page = privileged[i];
            if ((state.get(page) & PRIVILEGED) != 0) {
                state.set(page, state.get(page) & ~PRIVILEGED);
                linear.revokePageAccess(page);
            }
        }
        privilegedCount = 0;
    }

    /**
     * The page fault the last miss raised, as the CPU delivers it: CR2 in {@link #faultAddress()}
     * and this error code; -1 when the last memory fault was not a page fault of the guest's tables
     * (then it is a fetch outside RAM, which QEMU reports and stops at).
     */
    public int takeFaultError() {
        int e = faultError;
        faultError = -1;
        return e;
    }

    public long faultAddress() {
        return faultAddress;
    }

    /** A device wrote RAM (DMA): translations of code there die. */
    public static void externalWrite(PhysicalCodePages code, long address, long length) {
        for (long p = address >>> GuestMemory.PAGE_SHIFT, last = (address + length - 1) >>> GuestMemory.PAGE_SHIFT; p <= last; p++) {
            code.written(p);
        }
    }

    // ---- implicit supervisor accesses (descriptor tables, TSS): never through the user's rights ----

    /** Reads {@code bytes} (1, 2, 4, 8) at a linear address as the processor itself does, at supervisor rights whatever the CPL. */
    public long readSupervisor(long linearAddress, int bytes) {
        if (FarPages.isFar(linearAddress) && longMode()) {
            return far.read(linearAddress, bytes, false);
        }
        linearAddress &= 0xffffffffL;
        if (!paging) {
            return readLinear(linearAddress, bytes);
        }
        long value = 0;
        for (int i = 0; i < bytes; i++) {
            long a = (linearAddress + i) & 0xffffffffL;
            long phys = supervisorPhysical(a, PageWalker.Access.READ);
            long b = phys + 1 <= ramPages << GuestMemory.PAGE_SHIFT ? physical.get(ValueLayout.JAVA_BYTE, phys) & 0xff : devices.read(phys, 1) & 0xff;
            value |= b << (8 * i);
        }
        return value;
    }

    /** Writes as {@link #readSupervisor} reads. */
    public void writeSupervisor(long linearAddress, int bytes, long value) {
        if (FarPages.isFar(linearAddress) && longMode()) {
            far.write(linearAddress, bytes, value, false);
            return;
        }
        linearAddress &= 0xffffffffL;
        if (!paging) {
            writeLinear(linearAddress, bytes, value);
            return;
        }
        for (int i = 0; i < bytes; i++) {
            long a = (linearAddress + i) & 0xffffffffL;
            long phys = supervisorPhysical(a, PageWalker.Access.WRITE);
            if (phys < ramPages << GuestMemory.PAGE_SHIFT) {
                physical.set(ValueLayout.JAVA_BYTE, phys, (byte) (value >>> (8 * i)));
                code.written(phys >>> GuestMemory.PAGE_SHIFT);
            } else {
                devices.write(phys, 1, (value >>> (8 * i)) & 0xff);
            }
        }
    }

    private long supervisorPhysical(long address, PageWalker.Access access) {
        Registers r = registers;
        PageWalker.Translation t = walker.walk(address, access, false, r.cr0(), r.cr3() & 0xffffffffL, r.cr4(), r.efer());
        if (t.faulted()) {
            throw pageFault(address, t.faultErrorCode(), access == PageWalker.Access.WRITE ? GuestMemoryFault.Access.WRITE : GuestMemoryFault.Access.READ);
        }
        return t.physicalPage() | (address & GuestMemory.PAGE_MASK);
    }

    private long readLinear(long a, int bytes) {
        return switch (bytes) {
            case 1 -> linear.read8(a);
            case 2 -> linear.read16(a);
            case 4 -> linear.read32(a) & 0xffffffffL;
            default -> linear.read64(a);
        };
    }

    private void writeLinear(long a, int bytes, long v) {
        switch (bytes) {
            case 1 -> linear.write8(a, (int) v);
            case 2 -> linear.write16(a, (int) v);
            case 4 -> linear.write32(a, (int) v);
            default -> linear.write64(a, v);
        }
    }

    // ---- the miss path ----------------------------------------------------------------------

    @Override
    public boolean pageMissed(long address, GuestMemoryFault.Access access) {
        misses++;
        int page = (int) (address >>> GuestMemory.PAGE_SHIFT);
        if (!paging) {
            if (page >= ramPages) {
                return false; // an I/O page: loads and stores never miss there, a fetch is a real fault
            }
            grantRam(page, page, access == GuestMemoryFault.Access.EXECUTE, true, access);
            return true;
        }
        Registers r = registers;
        boolean user = r.cpl() == 3;
        PageWalker.Access walkAccess = switch (access) {
            case READ -> PageWalker.Access.READ;
            case WRITE -> PageWalker.Access.WRITE;
            case EXECUTE -> PageWalker.Access.FETCH;
        };
        long linearAddress = linear.linearAddress(address);
        if (linearAddress != address && (r.efer() & PageWalker.EFER_LMA) == 0) {
            throw generalProtectionFault(linearAddress, access); // a window's page outside long mode: nothing maps it
        }
        PageWalker.Translation t = walker.walk(linearAddress, walkAccess, user, r.cr0(), r.cr3() & 0xffffffffL, r.cr4(), r.efer());
        if (t.faulted()) {
            throw pageFault(linearAddress, t.faultErrorCode(), access);
        }
        int phys = (int) (t.physicalPage() >>> GuestMemory.PAGE_SHIFT);
        if ((state.get(page) & PARKED) != 0) {
            unpark(page, phys, t);
        }
        if (linear.holdsCode(page) && physicalOf.get(page) != phys) {
            // kept translations of a page whose mapping has changed since (without a flush): they die now
            if (linear.dropPage(page)) {
                translations.codeWritten(linearPage(page));
            }
            if (page < SPACE_PAGES) {
                code.forget(physicalOf.get(page), this, page);
            }
        }
        if (phys >= ramPages) {
            if (access == GuestMemoryFault.Access.EXECUTE) {
                return false;
            }
            physicalOf.set(page, phys);
            linear.mapIoPage(page, this);
            track(page, t.global(), !user && !t.user(), t.largePage(), t.user());
            return true;
        }
        boolean write = t.writable() && (t.dirty() || access == GuestMemoryFault.Access.WRITE);
        boolean exec = access == GuestMemoryFault.Access.EXECUTE
                || ((state.get(page) & TRACKED) != 0 && physicalOf.get(page) == phys
                && (linear.protectionAt((long) page << GuestMemory.PAGE_SHIFT) & GuestMemory.EXEC) != 0);
        if (hostMappedAt(page) != phys) {
            ram.mapInto(linear, (long) page << GuestMemory.PAGE_SHIFT, (long) phys << GuestMemory.PAGE_SHIFT, GuestMemory.PAGE_SIZE);
            setHostMapped(page, phys);
        }
        grantRam(page, phys, exec, write, access);
        boolean beyondUser = !user && (!t.user() || (write && (r.cr0() & PageWalker.CR0_WP) == 0));
        track(page, t.global(), beyondUser, t.largePage(), t.user());
        return true;
    }

    private void grantRam(int page, int phys, boolean exec, boolean write, GuestMemoryFault.Access access) {
        if (exec && access == GuestMemoryFault.Access.EXECUTE) {
            code.translatedFrom(phys, this, page);
        }
        int prot = GuestMemory.READ | (write ? GuestMemory.WRITE : 0) | (exec ? GuestMemory.EXEC : 0);
        if (write && code.holdsCode(phys)) {
            prot |= GuestMemory.CODE; // another mapping's translations came from here: keep writes on the slow path
        }
        physicalOf.set(page, phys);
        linear.setPageAccess(page, prot);
    }

    private boolean longMode() {
        return (registers.efer() & PageWalker.EFER_LMA) != 0;
    }

    /** {@link #takeFaultError()}'s value for a non-canonical address: the CPU raises #GP(0). */
    public static final int NON_CANONICAL = -2;

    GuestMemoryFault generalProtectionFault(long address, GuestMemoryFault.Access access) {
        faultAddress = address;
        faultError = NON_CANONICAL;
        return new GuestMemoryFault(address, access, false);
    }

    /** The translation cache drops the blocks of a linear page (low or far). */
    void translationsWritten(long page) {
        GuestMemory.CodeWriteListener t = translations;
        if (t != null) {
            t.codeWritten(page);
        }
    }

    GuestMemoryFault pageFault(long address, int errorCode, GuestMemoryFault.Access access) {
        faultAddress = address;
        faultError = errorCode;
        return new GuestMemoryFault(address, access, (errorCode & PageWalker.ERROR_PRESENT) != 0);
    }

    private void track(int page, boolean global, boolean beyondUser, boolean large, boolean user) {
        int old = state.get(page);
        if ((old & TRACKED) == 0) {
            if (trackedCount == tracked.length) {
                // CR3 writes no longer sweep this list (they take localTracked): entries of pages gone since are dropped here
                trackedCount = compact(tracked, trackedCount, 0);
                if (trackedCount > tracked.length / 2) {
                    tracked = java.util.Arrays.copyOf(tracked, tracked.length * 2);
                }
            }
            tracked[trackedCount++] = page;
        }
        if (!global && ((old & TRACKED) == 0 || (old & GLOBAL) != 0)) {
            listLocal(page);
        }
        int s = TRACKED | (global ? GLOBAL : 0) | (large ? LARGE : 0) | (user ? USER_PAGE : 0);
        if (beyondUser) {
            if ((state.get(page) & PRIVILEGED) == 0) {
                if (privilegedCount == privileged.length) {
                    privileged = java.util.Arrays.copyOf(privileged, privilegedCount * 2);
                }
                privileged[privilegedCount++] = page;
            }
            s |= PRIVILEGED;
        }
        state.set(page, (byte) s);
    }

    /**
     * A TLB flush or invlpg took the mapping of {@code page} away: a code page of the low space
     * parks its translations (the walk of the next miss there decides whether they live again),
     * any other page is dropped.
     */
    private void unmap(int page) {
        GuestMemory.CodeParking p = parking;
        if (p != null && page < SPACE_PAGES && (state.get(page) & TRACKED) != 0 && linear.holdsCode(page)) {
            park(page, p);
            return;
        }
        drop(page);
    }

    /**
     * The page faults on its next access (its CODE mark stays, so writes through other mappings
     * of the physical page keep reporting; {@link PhysicalCodePages} keeps the alias, so such a
     * write kills the parked blocks), and its blocks wait in the cache.
     */
    private void park(int page, GuestMemory.CodeParking p) {
        linear.revokePageAccess(page);
        state.set(page, (byte) (PARKED | (state.get(page) & USER_PAGE)));
        parkedPages.set(page);
        codePagesParked++;
        p.park(linearPage(page));
    }

    /**
     * A miss on a parked page walked to {@code phys}: the same physical page, still executable and
     * with the same user bit (the blocks were translated under it), gives the translations back;
     * anything else kills them.
     */
    private void unpark(int page, int phys, PageWalker.Translation t) {
        boolean user = (state.get(page) & USER_PAGE) != 0;
        state.set(page, 0);
        parkedPages.clear(page);
        if (physicalOf.get(page) == phys && t.user() == user && t.executable() && linear.holdsCode(page)) {
            codePagesRevived++;
            parking.revive(linearPage(page));
        } else {
            drop(page);
        }
    }

    /** The cache holds parked blocks at {@code address}: a fetch walk now (as the translator's would be) revives them if the page maps the same physical page. */
    @Override
    public void parkedCodeWanted(long address) {
        if (Thread.currentThread() != owner) {
            return; // another thread's lookup: the block stays parked, as if absent
        }
        int page = (int) (address >>> GuestMemory.PAGE_SHIFT);
        if (!paging || page >= SPACE_PAGES || (state.get(page) & PARKED) == 0) {
            return;
        }
        long savedAddress = faultAddress;
        int savedError = faultError;
        try {
            pageMissed(address, GuestMemoryFault.Access.EXECUTE);
        } catch (GuestMemoryFault f) {
            // not mapped now: the translator's fetch raises the guest's fault in its place
            faultAddress = savedAddress;
            faultError = savedError;
        }
    }

    private void drop(int page) {
        boolean hadCode = linear.dropPage(page);
        state.set(page, 0);
        if (hadCode) {
            codePagesUnmapped++;
            if (page < SPACE_PAGES) {
                translations.codeWritten(linearPage(page));
            }
            // a window's page: its code is FarPages' (fetched there, registered by linear page and
            // re-walked at every flush and invlpg), so a window leaving its slice for another (a
            // claim) or losing a page's host mapping changes no translation; killing them here cost
            // 27 K of the amd64 boot's 40 K invalidated blocks (the kernel's text, at each claim)
        }
        if (page < SPACE_PAGES) {
            code.forget(physicalOf.get(page), this, page); // a window's pages never register code: fetches take FarPages
        }
    }

    /** Every linear page forgotten (paging switched, or a control bit the walk depends on changed). */
    private void dropAll() {
        far.dropAll();
        for (int page = parkedPages.nextSetBit(0); page >= 0; page = parkedPages.nextSetBit(page + 1)) {
            if ((state.get(page) & PARKED) != 0) {
                state.set(page, 0);
                drop(page);
            }
        }
        parkedPages.clear();
        if (paging) {
            for (int i = 0; i < trackedCount; i++) {
                int page = tracked[i];
                if ((state.get(page) & TRACKED) != 0) {
                    drop(page);
                }
            }
        } else {
            for (int page = 0; page < pages; page++) {
                if (page % SPACE_PAGES == 0 && page > 0 && linear.windowKey(page / SPACE_PAGES) == 0) {
                    page += SPACE_PAGES - 1; // a window holding no slice has no page to drop (8 M calls at each paging switch otherwise)
                    continue;
                }
                boolean hadCode = linear.dropPage(page);
                if (hadCode) {
                    translations.codeWritten(linearPage(page));
                }
                if (page < ramPages) {
                    code.forget(page, this, page);
                }
            }
        }
        trackedCount = 0;
        localCount = 0;
        privilegedCount = 0;
        state.clear();
        for (int w = 1; w < linear.windowCount(); w++) {
            linear.assignWindow(w, 0);
        }
    }

    /** Paging off: linear = physical; RAM is host-mapped in one piece, the rest is device space. */
    private void identity() {
        long ramBytes = ramPages << GuestMemory.PAGE_SHIFT;
        boolean moved = false;
        for (int p = 0; p < ramPages && !moved; p++) {
            moved = hostMappedAt(p) != p;
        }
        if (moved) {
            ram.mapInto(linear, 0, 0, ramBytes);
            for (int p = 0; p < ramPages; p++) {
                setHostMapped(p, p);
            }
        }
        for (int p = 0; p < SPACE_PAGES; p++) {
            physicalOf.set(p, p); // the windows stay unused until long mode pages them
        }
        for (int p = 0; p < ramPages; p++) {
            linear.setPageAccess(p, GuestMemory.READ | GuestMemory.WRITE | (code.holdsCode(p) ? GuestMemory.CODE : 0));
        }
        if (ramBytes < linear.size()) {
            linear.mapIo(ramBytes, linear.size() - ramBytes, this);
        }
    }

    /** A write reached code through this space: every mapping of that physical page loses its translations. */
    private void codeWritten(long page) {
        int phys = physicalOf.get((int) page);
        if (code.holdsCode(phys)) {
            code.written(phys);
        } else {
            translations.codeWritten(linearPage((int) page));
        }
    }

    /** A write of {@code [address, address+length)} reached code through this space: true when other code on the page lives on. */
    private boolean codeRangeWritten(long page, long address, int length) {
        return code.writtenRange(physicalOf.get((int) page), (int) (address & GuestMemory.PAGE_MASK), length);
    }

    /**
     * {@link PhysicalCodePages} drops the blocks of one alias that overlap {@code [offset,
     * offset+length)} of the page: true when others stay there.
     */
    boolean dropTranslations(long page, int offset, int length) {
        GuestMemory.CodeRangeInvalidator t = rangeTranslations;
        if (t == null) {
            return false;
        }
        long start = (page << GuestMemory.PAGE_SHIFT) + offset;
        return t.invalidateRange(page, start, start + length);
    }

    /** {@code physicalPage} now holds code: every writable mapping of it here takes the slow path on writes. */
    void writeProtect(int physicalPage) {
        if (!paging) {
            return; // identity: the one mapping is the page the code was fetched from, already marked
        }
        int[] pages = tracked;
        for (int i = 0, n = Math.min(trackedCount, pages.length); i < n; i++) {
            int page = pages[i];
            if (physicalOf.get(page) == physicalPage && canWrite(page)) {
                linear.markCodeWrites(page);
            }
        }
    }

    /** {@link PhysicalCodePages} drops one alias: its translations die and its next access misses again. */
    void dropTranslations(long page) {
        if (FarPages.isFar(page << GuestMemory.PAGE_SHIFT)) {
            far.dropTranslations(page);
            return;
        }
        linear.dropPage(page);
        if (page < SPACE_PAGES && (state.get((int) page) & PARKED) != 0) {
            state.set((int) page, 0); // its parked blocks die below; the next miss maps it afresh
        }
        GuestMemory.CodeWriteListener t = translations;
        if (t != null) {
            t.codeWritten(page);
        }
    }

    /** The guest's linear page number of a page of this space or of a window. */
    private long linearPage(int page) {
        return linear.linearAddress((long) page << GuestMemory.PAGE_SHIFT) >>> GuestMemory.PAGE_SHIFT;
    }

    private boolean canWrite(int page) {
        return page < SPACE_PAGES ? (linear.protectionAt((long) page << GuestMemory.PAGE_SHIFT) & GuestMemory.WRITE) != 0
                : (state.get(page) & TRACKED) != 0; // a window's page: protectionAt sees the low space only; marking a read-only page is harmless
    }

    /** Far code pages whose translations died at a flush or invlpg because their mapping changed (a measuring aid). */
    public long farCodePagesRemapped() {
        return far.remapDrops;
    }

    private long codePagesUnmapped;

    /** Code pages of this space and its windows whose translations died at a flush, invlpg or window claim (a measuring aid). */
    public long codePagesUnmapped() {
        return codePagesUnmapped;
    }

    /** Code pages whose translations were parked at a flush or invlpg, and those given back (measuring aids). */
    public long codePagesParked() {
        return codePagesParked;
    }

    public long codePagesRevived() {
        return codePagesRevived;
    }

    /** Window claims since start (a measuring aid: a far slice evicting another's pages). */
    public long windowClaims() {
        return windowClaims;
    }

    /**
     * A far address no window holds: in long mode with paging, a window is given its slice (the
     * first free one, else the next in turn, whose pages are dropped first). Outside long mode
     * (or for a non-canonical address) the access stays with {@link FarPages}, which faults.
     */
    boolean claimWindow(long address) {
        int windows = linear.windowCount();
        Registers r = registers;
        if (windows == 1 || !paging || r == null || (r.efer() & PageWalker.EFER_LMA) == 0 || (address << 16) >> 16 != address) {
            return false;
        }
        windowClaims++;
        int w = 1;
        while (w < windows && linear.windowKey(w) != 0) {
            w++;
        }
        if (w == windows) {
            w = nextVictim;
            nextVictim = nextVictim + 1 == windows ? 1 : nextVictim + 1;
            for (int i = 0; i < trackedCount; i++) {
                int page = tracked[i];
                if (page / SPACE_PAGES == w && (state.get(page) & TRACKED) != 0) {
                    unmap(page);
                }
            }
        }
        linear.assignWindow(w, address >>> 32);
        return true;
    }

    // ---- device pages: linear to physical -------------------------------------------------

    @Override
    public long read(long address, int size) {
        return devices.read(physicalAddress(address), size);
    }

    @Override
    public void write(long address, int size, long value) {
        devices.write(physicalAddress(address), size, value);
    }

    private long physicalAddress(long linearAddress) {
        return ((long) physicalOf.get((int) (linearAddress >>> GuestMemory.PAGE_SHIFT)) << GuestMemory.PAGE_SHIFT)
                | (linearAddress & GuestMemory.PAGE_MASK);
    }
}
