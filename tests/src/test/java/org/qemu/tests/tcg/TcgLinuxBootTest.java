package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qemu.tests.support.HostProcess;

/**
 * Debian's kernels boot under our system emulators to a busybox shell: /init prints a marker,
 * runs a few commands and reboots through the i8042 ({@code reboot=k}), which ends the process
 * with status 0 under {@code -no-reboot}. The i386 686 kernel runs under qemu-system-i386 (32-bit
 * paging); the amd64 kernel under qemu-system-x86_64 (its bzImage entered through the 32-bit
 * boot protocol switches to long mode itself). The oracle is Debian's own QEMU (TCG) of the same
 * name on the same kernel and initramfs: the marker and the commands' output must be the same.
 * Skips with the reason when the kernel or busybox cannot be fetched or Debian's QEMU is absent;
 * {@code -Dqemu.test.linux=false} turns both off.
 */
class TcgLinuxBootTest {
    /**
     * {@code no_timer_check}: the kernel's early check that the timer ticks waits a fixed host
     * time for five ticks; a CPU thread starved by a loaded machine saw fewer and the kernel
     * panicked ("IO-APIC + timer doesn't work!"). Both emulators get the same command line.
     */
    static final String APPEND = "console=ttyS0 acpi=off reboot=k nokaslr quiet panic=-1 no_timer_check";

    enum Guest {
        I386(DebianLinux.I386, "qemu-system-i386", "target/tcg-linux-work", 600),
        /** Slow: 57 s on a quiet machine in session 4 (far pages, long-mode code), minutes under load. */
        AMD64(DebianLinux.AMD64, "qemu-system-x86_64", "target/tcg-linux64-work", 1200);

        final DebianLinux linux;
        final String emulator;
        final String work;
        final int timeoutSeconds;

        Guest(DebianLinux linux, String emulator, String work, int timeoutSeconds) {
            this.linux = linux;
            this.emulator = emulator;
            this.work = work;
            this.timeoutSeconds = Integer.getInteger("qemu.test.linux-timeout", timeoutSeconds);
        }
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

    private static List<String> command(String emulator, Path kernel, Path initramfs) {
        return List.of(emulator, "-nographic", "-no-reboot", "-m", "256", "-kernel", kernel.toString(),
                "-initrd", initramfs.toString(), "-append", APPEND);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Guest.class)
    void bootsToTheShellAndRebootsLikeDebiansQemu(Guest guest) throws Exception {
        assumeTrue(Boolean.parseBoolean(System.getProperty("qemu.test.linux", "true")),
                "-Dqemu.test.linux=false: the Linux boot tests are turned off");
        Path root = HostProcess.ROOT;
        assumeTrue(Files.isRegularFile(root.resolve("target/lib/qemu-i386.jar")),
                "target/lib/qemu-i386.jar is missing: run mvn package first");
        Path work = Path.of(guest.work).toAbsolutePath();
        Files.createDirectories(work);
        Path kernel;
        Path initramfs;
        try {
            kernel = guest.linux.kernel();
            initramfs = guest.linux.initramfs(work);
        } catch (IOException e) {
            assumeTrue(false, "Debian's " + guest + " kernel or busybox is not available: " + e.getMessage());
            return;
        }
        String ours = root.resolve("bin").resolve(guest.emulator).toString();
        EmulatorRun ourRun = EmulatorRun.of(work, guest.timeoutSeconds, command(ours, kernel, initramfs));
        assertThat(ourRun.stdout()).as("our console\n%s", ourRun).contains(DebianLinux.MARKER);
        assertThat(ourRun.status()).as("%s", ourRun).isZero();
        List<String> ourLines = shellOutput(ourRun.stdout());
        assertThat(ourLines).as("%s", ourRun).contains("42");

        assumeTrue(HostProcess.onPath(guest.emulator), "Debian's " + guest.emulator + " (qemu-system-x86) is not installed");
        EmulatorRun debian = EmulatorRun.of(work, 300, command(guest.emulator, kernel, initramfs));
        assertThat(debian.status()).as("Debian's QEMU\n%s", debian).isZero();
        assertThat(ourLines).isEqualTo(shellOutput(debian.stdout()));
    }
}
