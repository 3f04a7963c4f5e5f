package org.qemu.i386.system.mmu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;

/**
 * The part of a 64-bit CPU's linear space beyond the 4 GiB its {@link GuestMemory} reserves:
 * Linux's kernel half (0xffff8880..., 0xffffffff8...) and the top of its user half. Those
 * addresses fail the memory fast path's range test, so every access arrives here (see
 * {@link GuestMemory#setFarAccessHandler}) and is translated through a small direct-mapped
 * software TLB filled by the page walk, then made on the physical RAM segment or a device.
 * Slower than the low 4 GiB (no host mapping per page), but exact: rights, accessed and dirty
 * bits and page faults as the walk gives them, non-canonical addresses as #GP.
 *
 * <p>Code translated from a far page is registered with {@link PhysicalCodePages} like a low
 * page's, so a write through any mapping drops it; a TLB flush re-walks such pages and drops
 * the translations of those whose mapping changed.
 */
final class FarPages implements GuestMemory.FarAccessHandler {
    private static final int SLOT_BITS = 12;
    private static final int SLOTS = 1 << SLOT_BITS;
    /** Entry flags below the physical page address. */
    private static final long WRITABLE = 1, USER = 2, EXECUTABLE = 4, GLOBAL = 8, WALKED_FOR_USER = 16;

    private final Mmu mmu;
    private final PageWalker walker;
    private final MemorySegment physical;
    private final long ramBytes;
    private final GuestMemory.IoHandler devices;
    private final PhysicalCodePages code;
    /** Linear page + 1 per slot (0: empty). */
    private final long[] tags = new long[SLOTS];
    private final long[] entries = new long[SLOTS];
    /**
     * Far linear pages translated code came from, and the entry (physical page, flags) it came
     * through: global pages (the kernel's text) apart from the others, since a CR3 write rechecks
     * only the others. Why: an amd64 boot writes CR3 thousands of times (a text poke switches to a
     * temporary mm and back) with ~2,000 kernel code pages held, all global; walking them all at
     * each write, allocating an entry object apiece, was 13 MB of the boot's sampled allocations.
     */
    private final Map<Long, Long> globalCodePages = new ConcurrentHashMap<>();
    private final Map<Long, Long> localCodePages = new ConcurrentHashMap<>();

    FarPages(Mmu mmu, PageWalker walker, MemorySegment physical, long ramBytes, GuestMemory.IoHandler devices, PhysicalCodePages code) {
        this.mmu = mmu;
        this.walker = walker;
        this.physical = physical;
        this.ramBytes = ramBytes;
        this.devices = devices;
        this.code = code;
    }

    static boolean isFar(long linear) {
        return (linear >>> 32) != 0;
    }

    private static int slot(long page) {
        return (int) (page ^ (page >>> SLOT_BITS)) & (SLOTS - 1);
    }

    private boolean user() {
        return mmu.registers().cpl() == 3;
    }

    /** The physical address of {@code address} for {@code access}; the walk's page fault, or #GP for a non-canonical address. */
    long translate(long address, PageWalker.Access access, boolean user) {
        long page = address >>> GuestMemory.PAGE_SHIFT;
        int slot = slot(page);
        if (tags[slot] == page + 1) {
            long e = entries[slot];
            boolean allowed = (!user || (e & (USER | WALKED_FOR_USER)) == (USER | WALKED_FOR_USER))
                    && (access != PageWalker.Access.WRITE || (e & WRITABLE) != 0)
                    && (access != PageWalker.Access.FETCH || (e & EXECUTABLE) != 0);
            if (allowed) {
                return (e & ~GuestMemory.PAGE_MASK) | (address & GuestMemory.PAGE_MASK);
            }
        }
        GuestMemoryFault.Access faultAccess = switch (access) {
            case READ -> GuestMemoryFault.Access.READ;
            case WRITE -> GuestMemoryFault.Access.WRITE;
            case FETCH -> GuestMemoryFault.Access.EXECUTE;
        };
        Mmu.Registers r = mmu.registers();
        if ((r.efer() & PageWalker.EFER_LMA) == 0 || (address << 16) >> 16 != address) {
            throw mmu.generalProtectionFault(address, faultAccess);
        }
        PageWalker.Translation t = walker.walk(address, access, user, r.cr0(), r.cr3() & 0xffffffffL, r.cr4(), r.efer());
        if (t.faulted()) {
            throw mmu.pageFault(address, t.faultErrorCode(), faultAccess);
        }
        boolean writable = t.writable() && (t.dirty() || access == PageWalker.Access.WRITE);
        long e = t.physicalPage() | (writable ? WRITABLE : 0) | (t.user() ? USER : 0) | (t.executable() ? EXECUTABLE : 0)
                | (t.global() ? GLOBAL : 0) | (user ? WALKED_FOR_USER : 0);
        tags[slot] = page + 1;
        entries[slot] = e;
        return t.physicalPage() | (address & GuestMemory.PAGE_MASK);
    }

