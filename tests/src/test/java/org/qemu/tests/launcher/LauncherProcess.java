package org.qemu.tests.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a launcher from the source tree's bin/ and captures what a user would see. */
public record LauncherProcess(int exitStatus, String stdout, String stderr) {

    public static Path root() {
        String root = System.getProperty("qemu.root", System.getenv("QEMU_ROOT"));
        return Path.of(root == null ? ".." : root).toAbsolutePath().normalize();
    }

    public static Path launcher(String name) {
        return root().resolve("bin").resolve(name);
    }

    public static LauncherProcess run(String launcher, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(launcher(launcher).toString());
        command.addAll(List.of(args));
        return exec(command);
    }

    public static LauncherProcess exec(List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + command);
            }
            return new LauncherProcess(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The non-empty lines the process wrote to stderr. */
    public List<String> stderrLines() {
        return stderr.lines().filter(l -> !l.isBlank()).toList();
    }
}
