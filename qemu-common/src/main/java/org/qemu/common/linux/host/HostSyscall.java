package org.qemu.common.linux.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteOrder;

import org.qemu.common.linux.StartupTrace;

/**
 * Raw host (x86-64 Linux) system calls through libc's {@code syscall(2)} wrapper, called with
 * FFM. Guest file descriptors are host file descriptors, so most guest calls become one host
 * call with guest buffer addresses translated to host addresses. Returns the kernel's
 * convention: a non-negative result, or {@code -errno}.
 */
public final class HostSyscall {
    /** One errno capture area per thread: host calls happen on many guest threads at once. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(Downcall.CAPTURE));

    /**
     * The linked downcall, in a class of its own so that linking (tens of milliseconds of method
     * handle and stub classes spun at run time, which the JDK 25 AOT cache does not keep) can run
     * on another thread from the first line of main: a caller that comes before it is done waits
     * on the JVM's class initialisation lock, so nothing else needs to synchronise.
     */
    private static final class Downcall {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        /**
         * Where errno sits in the capture area, read as a plain int: a layout VarHandle would spin
         * its own method-handle classes at start-up (about a tenth of the link's time, JFR here).
         * Summed over the members, not asked of a layout path: the path's classes took about a
         * tenth of the link again (a stack sampler on the link thread: 2.6 of 20 samples).
         */
        private static final long ERRNO_OFFSET = errnoOffset();

        private static long errnoOffset() {
            long offset = 0;
            for (MemoryLayout member : CAPTURE.memberLayouts()) {
                if ("errno".equals(member.name().orElse(null))) {
                    return offset;
                }
                offset += member.byteSize();
            }
            throw new IllegalStateException("no errno in the capture state " + CAPTURE);
        }
        /**
         * Linked as a fixed seven-long function, not with {@code firstVariadicArg(1)}: on x86-64 the
         * only difference a variadic call makes is the count of vector registers in {@code %al},
         * which libc's {@code syscall} never reads (glibc's is assembly that moves the integer
         * registers; a C one with {@code va_arg} only saves the vector registers when
         * {@code %al} is non-zero, harmlessly). The variadic shape cost about a quarter of the
         * link: nine more method-handle classes spun at every start (34 against 25 for a bare
         * link with its own AOT cache; the emulator's link thread 59 ms CPU against 42).
         */
        private static final MethodHandle SYSCALL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG),
                Linker.Option.captureCallState("errno"));

        static {
            linked = true;
        }
    }

    /** Set once the downcall is linked: a call from then on costs no link. */
    private static volatile boolean linked;

    /** Whether the downcall is linked already (a first call would link it: tens of milliseconds). */
    public static boolean isLinked() {
        return linked;
    }

    /**
     * Starts linking the downcall on a daemon thread and returns at once. A user-mode emulator
     * calls this first thing: its main thread parses the command line and reads the ELF file
     * meanwhile, on the other core.
     */
    public static void linkInBackground() {
        Thread linker = new Thread(new Linking(), "host-call-linker");
        linker.setDaemon(true);
        linker.start();
    }

    /**
     * The linking thread's task, a class rather than a method reference: the reference's
     * invokedynamic call site was linked on the main thread before the thread started (the
     * AOT cache does not keep it), 5-8% of an empty program's main-thread time (async-profiler).
     */
    private static final class Linking implements Runnable {
        @Override
        public void run() {
            link();
        }
    }

    private static void link() {
        // The CPU clock is read only when tracing: it reads /proc through NIO, whose first use
        // (classes, libnio) kept this thread from the link for longer than the main thread took
        // to reach its first host call, so the main thread linked and this one waited.
        boolean tracing = StartupTrace.enabled();
        long started = System.nanoTime();
        long cpu = tracing ? StartupTrace.threadNanos() : 0;
        try {
            // Reading the field initialises the holder (links): no class lookup by name first.
            if (Downcall.SYSCALL == null) {
                return;
            }
            // This thread's own capture area: the first automatic arena sets up the JDK's cleaner
            // (its thread and classes), which the main thread's first host call would do otherwise.
            STATE.get();
        } catch (LinkageError e) {
            // The caller that needs the downcall meets the same failure and reports it.
            return;
        }
        if (tracing) {
            System.err.println("qemu: start-up: linking the syscall downcall took "
                    + StartupTrace.millis(StartupTrace.threadNanos() - cpu) + " ms CPU, "
                    + StartupTrace.millis(System.nanoTime() - started) + " ms wall on its own thread");
        }
    }

    public static long call(long nr) {
        return call(nr, 0, 0, 0, 0, 0, 0);
    }

    public static long call(long nr, long a) {
        return call(nr, a, 0, 0, 0, 0, 0);
    }

    public static long call(long nr, long a, long b) {
        return call(nr, a, b, 0, 0, 0, 0);
    }

    public static long call(long nr, long a, long b, long c) {
        return call(nr, a, b, c, 0, 0, 0);
    }

    public static long call(long nr, long a, long b, long c, long d) {
        return call(nr, a, b, c, d, 0, 0);
    }

    public static long call(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment state = STATE.get();
        try {
            long r = (long) Downcall.SYSCALL.invokeExact(state, nr, a, b, c, d, e, f);
            if (r == -1) {
                // Through a buffer view, not state.get(JAVA_INT, ...): the layout's VarHandle is set
                // up at the first failing call, 2.1-2.3 ms on the main thread at every start (the
                // descriptor census meets the listing's closed descriptor); the view took 40-50 us.
                return -state.asByteBuffer().order(ByteOrder.nativeOrder()).getInt((int) Downcall.ERRNO_OFFSET);
            }
            return r;
        } catch (Throwable t) {
            throw new IllegalStateException("host syscall " + nr + " failed to link", t);
        }
    }

    private HostSyscall() {
    }
}
