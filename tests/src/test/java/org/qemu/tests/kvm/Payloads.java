package org.qemu.tests.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the bare-metal payloads in {@code tests/src/test/payloads} with the i686 cross compiler. */
public final class Payloads {
    public static final String COMPILER = "i686-linux-gnu-gcc";
    private static Path built;

    private Payloads() {
    }

    static Path sources() {
        return Path.of(System.getProperty("qemu.root", "..")).resolve("tests/src/test/payloads");
    }

    public static boolean compilerAvailable() {
        return Tools.onPath(COMPILER);
    }

    /** Compiles every payload once per test JVM; returns the directory holding {@code NAME.elf}. */
    public static synchronized Path build() throws IOException, InterruptedException {
        if (built != null) {
            return built;
        }
        Path out = Files.createTempDirectory("qemu-kvm-payloads");
        Path src = sources();
        for (String name : List.of("hello", "pci", "irq", "smp", "longmode", "iobench", "reboot", "memmap", "pit", "apic", "rtc")) {
            List<String> cmd = new ArrayList<>(List.of(COMPILER, "-O2", "-ffreestanding", "-fno-pic", "-no-pie",
                    "-nostdlib", "-static", "-fno-stack-protector", "-mno-sse", "-Wall", "-Werror",
                    "-Wl,-T," + src.resolve("payload.ld"), "-Wl,--build-id=none", "-Wl,-z,max-page-size=0x1000",
                    "-Wl,--no-warn-rwx-segments", "-Wl,-z,noexecstack",
                    "-o", out.resolve(name + ".elf").toString(),
                    src.resolve("boot.S").toString(), src.resolve("lib.c").toString()));
            cmd.add(src.resolve(name.equals("longmode") ? "longmode.S" : name + ".c").toString());
            if (name.equals("smp") || name.equals("apic")) {
                cmd.add(src.resolve("trampoline.S").toString());
            }
            Tools.Result r = Tools.run(out, 60, cmd);
            if (r.status() != 0) {
                throw new IOException("building payload " + name + " failed:\n" + r.output());
            }
        }
        built = out;
        return out;
    }
}
