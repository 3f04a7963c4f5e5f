package org.qemu.common.linux;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.qemu.common.exec.GuestCpu;
import org.qemu.common.linux.signal.SignalState;
import org.qemu.common.linux.syscall.Futexes;
import org.qemu.common.linux.syscall.SyscallDispatcher;
import org.qemu.common.memory.GuestMemory;

/**
 * One emulated Linux process: its address space, signal dispositions, futexes, threads
 * and system call dispatcher. Guest file descriptors are the host process's own.
 */
public final class LinuxProcess {
    private final LinuxAbi abi;
    private final GuestMemory memory;
    private final AddressSpace space;
    private final GuestData data;
    private final GuestPaths paths;
    private final SignalState signals = new SignalState();
    private final Futexes futexes;
    private final SyscallDispatcher syscalls;
    private final Map<Integer, LinuxThread> threads = new ConcurrentHashMap<>();
    private final int pid;
    private final RuntimeOptions options;
    private final Object signalMonitor = new Object();
    private volatile ProcessExit exiting;
    private volatile LinuxThread mainThread;

    /** What the launcher decides about a process. */
    public record RuntimeOptions(boolean strace, String unameRelease, PrintStream log,
                                 EmulatorCommand emulator, Consumer<ProcessExit> terminator) {
    }

    /**
     * Sets up, without any host call, the classes a process's start needs: their static
     * initialisers run in HotSpot's interpreter (the system call tables; sun.misc.Unsafe found by
     * reflection, whose field accessor is spun at its first use; the JDK's architecture lookup
     * behind segment fills). A user-mode start calls this while the FFM downcall is still being
     * linked on the other thread, so the time is taken from the wait for the first host call.
     */
    public static void prepareClasses(LinuxAbi abi) {
        abi.syscallName(0);
        org.qemu.common.linux.syscall.Syscall.byName("read");
        GuestMemory.directAccess();
        java.lang.foreign.MemorySegment.ofArray(new byte[8]).fill((byte) 0);
    }

    public LinuxProcess(LinuxAbi abi, GuestPaths paths, RuntimeOptions options) {
        this.abi = abi;
        this.memory = new GuestMemory(abi.addressBits());
        StartupTrace.mark("guest memory reserved");
        this.space = new AddressSpace(memory, abi.stackTop() - (256L << 20), abi.mmapBottom());
        this.data = new GuestData(memory, abi.wordSize(), abi.bigEndian());
        this.paths = paths;
        this.options = options;
        this.futexes = new Futexes(data);
        this.syscalls = new SyscallDispatcher(this);
        futexes.sharedPages(syscalls.memory()::isShared);
        // getpid rather than ProcessHandle.current(): its class set-up is start-up time for one number
        this.pid = (int) org.qemu.common.linux.host.HostSyscall.call(org.qemu.common.linux.host.HostNr.GETPID);
    }

    public LinuxAbi abi() {
        return abi;
    }

    public GuestMemory memory() {
        return memory;
    }

    public AddressSpace space() {
        return space;
    }

    public GuestData data() {
        return data;
    }

    public GuestPaths paths() {
        return paths;
    }

    public SignalState signals() {
        return signals;
    }

    public Futexes futexes() {
        return futexes;
    }

    public SyscallDispatcher syscalls() {
        return syscalls;
    }

    public RuntimeOptions options() {
        return options;
    }

    public int pid() {
        return pid;
    }

    public Map<Integer, LinuxThread> threads() {
        return threads;
    }

    public LinuxThread mainThread() {
        return mainThread;
    }

    /** Creates the first thread (tid = pid) around a fresh CPU. */
    public LinuxThread createMainThread() {
        return createMainThread(abi.newCpu(this));
    }

    /** Creates the first thread (tid = pid) around {@code cpu}, made by {@link LinuxAbi#newCpu} for this process. */
    public LinuxThread createMainThread(GuestCpu cpu) {
        LinuxThread t = new LinuxThread(this, cpu, pid);
        threads.put(pid, t);
        mainThread = t;
        return t;
    }

    /** Runs the main thread on the calling Java thread; returns how the process ended. */
    public ProcessExit runMain() {
        try {
            mainThread.runLoop();
            throw new IllegalStateException("run loop returned");
        } catch (ProcessExit exit) {
            if (!exit.wholeProcess()) {
                // The main thread left with exit(): the process lives while other threads run.
                threads.remove(pid);
                return awaitOtherThreads(exit);
            }
            exiting = exit;
            return exit;
        }
    }

    private ProcessExit awaitOtherThreads(ProcessExit mainExit) {
        synchronized (threads) {
            while (!threads.isEmpty() && exiting == null) {
                try {
                    threads.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return exiting != null ? exiting : mainExit;
    }

    /** Starts a clone()d thread on a new Java thread. */
    public void startThread(LinuxThread thread, Runnable beforeRun) {
        Thread t = Thread.ofPlatform().name("guest-" + thread.tid()).stackSize(16L << 20).unstarted(() -> {
            try {
                beforeRun.run();
                thread.runLoop();
            } catch (ProcessExit exit) {
                if (exit.wholeProcess()) {
                    terminate(exit);
                }
            } finally {
                threadEnded(thread);
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private void threadEnded(LinuxThread thread) {
        long ctid = thread.clearChildTid();
        if (ctid != 0) {
            try {
                data.put32(ctid, 0);
                futexes.wake(ctid, 1, -1);
            } catch (RuntimeException ignored) {
                // The guest unmapped its own thread descriptor: nothing to clear.
            }
        }
        threads.remove(thread.tid());
        synchronized (threads) {
            threads.notifyAll();
        }
    }

    /** Ends the whole process from any thread. */
    public void terminate(ProcessExit exit) {
        exiting = exit;
        options.terminator().accept(exit);
        for (LinuxThread t : threads.values()) {
            t.cpu().requestExit();
        }
        synchronized (threads) {
            threads.notifyAll();
        }
    }

    /** Called at safe points: unwinds this thread if the process is going away. */
    public void checkExiting(LinuxThread thread) {
        ProcessExit e = exiting;
        if (e != null) {
            throw e;
        }
    }

    /** A fatal signal: the process ends as if killed by it. */
    public void dieFromSignal(int sig) {
        if (System.getenv("QEMU_DEBUG") != null) {
            new Throwable("qemu: pid " + pid + " dies from signal " + sig).printStackTrace();
        }
        throw ProcessExit.killedBy(sig);
    }

    /** Wakes every thread so it looks at its pending signals. */
    public void signalArrived() {
        for (LinuxThread t : threads.values()) {
            t.cpu().requestExit();
        }
        synchronized (signalMonitor) {
            signalMonitor.notifyAll();
        }
        futexes.interruptAll();
    }

    /**
     * Blocks the calling guest thread until a deliverable signal arrives or {@code nanos}
     * pass (negative: forever). Returns true if a signal is what ended the wait.
     */
    public boolean waitForSignal(LinuxThread thread, long nanos) {
        long deadline = nanos < 0 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        synchronized (signalMonitor) {
            while (true) {
                if (thread.hasDeliverableSignal() || exiting != null) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    long ms = Math.min(left / 1_000_000, 50);
                    signalMonitor.wait(Math.max(ms, 1));
                } catch (InterruptedException e) {
                    return true;
                }
            }
        }
    }
}
