package org.qemu.common.tcg;

/**
 * A straight run of guest code translated as a unit: it starts at {@link #pc}, ends at a branch,
 * a page end or an instruction count limit, and is looked up by (pc, mode flags).
 *
 * <p>Chaining: each block remembers the blocks that followed it last time (one slot per exit
 * kind), so a hot loop goes from block to block without a cache lookup. A block that dies
 * (its code was overwritten or unmapped) is marked invalid; a link is only followed after
 * checking the target is still valid, so dead blocks are never entered through old links.
 */
public abstract class TranslationBlock {
    public final long pc;
    public final int flags;
    /** First and last guest page the block's instruction bytes touch. */
    public final long firstPage;
    public final long lastPage;
    private volatile boolean valid = true;
    /** Plain int: a lost update between threads only delays compilation a little. */
    private int executions;

    /**
     * Successor links, by exit slot (e.g. 0 = branch taken or only exit, 1 = fall through). Two
     * fields, not an array: the run loop follows them at every block run of the interpreted tier,
     * and an array was one more object to load (a cache miss of its own in a program with tens of
     * thousands of blocks, as python3 -c pass).
     */
    private TranslationBlock successor0, successor1;

    protected TranslationBlock(long pc, int flags, long firstPage, long lastPage) {
        this.pc = pc;
        this.flags = flags;
        this.firstPage = firstPage;
        this.lastPage = lastPage;
    }

    public boolean isValid() {
        return valid;
    }

    /**
     * True when the block's code may use guest bytes in {@code [start, end)} (a write there must
     * kill it). This answers for the whole of its pages; a block that knows its instructions'
     * addresses answers more closely.
     */
    public boolean overlaps(long start, long end) {
        return true;
    }

    /** Marks the block dead; links to it are dropped lazily when next followed. */
    public void invalidate() {
        valid = false;
        successor0 = null;
        successor1 = null;
    }

    /**
     * A block parked while its page was unmapped ({@link TranslationCache#park}) lives again: its
     * page maps the same physical page with the same bytes. Its links were dropped when it was
     * parked and form again as it runs.
     */
    public void revive() {
        valid = true;
    }

    /** Counts an execution; returns the new count (used to decide when to compile a block). */
    public int countExecution() {
        return ++executions;
    }

    /** How often the block has run in the run loop (not counting runs inside compiled regions). */
    public int executions() {
        return executions;
    }

    /** The successor remembered in exit slot {@code slot} (0 or 1), or null; it may be dead. */
    public TranslationBlock successorInSlot(int slot) {
        return switch (slot) {
            case 0 -> successor0;
            case 1 -> successor1;
            default -> throw new ArrayIndexOutOfBoundsException(slot);
        };
    }

    /** The remembered successor starting at {@code nextPc}, or null. */
    public TranslationBlock successor(long nextPc, int nextFlags) {
        TranslationBlock s = successor0;
        if (s != null && s.pc == nextPc && s.flags == nextFlags) {
            if (s.valid) {
                return s;
            }
            successor0 = null;
        }
        s = successor1;
        if (s != null && s.pc == nextPc && s.flags == nextFlags) {
            if (s.valid) {
                return s;
            }
            successor1 = null;
        }
        return null;
    }

    /** Remembers {@code next} as a successor, replacing the older link when both slots are used. */
    public void link(TranslationBlock next) {
        if (!valid) {
            return;
        }
        if (successor0 == null) {
            successor0 = next;
        } else if (successor1 == null) {
            successor1 = next;
        } else {
            successor1 = successor0;
            successor0 = next;
        }
    }
}
