package org.qemu.tests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/qemu-launcher without a trained AOT cache next to the jars (an installed package, or jars
 * rebuilt since the training) keeps a class-data archive in the user's cache folder: made by the
 * first run, used by the next, remade when a jar is newer; none of the JVM's archive notes may
 * reach the guest's stdout or stderr.
 */
class LauncherClassArchiveTest {
    private static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    @Test
    void archiveIsMadeByTheFirstRunRemadeWhenStaleAndNeverTalks(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(HOST_BUSYBOX), "the host's amd64 busybox is not installed");
        Path jars = LauncherProcess.root().resolve("target/lib");
        assumeTrue(Files.isDirectory(jars), "the tree is not packaged (target/lib)");
        Path prefix = dir.resolve("prefix");
        Path bin = Files.createDirectories(prefix.resolve("bin"));
        Path lib = Files.createDirectories(prefix.resolve("target/lib"));
        Files.copy(LauncherProcess.launcher("qemu-launcher"), bin.resolve("qemu-launcher"));
        Files.createSymbolicLink(bin.resolve("qemu-x86_64"), Path.of("qemu-launcher"));
        try (Stream<Path> files = Files.list(jars)) {
            for (Path jar : files.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.createSymbolicLink(lib.resolve(jar.getFileName()), jar);
            }
        }
        Path home = Files.createDirectories(dir.resolve("home"));
        Path archive = home.resolve(".cache/qemu-java").resolve(archiveName(lib));

        LauncherProcess first = run(bin, home);
        assertThat(first.exitStatus()).isZero();
        assertThat(first.stdout()).isEqualTo("archive test\n");
        assertThat(first.stderr()).isEmpty();
        assertThat(archive).isRegularFile();
        assertThat(Files.size(archive)).isGreaterThan(100_000);

        LauncherProcess second = run(bin, home);
        assertThat(second.stdout()).isEqualTo("archive test\n");
        assertThat(second.stderr()).isEmpty();

        // Older than the jars: the launcher drops it and the run writes a new one.
        FileTime old = FileTime.fromMillis(0);
        Files.setLastModifiedTime(archive, old);
        LauncherProcess third = run(bin, home);
        assertThat(third.stdout()).isEqualTo("archive test\n");
        assertThat(third.stderr()).isEmpty();
        assertThat(Files.getLastModifiedTime(archive)).isGreaterThan(old);
    }

    /** The launcher names the archive after the jar folder's path, '/' turned into '-'. */
    private static String archiveName(Path lib) {
        List<String> parts = new ArrayList<>();
        lib.forEach(p -> parts.add(p.toString()));
        return String.join("-", parts) + ".jsa";
    }

    private static LauncherProcess run(Path bin, Path home) throws Exception {
        List<String> command = List.of("env", "-u", "QEMU_NO_AOT", "-u", "XDG_CACHE_HOME", "HOME=" + home,
                bin.resolve("qemu-x86_64").toString(), HOST_BUSYBOX.toString(), "echo", "archive test");
        return LauncherProcess.exec(command);
    }
}
