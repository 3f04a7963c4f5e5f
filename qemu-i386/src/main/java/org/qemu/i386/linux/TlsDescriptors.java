package org.qemu.i386.linux;

import org.qemu.common.linux.Errno;
import org.qemu.common.linux.GuestData;
import org.qemu.i386.cpu.SegmentResolver;

/**
 * The three per-thread GDT entries Linux gives i386 user space for TLS (entries 6 to 8,
 * selectors 0x33, 0x3b, 0x43), filled by set_thread_area from a {@code struct user_desc}:
 * {u32 entry_number; u32 base_addr; u32 limit; u32 flags} with flag bits seg_32bit,
 * contents(2), read_exec_only, limit_in_pages, seg_not_present, useable.
 */
final class TlsDescriptors implements SegmentResolver {
    static final int FIRST = 6;
    static final int COUNT = 3;
    private static final int USER_CS = 0x23;
    private static final int USER_DS = 0x2b;

    private final long[] base = new long[COUNT];
    private final long[] limit = new long[COUNT];
    private final int[] flags = new int[COUNT];
    private final boolean[] present = new boolean[COUNT];

    TlsDescriptors copy() {
        TlsDescriptors c = new TlsDescriptors();
        System.arraycopy(base, 0, c.base, 0, COUNT);
        System.arraycopy(limit, 0, c.limit, 0, COUNT);
        System.arraycopy(flags, 0, c.flags, 0, COUNT);
        System.arraycopy(present, 0, c.present, 0, COUNT);
        return c;
    }

    @Override
    public long baseOf(int selector) {
        int index = selector >>> 3;
        if ((selector & 4) != 0) {
            return -1; // no LDT
        }
        if (index == 0 || (selector & ~3) == (USER_CS & ~3) || (selector & ~3) == (USER_DS & ~3)) {
            return 0;
        }
        int i = index - FIRST;
        if (i >= 0 && i < COUNT && present[i]) {
            return base[i];
        }
        return -1;
    }

    /** set_thread_area: returns 0 or -errno; writes an allocated entry number back. */
    long set(GuestData d, long userDesc) {
        int entry = d.s32(userDesc);
        long baseAddr = d.u32(userDesc + 4);
        long lim = d.u32(userDesc + 8);
        int f = d.s32(userDesc + 12);
        if (entry == -1) {
            for (int i = 0; i < COUNT; i++) {
                if (!present[i]) {
                    entry = FIRST + i;
                    break;
                }
            }
            if (entry == -1) {
                return -3; // ESRCH: no free TLS entry
            }
            d.put32(userDesc, entry);
        }
        int i = entry - FIRST;
        if (i < 0 || i >= COUNT) {
            return -Errno.EINVAL;
        }
        boolean readExecOnly = (f & 8) != 0;
        boolean notPresent = (f & 32) != 0;
        boolean empty = baseAddr == 0 && lim == 0 && readExecOnly && notPresent;
        base[i] = baseAddr;
        limit[i] = lim;
        flags[i] = f;
        present[i] = !empty && !notPresent;
        return 0;
    }

    long get(GuestData d, long userDesc) {
        int entry = d.s32(userDesc);
        int i = entry - FIRST;
        if (i < 0 || i >= COUNT) {
            return -Errno.EINVAL;
        }
        d.put32(userDesc + 4, (int) base[i]);
        d.put32(userDesc + 8, (int) limit[i]);
        d.put32(userDesc + 12, present[i] ? flags[i] : (8 | 32));
        return 0;
    }

    void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
        for (int i = 0; i < COUNT; i++) {
            out.writeLong(base[i]);
            out.writeLong(limit[i]);
            out.writeInt(flags[i]);
            out.writeBoolean(present[i]);
        }
    }

    void readFrom(java.io.DataInputStream in) throws java.io.IOException {
        for (int i = 0; i < COUNT; i++) {
            base[i] = in.readLong();
            limit[i] = in.readLong();
            flags[i] = in.readInt();
            present[i] = in.readBoolean();
        }
    }
}
