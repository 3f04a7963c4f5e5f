package org.qemu.kvm.vmm;

import org.qemu.common.hw.InterruptLine;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmVm;

/**
 * Interrupt lines of the in-kernel PIC/IOAPIC: each device line becomes KVM_IRQ_LINE on its GSI.
 * The board is built before the VM exists (so bad input fails before touching KVM); lines
 * become live once {@link #connect} is called.
 */
final class KvmInterruptRouter {
    private volatile KvmVm vm;
    private volatile boolean reported;

    void connect(KvmVm vm) {
        this.vm = vm;
    }

    InterruptLine line(int gsi) {
        return asserted -> {
            KvmVm target = vm;
            if (target == null) {
                return;
            }
            try {
                target.irqLine(gsi, asserted);
            } catch (ErrnoException e) {
                // Devices also raise lines from the console thread, where an exception would only kill
                // that thread: report once and let the guest notice the lost interrupt.
                if (!reported) {
                    reported = true;
                    System.err.println("qemu-kvm: KVM_IRQ_LINE " + gsi + ": " + e.reason());
                }
            }
        };
    }
}
