package org.qemu.common.exec;

/**
 * One guest CPU (one guest thread in user mode) as its runner sees it. Targets implement it
 * over their state class and translation cache; the Linux runtime and the machines drive it.
 */
public interface GuestCpu {
    /** Runs guest code from the current pc until something the runner must handle. */
    CpuExit run();

    /** The exception behind the last {@link CpuExit#TRAP}. */
    GuestTrap lastTrap();

    /** Thread-safe: makes {@link #run()} return {@link CpuExit#EXIT_REQUEST} soon (at the next block boundary). */
    void requestExit();

    long programCounter();

    void setProgramCounter(long pc);
}
