package org.qemu.tests.qmp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds {@code tests/src/test/payloads/powerbutton.c} (with boot.S and lib.c) into a multiboot
 * ELF with the i686 cross compiler, the way the other bare-metal payloads are built.
 */
final class PowerButtonPayload {
    static final String COMPILER = "i686-linux-gnu-gcc";
    private static Path built;

    private PowerButtonPayload() {
    }

    static synchronized Path build() throws IOException, InterruptedException {
        if (built != null) {
            return built;
        }
        Path src = Path.of(System.getProperty("qemu.root", "..")).resolve("tests/src/test/payloads");
        Path out = Files.createTempDirectory("qmp-payload").resolve("powerbutton.elf");
        Path log = out.resolveSibling("build.log");
        Process p = new ProcessBuilder(List.of(COMPILER, "-O2", "-ffreestanding", "-fno-pic", "-no-pie",
                "-nostdlib", "-static", "-fno-stack-protector", "-mno-sse", "-Wall", "-Werror",
                "-Wl,-T," + src.resolve("payload.ld"), "-Wl,--build-id=none", "-Wl,-z,max-page-size=0x1000",
                "-Wl,--no-warn-rwx-segments", "-Wl,-z,noexecstack", "-o", out.toString(),
                src.resolve("boot.S").toString(), src.resolve("lib.c").toString(), src.resolve("powerbutton.c").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("building the power-button payload failed:\n" + Files.readString(log));
        }
        built = out;
        return out;
    }

    static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
