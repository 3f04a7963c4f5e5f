package org.qemu.i386.system;

import org.qemu.common.hw.MmioBus;
import org.qemu.common.memory.GuestMemory;

/** Physical addresses outside RAM: the CPU's loads and stores there go to the board's MMIO bus. */
final class MmioBridge implements GuestMemory.IoHandler {
    private final MmioBus bus;
    private final long[] value = new long[1];

    MmioBridge(MmioBus bus) {
        this.bus = bus;
    }

    @Override
    public synchronized long read(long address, int size) {
        bus.read(address, size, value);
        return value[0];
    }

    @Override
    public void write(long address, int size, long v) {
        bus.write(address, size, v);
    }
}
