package org.qemu.common.memory;

/**
 * A guest access to an address its page protections forbid. The CPU loop turns it into
 * SIGSEGV for the guest (user mode) or a page fault (system mode); it never reaches the user.
 */
public final class GuestMemoryFault extends RuntimeException {
    public enum Access { READ, WRITE, EXECUTE }

    private final long address;
    private final Access access;
    private final boolean mapped;

    public GuestMemoryFault(long address, Access access, boolean mapped) {
        super(null, null, false, false); // no stack trace: faults are control flow for the guest
        this.address = address;
        this.access = access;
        this.mapped = mapped;
    }

    /** The first guest address that could not be accessed. */
    public long address() {
        return address;
    }

    public Access access() {
        return access;
    }

    /** True when the page exists but forbids this access (SEGV_ACCERR), false when nothing is mapped (SEGV_MAPERR). */
    public boolean mapped() {
        return mapped;
    }

    @Override
    public String getMessage() {
        return "guest " + access.name().toLowerCase() + " fault at 0x" + Long.toHexString(address)
                + (mapped ? " (protection)" : " (unmapped)");
    }
}
