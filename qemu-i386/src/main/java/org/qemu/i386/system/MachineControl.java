package org.qemu.i386.system;

/** What a CPU tells the machine it belongs to. */
public interface MachineControl {
    /** True once the machine has decided how it ends; CPUs stop. */
    boolean finished();

    /** The reset line: the i8042, a triple fault. */
    void guestReset(String why);

    /** The machine cannot go on: prints {@code report} and ends with status 1. */
    void fatal(String report);

    /** Between blocks and while halted: a CPU waits here while a monitor has the machine paused. */
    default void pausePoint() {
    }

    /** The -d log, or null when nothing is logged. */
    default org.qemu.common.log.GuestLog log() {
        return null;
    }
}
