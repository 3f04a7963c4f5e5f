package org.qemu.common.board;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The run state one machine shares between its CPU threads and its monitors: a pause gate CPUs
 * pass between blocks (or KVM exits), the status QMP reports, and the listeners events go to.
 * A monitor's {@link #pause} returns only once every CPU thread has reached the gate (or has
 * left the machine), so a register dump after {@code stop} shows a CPU that is not moving.
 */
public final class RunControl {
    private final Object lock = new Object();
    private final List<Consumer<MachineEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean pauseRequested;
    private boolean paused;
    /** -S: paused before the first instruction, until a monitor's cont (QEMU's "prelaunch"). */
    private boolean prelaunch;
    private boolean ended;
    private int activeCpus;
    private int parkedCpus;

    /** A CPU thread begins running guest code. */
    public void cpuStarted() {
        synchronized (lock) {
            activeCpus++;
        }
    }

    /** A CPU thread leaves for good (the machine ended or the CPU failed). */
    public void cpuStopped() {
        synchronized (lock) {
            activeCpus--;
            lock.notifyAll();
        }
    }

    /** Cheap enough for every block boundary: one volatile read. */
    public boolean pauseRequested() {
        return pauseRequested;
    }

    /** Called by a CPU thread at a boundary: waits here while the machine is paused. */
    public void parkIfPaused() {
        parkIfPaused(() -> false);
    }

    /** As {@link #parkIfPaused()}, but leaves the gate as soon as {@code leave} holds (the CPU is being torn down). */
    public void parkIfPaused(java.util.function.BooleanSupplier leave) {
        if (!pauseRequested) {
            return;
        }
        synchronized (lock) {
            parkedCpus++;
            lock.notifyAll();
            try {
                while (pauseRequested && !ended && !leave.getAsBoolean()) {
                    lock.wait(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                parkedCpus--;
            }
        }
    }

    /**
     * Stops the CPUs: {@code kickCpus} makes each leave translated code (or the kernel) soon.
     * Returns false if the machine was already paused or has ended (no STOP event then).
     */
    public boolean pause(Runnable kickCpus) {
        return pause(kickCpus, true);
    }

    /**
     * As {@link #pause(Runnable)}; with {@code waitForCpus} false it returns at once and CPUs stop
     * when they next pass the gate (KVM: a vCPU inside KVM_RUN passes it at its next exit).
     */
    public boolean pause(Runnable kickCpus, boolean waitForCpus) {
        synchronized (lock) {
            if (paused || ended) {
                return false;
            }
            pauseRequested = true;
            paused = true;
        }
        kickCpus.run();
        if (waitForCpus) {
            synchronized (lock) {
                try {
                    while (parkedCpus < activeCpus && !ended) {
                        lock.wait(20);
                        if (parkedCpus < activeCpus) {
                            kickCpus.run();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        emit(MachineEvent.stop());
        return true;
    }

    /** -S: the CPUs park at their first boundary until {@link #resume()}; no STOP event, as in QEMU. */
    public void startPaused() {
        synchronized (lock) {
            pauseRequested = true;
            paused = true;
            prelaunch = true;
        }
    }

    /** Lets the CPUs go on; false if the machine was not paused. */
    public boolean resume() {
        synchronized (lock) {
            if (!paused || ended) {
                return false;
            }
            paused = false;
            prelaunch = false;
            pauseRequested = false;
            lock.notifyAll();
        }
        emit(MachineEvent.resume());
        return true;
    }

    /** The machine has decided how it ends: CPUs leave the gate, monitors hear {@code event} (may be null). */
    public void end(MachineEvent event) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            pauseRequested = false;
            lock.notifyAll();
        }
        if (event != null) {
            emit(event);
        }
    }

    public String status() {
        synchronized (lock) {
            return ended ? "shutdown" : prelaunch ? "prelaunch" : paused ? "paused" : "running";
        }
    }

    public boolean paused() {
        synchronized (lock) {
            return paused && !ended;
        }
    }

    public void addListener(Consumer<MachineEvent> listener) {
        listeners.add(listener);
    }

    public void emit(MachineEvent event) {
        for (Consumer<MachineEvent> l : listeners) {
            l.accept(event);
        }
    }
}
