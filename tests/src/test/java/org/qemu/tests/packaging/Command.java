package org.qemu.tests.packaging;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs one external program (rpm, dnf, rpmbuild, mvn, a launcher) and captures what it printed. */
final class Command {
    private Command() {
    }

    /** What a finished program left behind. */
    record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }

        /** The whole exchange, for assertion messages. */
        String describe() {
            return String.join(" ", argv) + "\n  exit " + exitCode + "\n  stdout: " + stdout.strip()
                    + "\n  stderr: " + stderr.strip();
        }

        Result requireSuccess() {
            if (!succeeded()) {
                throw new AssertionError("command failed: " + describe());
            }
            return this;
        }
    }

    static Result run(Path directory, Map<String, String> environment, Duration timeout, List<String> argv) {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile());
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        try {
            Process process = builder.start();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", argv));
            }
            return new Result(List.copyOf(argv), process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + argv.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", argv), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Whether a program of this name is on PATH. */
    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Path.of(dir, program).toFile().canExecute()) {
                return true;
            }
        }
        return false;
    }
}
