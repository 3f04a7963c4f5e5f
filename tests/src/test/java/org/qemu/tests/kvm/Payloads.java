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

    /** Why our qemu-kvm cannot run here (no usable /dev/kvm), or null when it can. */
    public static String kvmUnavailableReason() {
        return Tools.kvmUnavailableReason();
    }

    /** Compiles every payload once per test JVM; returns the directory holding {@code NAME.elf}. */
    public static synchronized Path build() throws IOException, InterruptedException {
        if (built != null) {
            return built;
        }
        Path out = Files.createTempDirectory("qemu-kvm-payloads");
        Path src = sources();
        for (String name : List.of("hello", "pci", "irq", "smp", "longmode", "iobench", "reboot", "memmap", "pit", "apic", "rtc")) {
            List<Path> program = new ArrayList<>(List.of(src.resolve(name.equals("longmode") ? "longmode.S" : name + ".c")));
            if (name.equals("smp") || name.equals("apic")) {
                program.add(src.resolve("trampoline.S"));
            }
            compile(out, name, program.toArray(Path[]::new));
        }
        built = out;
        return out;
    }

    /**
     * Links the payload start-up code and library with {@code program} into {@code out/NAME.elf}
     * (a multiboot ELF for any of our machines and Debian's QEMU); a compiler error fails with its output.
     */
    public static Path compile(Path out, String name, Path... program) throws IOException, InterruptedException {
        Path src = sources().toAbsolutePath();
        Path elf = out.resolve(name + ".elf");
        List<String> cmd = new ArrayList<>(List.of(COMPILER, "-O2", "-ffreestanding", "-fno-pic", "-no-pie",
                "-nostdlib", "-static", "-fno-stack-protector", "-mno-sse", "-Wall", "-Werror", "-I" + src,
                "-Wl,-T," + src.resolve("payload.ld"), "-Wl,--build-id=none", "-Wl,-z,max-page-size=0x1000",
                "-Wl,--no-warn-rwx-segments", "-Wl,-z,noexecstack", "-o", elf.toString(),
                src.resolve("boot.S").toString(), src.resolve("lib.c").toString()));
        for (Path p : program) {
            cmd.add(p.toString());
        }
        Tools.Result r = Tools.run(out, 60, cmd);
        if (r.status() != 0) {
            throw new IOException("building payload " + name + " failed:\n" + r.output());
        }
        return elf;
    }
}
