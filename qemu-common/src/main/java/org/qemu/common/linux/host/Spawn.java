package org.qemu.common.linux.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Starting and replacing host processes without Java's ProcessBuilder, so that every
 * descriptor that is not close-on-exec reaches the new program under the same number:
 * {@code posix_spawn} for fork, {@code execve} for exec.
 */
public final class Spawn {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle POSIX_SPAWN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("posix_spawn").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));

    /**
     * Starts {@code argv} with environment {@code envp}; the descriptors in {@code keep} reach the child
     * even though they are close-on-exec (posix_spawn's dup2 onto itself clears the flag in the child).
     * Returns the pid or {@code -errno}.
     */
    public static long spawn(String path, List<byte[]> argv, List<byte[]> envp, int[] keep) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment actions = arena.allocate(256, 16);
            int init = (int) ACTIONS_INIT.invokeExact(actions);
            if (init != 0) {
                return -init;
            }
            try {
                for (int fd : keep) {
                    int rc = (int) ACTIONS_DUP2.invokeExact(actions, fd, fd);
                    if (rc != 0) {
                        return -rc;
                    }
                }
                int rc = (int) POSIX_SPAWN.invokeExact(pid, cString(arena, path.getBytes()), actions,
                        MemorySegment.NULL, vector(arena, argv), vector(arena, envp));
                return rc == 0 ? pid.get(ValueLayout.JAVA_INT, 0) : -rc;
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("posix_spawn failed to link", t);
        }
    }

    private static final MethodHandle ACTIONS_INIT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("posix_spawn_file_actions_init").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = LINKER.downcallHandle(
            LINKER.defaultLookup().find("posix_spawn_file_actions_destroy").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle ACTIONS_DUP2 = LINKER.downcallHandle(
            LINKER.defaultLookup().find("posix_spawn_file_actions_adddup2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** Replaces this process; returns {@code -errno} only if the exec failed. */
    public static long exec(String path, List<byte[]> argv, List<byte[]> envp) {
        try (Arena arena = Arena.ofConfined()) {
            return HostSyscall.call(HostNr.EXECVE, cString(arena, path.getBytes()).address(),
                    vector(arena, argv).address(), vector(arena, envp).address());
        }
    }

    private static MemorySegment cString(Arena arena, byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    private static MemorySegment vector(Arena arena, List<byte[]> strings) {
        MemorySegment v = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            v.setAtIndex(ValueLayout.ADDRESS, i, cString(arena, strings.get(i)));
        }
        v.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return v;
    }

    private Spawn() {
    }
}
