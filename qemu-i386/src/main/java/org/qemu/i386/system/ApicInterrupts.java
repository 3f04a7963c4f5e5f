package org.qemu.i386.system;

import org.qemu.common.hw.intc.DualPic;
import org.qemu.common.hw.intc.LocalApic;

/**
 * A CPU's INTR as its local APIC presents it: vectors accepted by the APIC first (fixed IPIs, the
 * I/O APIC, the APIC timer), then the 8259 pair's, which reach the CPU only through LINT0 in
 * ExtINT mode (the boot CPU's at reset, as QEMU sets it).
 */
record ApicInterrupts(LocalApic apic, DualPic pic) implements InterruptSource {
    @Override
    public boolean interruptPending() {
        return apic.interruptPending() || (apic.acceptsExternalInterrupts() && pic.interruptPending());
    }

    @Override
    public int acknowledge() {
        if (!apic.interruptPending() && apic.acceptsExternalInterrupts() && pic.interruptPending()) {
            return pic.acknowledge();
        }
        return apic.acknowledge();
    }
}
