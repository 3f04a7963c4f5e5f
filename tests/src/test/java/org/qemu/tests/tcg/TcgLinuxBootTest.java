package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's i386 kernel boots under our qemu-system-i386 to a busybox shell: /init prints a
 * marker, runs a few commands and reboots through the i8042 ({@code reboot=k}), which ends the
 * process with status 0 under {@code -no-reboot}. The oracle is Debian's own qemu-system-i386
 * (TCG) on the same kernel and initramfs: the marker and the commands' output must be the same.
 * Skips with the reason when the kernel or busybox cannot be fetched or Debian's QEMU is absent.
 */
class TcgLinuxBootTest {
    private static final String APPEND = "console=ttyS0 acpi=off reboot=k nokaslr quiet panic=-1";
    private static final int OUR_TIMEOUT_SECONDS = Integer.getInteger("qemu.test.linux-timeout", 600);
    private static Path kernel;
    private static Path initramfs;
    private static Path work;

    @BeforeAll
    static void fetch() throws Exception {
        assumeTrue(Boolean.parseBoolean(System.getProperty("qemu.test.linux", "true")),
                "-Dqemu.test.linux=false: the Linux boot test is turned off");
        work = Path.of("target/tcg-linux-work").toAbsolutePath();
        Files.createDirectories(work);
        try {
            kernel = DebianLinux.I386.kernel();
            initramfs = DebianLinux.I386.initramfs(work);
        } catch (IOException e) {
            assumeTrue(false, "Debian's i386 kernel or busybox is not available: " + e.getMessage());
        }
    }

    private static Path ours() {
        Path launcher = Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-i386").toAbsolutePath();
        assumeTrue(Files.isRegularFile(Path.of(System.getProperty("qemu.root", "..")).resolve("target/lib/qemu-i386.jar")),
                "target/lib/qemu-i386.jar is missing: run mvn package first");
        return launcher;
    }

    private static List<String> command(String emulator) {
        return List.of(emulator, "-nographic", "-no-reboot", "-m", "256", "-kernel", kernel.toString(),
                "-initrd", initramfs.toString(), "-append", APPEND);
    }

    /** The lines /init printed: from the marker up to the kernel's own reboot message. */
    static List<String> shellOutput(String console) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String raw : console.replace("\r", "").split("\n")) {
            if (!in && raw.contains(DebianLinux.MARKER)) {
                in = true;
                // the firmware's terminal reset may share the line when the kernel printed nothing before (quiet)
                raw = raw.substring(raw.indexOf(DebianLinux.MARKER));
            }
            if (in && (raw.startsWith("[") || raw.contains("reboot:"))) {
                break;
            }
            if (in) {
                lines.add(raw);
            }
        }
        return lines;
    }

    @Test
    void bootsToTheShellAndRebootsLikeDebiansQemu() throws Exception {
        Path emulator = ours();
        EmulatorRun ourRun = EmulatorRun.of(work, OUR_TIMEOUT_SECONDS, command(emulator.toString()));
        assertThat(ourRun.stdout()).as("our console\n%s", ourRun).contains(DebianLinux.MARKER);
        assertThat(ourRun.status()).as("%s", ourRun).isZero();
        List<String> ourLines = shellOutput(ourRun.stdout());
        assertThat(ourLines).as("%s", ourRun).contains("42");

        assumeTrue(onPath("qemu-system-i386"), "Debian's qemu-system-i386 (qemu-system-x86) is not installed");
        EmulatorRun debian = EmulatorRun.of(work, 300, command("qemu-system-i386"));
        assertThat(debian.status()).as("Debian's QEMU\n%s", debian).isZero();
        assertThat(ourLines).isEqualTo(shellOutput(debian.stdout()));
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
