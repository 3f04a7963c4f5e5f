package org.qemu.tests.qmp;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One system emulator process, ours ({@code bin/qemu-system-i386}) or Debian's
 * ({@code qemu-system-x86_64 -accel tcg}), running a payload with its serial port in a file, so
 * a test can wait for the guest's markers while it talks to the monitor.
 */
final class Emulator implements AutoCloseable {
    static final String DEBIAN_QEMU = "qemu-system-x86_64";

    private final Process process;
    final Path serial;
    final Path stdout;
    final Path stderr;

    private Emulator(Process process, Path serial, Path stdout, Path stderr) {
        this.process = process;
        this.serial = serial;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    static Path ourLauncher() {
        return Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-i386").toAbsolutePath();
    }

    /**
     * Starts ours or Debian's with the machine options both understand, plus {@code extra};
     * {@code -no-reboot} unless {@code extra} holds the pseudo-option {@code -reboot}.
     */
    static Emulator start(boolean debian, Path dir, Path kernel, List<String> extra) throws IOException {
        return start(debian ? List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none") : List.of(ourLauncher().toString()),
                dir, kernel, extra);
    }

    /** Our qemu-kvm on the host's /dev/kvm. */
    static Emulator startKvm(Path dir, Path kernel, List<String> extra) throws IOException {
        return start(List.of(ourLauncher().resolveSibling("qemu-kvm").toString(), "-accel", "kvm"), dir, kernel, extra);
    }

    private static Emulator start(List<String> launcher, Path dir, Path kernel, List<String> extra) throws IOException {
        Path serial = Files.createTempFile(dir, "serial", ".txt");
        Path out = Files.createTempFile(dir, "stdout", ".txt");
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(List.of("-display", "none", "-m", "64", "-kernel", kernel.toString(), "-serial", "file:" + serial));
        if (!extra.contains("-reboot")) {
            cmd.add("-no-reboot");
        }
        cmd.addAll(extra.stream().filter(o -> !o.equals("-reboot")).toList());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (!extra.contains("stdio")) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        }
        pb.environment().put("QEMU_NO_AOT", "1");
        return new Emulator(pb.start(), serial, out, err);
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    String serialText() throws IOException {
        return Files.readString(serial, StandardCharsets.ISO_8859_1);
    }

    /** Waits until the guest has printed {@code marker} on its serial port. */
    void awaitSerial(String marker, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!serialText().contains(marker)) {
            if (!process.isAlive() || Instant.now().isAfter(deadline)) {
                throw new AssertionError("the guest never printed '" + marker + "': " + this);
            }
            Thread.sleep(100);
        }
    }

    /** The exit status, or -1 if the process is still running after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Override
    public String toString() {
        try {
            return "alive=" + process.isAlive() + "\n--- serial ---\n" + serialText() + "\n--- stdout ---\n"
                    + Files.readString(stdout, StandardCharsets.ISO_8859_1) + "\n--- stderr ---\n"
                    + Files.readString(stderr, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
