package org.qemu.tests.tcg;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One emulator process: its exit status, and stdout (the serial console) and stderr kept apart. */
record EmulatorRun(int status, String stdout, String stderr) {
    static EmulatorRun of(Path dir, int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int status;
        if (p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            status = p.exitValue();
        } else {
            p.destroyForcibly();
            p.waitFor();
            status = -1;
        }
        return new EmulatorRun(status, Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
    }

    /**
     * Runs until stdout contains {@code marker} (then ends the process: a guest that halts for
     * good never exits by itself) or the timeout passes; the status is -1 in both cases.
     */
    static EmulatorRun until(Path dir, int timeoutSeconds, List<String> command, String marker)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (p.isAlive() && System.nanoTime() < deadline
                && !Files.readString(out, StandardCharsets.ISO_8859_1).contains(marker)) {
            Thread.sleep(100);
        }
        int status = -1;
        if (p.isAlive()) {
            p.destroyForcibly();
            p.waitFor();
        } else {
            status = p.exitValue();
        }
        return new EmulatorRun(status, Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
    }

    @Override
    public String toString() {
        return "status " + status + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }
}