    @Override
    public long read(long address, int size) {
        return read(address, size, user());
    }

    long read(long address, int size, boolean user) {
        if ((address & GuestMemory.PAGE_MASK) + size > GuestMemory.PAGE_SIZE) {
            long v = 0;
            for (int i = 0; i < size; i++) {
                v |= read(address + i, 1, user) << (8 * i);
            }
            return v;
        }
        long pa = translate(address, PageWalker.Access.READ, user);
        if (pa + size > ramBytes) {
            return devices.read(pa, size);
        }
        return switch (size) {
            case 1 -> physical.get(ValueLayout.JAVA_BYTE, pa) & 0xffL;
            case 2 -> physical.get(ValueLayout.JAVA_SHORT_UNALIGNED, pa) & 0xffffL;
            case 4 -> physical.get(ValueLayout.JAVA_INT_UNALIGNED, pa) & 0xffffffffL;
            default -> physical.get(ValueLayout.JAVA_LONG_UNALIGNED, pa);
        };
    }

    @Override
    public void write(long address, int size, long value) {
        write(address, size, value, user());
    }

    void write(long address, int size, long value, boolean user) {
        if ((address & GuestMemory.PAGE_MASK) + size > GuestMemory.PAGE_SIZE) {
            // both pages are checked before either is written, as one instruction's store must be
            translate(address, PageWalker.Access.WRITE, user);
            translate(address + size - 1, PageWalker.Access.WRITE, user);
            for (int i = 0; i < size; i++) {
                write(address + i, 1, value >>> (8 * i), user);
            }
            return;
        }
        long pa = translate(address, PageWalker.Access.WRITE, user);
        if (pa + size > ramBytes) {
            devices.write(pa, size, value);
            return;
        }
        if (code.holdsCode(pa >>> GuestMemory.PAGE_SHIFT)) {
            // translations die before the bytes change, so the running code's guard may stop the store (as GuestMemory's stores do)
            GuestMemory.CodeStoreGuard guard = mmu.linear().codeStoreGuard();
            long token = guard == null ? 0 : guard.beforeCodeStore();
            if (!Mmu.RANGE_INVALIDATION || !code.writtenRange(pa >>> GuestMemory.PAGE_SHIFT, (int) (pa & GuestMemory.PAGE_MASK), size)) {
                code.written(pa >>> GuestMemory.PAGE_SHIFT);
            }
            if (guard != null) {
                guard.codeInvalidated(token);
            }
        }
        switch (size) {
            case 1 -> physical.set(ValueLayout.JAVA_BYTE, pa, (byte) value);
            case 2 -> physical.set(ValueLayout.JAVA_SHORT_UNALIGNED, pa, (short) value);
            case 4 -> physical.set(ValueLayout.JAVA_INT_UNALIGNED, pa, (int) value);
            default -> physical.set(ValueLayout.JAVA_LONG_UNALIGNED, pa, value);
        }
    }

