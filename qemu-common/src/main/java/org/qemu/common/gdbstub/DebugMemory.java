package org.qemu.common.gdbstub;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.memory.GuestMemory;

/** A machine's guest-physical memory as the debugger reads and writes it. */
public interface DebugMemory {
    /** Throws {@link IllegalArgumentException} where nothing is mapped. */
    byte[] read(long address, int length);

    void write(long address, byte[] data);

    /** The memory every guest access of the CPUs goes through (for watchpoints), or null. */
    default GuestMemory watchable() {
        return null;
    }

    /** TCG memory: mapped pages whatever their protection; writes drop translations of that code. */
    static DebugMemory of(GuestMemory memory) {
        return new DebugMemory() {
            @Override
            public byte[] read(long address, int length) {
                return GuestMemoryAccess.read(memory, address, length);
            }

            @Override
            public void write(long address, byte[] data) {
                GuestMemoryAccess.write(memory, address, data);
            }

            @Override
            public GuestMemory watchable() {
                return memory;
            }
        };
    }

    /** RAM from guest-physical 0 (KVM's memory slot 0): the hardware sees writes directly. */
    static DebugMemory ofRam(MemorySegment ram) {
        return new DebugMemory() {
            @Override
            public byte[] read(long address, int length) {
                check(address, length);
                byte[] out = new byte[length];
                MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, address, out, 0, length);
                return out;
            }

            @Override
            public void write(long address, byte[] data) {
                check(address, data.length);
                MemorySegment.copy(data, 0, ram, ValueLayout.JAVA_BYTE, address, data.length);
            }

            private void check(long address, int length) {
                if (address < 0 || length < 0 || address > ram.byteSize() - length) {
                    throw new IllegalArgumentException("outside RAM: 0x" + Long.toHexString(address));
                }
            }
        };
    }
}
