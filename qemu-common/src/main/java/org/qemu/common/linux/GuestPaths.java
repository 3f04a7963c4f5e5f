package org.qemu.common.linux;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns the paths a guest names into host paths: {@code /proc/self/exe} means the guest
 * program, not the JVM, and absolute paths are looked up under the -L prefix first
 * (so a dynamic program finds its loader and libraries in a sysroot), as QEMU does.
 */
public final class GuestPaths {
    private final Path ldPrefix;
    private volatile String program;

    public GuestPaths(Path ldPrefix, String program) {
        this.ldPrefix = ldPrefix == null || ldPrefix.toString().equals("/") ? null : ldPrefix;
        this.program = program;
    }

    /** The -L prefix, or null. */
    public Path ldPrefix() {
        return ldPrefix;
    }

    public String program() {
        return program;
    }

    public void setProgram(String program) {
        this.program = program;
    }

    public String translate(String path) {
        if (path.equals("/proc/self/exe") || path.equals("/proc/" + ProcessHandle.current().pid() + "/exe")) {
            return program;
        }
        if (ldPrefix != null && path.startsWith("/") && !path.startsWith("/proc/") && !path.startsWith("/dev/")
                && !path.equals("/")) {
            Path prefixed = Path.of(ldPrefix + path);
            if (Files.exists(prefixed, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return prefixed.toString();
            }
        }
        return path;
    }
}
