package org.qemu.common.gdbstub;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * All-stop execution control, called by every CPU before each instruction: holds guest
 * threads while the debugger looks at them, and stops them again at a breakpoint, after a
 * single step, or when the debugger interrupts. Each resume starts a new generation; a CPU's
 * first instruction in a generation never stops it, so resuming from a breakpoint (or a
 * step) moves past the instruction it stopped at.
 */
public final class ExecutionGate implements InstructionHook {
    /** GDB's signal numbers for the stops we report. */
    public static final int SIGINT = 2;
    public static final int SIGTRAP = 5;

    /**
     * Why the guest stopped: the CPU that stopped first (null if none ran), the signal, and for a
     * watchpoint its stop-reply field ({@code watch:ADDR}, null otherwise).
     */
    public record StopEvent(Object cpu, int signal, String watch) {
        public StopEvent(Object cpu, int signal) {
            this(cpu, signal, null);
        }
    }

    private final Object lock = new Object();
    private final Set<Long> breakpoints = ConcurrentHashMap.newKeySet();
    private final Map<Object, Long> cpuGeneration = new IdentityHashMap<>();
    private long generation;
    private boolean stopped;
    private boolean stopRequested;
    private int requestedSignal = SIGTRAP;
    private StopEvent lastStop;
    private Object steppingCpu;
    private boolean othersRun = true;
    private volatile boolean released;
    private Consumer<StopEvent> stopListener = e -> { };
    /** Watchpoint hits waiting for their thread's next instruction (the access itself completes first). */
    private final Map<Thread, String> watchHits = new ConcurrentHashMap<>();
    private volatile Watchpoints watchpoints;

    /** A gate that holds every CPU before its first instruction ({@code -g}, {@code -S}) or lets them run. */
    public ExecutionGate(boolean startStopped) {
        if (startStopped) {
            stopped = true;
            lastStop = new StopEvent(null, SIGTRAP);
        }
    }

    /** Told (on the stopping guest thread) each time the guest comes to a stop. */
    public void setStopListener(Consumer<StopEvent> listener) {
        synchronized (lock) {
            this.stopListener = listener;
        }
    }

    /** The watchpoints of this gate's target, or null when its memory cannot be watched (KVM). */
    public Watchpoints watchpoints() {
        return watchpoints;
    }

    public void setWatchpoints(Watchpoints watchpoints) {
        this.watchpoints = watchpoints;
    }

    /** A watched access by the calling guest thread: it stops before its next instruction. */
    void watchHit(String replyField) {
        if (!released) {
            watchHits.putIfAbsent(Thread.currentThread(), replyField);
        }
    }

    public void addBreakpoint(long address) {
        breakpoints.add(address);
    }

    public void removeBreakpoint(long address) {
        breakpoints.remove(address);
    }

    @Override
    public void beforeInstruction(Object cpu, long pc) {
        if (released) {
            return;
        }
        synchronized (lock) {
            while (true) {
                Long seen = cpuGeneration.put(cpu, generation);
                boolean first = seen == null || seen != generation;
                if (!stopped) {
                    boolean mayRun = othersRun || steppingCpu == null || steppingCpu == cpu;
                    int signal = 0;
                    String watch = watchHits.isEmpty() ? null : watchHits.remove(Thread.currentThread());
                    if (watch != null) {
                        stopAll(new StopEvent(cpu, SIGTRAP, watch));
                        signal = -1;
                    } else if (stopRequested) {
                        signal = requestedSignal;
                    } else if (!first && cpu == steppingCpu) {
                        signal = SIGTRAP;
                    } else if (!first && breakpoints.contains(pc)) {
                        signal = SIGTRAP;
                    }
                    if (signal > 0) {
                        stopAll(new StopEvent(cpu, signal));
                    } else if (signal == 0 && mayRun) {
                        return;
                    }
                }
                long waitingFor = generation;
                while (generation == waitingFor && !released) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (released) {
                    return;
                }
            }
        }
    }

    /**
     * A guest thread is about to receive a synchronous signal (a fault at its pc): the guest
     * stops with that signal so the debugger sees the faulting instruction, and the thread
     * waits here until resumed (the signal is then delivered as usual).
     */
    public void reportSignal(Object cpu, int signal) {
        if (released) {
            return;
        }
        synchronized (lock) {
            if (!stopped) {
                stopAll(new StopEvent(cpu, signal));
            }
            long waitingFor = generation;
            while (generation == waitingFor && !released) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void stopAll(StopEvent event) {
        stopped = true;
        stopRequested = false;
        lastStop = event;
        stopListener.accept(event);
    }

    /** Asks every CPU to stop at its next instruction (Ctrl-C, a new connection). */
    public void requestStop(int signal) {
        synchronized (lock) {
            if (!stopped) {
                stopRequested = true;
                requestedSignal = signal;
            }
        }
    }

    /**
     * Declares the guest stopped although no CPU reached an instruction (all are halted or
     * blocked in system calls); they stay held when they come back.
     */
    public void forceStop(int signal) {
        synchronized (lock) {
            if (!stopped) {
                stopAll(new StopEvent(null, signal));
            }
        }
    }

    public boolean isStopped() {
        synchronized (lock) {
            return stopped;
        }
    }

    /** The stop the guest is in (null while it runs). */
    public StopEvent currentStop() {
        synchronized (lock) {
            return stopped ? lastStop : null;
        }
    }

    /**
     * Resumes the guest: {@code stepCpu} (null: none) runs one instruction and stops; the other
     * CPUs run too when {@code othersRun}, otherwise they stay held.
     */
    public void resume(Object stepCpu, boolean othersRun) {
        synchronized (lock) {
            this.steppingCpu = stepCpu;
            this.othersRun = othersRun || stepCpu == null;
            stopped = false;
            stopRequested = false;
            generation++;
            lock.notifyAll();
        }
    }

    /** The debugger went away: drop the breakpoints and let every CPU run freely from now on. */
    public void release() {
        Watchpoints w = watchpoints;
        if (w != null) {
            w.clear();
        }
        watchHits.clear();
        synchronized (lock) {
            breakpoints.clear();
            released = true;
            stopped = false;
            generation++;
            lock.notifyAll();
        }
    }

    /** A new debugger connected: the gate holds CPUs again (after {@link #release()}). */
    public void engage() {
        synchronized (lock) {
            released = false;
        }
    }
}
