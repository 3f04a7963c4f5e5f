package org.qemu.common.linux;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class GuestPathsTest {
    @TempDir
    Path prefix;

    @Test
    void procSelfExeNamesTheGuestProgram() {
        GuestPaths paths = new GuestPaths(null, "/opt/guest/prog");
        assertThat(paths.translate("/proc/self/exe")).isEqualTo("/opt/guest/prog");
        assertThat(paths.translate("/etc/passwd")).isEqualTo("/etc/passwd");
    }

    @Test
    void absolutePathsPreferThePrefix() throws Exception {
        Files.createDirectories(prefix.resolve("lib"));
        Files.writeString(prefix.resolve("lib/libfoo.so"), "x");
        GuestPaths paths = new GuestPaths(prefix, "/p");
        assertThat(paths.translate("/lib/libfoo.so")).isEqualTo(prefix + "/lib/libfoo.so");
        assertThat(paths.translate("/lib/missing.so")).isEqualTo("/lib/missing.so");
        assertThat(paths.translate("relative/lib/libfoo.so")).isEqualTo("relative/lib/libfoo.so");
        assertThat(paths.translate("/proc/self/maps")).isEqualTo("/proc/self/maps");
    }
}
