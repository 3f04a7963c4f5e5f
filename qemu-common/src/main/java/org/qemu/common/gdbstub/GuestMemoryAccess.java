package org.qemu.common.gdbstub;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.memory.GuestMemory;

/**
 * The debugger's view of a {@link GuestMemory}: reads and writes mapped memory whatever its
 * protection (GDB reads code and plants data in read-only pages), and drops translations of
 * code it changes.
 */
final class GuestMemoryAccess {
    private GuestMemoryAccess() {
    }

    static byte[] read(GuestMemory memory, long address, int length) {
        check(memory, address, length);
        byte[] out = new byte[length];
        MemorySegment.copy(memory.segment(), ValueLayout.JAVA_BYTE, address, out, 0, length);
        return out;
    }

    static void write(GuestMemory memory, long address, byte[] data) {
        check(memory, address, data.length);
        memory.load(address, data, 0, data.length);
        memory.externalWrite(address, data.length);
    }

    private static void check(GuestMemory memory, long address, int length) {
        if (address < 0 || length < 0 || address > memory.size() - length || !memory.isMapped(address, Math.max(length, 1))) {
            throw new IllegalArgumentException("not mapped: 0x" + Long.toHexString(address));
        }
    }
}
