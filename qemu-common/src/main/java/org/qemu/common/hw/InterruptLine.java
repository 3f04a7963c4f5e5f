package org.qemu.common.hw;

/**
 * One interrupt input of the board's interrupt controller, as a device sees it. Under KVM it
 * becomes KVM_IRQ_LINE on the in-kernel PIC/IOAPIC; an emulated PC drives its own PIC with it.
 */
@FunctionalInterface
public interface InterruptLine {
    /** Sets the line level: true is asserted. */
    void set(boolean asserted);

    /** An edge: assert then deassert, for edge-triggered ISA inputs. */
    default void pulse() {
        set(true);
        set(false);
    }

    InterruptLine NONE = asserted -> { };
}
