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
    /** Monitor commands that need the CPUs still for a moment ({@link #whileStopped}). */
    private int holds;
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
            awaitParkedCpus(kickCpus);
        }
        emit(MachineEvent.stop());
        return true;
    }

    private void awaitParkedCpus(Runnable kickCpus) {
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

    /**
     * Runs {@code action} while every CPU waits at the gate, then lets them go on as they were: a
     * monitor reading a running CPU's state. A KVM vCPU's registers cannot even be read while it
     * is inside KVM_RUN (the ioctl waits for its exit, which a guest spinning without exits never
     * makes), and a TCG CPU's would be read mid-block. No STOP/RESUME events: the machine's run
     * state does not change, as with QEMU's {@code info registers}.
     */
    public <T> T whileStopped(Runnable kickCpus, java.util.function.Supplier<T> action) {
        synchronized (lock) {
            if (ended) {
                return action.get();
            }
            holds++;
            pauseRequested = true;
        }
        try {
            kickCpus.run();
            awaitParkedCpus(kickCpus);
            return action.get();
        } finally {
            synchronized (lock) {
                holds--;
                pauseRequested = !ended && (paused || holds > 0);
                lock.notifyAll();
            }
        }
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
            pauseRequested = holds > 0;
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
