package org.qemu.tests.ppc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Builds the PowerPC test programs (powerpc-linux-gnu-gcc) and their native x86-64 twins,
 * and runs programs, for the end-to-end tests. Missing tools make the tests skip.
 */
final class PpcToolchain {
    static final String PPC_GCC = "powerpc-linux-gnu-gcc";
    static final Path PPC_SYSROOT = Path.of("/usr/powerpc-linux-gnu");

    record Result(int status, String stdout, String stderr) {
    }

    private PpcToolchain() {
    }

    static Path root() {
        String r = System.getProperty("qemu.root", System.getenv("QEMU_ROOT"));
        return Path.of(r == null ? ".." : r).toAbsolutePath().normalize();
    }

    static Path emulator() {
        Path p = root().resolve("bin/qemu-ppc");
        Assumptions.assumeTrue(Files.isExecutable(p), "bin/qemu-ppc not found");
        Assumptions.assumeTrue(Files.exists(root().resolve("target/lib/qemu-ppc.jar")), "qemu-ppc not packaged (run mvn package)");
        return p;
    }

    /** A test program's source: PowerPC's own, else the one the x86 emulators share (tests/src/test/c/i386). */
    static Path source(String name) {
        Path own = root().resolve("tests/src/test/c/ppc").resolve(name);
        return Files.exists(own) ? own : root().resolve("tests/src/test/c/i386").resolve(name);
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Compiles {@code source} for PowerPC (static, or dynamic against the Debian cross sysroot). */
    static Path buildPpc(Path source, Path dir, boolean dynamic) throws Exception {
        Assumptions.assumeTrue(onPath(PPC_GCC), PPC_GCC + " is not installed (apt-get install gcc-powerpc-linux-gnu)");
        String name = source.getFileName().toString().replace(".c", "") + (dynamic ? "-dyn" : "-static") + ".ppc";
        Path out = dir.resolve(name);
        List<String> cmd = new ArrayList<>(List.of(PPC_GCC, "-O2", "-frounding-math", "-o", out.toString(), source.toString()));
        if (!dynamic) {
            cmd.add(1, "-static");
        }
        cmd.addAll(List.of("-lm", "-lpthread"));
        check(run(cmd, Map.of(), 120), "compile " + source);
        return out;
    }

    /** The same source built for this x86-64 host: the oracle for output that is independent of word size and byte order. */
    static Path buildNative(Path source, Path dir) throws Exception {
        Assumptions.assumeTrue(onPath("gcc"), "gcc is not installed");
        Path out = dir.resolve(source.getFileName().toString().replace(".c", "") + ".native");
        check(run(List.of("gcc", "-O2", "-frounding-math", "-o", out.toString(), source.toString(), "-lm", "-lpthread"),
                Map.of(), 120), "native compile " + source);
        return out;
    }

    static Result run(List<String> command, Map<String, String> env, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("ppc-out", ".txt");
        Path err = Files.createTempFile("ppc-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + command);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static void check(Result r, String what) {
        if (r.status() != 0) {
            throw new AssertionError(what + " failed (" + r.status() + "): " + r.stderr());
        }
    }
}
