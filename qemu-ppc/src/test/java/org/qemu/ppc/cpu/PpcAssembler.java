package org.qemu.ppc.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** Assembles test snippets with binutils' powerpc-linux-gnu-as, the outside oracle for encodings. */
final class PpcAssembler {
    private static final String AS = "powerpc-linux-gnu-as";
    private static final String OBJCOPY = "powerpc-linux-gnu-objcopy";

    private PpcAssembler() {
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, AS))) {
                return true;
            }
        }
        return false;
    }

    /** Raw big-endian code bytes of {@code source} (one instruction or directive per line). */
    static byte[] assemble(String source) {
        Assumptions.assumeTrue(available(), "powerpc-linux-gnu-as is not installed (apt-get install binutils-powerpc-linux-gnu)");
        try {
            Path dir = Files.createTempDirectory("ppc-as");
            try {
                Path src = dir.resolve("t.s");
                Path obj = dir.resolve("t.o");
                Path bin = dir.resolve("t.bin");
                Files.writeString(src, "\t.text\n" + source + "\n");
                run(List.of(AS, "-mregnames", "-many", "-o", obj.toString(), src.toString()));
                run(List.of(OBJCOPY, "-O", "binary", "-j", ".text", obj.toString(), bin.toString()));
                return Files.readAllBytes(bin);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(dir);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command.get(0) + " failed: " + out);
        }
    }
}
