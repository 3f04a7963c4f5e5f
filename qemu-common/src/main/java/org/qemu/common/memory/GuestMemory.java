package org.qemu.common.memory;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * A user-mode guest's address space: one lazily committed host reservation covering every
 * guest address (QEMU's guest_base idea: host address = base + guest address), plus a
 * protection byte per 4 KiB guest page checked in software on every access, so that a bad
 * guest pointer becomes a {@link GuestMemoryFault} (later SIGSEGV) and never a JVM crash.
 *
 * <p>Accessors come in little-endian ({@code read32}) and big-endian ({@code read32be})
 * flavours; a translator calls the one its target needs, so no per-access byte-order test.
 *
 * <p>Pages holding translated code carry {@link #CODE}: the first write to such a page takes
 * the slow path and tells the {@link CodeWriteListener} to drop the page's translations.
 */
public final class GuestMemory implements AutoCloseable {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = PAGE_SIZE - 1;

    public static final byte READ = 1;
    public static final byte WRITE = 2;
    public static final byte EXEC = 4;
    /** Translated code lives on this page. */
    public static final byte CODE = 8;
    /** The page is mapped (possibly with no access at all: PROT_NONE). */
    private static final byte MAPPED = 16;
    /**
     * System mode: device registers, not RAM. The page has no READ/WRITE/EXEC bit, so the one
     * protection test of the fast path fails and the slow path hands the access to {@link #ioHandler}.
     */
    private static final byte IO = 32;
    /**
     * Derived, kept in step by {@link #pageBits}: WRITE set, CODE and IO clear. The write fast
     * path tests this one bit.
     */
    private static final byte RAM_WRITE = 64;

    /** Accesses may run up to this far past the last guest page (a 16-byte access at the top). */
    private static final long SLACK = 64;

    private final int addressBits;
    private final long size;
    /**
     * System mode in long mode: the reservation holds this many spaces of {@code size} bytes. The
     * first is the guest's low space; each other one (a window) stands for the slice of the wider
     * linear space whose address bits above {@code addressBits} equal its key, so a far address is
     * one mask and a few compares away from an ordinary page of this space (see {@link #fold}).
     * The fast path's range test still accepts only the first space: folded pages are reached
     * through the accessors' slow paths.
     */
    private final int windows;
    /** Bytes of all spaces: folded addresses lie in {@code [size, spaceEnd)}. */
    private final long spaceEnd;
    /** Per window (index 0 unused): the address bits above {@code addressBits} it holds, 0 for none. */
    private final long[] windowKeys;
    private final MemorySegment space;
    /** Host address of guest address 0. */
    private final long base;
    /** Address bits at and above {@code addressBits}, plus the page offset: see {@link #pageProtection}. */
    private final long rangeMask;
    private final byte[] protection;
    /**
     * Counts the changes that may have taken an access right away from a page (see
     * {@link #protectionEpoch}): bumped after the protection bytes change, so a reader that sees
     * the new count sees the new bytes.
     */
    private final java.util.concurrent.atomic.AtomicInteger protectionEpoch = new java.util.concurrent.atomic.AtomicInteger();
    private volatile CodeWriteListener codeWriteListener = page -> { };
    /** System mode: asked first about a write to a code page (null: the whole page's code dies, as in user mode). */
    private volatile CodeRangeWriteListener codeRangeWriteListener;
    /** The translation cache's drop of only the blocks a write overlaps, for a system MMU to call. */
    private volatile CodeRangeInvalidator codeRangeInvalidator;
    /** Told about each CPU store into translated code around the invalidation (null: nobody asks). */
    private volatile CodeStoreGuard codeStoreGuard;
    /** The translation cache's parking of a page's blocks while the page is unmapped (system mode; null: none). */
    private volatile CodeParking codeParking;
    private volatile IoHandler ioHandler;
    /**
     * Pages a debugger watches, with the READ/WRITE bits the guest really has there. While a page
     * is watched its protection byte lacks those bits, so every access to it leaves the fast
     * path; the slow path finds the page here, lets the access through and reports it. Other
     * pages never look here.
     */
    private final java.util.concurrent.ConcurrentHashMap<Long, Integer> watchedPages = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile WatchListener watchListener = (address, bytes, write) -> { };
    /**
     * Page ranges (first page -> end page) whose host memory is a private mapping of a file (see
     * {@link #mapFile}). Giving such pages back with madvise would bring the file's bytes back,
     * not zeros, so they are replaced by anonymous memory instead. Empty for most of a run.
     */
    private final java.util.TreeMap<Long, Long> fileBacked = new java.util.TreeMap<>();
    /** System mode with paging: fills a linear page the guest's page tables allow (see {@link #setPageMissHandler}). */
    private volatile PageMissHandler pageMissHandler;
    /** System mode in long mode: the addresses beyond this space (see {@link #setFarAccessHandler}). */
    private volatile FarAccessHandler farHandler;

    /** Reserves a guest address space of {@code 2^addressBits} bytes, nothing mapped yet. */
    public GuestMemory(int addressBits) {
        this(addressBits, 1);
    }

    /**
     * Reserves a guest address space of {@code 2^addressBits} bytes and {@code windows - 1} more
     * spaces of that size for far slices of a wider linear space (see {@link #assignWindow}).
     */
    public GuestMemory(int addressBits, int windows) {
        if (addressBits < 16 || addressBits > 40) {
            throw new IllegalArgumentException("guest address width " + addressBits + " bits is out of range 16..40");
        }
        if (windows < 1 || windows > 16 || ((long) windows << addressBits) >>> PAGE_SHIFT >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException(windows + " windows of " + addressBits + " bits do not fit");
        }
        this.addressBits = addressBits;
        this.size = 1L << addressBits;
        this.windows = windows;
        this.spaceEnd = size * windows;
        this.windowKeys = new long[windows];
        this.space = HostMemory.reserve(spaceEnd + SLACK);
        this.base = space.address();
        this.rangeMask = ~(size - 1) | PAGE_MASK;
        this.protection = new byte[(int) (spaceEnd >>> PAGE_SHIFT) + 1];
    }

    public int addressBits() {
        return addressBits;
    }

    /** Bytes of guest address space: every valid guest address is below this. */
    public long size() {
        return size;
    }

    /** The host view of the whole guest address space, for host calls that read or write guest buffers directly. */
    public MemorySegment segment() {
        return space;
    }

    public void setCodeWriteListener(CodeWriteListener listener) {
        this.codeWriteListener = listener;
    }

    /** Lets a system MMU drop only the translations a write overlaps, keeping the page's CODE mark when others stay. */
    public void setCodeRangeWriteListener(CodeRangeWriteListener listener) {
        this.codeRangeWriteListener = listener;
    }

    /**
     * Lets the CPU stop a store whose invalidation killed the code it is running: the guard may
     * throw after the translations died and before the bytes are written ({@link CodeStoreGuard}).
     */
    public void setCodeStoreGuard(CodeStoreGuard guard) {
        this.codeStoreGuard = guard;
    }

    /** The guard set by {@link #setCodeStoreGuard} (null: none), for a system MMU's own store paths to ask. */
    public CodeStoreGuard codeStoreGuard() {
        return codeStoreGuard;
    }

    public void setCodeRangeInvalidator(CodeRangeInvalidator invalidator) {
        this.codeRangeInvalidator = invalidator;
    }

    /** The translation cache's range drop (null when none was set), for a system MMU to call. */
    public CodeRangeInvalidator codeRangeInvalidator() {
        return codeRangeInvalidator;
    }

    /** The translation cache offers to keep a page's blocks aside while its mapping is gone (see {@link CodeParking}). */
    public void setCodeParking(CodeParking parking) {
        this.codeParking = parking;
    }

    /** The parking set by {@link #setCodeParking} (null: none), for a system MMU to call. */
    public CodeParking codeParking() {
        return codeParking;
    }

    /**
     * The translation cache found parked blocks at a linear address it was asked for: the page
     * miss handler may walk the page tables now and, if the page maps the physical page the
     * blocks came from again, give them back ({@link CodeParking#revive}). Never throws: a page
     * that does not map faults later, when the translator fetches there.
     */
    public void parkedCodeWanted(long address) {
        PageMissHandler h = pageMissHandler;
        if (h != null && address >= 0 && address < spaceEnd) {
            h.parkedCodeWanted(address);
        }
    }

    // ---- page table ----------------------------------------------------------------

    /** Maps {@code [address, address+length)} zero-filled with the given protection (page-rounded). */
    public void map(long address, long length, int prot) {
        long first = pageOf(address);
        long end = pageEnd(address, length);
        discard(first, end);
        for (long p = first; p < end; p++) {
            protection[(int) p] = pageBits((prot & (READ | WRITE | EXEC)) | MAPPED);
            if (!watchedPages.isEmpty()) {
                watchedPages.remove(p);
            }
        }
        accessMayHaveShrunk();
    }

    /**
     * System mode: makes {@code [address, address+length)} (page-rounded) device space. Loads and
     * stores there go to {@code handler}; fetching code from it faults.
     */
    public void mapIo(long address, long length, IoHandler handler) {
        long first = pageOf(address);
        long end = pageEnd(address, length);
        this.ioHandler = handler;
        for (long p = first; p < end; p++) {
            protection[(int) p] = pageBits(IO | MAPPED);
        }
        accessMayHaveShrunk();
    }

    /** Changes protection of already mapped pages; returns false (changing nothing) if a page is unmapped. */
    public boolean protect(long address, long length, int prot) {
        long first = pageOf(address);
        long end = pageEnd(address, length);
        for (long p = first; p < end; p++) {
            if (!isMappedPage(p)) {
                return false;
            }
        }
        for (long p = first; p < end; p++) {
            int code = protection[(int) p] & CODE;
            int access = prot & (READ | WRITE);
            if (watchedPages.replace(p, access) != null) {
                access = 0;
            }
            protection[(int) p] = pageBits(access | (prot & EXEC) | code | MAPPED);
        }
        accessMayHaveShrunk();
        return true;
    }

    /** Unmaps pages; their contents are dropped and read as zero if mapped again. */
    public void unmap(long address, long length) {
        long first = pageOf(address);
        long end = pageEnd(address, length);
        for (long p = first; p < end; p++) {
            if ((protection[(int) p] & CODE) != 0) {
                codeWriteListener.codeWritten(p);
            }
            protection[(int) p] = 0;
            if (!watchedPages.isEmpty()) {
                watchedPages.remove(p);
            }
        }
        accessMayHaveShrunk();
        discard(first, end);
    }

    /**
     * Maps {@code [address, address+length)} (page-aligned) to a private, copy-on-write host
     * mapping of the file {@code fd} from {@code offset} (page-aligned), with the given guest
     * protection: the host faults in only the pages the guest touches, where copying would read
     * the whole file (a 2 MiB busybox, a 5 MiB libpython) at every start. Every page must lie
     * within the file: a host access past its end would be SIGBUS. Returns false, changing
     * nothing, when the host refuses (a file system without mmap).
     */
    public synchronized boolean mapFile(long address, long length, int fd, long offset, int prot) {
        if ((address & PAGE_MASK) != 0 || (offset & PAGE_MASK) != 0 || length <= 0 || address + length > size) {
            throw new IllegalArgumentException("unaligned or out-of-range file mapping at 0x" + Long.toHexString(address));
        }
        long first = pageOf(address);
        long end = pageEnd(address, length);
        MemorySegment pages = space.asSlice(first << PAGE_SHIFT, (end - first) << PAGE_SHIFT);
        if (!HostMemory.mapFile(pages, fd, offset)) {
            // A failed fixed mapping may have taken the old pages away: leave zeros, as the caller expects.
            HostMemory.replaceWithAnonymous(pages);
            removeFileBacked(first, end);
            return false;
        }
        for (long p = first; p < end; p++) {
            if ((protection[(int) p] & CODE) != 0) {
                codeWriteListener.codeWritten(p);
            }
            protection[(int) p] = pageBits((prot & (READ | WRITE | EXEC)) | MAPPED);
            if (!watchedPages.isEmpty()) {
                watchedPages.remove(p);
            }
        }
        accessMayHaveShrunk();
        removeFileBacked(first, end);
        fileBacked.put(first, end);
        return true;
    }

    /** Zero-fills pages {@code [first, end)} and gives their host memory back. */
    private void discard(long first, long end) {
        if (!fileBacked.isEmpty()) {
            synchronized (this) {
                if (removeFileBacked(first, end)) {
                    HostMemory.replaceWithAnonymous(space.asSlice(first << PAGE_SHIFT, (end - first) << PAGE_SHIFT));
                    return;
                }
            }
        }
        HostMemory.discard(space.asSlice(first << PAGE_SHIFT, (end - first) << PAGE_SHIFT));
    }

    /** Forgets the file-backed parts of pages {@code [first, end)}; true if there were any. */
    private boolean removeFileBacked(long first, long end) {
        boolean found = false;
        // The ranges are disjoint: walk down from the last one starting before the end.
        for (Long from = fileBacked.lowerKey(end); from != null; from = fileBacked.lowerKey(from)) {
            long to = fileBacked.get(from);
            if (to <= first) {
                break;
            }
            fileBacked.remove(from);
            found = true;
            if (to > end) {
                fileBacked.put(end, to);
            }
            if (from < first) {
                fileBacked.put(from, first);
                break;
            }
        }
        return found;
    }

    private boolean isMappedPage(long page) {
        return (protection[(int) page] & MAPPED) != 0;
    }

    /** True if every page of the range is mapped (with any protection). */
    public boolean isMapped(long address, long length) {
        if (address < 0 || address + length > size) {
            return false;
        }
        for (long p = pageOf(address), end = pageEnd(address, length); p < end; p++) {
            if (!isMappedPage(p)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first mapped page at or after page {@code fromPage}, or -1 if there is none: lets a
     * walk over the address space (the fork snapshot) skip unmapped gigabytes in one tight loop.
     */
    public long nextMappedPage(long fromPage) {
        byte[] pages = protection;
        for (int p = (int) Math.max(0, fromPage), end = (int) (size >>> PAGE_SHIFT); p < end; p++) {
            if ((pages[p] & MAPPED) != 0) {
                return p;
            }
        }
        return -1;
    }

    /** True if no page of the range is mapped. */
    public boolean isFree(long address, long length) {
        if (address < 0 || address + length > size) {
            return false;
        }
        for (long p = pageOf(address), end = pageEnd(address, length); p < end; p++) {
            if (isMappedPage(p)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the page holding {@code address} would be present in a Linux process's page table:
     * mapped with some access (Linux keeps PROT_NONE pages not present) and already touched (the
     * host page behind it is resident). The P bit of the x86 page-fault error code a signal
     * handler finds: a write to a read-only page that was never read faults as not present (err
     * 6), after a read as a protection violation (err 7). A file page in the host's page cache
     * counts as touched (mincore cannot tell the two apart).
     */
    public boolean pagePresent(long address) {
        return accessAt(address) != 0 && HostMemory.resident(base + (address & ~PAGE_MASK));
    }

    /** The access the page holding {@code address} allows (READ/WRITE/EXEC); 0 when unmapped or PROT_NONE. */
    public int accessAt(long address) {
        return protectionAt(address) & (READ | WRITE | EXEC);
    }

    /** The protection bits (READ/WRITE/EXEC, plus CODE) of the page holding {@code address}; 0 when unmapped. */
    public int protectionAt(long address) {
        if (address < 0 || address >= size) {
            return 0;
        }
        int bits = protection[(int) (address >>> PAGE_SHIFT)] & (READ | WRITE | EXEC | CODE);
        Integer watched = watchedPages.isEmpty() ? null : watchedPages.get(address >>> PAGE_SHIFT);
        return watched == null ? bits : bits | watched;
    }

    /**
     * System mode: a device wrote {@code [address, address+length)} behind the CPU's back (DMA);
     * translations of code on those pages are dropped as if the CPU had written there.
     */
    public void externalWrite(long address, long length) {
        if (length <= 0 || address < 0 || address >= size) {
            return;
        }
        long last = Math.min(size - 1, address + length - 1) >>> PAGE_SHIFT;
        for (long p = address >>> PAGE_SHIFT; p <= last; p++) {
            if ((protection[(int) p] & CODE) != 0) {
                protection[(int) p] = pageBits(protection[(int) p] & ~CODE);
                codeWriteListener.codeWritten(p);
            }
        }
    }

    /** Marks a page as holding translated code, so writes to it are reported. */
    public void markCode(long page) {
        if (page < 0 || page >= size >>> PAGE_SHIFT) {
            FarAccessHandler far = farHandler;
            if (far != null) {
                far.codeTranslated(page);
            }
            return;
        }
        byte marked = pageBits(protection[(int) page] | CODE);
        if (marked != protection[(int) page]) {
            protection[(int) page] = marked;
            accessMayHaveShrunk();
        }
    }

    /**
     * Changes whenever a page may have lost an access right: at every map (over a mapping or not),
     * protect and unmap, every system-MMU fill, revoke and drop, every watch, and when a page first
     * holds translated code (marking a page that holds code already leaves it).
     * A translated loop that keeps the pages it verified from one run to the next ({@code
     * X86Sequence#pageCaches}) uses them only while this is the value it saw when it verified them.
     */
    public int protectionEpoch() {
        return protectionEpoch.get();
    }

    private void accessMayHaveShrunk() {
        protectionEpoch.incrementAndGet();
    }

    /** A page's protection byte with the derived {@link #RAM_WRITE} bit recomputed from the others. */
    private static byte pageBits(int bits) {
        int b = bits & ~RAM_WRITE;
        if ((b & (WRITE | CODE | IO)) == WRITE) {
            b |= RAM_WRITE;
        }
        return (byte) b;
    }

    private static long pageOf(long address) {
        return address >>> PAGE_SHIFT;
    }

    private long pageEnd(long address, long length) {
        long end = (address + length + PAGE_MASK) >>> PAGE_SHIFT;
        if (address < 0 || length < 0 || end > (size >>> PAGE_SHIFT)) {
            throw new IllegalArgumentException("range 0x" + Long.toHexString(address) + "+" + length + " outside guest address space");
        }
        return end;
    }

    // ---- system mode: a linear address space filled page by page --------------------
    // The MMU of a paging CPU keeps its pages here: host mappings of physical RAM made by the
    // caller (SharedRam), the protection its page walk allows, and misses reported to it.

    /**
     * System mode: {@code handler} hears every access that finds its page without the needed
     * right, before it becomes a {@link GuestMemoryFault}; it may fill the page and return true
     * (the access is checked again) or throw the guest's fault itself.
     */
    public void setPageMissHandler(PageMissHandler handler) {
        this.pageMissHandler = handler;
    }

    private boolean missFilled(long address, GuestMemoryFault.Access access) {
        PageMissHandler h = pageMissHandler;
        return h != null && address >= 0 && address < spaceEnd && h.pageMissed(address, access);
    }

    /**
     * System mode: page {@code page} becomes RAM the guest may access with {@code prot}
     * (READ/WRITE/EXEC, plus CODE to keep writes on the slow path); its CODE mark is kept.
     * The host memory behind it is the caller's business.
     */
    public void setPageAccess(long page, int prot) {
        int code = protection[(int) page] & CODE;
        int granted = prot & (READ | WRITE | EXEC | CODE);
        if (!watchedPages.isEmpty() && watchedPages.replace(page, granted & (READ | WRITE)) != null) {
            // a debugger watches this linear page: keep its accesses on the slow path
            granted &= ~(READ | WRITE);
        }
        protection[(int) page] = pageBits(granted | code | MAPPED);
        accessMayHaveShrunk();
    }

    /** System mode: the page faults on every access (the next one reaches the miss handler); translations on it stay. */
    public void revokePageAccess(long page) {
        protection[(int) page] = (byte) (protection[(int) page] & CODE);
        accessMayHaveShrunk();
        forgetWatchedAccess(page);
    }

    /** A watched page that lost its mapping: the guest may not access it until the MMU fills it again. */
    private void forgetWatchedAccess(long page) {
        if (!watchedPages.isEmpty()) {
            watchedPages.replace(page, 0);
        }
    }

    /**
     * System mode: the page faults on every access (its mapping changed). Returns whether it held
     * translated code: the caller drops those translations (its listener is the one to tell).
     */
    public boolean dropPage(long page) {
        byte old = protection[(int) page];
        protection[(int) page] = 0;
        accessMayHaveShrunk();
        forgetWatchedAccess(page);
        return (old & CODE) != 0;
    }

    /** True if translated code was taken from the page since it was last written or dropped. */
    public boolean holdsCode(long page) {
        return (protection[(int) page] & CODE) != 0;
    }

    /** The listener told about writes to code pages (the translation cache), for a system MMU to chain. */
    public CodeWriteListener codeWriteListener() {
        return codeWriteListener;
    }

    // ---- checks ----------------------------------------------------------------------

    /**
     * The protection byte of the page holding {@code [address, address+last]} when that range
     * lies inside one page of the guest space, else 0 (which no fast-path test accepts). One
     * mask, one add and one shift test instead of a range test and two protection loads:
     * {@link #rangeMask} keeps the address bits at and above {@code addressBits} and the page
     * offset, so the sum has bits above the page offset only when the address is outside the
     * space or the access runs into the next page (the carry stops at bit 12: the bits between
     * are masked to zero). Kept under 35 bytes of bytecode so C1 inlines it.
     */
    private int pageProtection(long address, int last) {
        // the range test proves the page inside the table: no bounds check (C2 kept one, not
        // relating the table's length to the test; busybox unxz 4.69 -> 4.56 s without it)
        return ((address & rangeMask) + last) >>> PAGE_SHIFT == 0 ? HostLoadStore.getByteAt(protection, address >>> PAGE_SHIFT) : 0;
    }

    /** Full read check: true for RAM the caller may read, false for an IO page (the caller asks {@link #ioHandler}). */
    private boolean checkRead(long address, int bytes) {
        if (address < 0 || address > spaceEnd - bytes) {
            if (farHandler != null) {
                return false; // ioRead hands it to the far handler
            }
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.READ, false);
        }
        int p1 = protection[(int) (address >>> PAGE_SHIFT)];
        int p2 = protection[(int) ((address + bytes - 1) >>> PAGE_SHIFT)];
        if ((p1 & p2 & READ) != 0) {
            return true;
        }
        if ((p1 & IO) != 0) {
            return false;
        }
        if (!watchedPages.isEmpty() && watchedAccess(address, bytes, false)) {
            return true;
        }
        long bad = (p1 & READ) == 0 ? address : (address + bytes - 1) & ~PAGE_MASK;
        if (missFilled(bad, GuestMemoryFault.Access.READ)) {
            return checkRead(address, bytes);
        }
        throw new GuestMemoryFault(linearAddress(bad), GuestMemoryFault.Access.READ, isMappedPage(bad >>> PAGE_SHIFT));
    }

    /**
     * Full write check: true for RAM the caller may write (stale translations on it dropped first),
     * false for an IO page (the caller tells {@link #ioHandler}).
     */
    private boolean checkWrite(long address, int bytes) {
        return checkWrite(address, bytes, bytes);
    }

    /** {@link #checkWrite(long, int)} for a bulk write of which {@code [address, address+written)} lies on the checked page. */
    private boolean checkWrite(long address, int bytes, long written) {
        if (address < 0 || address > spaceEnd - bytes) {
            if (farHandler != null) {
                return false; // ioWrite hands it to the far handler
            }
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.WRITE, false);
        }
        if ((protection[(int) (address >>> PAGE_SHIFT)] & IO) != 0) {
            return false;
        }
        if ((protection[(int) (address >>> PAGE_SHIFT)] & MAPPED) == 0 && missFilled(address, GuestMemoryFault.Access.WRITE)) {
            return checkWrite(address, bytes, written);
        }
        long firstPage = address >>> PAGE_SHIFT;
        long lastPage = (address + bytes - 1) >>> PAGE_SHIFT;
        boolean watched = !watchedPages.isEmpty() && watchedAccess(address, bytes, true);
        for (long p = firstPage; p <= lastPage; p++) {
            int prot = protection[(int) p];
            if ((prot & WRITE) == 0 && !watched) {
                long bad = Math.max(address, p << PAGE_SHIFT);
                if (missFilled(bad, GuestMemoryFault.Access.WRITE)) {
                    return checkWrite(address, bytes, written);
                }
                throw new GuestMemoryFault(linearAddress(bad), GuestMemoryFault.Access.WRITE, (prot & MAPPED) != 0);
            }
        }
        CodeStoreGuard guard = null;
        long guardToken = 0;
        for (long p = firstPage; p <= lastPage; p++) {
            if ((protection[(int) p] & CODE) != 0) {
                if (guard == null && codeStoreGuard != null) {
                    guard = codeStoreGuard;
                    guardToken = guard.beforeCodeStore();
                }
                CodeRangeWriteListener ranges = codeRangeWriteListener;
                if (ranges != null) {
                    long from = Math.max(address, p << PAGE_SHIFT);
                    long to = Math.min(address + Math.max(bytes, written), (p + 1) << PAGE_SHIFT);
                    if (ranges.codeRangeWritten(p, from, (int) (to - from))) {
                        continue; // other code on the page lives on: its writes stay on this path
                    }
                }
                protection[(int) p] = pageBits(protection[(int) p] & ~CODE);
                codeWriteListener.codeWritten(p);
            }
        }
        if (guard != null) {
            guard.codeInvalidated(guardToken);
        }
        return true;
    }

    /** {@link #inSpace}'s answer for an address no space of this reservation holds. */
    private static final long OUTSIDE = Long.MIN_VALUE;

    /**
     * Held windows by the 8 address bits above a window key's lowest 8 (bits 40-47 of a 64-bit
     * address: they tell Linux's slices apart, 0xffff88.., 0xffffc9.., 0xffffea.., 0xfffffe..,
     * 0xffffff.., 0x7ffc..): the key ({@code address >>> addressBits}, -1: none) and the folded
     * base of the window holding it. Two held keys with the same index byte: the later one is
     * here, the other takes {@link #fold}'s search.
     */
    private final long[] heldKeys = new long[256];
    private final long[] heldBases = new long[256];

    {
        java.util.Arrays.fill(heldKeys, -1);
    }

    /**
     * The folded address of a far access that lies in one page of a held window and whose page
     * allows it ({@code bit}: READ or RAM_WRITE, the fast path's test), else {@link #OUTSIDE}.
     * Why: the amd64 kernel's every access (its text, data, stacks and direct map lie above 4 GiB)
     * failed the fast path's range test into the accessors' full slow paths, too big for HotSpot
     * to inline into a block (~10% of the boot's CPU thread, session 11); this small test before
     * them is inlined, and reaches a held page in a few loads.
     */
    private long heldPage(long address, int last, int bit) {
        int i = (int) (address >>> (addressBits + 8)) & 0xff;
        if (address >>> addressBits != heldKeys[i] || ((address & PAGE_MASK) + last) > PAGE_MASK) {
            return OUTSIDE;
        }
        long folded = heldBases[i] | (address & (size - 1));
        return (protection[(int) (folded >>> PAGE_SHIFT)] & bit) != 0 ? folded : OUTSIDE;
    }

    /**
     * Where an access the fast path refused lies in this reservation: the address itself inside
     * the low space, its folded address when a window holds its slice (claimed from the far
     * handler on first use), else {@link #OUTSIDE}.
     */
    private long inSpace(long address, int bytes) {
        if (address >= 0 && address <= size - bytes) {
            return address;
        }
        return windows == 1 ? OUTSIDE : fold(address, bytes);
    }

    /** The folded address of {@code address} (see {@link #windows}), claiming a window if needed; {@link #OUTSIDE} when none holds it. */
    private long fold(long address, int bytes) {
        long offset = address & (size - 1);
        if (offset > size - bytes) {
            return OUTSIDE; // runs past its slice: the far handler takes it byte by byte
        }
        long key = address >>> addressBits;
        long[] keys = windowKeys;
        for (int w = 1; w < keys.length; w++) {
            if (keys[w] == key) {
                return ((long) w << addressBits) | offset;
            }
        }
        FarAccessHandler far = farHandler;
        if (far == null || !far.windowMissed(address)) {
            return OUTSIDE;
        }
        for (int w = 1; w < keys.length; w++) {
            if (keys[w] == key) {
                return ((long) w << addressBits) | offset;
            }
        }
        return OUTSIDE;
    }

    /** The folded address of {@code address} if a window holds its page now (no claim), else -1. */
    public long foldedAddress(long address) {
        if (address >= 0 && address < size) {
            return address;
        }
        long key = address >>> addressBits;
        for (int w = 1; w < windows; w++) {
            if (windowKeys[w] == key) {
                return ((long) w << addressBits) | (address & (size - 1));
            }
        }
        return -1;
    }

    /** The guest address a folded address stands for (an address of the low space is itself). */
    public long linearAddress(long folded) {
        int w = (int) (folded >>> addressBits);
        return w == 0 || w >= windows ? folded : (windowKeys[w] << addressBits) | (folded & (size - 1));
    }

    /** Spaces in the reservation: 1 plus the windows (see {@link #GuestMemory(int, int)}). */
    public int windowCount() {
        return windows;
    }

    /** The address bits above {@link #addressBits()} window {@code w} holds, 0 for none. */
    public long windowKey(int w) {
        return windowKeys[w];
    }

    /**
     * Window {@code w} (1 and up) now holds the slice {@code key} (0: none). The caller (the MMU)
     * has dropped every page of the window's previous slice first.
     */
    public void assignWindow(int w, long key) {
        if (w < 1 || w >= windows) {
            throw new IllegalArgumentException("no window " + w);
        }
        long was = windowKeys[w];
        long folded = (long) w << addressBits;
        if (was != 0) {
            int i = (int) (was >>> 8) & 0xff;
            if (heldKeys[i] == was && heldBases[i] == folded) {
                heldKeys[i] = -1;
            }
        }
        windowKeys[w] = key;
        if (key != 0) {
            int i = (int) (key >>> 8) & 0xff;
            heldBases[i] = folded;
            heldKeys[i] = key;
        }
    }

    /** Bytes the host reservation spans for guest pages: the low space and the windows. */
    public long reservedSize() {
        return spaceEnd;
    }

    /** System mode: page {@code page} (of any space, windows included) becomes device space served by {@code handler}. */
    public void mapIoPage(long page, IoHandler handler) {
        this.ioHandler = handler;
        protection[(int) page] = pageBits(IO | MAPPED);
        accessMayHaveShrunk();
    }

    /** System mode: writes to page {@code page} (of any space) take the slow path and reach the code-write listener. */
    public void markCodeWrites(long page) {
        protection[(int) page] = pageBits(protection[(int) page] | CODE);
        accessMayHaveShrunk();
    }

    private long beyondRead(long address, int bytes) {
        FarAccessHandler far = farHandler;
        if (far == null) {
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.READ, false);
        }
        return far.read(address, bytes);
    }

    private void beyondWrite(long address, int bytes, long value) {
        FarAccessHandler far = farHandler;
        if (far == null) {
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.WRITE, false);
        }
        far.write(address, bytes, value);
    }

    private long ioRead(long address, int bytes) {
        FarAccessHandler far = farHandler;
        if (far != null && (address < 0 || address > spaceEnd - bytes)) {
            return far.read(address, bytes);
        }
        return ioHandler.read(address, bytes);
    }

    private void ioWrite(long address, int bytes, long value) {
        FarAccessHandler far = farHandler;
        if (far != null && (address < 0 || address > spaceEnd - bytes)) {
            far.write(address, bytes, value);
            return;
        }
        ioHandler.write(address, bytes, value);
    }

    /**
     * System mode in long mode: accesses, fetches and code marks at addresses beyond this space
     * (or running past its end) go to {@code handler} instead of faulting. Such addresses never
     * pass the fast path's range test, so the fast path is unchanged.
     */
    public void setFarAccessHandler(FarAccessHandler handler) {
        this.farHandler = handler;
    }

    // ---- debugger watchpoints (slow path only) ------------------------------------------

    /** Told of every guest access to a watched page (on the accessing thread, before the access is done). */
    @FunctionalInterface
    public interface WatchListener {
        void accessed(long address, int bytes, boolean write);
    }

    public void setWatchListener(WatchListener listener) {
        this.watchListener = listener;
    }

    /**
     * Starts ({@code watched}) or stops sending every access to {@code page} through the slow
     * path and the {@link WatchListener}. Unmapped pages are left alone, except in system mode
     * (a page-miss handler fills pages on demand): there the page is watched from its next fill.
     */
    public synchronized void watchPage(long page, boolean watched) {
        if (page < 0 || page >= size >>> PAGE_SHIFT) {
            return;
        }
        if (!isMappedPage(page) && pageMissHandler == null) {
            return;
        }
        int bits = protection[(int) page];
        if (watched) {
            if (watchedPages.putIfAbsent(page, bits & (READ | WRITE)) == null) {
                protection[(int) page] = pageBits(bits & ~(READ | WRITE));
                accessMayHaveShrunk();
            }
        } else {
            Integer access = watchedPages.remove(page);
            if (access != null) {
                protection[(int) page] = pageBits(bits | access);
            }
        }
    }

    /**
     * True when the access touches a watched page and the guest may make it (every page it spans
     * allows it, watched or not): the listener hears of it and the caller lets it through.
     */
    private boolean watchedAccess(long address, int bytes, boolean write) {
        int need = write ? WRITE : READ;
        boolean touchesWatched = false;
        for (long p = address >>> PAGE_SHIFT, last = (address + bytes - 1) >>> PAGE_SHIFT; p <= last; p++) {
            Integer access = watchedPages.get(p);
            int allowed = access != null ? access : protection[(int) p];
            touchesWatched |= access != null;
            if ((allowed & need) == 0) {
                return false;
            }
        }
        if (touchesWatched) {
            watchListener.accessed(address, bytes, write);
        }
        return touchesWatched;
    }

    /** Checks that guest code may be fetched from {@code address} (EXEC permission). */
    public void checkExecute(long address) {
        if (address < 0 || address >= size || (protection[(int) (address >>> PAGE_SHIFT)] & EXEC) == 0) {
            if (missFilled(address, GuestMemoryFault.Access.EXECUTE) && (protection[(int) (address >>> PAGE_SHIFT)] & EXEC) != 0) {
                return;
            }
            boolean mapped = address >= 0 && address < size && isMappedPage(address >>> PAGE_SHIFT);
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.EXECUTE, mapped);
        }
    }

    /** Checks a whole buffer for a host call (e.g. read(2) into guest memory). */
    public void checkRange(long address, long length, boolean write) {
        if (length == 0) {
            return;
        }
        // within one page the accessors' own fast test answers (a 16-byte SSE store checks its
        // range before its two halves: cpubench spent ~8% of its CPU thread in the slow check)
        if (length <= PAGE_SIZE && (pageProtection(address, (int) length - 1) & (write ? RAM_WRITE : READ)) != 0) {
            return;
        }
        if (address < 0 || length < 0 || address > size - length) {
            if (farHandler != null && length > 0) {
                return; // far pages fault on the access itself (byte by byte, see read/write below)
            }
            throw new GuestMemoryFault(address, write ? GuestMemoryFault.Access.WRITE : GuestMemoryFault.Access.READ, false);
        }
        for (long p = address >>> PAGE_SHIFT, end = (address + length - 1) >>> PAGE_SHIFT; p <= end; p++) {
            long a = Math.max(address, p << PAGE_SHIFT);
            if (write ? !checkWrite(a, 1, Math.min(address + length, (p + 1) << PAGE_SHIFT) - a) : !checkRead(a, 1)) {
                // bulk copies (host calls, DMA by the runtime) reach RAM only
                throw new GuestMemoryFault(a, write ? GuestMemoryFault.Access.WRITE : GuestMemoryFault.Access.READ, true);
            }
        }
    }

    // ---- accessors ---------------------------------------------------------------------
    // Translated code calls these. Each is a fast path (an access inside one page that the page
    // allows, see pageProtection) under 35 bytes of bytecode, so that C1 inlines it into a block
    // as well as C2 does, and a slow path method for everything else: page-crossing accesses,
    // faults, writes to pages holding translated code, and device pages in system mode.

    public int read8(long address) {
        if ((pageProtection(address, 0) & READ) != 0) {
            return HostLoadStore.get8(space, base, address) & 0xff;
        }
        return read8Slow(address);
    }

    private int read8Slow(long address) {
        long held = heldPage(address, 0, READ);
        if (held != OUTSIDE) {
            return HostLoadStore.get8(space, base, held) & 0xff;
        }
        return read8Unheld(address);
    }

    private int read8Unheld(long address) {
        long folded = inSpace(address, 1);
        if (folded == OUTSIDE) {
            return (int) (beyondRead(address, 1) & 0xff);
        }
        address = folded;
        return (checkRead(address, 1) ? HostLoadStore.get8(space, base, address) : (int) ioRead(address, 1)) & 0xff;
    }

    public int read16(long address) {
        if ((pageProtection(address, 1) & READ) != 0) {
            return HostLoadStore.get16(space, base, address) & 0xffff;
        }
        return read16Slow(address);
    }

    private int read16Slow(long address) {
        long held = heldPage(address, 1, READ);
        if (held != OUTSIDE) {
            return HostLoadStore.get16(space, base, held) & 0xffff;
        }
        return read16Unheld(address);
    }

    private int read16Unheld(long address) {
        long folded = inSpace(address, 2);
        if (folded == OUTSIDE) {
            return (int) (beyondRead(address, 2) & 0xffff);
        }
        address = folded;
        return (checkRead(address, 2) ? HostLoadStore.get16(space, base, address) : (int) ioRead(address, 2)) & 0xffff;
    }

    public int read32(long address) {
        if ((pageProtection(address, 3) & READ) != 0) {
            return HostLoadStore.get32(space, base, address);
        }
        return read32Slow(address);
    }

    private int read32Slow(long address) {
        long held = heldPage(address, 3, READ);
        if (held != OUTSIDE) {
            return HostLoadStore.get32(space, base, held);
        }
        return read32Unheld(address);
    }

    private int read32Unheld(long address) {
        long folded = inSpace(address, 4);
        if (folded == OUTSIDE) {
            return (int) (beyondRead(address, 4));
        }
        address = folded;
        return checkRead(address, 4) ? HostLoadStore.get32(space, base, address) : (int) ioRead(address, 4);
    }

    public long read64(long address) {
        if ((pageProtection(address, 7) & READ) != 0) {
            return HostLoadStore.get64(space, base, address);
        }
        return read64Slow(address);
    }

    private long read64Slow(long address) {
        long held = heldPage(address, 7, READ);
        if (held != OUTSIDE) {
            return HostLoadStore.get64(space, base, held);
        }
        return read64Unheld(address);
    }

    private long read64Unheld(long address) {
        long folded = inSpace(address, 8);
        if (folded == OUTSIDE) {
            return (beyondRead(address, 8));
        }
        address = folded;
        return checkRead(address, 8) ? HostLoadStore.get64(space, base, address) : ioRead(address, 8);
    }

    /**
     * An SSE m128 load into {@code into[index]} (low quadword) and {@code into[index + 1]}: one page
     * test for both halves. Why: two {@link #read64} calls test the page twice and inline twice
     * into a block, and C2 took 70-130 ms for each of glibc's memcpy blocks (8 loads and 5 stores
     * of 16 bytes). A fault on either half leaves {@code into} untouched.
     */
    public void read128(long address, long[] into, int index) {
        if ((pageProtection(address, 15) & READ) != 0) {
            into[index] = HostLoadStore.get64(space, base, address);
            into[index + 1] = HostLoadStore.get64(space, base, address + 8);
            return;
        }
        read128Slow(address, into, index);
    }

    private void read128Slow(long address, long[] into, int index) {
        long low = read64(address);
        long high = read64(address + 8);
        into[index] = low;
        into[index + 1] = high;
    }

    /** An SSE m128 store, one page test for both halves; a fault leaves memory untouched (the range is checked first). */
    public void write128(long address, long low, long high) {
        if ((pageProtection(address, 15) & RAM_WRITE) != 0) {
            HostLoadStore.put64(space, base, address, low);
            HostLoadStore.put64(space, base, address + 8, high);
            return;
        }
        write128Slow(address, low, high);
    }

    private void write128Slow(long address, long low, long high) {
        checkRange(address, 16, true);
        write64(address, low);
        write64(address + 8, high);
    }

    public void write8(long address, int value) {
        if ((pageProtection(address, 0) & RAM_WRITE) != 0) {
            HostLoadStore.put8(space, base, address, value);
            return;
        }
        write8Slow(address, value);
    }

    private void write8Slow(long address, int value) {
        long held = heldPage(address, 0, RAM_WRITE);
        if (held != OUTSIDE) {
            HostLoadStore.put8(space, base, held, value);
            return;
        }
        write8Unheld(address, value);
    }

    private void write8Unheld(long address, int value) {
        long folded = inSpace(address, 1);
        if (folded == OUTSIDE) {
            beyondWrite(address, 1, value & 0xffffffffL);
            return;
        }
        address = folded;
        if (checkWrite(address, 1)) {
            HostLoadStore.put8(space, base, address, value);
        } else {
            ioWrite(address, 1, value & 0xff);
        }
    }

    public void write16(long address, int value) {
        if ((pageProtection(address, 1) & RAM_WRITE) != 0) {
            HostLoadStore.put16(space, base, address, value);
            return;
        }
        write16Slow(address, value);
    }

    private void write16Slow(long address, int value) {
        long held = heldPage(address, 1, RAM_WRITE);
        if (held != OUTSIDE) {
            HostLoadStore.put16(space, base, held, value);
            return;
        }
        write16Unheld(address, value);
    }

    private void write16Unheld(long address, int value) {
        long folded = inSpace(address, 2);
        if (folded == OUTSIDE) {
            beyondWrite(address, 2, value & 0xffffffffL);
            return;
        }
        address = folded;
        if (checkWrite(address, 2)) {
            HostLoadStore.put16(space, base, address, value);
        } else {
            ioWrite(address, 2, value & 0xffff);
        }
    }

    public void write32(long address, int value) {
        if ((pageProtection(address, 3) & RAM_WRITE) != 0) {
            HostLoadStore.put32(space, base, address, value);
            return;
        }
        write32Slow(address, value);
    }

    private void write32Slow(long address, int value) {
        long held = heldPage(address, 3, RAM_WRITE);
        if (held != OUTSIDE) {
            HostLoadStore.put32(space, base, held, value);
            return;
        }
        write32Unheld(address, value);
    }

    private void write32Unheld(long address, int value) {
        long folded = inSpace(address, 4);
        if (folded == OUTSIDE) {
            beyondWrite(address, 4, value & 0xffffffffL);
            return;
        }
        address = folded;
        if (checkWrite(address, 4)) {
            HostLoadStore.put32(space, base, address, value);
        } else {
            ioWrite(address, 4, value & 0xffffffffL);
        }
    }

    public void write64(long address, long value) {
        if ((pageProtection(address, 7) & RAM_WRITE) != 0) {
            HostLoadStore.put64(space, base, address, value);
            return;
        }
        write64Slow(address, value);
    }

    private void write64Slow(long address, long value) {
        long held = heldPage(address, 7, RAM_WRITE);
        if (held != OUTSIDE) {
            HostLoadStore.put64(space, base, held, value);
            return;
        }
        write64Unheld(address, value);
    }

    private void write64Unheld(long address, long value) {
        long folded = inSpace(address, 8);
        if (folded == OUTSIDE) {
            beyondWrite(address, 8, value);
            return;
        }
        address = folded;
        if (checkWrite(address, 8)) {
            HostLoadStore.put64(space, base, address, value);
        } else {
            ioWrite(address, 8, value);
        }
    }

    // ---- bulk fast paths for string instructions ----------------------------------------

    /**
     * Copies {@code length} bytes from {@code source} to {@code target} as one host copy (with
     * memmove's result for overlapping ranges) when each range lies in one page that allows it
     * (readable RAM, writable RAM holding no translated code): true when done; false, with
     * nothing copied, when the caller must copy element by element (faults, code pages, IO,
     * watchpoints, ranges crossing a page).
     */
    public boolean copyWithinPages(long target, long source, int length) {
        if (length <= 0 || length > PAGE_SIZE) {
            return false;
        }
        long s = bulkAddress(source, length - 1, READ);
        long t = bulkAddress(target, length - 1, RAM_WRITE);
        if (s < 0 || t < 0) {
            return false;
        }
        HostLoadStore.copy(space, base, s, t, length);
        return true;
    }

    /**
     * Fills {@code length} bytes at {@code target} with {@code value} as one host fill when the
     * range lies in one page of writable RAM holding no translated code: true when done; false,
     * with nothing written, when the caller must store element by element.
     */
    public boolean fillWithinPage(long target, int length, byte value) {
        if (length <= 0 || length > PAGE_SIZE) {
            return false;
        }
        long t = bulkAddress(target, length - 1, RAM_WRITE);
        if (t < 0) {
            return false;
        }
        HostLoadStore.fill(space, base, t, length, value);
        return true;
    }

    /**
     * Where a bulk access of {@code [address, address + last]} goes in this reservation: the
     * address, or its folded address when a held window has it, if the range lies in one page
     * whose protection has {@code bit} (READ, or RAM_WRITE: writable RAM without translated
     * code); else -1. Source and target are folded each on its own (the kernel's copies to and
     * from user memory have one low and one far address).
     */
    private long bulkAddress(long address, int last, int bit) {
        if ((pageProtection(address, last) & bit) != 0) {
            return address;
        }
        long folded = foldedWithinPage(address, last);
        return folded >= 0 && (protection[(int) (folded >>> PAGE_SHIFT)] & bit) != 0 ? folded : -1;
    }

    /** A far address's folded address when a window holds it and the access stays in its page, else -1 (bulk paths: no claim). */
    private long foldedWithinPage(long address, int last) {
        if (windows == 1 || (address >= 0 && address < size)) {
            return -1;
        }
        long f = foldedAddress(address);
        return f < 0 || (f & PAGE_MASK) + last > PAGE_MASK ? -1 : f;
    }

    // ---- the fast path, for code generators that emit it inline -------------------------
    // A translator whose generated method holds many accesses (a region of blocks) cannot rely
    // on HotSpot inlining read32/write32 into it: C2 stops inlining once a method and its
    // inlined callees pass about 8,000 bytes of bytecode, and each access left as a call spills
    // every guest register held in locals. Such a generator emits the test of read32 itself
    // (pageProtection, then the protection bit) with these values loaded once into locals, loads
    // or stores through hostLoad32/hostStore32 on success, and calls read32/write32 otherwise
    // (they redo the check and take the slow path). The protection array is the live one.

    /** True when the host load/store helpers below may be used (Unsafe access allowed, little-endian host). */
    public static boolean directAccess() {
        return HostLoadStore.direct();
    }

    /**
     * The {@code sun.misc.Unsafe} instance direct accesses go through (null when
     * {@link #directAccess} is false), for emitters whose inline fast paths call it themselves.
     */
    @SuppressWarnings("removal")
    public static sun.misc.Unsafe directAccessUnsafe() {
        return HostLoadStore.unsafe();
    }

    /** Set once some of this space is shared with other processes: their atomic instructions and ours must agree. */
    private volatile CrossProcessLock crossProcessLock;

    /**
     * Called when pages of this space become shared with other processes (MAP_SHARED): from then
     * on the guest's atomic read-modify-write instructions also take {@link CrossProcessLock}.
     */
    public void shareWithOtherProcesses() {
        if (crossProcessLock == null) {
            crossProcessLock = CrossProcessLock.get();
        }
    }

    /** The lock atomic instructions take besides this space's own, or null while nothing is shared. */
    public CrossProcessLock crossProcessLock() {
        return crossProcessLock;
    }

    /** The live page protection table, indexed by guest page number: see {@link #INLINE_READ}. */
    public byte[] protectionTable() {
        return protection;
    }

    /** Host address of guest address 0. */
    public long hostBase() {
        return base;
    }

    /**
     * The fast path's range mask: {@code ((address & rangeMask) + bytes - 1) >>> PAGE_SHIFT == 0}
     * exactly when the access lies inside one page of the guest space.
     */
    public long rangeMask() {
        return rangeMask;
    }

    /**
     * The host address of a two-page window holding {@code [address, address + last]} whose pages
     * both allow an inline fast-path access of protection {@code bit} ({@link #INLINE_READ},
     * {@link #INLINE_WRITE}), else 0: a 64-bit trace's page-cache miss, which caches the window.
     * The window is the access's page and the next one, or the one before when the next does
     * not allow it; an access across two pages is its own window; a page whose neighbours both
     * refuse has none (its accesses take the checked accessors).
     *
     * <p>Why two pages: a loop's stack accesses through one register straddle a page boundary at
     * some call depths ({@code [rsp]} in one page, the return address of a call in the page below),
     * and a one-page cache missed on every such access (qsort's merge: two misses an element).
     *
     * <p>Called rather than inlined ({@code bin/qemu-launcher} tells HotSpot not to inline it):
     * inline, C2 merged a miss's fill with the hit path's access and selected the address with
     * conditional moves, so every access computed the miss's page address, host address and
     * protection index too.
     */
    public long inlineWindowHost(long address, int last, int bit) {
        if ((pageProtection(address, 0) & pageProtection(address + last, 0) & bit) == 0) {
            return 0;
        }
        long page = address & ~(long) PAGE_MASK;
        long lastPage = (address + last) & ~(long) PAGE_MASK;
        if (lastPage != page || (pageProtection(page + PAGE_SIZE, 0) & bit) != 0) {
            return base + page;
        }
        return (pageProtection(page - PAGE_SIZE, 0) & bit) != 0 ? base + page - PAGE_SIZE : 0;
    }

    /** The protection bit a fast-path read tests. */
    public static final int INLINE_READ = READ;
    /** The protection bit a fast-path write tests (writable RAM holding no translated code). */
    public static final int INLINE_WRITE = RAM_WRITE;

    /** Loads at a host address the caller checked (see {@link #directAccess}); 8/16-bit loads zero-extend. */
    public static int hostLoad8(long hostAddress) {
        return HostLoadStore.rawGet8(hostAddress) & 0xff;
    }

    public static int hostLoad16(long hostAddress) {
        return HostLoadStore.rawGet16(hostAddress) & 0xffff;
    }

    public static int hostLoad32(long hostAddress) {
        return HostLoadStore.rawGet32(hostAddress);
    }

    public static long hostLoad64(long hostAddress) {
        return HostLoadStore.rawGet64(hostAddress);
    }

    public static void hostStore64(long hostAddress, long value) {
        HostLoadStore.rawPut64(hostAddress, value);
    }

    public static void hostStore8(long hostAddress, int value) {
        HostLoadStore.rawPut8(hostAddress, value);
    }

    public static void hostStore16(long hostAddress, int value) {
        HostLoadStore.rawPut16(hostAddress, value);
    }

    public static void hostStore32(long hostAddress, int value) {
        HostLoadStore.rawPut32(hostAddress, value);
    }

    // ---- big-endian accessors: the little-endian ones, bytes reversed (one bswap) -------
    // IO values are little-endian by the IoHandler contract, so the reversal is right for both.

    public int read16be(long address) {
        return Integer.reverseBytes(read16(address)) >>> 16;
    }

    public int read32be(long address) {
        return Integer.reverseBytes(read32(address));
    }

    public long read64be(long address) {
        return Long.reverseBytes(read64(address));
    }

    public void write16be(long address, int value) {
        write16(address, Integer.reverseBytes(value) >>> 16);
    }

    public void write32be(long address, int value) {
        write32(address, Integer.reverseBytes(value));
    }

    public void write64be(long address, long value) {
        write64(address, Long.reverseBytes(value));
    }

    // ---- code fetch: checks EXEC, not READ -------------------------------------------

    public int fetch8(long address) {
        FarAccessHandler far = farHandler;
        if (far != null && (address < 0 || address >= size)) {
            return far.fetch8(address);
        }
        checkExecute(address);
        return HostLoadStore.get8(space, base, address) & 0xff;
    }

    // ---- bulk ------------------------------------------------------------------------

    /** Copies guest bytes out, checking READ on every page. */
    public void read(long address, byte[] dst, int offset, int length) {
        FarAccessHandler far = farHandler;
        if (far != null && (address < 0 || address > size - length)) {
            for (int i = 0; i < length; i++) {
                dst[offset + i] = (byte) far.read(address + i, 1);
            }
            return;
        }
        checkRange(address, length, false);
        MemorySegment.copy(space, address, MemorySegment.ofArray(dst), offset, length);
    }

    /** Copies bytes into the guest, checking WRITE on every page (and dropping stale translations). */
    public void write(long address, byte[] src, int offset, int length) {
        FarAccessHandler far = farHandler;
        if (far != null && (address < 0 || address > size - length)) {
            for (int i = 0; i < length; i++) {
                far.write(address + i, 1, src[offset + i] & 0xff);
            }
            return;
        }
        checkRange(address, length, true);
        // segment to segment: the array forms of MemorySegment.copy link a type switch (an
        // invokedynamic call site, ~2 ms in HotSpot's interpreter) at their first use, at start-up
        MemorySegment.copy(MemorySegment.ofArray(src), offset, space, address, length);
    }

    /** Loader access: writes regardless of guest protection (ELF segments into read-only pages). */
    public void load(long address, byte[] src, int offset, int length) {
        if (!isMapped(address, length)) {
            throw new GuestMemoryFault(address, GuestMemoryFault.Access.WRITE, false);
        }
        MemorySegment.copy(MemorySegment.ofArray(src), offset, space, address, length);
    }

    /** Reads a NUL-terminated string of at most {@code max} bytes (UTF-8, as Linux passes bytes through). */
    public String readCString(long address, int max) {
        byte[] bytes = readCStringBytes(address, max);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** The bytes of a NUL-terminated string, without the NUL. */
    public byte[] readCStringBytes(long address, int max) {
        int n = 0;
        while (n < max && read8(address + n) != 0) {
            n++;
        }
        byte[] out = new byte[n];
        MemorySegment.copy(space, address, MemorySegment.ofArray(out), 0, n);
        return out;
    }

    @Override
    public void close() {
        HostMemory.release(space);
    }

    /** System mode: the devices behind {@link #mapIo} pages (values are little-endian, {@code size} bytes). */
    public interface IoHandler {
        long read(long address, int size);

        void write(long address, int size, long value);
    }

    /** System mode: the linear addresses beyond a 64-bit CPU's space (see {@link #setFarAccessHandler}). */
    public interface FarAccessHandler extends IoHandler {
        /** An instruction byte (execute rights checked). */
        int fetch8(long address);

        /** Translated code now comes from the far page {@code page}: writes to it must reach the code-write listener. */
        void codeTranslated(long page);

        /**
         * No window holds {@code address}'s slice: true once one does (the handler assigned one
         * with {@link GuestMemory#assignWindow}), false to leave the access to this handler.
         */
        default boolean windowMissed(long address) {
            return false;
        }
    }

    /** System mode: fills a page on a miss (see {@link #setPageMissHandler}). */
    @FunctionalInterface
    public interface PageMissHandler {
        /** True when the page now allows the access; false leaves the miss a fault; may throw the guest's own fault. */
        boolean pageMissed(long address, GuestMemoryFault.Access access);

        /** See {@link GuestMemory#parkedCodeWanted}; by default nothing is parked. */
        default void parkedCodeWanted(long address) {
        }
    }

    /** Told when a guest write lands on a page holding translated code. */
    @FunctionalInterface
    public interface CodeWriteListener {
        void codeWritten(long page);
    }

    /** Asked first when a guest write lands on a page holding translated code (system mode). */
    @FunctionalInterface
    public interface CodeRangeWriteListener {
        /**
         * {@code [address, address+length)} of {@code page} (addresses of this space) is about to
         * be written: true when only the translations overlapping it were dropped and others on
         * the page stay (the page keeps its CODE mark); false lets the whole page's code die.
         */
        boolean codeRangeWritten(long page, long address, int length);
    }

    /**
     * Asked around each CPU store that reaches a page holding translated code (not DMA): a store
     * that kills the block running it must not let that block go on with its old decoding of
     * the bytes it wrote (self-modifying code). QEMU ends the translation block there; here the
     * guard throws before the store, the block's fault path leaves the guest state at the
     * storing instruction, and the CPU runs that instruction alone.
     */
    public interface CodeStoreGuard {
        /** Before the store's invalidation: a token for {@link #codeInvalidated}. */
        long beforeCodeStore();

        /** After the invalidation, before the bytes are written: may throw to stop the store. */
        void codeInvalidated(long token);
    }

    /**
     * System mode: a TLB flush took a code page's mapping away. Its blocks leave the lookup (and
     * no chained exit enters them) but are kept, with their compiled classes, to be given back when
     * the same linear page maps the same physical page again with the same bytes (the MMU checks
     * the mapping; writes to that physical page kill parked blocks as they kill live ones). Why:
     * every busybox process maps the same page-cache pages of its text at the same addresses, and
     * each exit and exec used to throw away and translate again the same code.
     */
    public interface CodeParking {
        /** The blocks of {@code page} (a guest linear page) are parked; blocks reaching into another page die. */
        void park(long page);

        /** The parked blocks of {@code page} are live again. */
        void revive(long page);
    }

    /** Drops the translated blocks of a linear page whose bytes overlap a written range. */
    @FunctionalInterface
    public interface CodeRangeInvalidator {
        /** True when blocks not overlapping {@code [start, end)} stay on {@code page}. */
        boolean invalidateRange(long page, long start, long end);
    }
}
