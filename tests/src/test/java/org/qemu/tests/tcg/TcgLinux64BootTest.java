package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's amd64 kernel under our qemu-system-x86_64 (TCG, long mode): the bzImage entered
 * through the 32-bit boot protocol switches to long mode itself; /init of an initramfs around
 * Debian's amd64 busybox-static prints a marker, runs a few commands and reboots through the
 * i8042 ({@code reboot=k}), ending the process with status 0 under {@code -no-reboot}. The
 * oracle is Debian's qemu-system-x86_64 (TCG) on the same kernel and initramfs. Skips with the
 * reason when the kernel or busybox cannot be fetched or Debian's QEMU is absent. Slow: about
 * 4 minutes of wall time (80 s of CPU) on 2 shared cores in session 4, hence the long timeout;
 * {@code -Dqemu.test.linux=false} turns it off with the i386 one.
 */
class TcgLinux64BootTest {
    private static final String APPEND = "console=ttyS0 acpi=off reboot=k nokaslr quiet panic=-1";
    private static final int OUR_TIMEOUT_SECONDS = Integer.getInteger("qemu.test.linux64-timeout", 1200);
    private static Path kernel;
    private static Path initramfs;
    private static Path work;

    @BeforeAll
    static void fetch() throws Exception {
        assumeTrue(Boolean.parseBoolean(System.getProperty("qemu.test.linux", "true")),
                "-Dqemu.test.linux=false: the Linux boot tests are turned off");
        work = Path.of("target/tcg-linux64-work").toAbsolutePath();
        Files.createDirectories(work);
        try {
            kernel = DebianLinux.AMD64.kernel();
            initramfs = DebianLinux.AMD64.initramfs(work);
        } catch (IOException e) {
            assumeTrue(false, "Debian's amd64 kernel or busybox is not available: " + e.getMessage());
        }
    }

    private static List<String> command(String emulator) {
        return List.of(emulator, "-nographic", "-no-reboot", "-m", "256", "-kernel", kernel.toString(),
                "-initrd", initramfs.toString(), "-append", APPEND);
    }

    @Test
    void bootsToTheShellAndRebootsLikeDebiansQemu() throws Exception {
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        assumeTrue(Files.isRegularFile(root.resolve("target/lib/qemu-i386.jar")), "target/lib/qemu-i386.jar is missing: run mvn package first");
        EmulatorRun ourRun = EmulatorRun.of(work, OUR_TIMEOUT_SECONDS, command(root.resolve("bin/qemu-system-x86_64").toString()));
        assertThat(ourRun.stdout()).as("our console\n%s", ourRun).contains(DebianLinux.MARKER);
        assertThat(ourRun.status()).as("%s", ourRun).isZero();
        List<String> ourLines = TcgLinuxBootTest.shellOutput(ourRun.stdout());
        assertThat(ourLines).as("%s", ourRun).contains("42");

        assumeTrue(onPath("qemu-system-x86_64"), "Debian's qemu-system-x86_64 (qemu-system-x86) is not installed");
        EmulatorRun debian = EmulatorRun.of(work, 300, command("qemu-system-x86_64"));
        assertThat(debian.status()).as("Debian's QEMU\n%s", debian).isZero();
        assertThat(ourLines).isEqualTo(TcgLinuxBootTest.shellOutput(debian.stdout()));
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
