package org.qemu.tests.gdb;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs an emulator with a gdbstub and a real GDB client against it: picks a free port,
 * waits until the emulator listens, runs GDB in batch mode with a script, and collects both
 * sides. The same script against Debian's QEMU is the oracle.
 */
final class GdbHarness {
    static final Path ROOT = Path.of(System.getProperty("qemu.root", System.getenv().getOrDefault("QEMU_ROOT", "..")))
            .toAbsolutePath().normalize();
    static final Path WORK = ROOT.resolve("tests/target/gdb");
    static final Path C_SOURCES = ROOT.resolve("tests/src/test/c/gdb");
    private static final long TIMEOUT_SECONDS = 120;

    /** What one debugging run produced: GDB's output, the emulator's output and exit status. */
    record Run(String gdbOutput, String emulatorStdout, String emulatorStderr, int emulatorStatus) {
    }

    private GdbHarness() {
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static void assumeTools(String... tools) {
        for (String t : tools) {
            assumeTrue(onPath(t), t + " is not installed");
        }
    }

    static void assumeBuilt(String jar) {
        assumeTrue(Files.isRegularFile(ROOT.resolve("target/lib/" + jar)), "target/lib/" + jar + " is missing: run mvn package first");
    }

    /** Compiles the debuggee with {@code compiler} ({@code -static -g -O0 -pthread}). */
    static Path compile(String compiler, String suffix) throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        Path out = WORK.resolve("debuggee-" + suffix);
        Path src = C_SOURCES.resolve("debuggee.c");
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) < 0) {
            Process p = new ProcessBuilder(compiler, "-static", "-g", "-O0", "-pthread", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("compile failed: " + log);
            }
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code emulator.apply(port)}, waits for it to listen, runs {@code gdb} with
     * {@code before} (commands before connecting), then {@code target remote}, then the script.
     */
    static Run debug(IntFunction<List<String>> emulator, String gdb, Path program, List<String> before, List<String> script)
            throws IOException, InterruptedException {
        int port = freePort();
        ProcessBuilder epb = new ProcessBuilder(emulator.apply(port));
        epb.environment().put("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
        epb.environment().put("QEMU_NO_AOT", "1");
        Process emu = epb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(emu.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(emu.getErrorStream()));
        try {
            waitListening(port, emu);
            List<String> cmd = new ArrayList<>(List.of(gdb, "-batch", "-nx"));
            for (String b : before) {
                cmd.add("-ex");
                cmd.add(b);
            }
            cmd.add("-ex");
            cmd.add("target remote 127.0.0.1:" + port);
            for (String s : script) {
                cmd.add("-ex");
                cmd.add(s);
            }
            if (program != null) {
                cmd.add(program.toString());
            }
            Process g = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            g.getOutputStream().close();
            CompletableFuture<byte[]> gout = CompletableFuture.supplyAsync(() -> readAll(g.getInputStream()));
            if (!g.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                g.destroyForcibly();
                throw new IllegalStateException("gdb timed out: " + new String(gout.getNow(new byte[0])));
            }
            String gdbOutput = new String(gout.join(), StandardCharsets.UTF_8);
            if (!emu.waitFor(30, TimeUnit.SECONDS)) {
                emu.destroy();
                emu.waitFor(5, TimeUnit.SECONDS);
            }
            return new Run(gdbOutput, new String(out.join(), StandardCharsets.UTF_8),
                    new String(err.join(), StandardCharsets.UTF_8), emu.exitValue());
        } finally {
            emu.destroyForcibly();
        }
    }

    /** Waits until something listens on {@code port} (read from /proc, so no connection disturbs the stub). */
    static void waitListening(int port, Process emulator) throws IOException, InterruptedException {
        String hexPort = String.format(":%04X ", port);
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path t = Path.of(table);
                if (Files.exists(t)) {
                    for (String line : Files.readAllLines(t)) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && (f[1] + " ").endsWith(hexPort) && f[3].equals("0A")) {
                            return;
                        }
                    }
                }
            }
            if (!emulator.isAlive()) {
                throw new IllegalStateException("emulator exited with " + emulator.exitValue() + " before listening: "
                        + new String(emulator.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("nothing listens on port " + port);
    }

    /**
     * GDB's output with what legitimately differs between two stubs removed: thread ids
     * (host tids, QEMU's multiprocess form), QEMU's thread extra info, the inferior's name in
     * the exit line, and column padding.
     */
    static String normalize(String gdbOutput) {
        List<String> lines = new ArrayList<>();
        for (String line : gdbOutput.split("\n")) {
            String l = line.replaceAll("Thread [0-9]+(\\.[0-9]+)?", "Thread N")
                    .replaceAll(" \\(CPU#[0-9]+ \\[[a-z]+\\]\\)", "")
                    .replaceAll("Inferior 1 \\([^)]*\\)", "Inferior 1")
                    .replaceAll("\\s+", " ").trim();
            // Where a thread that did not stop happens to be is a race (e.g. still in clone or already in futex).
            l = l.replaceAll("^([0-9]+ Thread N) .*", "$1");
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        return String.join("\n", lines);
    }

    /** The values GDB printed ({@code $N = ...}), in order. */
    static List<String> printedValues(String gdbOutput) {
        List<String> values = new ArrayList<>();
        for (String line : gdbOutput.split("\n")) {
            if (line.matches("\\$[0-9]+ = .*")) {
                values.add(line.substring(line.indexOf('=') + 2).trim());
            }
        }
        return values;
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