    @Override
    public int fetch8(long address) {
        long pa = translate(address, PageWalker.Access.FETCH, user());
        if (pa >= ramBytes) {
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.EXECUTE, false); // code outside RAM
        }
        return physical.get(ValueLayout.JAVA_BYTE, pa) & 0xff;
    }

    @Override
    public void codeTranslated(long page) {
        long address = page << GuestMemory.PAGE_SHIFT;
        long pa = translate(address, PageWalker.Access.FETCH, user());
        long e = entries[slot(page)];
        long physicalPage = pa >>> GuestMemory.PAGE_SHIFT;
        long entry = (pa & ~GuestMemory.PAGE_MASK) | (e & (USER | GLOBAL));
        if ((entry & GLOBAL) != 0) {
            localCodePages.remove(page);
            globalCodePages.put(page, entry);
        } else {
            globalCodePages.remove(page);
            localCodePages.put(page, entry);
        }
        code.translatedFrom((int) physicalPage, mmu, page);
    }

    @Override
    public boolean windowMissed(long address) {
        return mmu.claimWindow(address);
    }

    /** {@link PhysicalCodePages} drops this alias: its translations die. */
    void dropTranslations(long page) {
        removeCodePage(page);
        mmu.translationsWritten(page);
    }

    // ---- TLB flushes ------------------------------------------------------------------------

    /** CR3 written: non-global entries go; code pages whose mapping changed lose their translations. */
    void addressSpaceChanged() {
        for (int i = 0; i < SLOTS; i++) {
            if ((entries[i] & GLOBAL) == 0) {
                tags[i] = 0;
            }
        }
        recheckCode(false);
    }

    /** Paging controls changed (CR0, CR4, EFER.NXE): everything goes, code pages are re-walked. */
    void controlChanged() {
        java.util.Arrays.fill(tags, 0);
        recheckCode(true);
    }

    /** invlpg of a far address. */
    void invalidate(long address) {
        long page = address >>> GuestMemory.PAGE_SHIFT;
        int slot = slot(page);
        if (tags[slot] == page + 1) {
            tags[slot] = 0;
        }
        Long entry = localCodePages.get(page);
        if (entry == null) {
            entry = globalCodePages.get(page);
        }
        if (entry != null && !stillMaps(page, entry)) {
            forgetCode(page, entry);
        }
    }

    /** Reset, or paging switched off: nothing far stays. */
    void dropAll() {
        java.util.Arrays.fill(tags, 0);
        // forEach walks the map's nodes (no entry objects); removals meanwhile are fine for it
        localCodePages.forEach(this::forgetCode);
        globalCodePages.forEach(this::forgetCode);
    }

    private void recheckCode(boolean includingGlobal) {
        if (!localCodePages.isEmpty()) {
            localCodePages.forEach(this::forgetUnlessStillMapped);
        }
        if (includingGlobal) {
            globalCodePages.forEach(this::forgetUnlessStillMapped);
        }
    }

    private void forgetUnlessStillMapped(long page, long entry) {
        if (!stillMaps(page, entry)) {
            forgetCode(page, entry);
        }
    }

    /** True when the far page still maps the same physical page, executable, with the same U/S. */
    private boolean stillMaps(long page, long entry) {
        Mmu.Registers r = mmu.registers();
        if ((r.efer() & PageWalker.EFER_LMA) == 0) {
            return false;
        }
        PageWalker.Translation t = walker.walk(page << GuestMemory.PAGE_SHIFT, PageWalker.Access.READ, false,
                r.cr0(), r.cr3() & 0xffffffffL, r.cr4(), r.efer());
        return !t.faulted() && t.executable() && t.physicalPage() == (entry & ~GuestMemory.PAGE_MASK)
                && t.user() == ((entry & USER) != 0);
    }

    /** Far code pages dropped because a flush or invlpg found their mapping changed (a measuring aid). */
    long remapDrops;

    /** Removes {@code page} from both maps: its global bit may have changed since it was put in one. */
    private void removeCodePage(long page) {
        globalCodePages.remove(page);
        localCodePages.remove(page);
    }

    private void forgetCode(long page, long entry) {
        remapDrops++;
        removeCodePage(page);
        mmu.translationsWritten(page);
        code.forget((int) (entry >>> GuestMemory.PAGE_SHIFT), mmu, page);
    }
}
