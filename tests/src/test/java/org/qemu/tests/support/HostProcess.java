package org.qemu.tests.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs host programs for the end-to-end tests (compilers, Debian's QEMU, native builds, our
 * launchers) with a deadline, capturing stdout and stderr apart.
 */
public final class HostProcess {
    /** The repository root: {@code -Dqemu.root}, else {@code $QEMU_ROOT}, else the parent of the tests module. */
    public static final Path ROOT = Path.of(System.getProperty("qemu.root", System.getenv().getOrDefault("QEMU_ROOT", "..")))
            .toAbsolutePath().normalize();

    public record Result(int status, String stdout, String stderr) {
    }

    private HostProcess() {
    }

    /** Runs {@code command} in {@code dir} with {@code stdin} (or none) and JAVA_HOME set for our launchers. */
    public static Result run(Path dir, String stdin, List<String> command, int timeoutSeconds)
            throws IOException, InterruptedException {
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
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out after " + timeoutSeconds + " s: " + command);
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    public static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
