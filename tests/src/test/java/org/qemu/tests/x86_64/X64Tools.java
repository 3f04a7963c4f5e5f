package org.qemu.tests.x86_64;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.qemu.tests.support.HostProcess;
import org.qemu.tests.support.HostProcess.Result;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs host commands for the x86-64 end-to-end tests. The oracle is always native execution:
 * this host runs x86-64 programs itself, so every guest program also runs without us.
 */
public final class X64Tools {
    static final Path ROOT = HostProcess.ROOT;
    static final Path LAUNCHER = ROOT.resolve("bin/qemu-x86_64");
    static final Path WORK = ROOT.resolve("tests/target/x86_64");
    /** Programs written for this target (SSE2/x87/128-bit math, signal frames, cmpxchg16b). */
    static final Path C_SOURCES = ROOT.resolve("tests/src/test/c/x86_64");
    /** The i386 programs are plain portable C: the same sources serve here. */
    static final Path SHARED_C_SOURCES = ROOT.resolve("tests/src/test/c/i386");

    static Result run(Path dir, String stdin, List<String> command) throws IOException, InterruptedException {
        return HostProcess.run(dir, stdin, command, 240);
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

    static boolean onPath(String tool) {
        return HostProcess.onPath(tool);
    }

    static void assumeLauncherBuilt() {
        assumeTrue(Files.isRegularFile(ROOT.resolve("target/lib/qemu-x86_64.jar")),
                "target/lib/qemu-x86_64.jar is missing: run mvn package first");
    }

    /** Compiles a test program with the host gcc, static or dynamic; sources from c/x86_64, else c/i386. */
    public static Path compile(String name, boolean dynamic) throws IOException, InterruptedException {
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
