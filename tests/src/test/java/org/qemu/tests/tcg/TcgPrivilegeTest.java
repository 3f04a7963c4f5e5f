package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.tests.kvm.Payloads;

/**
 * Privilege levels of the translated CPU: the {@code ring3} payload (TSS, ring-3 segments, iret
 * to ring 3, int 0x80 through a DPL-3 trap gate with the stack switch, privileged instructions
 * and refused segment loads with their exceptions and error codes, the I/O bitmap, lar/lsl/verr/verw,
 * popf under IOPL, sysenter/sysexit, a call gate) under our {@code qemu-system-i386} and under
 * Debian's {@code qemu-system-x86_64 -accel tcg}: the serial output after the firmware banner and
 * the exit status must be the same. It runs once with the interpreted tier and once with every
 * block compiled at its first run, since the two tiers run the same ops differently.
 */
class TcgPrivilegeTest {
    private static final String DEBIAN_QEMU = "qemu-system-x86_64";
    private static final String FIRMWARE_LAST_LINE = "Booting from ROM..";
    private static final int TIMEOUT_SECONDS = 60;
    private static Path kernel;
    private static EmulatorRun debian;

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildAndRunUnderDebianQemu() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        assumeTrue(onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        Path sources = root.resolve("tests/src/test/payloads");
        kernel = dir.resolve("ring3.elf");
        EmulatorRun build = EmulatorRun.of(dir, 60, List.of(Payloads.COMPILER, "-O2", "-ffreestanding", "-fno-pic", "-no-pie",
                "-nostdlib", "-static", "-fno-stack-protector", "-mno-sse", "-Wall", "-Werror", "-I" + sources,
                "-Wl,-T," + sources.resolve("payload.ld"), "-Wl,--build-id=none", "-Wl,-z,max-page-size=0x1000",
                "-Wl,--no-warn-rwx-segments", "-Wl,-z,noexecstack", "-o", kernel.toString(),
                sources.resolve("boot.S").toString(), sources.resolve("lib.c").toString(), sources.resolve("ring3.c").toString()));
        assertThat(build.status()).as("%s", build).isZero();
        EmulatorRun r = EmulatorRun.of(dir, TIMEOUT_SECONDS, List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none",
                "-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString()));
        int banner = r.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("Debian's QEMU printed its firmware banner: %s", r).isGreaterThanOrEqualTo(0);
        String payloadOutput = r.stdout().substring(banner + FIRMWARE_LAST_LINE.length()).replaceFirst("^\\.*", "");
        debian = new EmulatorRun(r.status(), payloadOutput, r.stderr());
        assertThat(debian.status()).as("Debian's QEMU: %s", debian).isZero();
        assertThat(debian.stdout()).as("the payload ran to its end under Debian's QEMU").contains("ring3 done");
    }

    private static boolean onPath(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest(name = "compile threshold {0}")
    @ValueSource(ints = {64, 1})
    void ring3PayloadBehavesAsUnderDebianQemu(int compileThreshold) throws Exception {
        Path launcher = Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-i386").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("env", "QEMU_JAVA_OPTS=-Dqemu.tcg.compile-threshold=" + compileThreshold,
                launcher.toString(), "-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString()));
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, command);
        assertThat(ours.stdout()).as("serial output; ours: %s", ours).isEqualTo(debian.stdout());
        assertThat(ours.status()).as("exit status; ours: %s", ours).isEqualTo(debian.status());
        assertThat(ours.stderr()).isEmpty();
    }
}
