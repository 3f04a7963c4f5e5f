package org.qemu.tests.x86_64;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs host commands for the x86-64 end-to-end tests. The oracle is always native execution:
 * this host runs x86-64 programs itself, so every guest program also runs without us.
 */
final class X64Tools {
    static final Path ROOT = Path.of(System.getProperty("qemu.root", System.getenv().getOrDefault("QEMU_ROOT", "..")))
            .toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("bin/qemu-x86_64");
    static final Path WORK = ROOT.resolve("tests/target/x86_64");
    /** Programs written for this target (SSE2/x87/128-bit math, signal frames, cmpxchg16b). */
    static final Path C_SOURCES = ROOT.resolve("tests/src/test/c/x86_64");
    /** The i386 programs are plain portable C: the same sources serve here. */
    static final Path SHARED_C_SOURCES = ROOT.resolve("tests/src/test/c/i386");

    record Result(int status, String stdout, String stderr) {
    }

    static Result run(Path dir, String stdin, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException ignored) {
            // the program did not read its input
        }
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    static Result run(String stdin, String... command) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        return run(WORK, stdin, List.of(command));
    }

    /** The command under bin/qemu-x86_64 (the guest program is the first word). */
    static Result ours(String stdin, String... command) throws IOException, InterruptedException {
        String[] cmd = new String[command.length + 1];
        cmd[0] = LAUNCHER.toString();
        System.arraycopy(command, 0, cmd, 1, command.length);
        return run(stdin, cmd);
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static void assumeLauncherBuilt() {
        assumeTrue(Files.isRegularFile(ROOT.resolve("target/lib/qemu-x86_64.jar")),
                "target/lib/qemu-x86_64.jar is missing: run mvn package first");
    }

    /** Compiles a test program with the host gcc, static or dynamic; sources from c/x86_64, else c/i386. */
    static Path compile(String name, boolean dynamic) throws IOException, InterruptedException {
        assumeTrue(onPath("gcc"), "gcc is not installed");
        Path src = C_SOURCES.resolve(name + ".c");
        if (!Files.exists(src)) {
            src = SHARED_C_SOURCES.resolve(name + ".c");
        }
        Files.createDirectories(WORK);
        Path out = WORK.resolve(name + (dynamic ? "-dyn" : "-static"));
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0) {
            List<String> cmd = new ArrayList<>(List.of("gcc", "-O2", "-pthread", "-mcx16", "-o", out.toString(),
                    src.toString(), "-lm"));
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

    private X64Tools() {
    }
}
