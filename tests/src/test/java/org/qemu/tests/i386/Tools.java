package org.qemu.tests.i386;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.qemu.tests.support.HostProcess;
import org.qemu.tests.support.HostProcess.Result;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs host commands for the end-to-end tests: compilers, Debian's QEMU, busybox, our launcher. */
final class Tools {
    static final Path ROOT = HostProcess.ROOT;
    static final Path LAUNCHER = ROOT.resolve("bin/qemu-i386");
    static final Path WORK = ROOT.resolve("tests/target/i386");
    static final Path C_SOURCES = ROOT.resolve("tests/src/test/c/i386");

    static Result run(Path dir, String stdin, List<String> command) throws IOException, InterruptedException {
        return HostProcess.run(dir, stdin, command, 180);
    }

    static Result run(String stdin, String... command) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        return run(WORK, stdin, List.of(command));
    }

    static boolean onPath(String tool) {
        return HostProcess.onPath(tool);
    }

    static void assumeLauncherBuilt() {
        assumeTrue(Files.isRegularFile(ROOT.resolve("target/lib/qemu-i386.jar")),
                "target/lib/qemu-i386.jar is missing: run mvn package first");
    }

    /** Compiles a test source with the i686 cross compiler ({@code -static} unless {@code dynamic}). */
    static Path compileI386(String name, boolean dynamic) throws IOException, InterruptedException {
        assumeTrue(onPath("i686-linux-gnu-gcc"), "i686-linux-gnu-gcc is not installed");
        Path out = WORK.resolve(name + (dynamic ? "-dyn" : ""));
        Path src = C_SOURCES.resolve(name + ".c");
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0) {
            List<String> cmd = new ArrayList<>(List.of("i686-linux-gnu-gcc", "-O2", "-pthread", "-o", out.toString(), src.toString()));
            if (!dynamic) {
                cmd.add(1, "-static");
            }
            Result r = run(null, cmd.toArray(String[]::new));
            if (r.status() != 0) {
                throw new IllegalStateException("compile failed: " + r.stderr());
            }
        }
        return out;
    }

    /** The same source built for this x86-64 host: an oracle where output does not depend on word size. */
    static Path compileNative(String name) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "gcc is not installed");
        Path out = WORK.resolve(name + "-native");
        Path src = C_SOURCES.resolve(name + ".c");
        Result r = run(null, "gcc", "-O2", "-pthread", "-o", out.toString(), src.toString());
        if (r.status() != 0) {
            throw new IllegalStateException("compile failed: " + r.stderr());
        }
        return out;
    }

    /** Debian's busybox-static for i386, fetched with apt-get download into target/ if not at hand. */
    static Path busyboxI386() throws IOException, InterruptedException {
        String given = System.getenv("QEMU_TEST_BUSYBOX_I386");
        if (given != null && Files.isExecutable(Path.of(given))) {
            return Path.of(given);
        }
        Path local = WORK.resolve("bb32/bin/busybox");
        if (Files.isExecutable(local)) {
            return local;
        }
        Path shared = Path.of("/tmp/bb32/bin/busybox");
        if (Files.isExecutable(shared)) {
            return shared;
        }
        assumeTrue(onPath("apt-get") && onPath("dpkg"), "apt-get/dpkg not available to fetch busybox-static:i386");
        Files.createDirectories(WORK);
        Result dl = run(null, "apt-get", "download", "busybox-static:i386");
        assumeTrue(dl.status() == 0, "apt-get download busybox-static:i386 failed: " + dl.stderr());
        try (var debs = Files.list(WORK)) {
            Path deb = debs.filter(p -> p.getFileName().toString().startsWith("busybox-static_")
                    && p.getFileName().toString().endsWith("_i386.deb")).findFirst().orElseThrow();
            Result x = run(null, "dpkg", "-x", deb.toString(), WORK.resolve("bb32").toString());
            assumeTrue(x.status() == 0, "dpkg -x failed: " + x.stderr());
        }
        return local;
    }

    private Tools() {
    }
}
