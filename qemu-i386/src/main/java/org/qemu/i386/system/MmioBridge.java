package org.qemu.i386.system;

import org.qemu.common.hw.MmioBus;
import org.qemu.common.hw.intc.LocalApic;
import org.qemu.common.memory.GuestMemory;

/**
 * Physical addresses outside RAM: the CPU's loads and stores there go to the board's MMIO bus,
 * except the local APIC page, which every CPU sees as its own APIC (each vCPU thread binds it).
 */
final class MmioBridge implements GuestMemory.IoHandler {
    private final MmioBus bus;
    private final ThreadLocal<LocalApic> currentApic = new ThreadLocal<>();
    private final ThreadLocal<long[]> value = ThreadLocal.withInitial(() -> new long[1]);

    MmioBridge(MmioBus bus) {
        this.bus = bus;
    }

    /** The calling vCPU thread's own local APIC. */
    void bindCurrentThread(LocalApic apic) {
        currentApic.set(apic);
    }

    private LocalApic apicAt(long address) {
        if (address - LocalApic.DEFAULT_BASE >= 0 && address - LocalApic.DEFAULT_BASE < LocalApic.SIZE) {
            return currentApic.get();
        }
        return null;
    }

    @Override
    public long read(long address, int size) {
        LocalApic apic = apicAt(address);
        if (apic != null) {
            return apic.read(address - LocalApic.DEFAULT_BASE, size);
        }
        long[] v = value.get();
        bus.read(address, size, v);
        return v[0];
    }

    @Override
    public void write(long address, int size, long v) {
        LocalApic apic = apicAt(address);
        if (apic != null) {
            apic.write(address - LocalApic.DEFAULT_BASE, size, v);
            return;
        }
        bus.write(address, size, v);
    }
}
