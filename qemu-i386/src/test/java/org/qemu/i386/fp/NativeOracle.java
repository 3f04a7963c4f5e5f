package org.qemu.i386.fp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Runs instruction bytes on this x86-64 host through src/test/c/fp_oracle.c (built with the
 * host gcc on first use) and returns its answers, one line per request line.
 */
final class NativeOracle {
    private static Path binary;

    private NativeOracle() {
    }

    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "native oracle needs an x86-64 host");
        Path source = Path.of("src/test/c/fp_oracle.c").toAbsolutePath();
        Path out = Path.of("target/fp-oracle/fp_oracle").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Process gcc;
        try {
            gcc = new ProcessBuilder("gcc", "-O1", "-mno-red-zone", "-o", out.toString(), source.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("host gcc not available: " + e.getMessage());
            return null;
        }
        String log = new String(gcc.getInputStream().readAllBytes());
        Assumptions.assumeTrue(gcc.waitFor() == 0, "gcc could not build the native oracle: " + log);
        binary = out;
        return binary;
    }

    static List<String> run(List<String> requests) throws IOException, InterruptedException {
        Path exe = binary();
        Path input = Files.createTempFile("fp-oracle", ".in");
        try {
            Files.write(input, requests);
            Process p = new ProcessBuilder(exe.toString()).redirectInput(input.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || lines.size() != requests.size()) {
                throw new IllegalStateException("native oracle failed: exit " + p.exitValue() + ", " + lines.size()
                        + " answers for " + requests.size() + " requests");
            }
            return lines;
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
