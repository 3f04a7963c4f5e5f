package org.qemu.tests.kvm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Running external programs with a deadline, and finding them. */
final class Tools {
    private Tools() {
    }

    record Result(int status, String output, long nanos) {
    }

    static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command with stdin closed, stdout and stderr merged; kills it after the timeout. */
    static Result run(Path dir, int timeoutSeconds, List<String> command) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[][] out = new byte[1][];
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            reader.join();
            return new Result(-1, "TIMEOUT after " + timeoutSeconds + " s\n" + new String(out[0], StandardCharsets.UTF_8),
                    System.nanoTime() - start);
        }
        reader.join();
        return new Result(p.exitValue(), new String(out[0], StandardCharsets.UTF_8), System.nanoTime() - start);
    }

    /** The repository's {@code bin/} launcher of that name. */
    static Path launcher(String name) {
        return Path.of(System.getProperty("qemu.root", "..")).resolve("bin").resolve(name).toAbsolutePath();
    }

    /** Whether this machine can run KVM guests: the device exists and we may open it read-write. */
    static String kvmUnavailableReason() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return "/dev/kvm does not exist on this machine (no usable KVM module)";
        }
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return "/dev/kvm is not readable and writable by this user";
        }
        return null;
    }
}
