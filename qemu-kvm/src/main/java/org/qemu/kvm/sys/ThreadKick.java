package org.qemu.kvm.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pulls a vCPU thread out of {@code KVM_RUN}: a real-time signal the vCPU thread keeps blocked
 * while it runs Java code and unblocks only inside {@code KVM_RUN} (through
 * {@code KVM_SET_SIGNAL_MASK}), so the kernel returns {@code EINTR} from the ioctl instead of
 * running a handler. The JVM's own signals are untouched; a kick sent while the thread is outside
 * {@code KVM_RUN} stays pending and ends its next entry.
 *
 * <p>The signal's disposition is set to "ignore": a blocked signal is never discarded as ignored
 * (the kernel keeps it pending, and counts the mask saved by {@code KVM_RUN} as blocked), so kicks
 * work as before; but a kick that the kernel does deliver (kvm-pvm hosts were seen to, now and
 * then, at a vCPU's exit) is dropped instead of ending the whole process with "Real-time signal 5"
 * (status 167), the default action of a real-time signal.
 */
public final class ThreadKick {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final int SIG_BLOCK = 0;
    /** glibc's {@code sigset_t} is 1024 bits; the kernel's (what KVM_SET_SIGNAL_MASK takes) is 64. */
    private static final int LIBC_SIGSET_BYTES = 128;
    private static final int KERNEL_SIGSET_BYTES = 8;
    private static final MethodHandle SIGRTMIN = handle("__libc_current_sigrtmin", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETTID = handle("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle GETPID = handle("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle TGKILL = handle("tgkill",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SIGEMPTYSET = handle("sigemptyset", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SIGADDSET = handle("sigaddset",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle PTHREAD_SIGMASK = handle("pthread_sigmask",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    private static final MethodHandle SIGTIMEDWAIT = handle("sigtimedwait",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    private static final MethodHandle SIGNAL_DISPOSITION = handle("signal",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    /** {@code SIG_IGN} of {@code <signal.h>}: the handler address 1. */
    private static final MemorySegment SIG_IGN = MemorySegment.ofAddress(1);

    /** The signal: SIGRTMIN + 5, clear of glibc's reserved ones and of the JVM's (SIGUSR2, SIGSEGV, ...). */
    public static final int SIGNAL = call(SIGRTMIN) + 5;

    static {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL_DISPOSITION.invokeExact(SIGNAL, SIG_IGN);
            if (previous.address() == -1L) {
                throw new IllegalStateException("signal(" + SIGNAL + ", SIG_IGN) failed");
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private final int processId;
    private volatile int threadId = -1;

    private ThreadKick() {
        this.processId = call(GETPID);
    }

    private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    private static int call(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Called on the thread to be kicked, before it first enters KVM_RUN: blocks the signal on this
     * thread and remembers it as the target.
     */
    public static ThreadKick forCurrentThread() {
        ThreadKick kick = new ThreadKick();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) PTHREAD_SIGMASK.invokeExact(SIG_BLOCK, signalSet(arena), MemorySegment.NULL);
            if (r != 0) {
                throw new IllegalStateException("pthread_sigmask: " + Libc.strerror(r));
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        kick.threadId = call(GETTID);
        return kick;
    }

    private static MemorySegment signalSet(Arena arena) throws Throwable {
        MemorySegment set = arena.allocate(LIBC_SIGSET_BYTES, 8);
        int ignored = (int) SIGEMPTYSET.invokeExact(set);
        ignored = (int) SIGADDSET.invokeExact(set, SIGNAL);
        return set;
    }

    /**
     * The {@code struct kvm_signal_mask} for the vCPU's KVM_RUN: the thread's mask without the
     * kick signal. Inside KVM_RUN every signal is unblocked, as in a plain Java thread.
     */
    public static MemorySegment kvmRunSignalMask(Arena arena) {
        MemorySegment mask = arena.allocate(Integer.BYTES + KERNEL_SIGSET_BYTES, 8);
        mask.set(ValueLayout.JAVA_INT, 0, KERNEL_SIGSET_BYTES);
        return mask;
    }

    /** Sends the signal to the thread (from any thread). */
    public void kick() {
        try {
            int ignored = (int) TGKILL.invokeExact(processId, threadId, SIGNAL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * On the kicked thread: takes a pending kick off the thread (so the next KVM_RUN is not cut
     * short by an old one); true when one was pending.
     */
    public boolean consumePending() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment noWait = arena.allocate(16, 8); // struct timespec {0, 0}
            int r = (int) SIGTIMEDWAIT.invokeExact(signalSet(arena), MemorySegment.NULL, noWait);
            return r == SIGNAL;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public int threadId() {
        return threadId;
    }
}
