package org.qemu.i386.system;

/** Where a CPU's maskable interrupts come from (the 8259 pair through LINT0 on the boot CPU). */
public interface InterruptSource {
    /** True while an interrupt request is pending on the CPU's INTR input. */
    boolean interruptPending();

    /** The interrupt acknowledge cycle: the vector to take. */
    int acknowledge();

    InterruptSource NONE = new InterruptSource() {
        @Override
        public boolean interruptPending() {
            return false;
        }

        @Override
        public int acknowledge() {
            return 0xff;
        }
    };
}
