package org.qemu.tests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.tests.x86_64.X64Tools;

/**
 * bin/qemu-launcher without a trained AOT cache next to the jars (an installed package, or jars
 * rebuilt since the training) makes one from the user's own runs, in the user's cache folder: the
 * first run records, the next assembles the cache in the background and meanwhile writes the JVM's
 * class-data archive, later runs load the cache; a jar newer than a file drops it; none of the JVM's
 * notes may reach the guest's stdout or stderr, and forked children never record; JDK 25's
 * training replay stays off with such a cache.
 */
class LauncherClassArchiveTest {
    private static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

    @Test
    void cacheIsRecordedAssembledUsedAndRemadeWhenStaleAndNeverTalks(@TempDir Path dir) throws Exception {
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
        Path cacheFolder = home.resolve(".cache/qemu-java");
        Path archive = cacheFolder.resolve(fileName(lib, ".jsa"));
        String record = fileName(lib, ".aotconf.");
        Path cache = cacheFolder.resolve(fileName(lib, ".aot"));

        // A -version run records nothing: the cache would hold the launcher's classes only.
        LauncherProcess version = LauncherProcess.exec(command(bin, home, List.of(), "-version"));
        assertThat(version.exitStatus()).isZero();
        assertThat(version.stderr()).isEmpty();
        assertThat(archive).doesNotExist();
        assertThat(records(cacheFolder, record)).isEmpty();

        // The recording run forks (a pipe between two applets): its children must not record too.
        LauncherProcess first = LauncherProcess.exec(command(bin, home, List.of(),
                HOST_BUSYBOX.toString(), "sh", "-c", "echo archive test | cat"));
        assertThat(first.exitStatus()).isZero();
        assertThat(first.stdout()).isEqualTo("archive test\n");
        assertThat(first.stderr()).isEmpty();
        // One record, named after the recording process: the forked children wrote none.
        assertThat(records(cacheFolder, record)).hasSize(1);
        assertThat(Files.size(records(cacheFolder, record).getFirst())).isGreaterThan(100_000);
        assertThat(cache).doesNotExist();

        LauncherProcess second = run(bin, home, List.of());
        assertThat(second.stdout()).isEqualTo("archive test\n");
        assertThat(second.stderr()).isEmpty();
        assertThat(archive).isRegularFile();
        awaitAssembled(cache, cacheFolder, record);
        assertThat(Files.size(cache)).isGreaterThan(1_000_000);

        // The JVM's own class-load log says where the emulator's classes came from.
        Path log = dir.resolve("class-load.log");
        LauncherProcess third = run(bin, home, List.of("QEMU_JAVA_OPTS=-Xlog:class+load=info:file=" + log));
        assertThat(third.stdout()).isEqualTo("archive test\n");
        assertThat(third.stderr()).isEmpty();
        assertThat(Files.readString(log)).contains("org.qemu.x86_64.launcher.QemuX86_64 source: shared objects file");

        // JDK 25's training replay stays off with the cache (it holds no training data), unless
        // QEMU_AOT_TRAINING_DATA=1 asks for data: a guest lists its process's threads, which
        // /proc/self/task shows as the JVM's own (as QEMU shows its own).
        Path threads = X64Tools.compile("jvmthreads", false);
        LauncherProcess listing = LauncherProcess.exec(command(bin, home, List.of(), threads.toString()));
        assertThat(listing.exitStatus()).isZero();
        assertThat(listing.stdout().lines().toList()).contains("C1 CompilerThre", "C2 CompilerThre")
                .doesNotContain("Training replay");
        LauncherProcess withData = LauncherProcess.exec(command(bin, home, List.of("QEMU_AOT_TRAINING_DATA=1"),
                threads.toString()));
        assertThat(withData.exitStatus()).isZero();
        assertThat(withData.stdout().lines().toList()).contains("Training replay");

        // Older than the jars: the launcher drops it and the run records again.
        Files.setLastModifiedTime(cache, FileTime.fromMillis(0));
        LauncherProcess fourth = run(bin, home, List.of());
        assertThat(fourth.stdout()).isEqualTo("archive test\n");
        assertThat(fourth.stderr()).isEmpty();
        assertThat(cache).doesNotExist();
        assertThat(records(cacheFolder, record)).hasSize(1);
    }

    /** The background assembly takes a few seconds of CPU; the cache appears under its name only when complete. */
    private static void awaitAssembled(Path cache, Path folder, String record) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!(Files.exists(cache) && records(folder, record).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(cache).isRegularFile();
        assertThat(records(folder, record)).isEmpty();
    }

    /** The recording runs' files: the launcher adds the recording process's pid to the name. */
    private static List<Path> records(Path folder, String prefix) throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().substring(prefix.length()).matches("[0-9]+")).toList();
        }
    }

    /** The launcher names its files after the emulator and the jar folder's path, '/' turned into '-'. */
    private static String fileName(Path lib, String suffix) {
        List<String> parts = new ArrayList<>();
        parts.add("qemu-x86_64");
        lib.forEach(p -> parts.add(p.toString()));
        return String.join("-", parts) + suffix;
    }

    private static LauncherProcess run(Path bin, Path home, List<String> env) throws Exception {
        return LauncherProcess.exec(command(bin, home, env, HOST_BUSYBOX.toString(), "echo", "archive test"));
    }

    private static List<String> command(Path bin, Path home, List<String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "-u", "QEMU_NO_AOT", "-u", "XDG_CACHE_HOME",
                "-u", "QEMU_JAVA_OPTS", "HOME=" + home));
        command.addAll(env);
        command.add(bin.resolve("qemu-x86_64").toString());
        command.addAll(List.of(args));
        return command;
    }
}
