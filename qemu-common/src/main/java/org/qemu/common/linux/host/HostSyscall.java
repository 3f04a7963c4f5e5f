package org.qemu.common.linux.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw host (x86-64 Linux) system calls through libc's {@code syscall(2)} wrapper, called with
 * FFM. Guest file descriptors are host file descriptors, so most guest calls become one host
 * call with guest buffer addresses translated to host addresses. Returns the kernel's
 * convention: a non-negative result, or {@code -errno}.
 */
public final class HostSyscall {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    /**
     * Where errno sits in the capture area, read as a plain int: a layout VarHandle would spin
     * its own method-handle classes at start-up (about a tenth of the link's time, JFR here).
     */
    private static final long ERRNO_OFFSET = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));

    /** One errno capture area per thread: host calls happen on many guest threads at once. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

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
            long r = (long) SYSCALL.invokeExact(state, nr, a, b, c, d, e, f);
            if (r == -1) {
                return -state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
            }
            return r;
        } catch (Throwable t) {
            throw new IllegalStateException("host syscall " + nr + " failed to link", t);
        }
    }

    private HostSyscall() {
    }
}
