package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.support.HostProcess;

/**
 * The {@code long64} payload (tests/src/test/payloads/long64.S) under our qemu-system-x86_64:
 * 4-level paging, 64-bit lgdt/lidt, lretq, the 64-bit TSS with RSP0 and IST stacks, exceptions
 * and interrupts through 64-bit gates with their frames, #PF with CR2 and the I/D bit, CR8,
 * swapgs, ring 3 through iretq, syscall/sysretq, an int from ring 3 and hlt there. Its serial
 * output and exit status must equal Debian's qemu-system-x86_64 (TCG) after SeaBIOS's banner,
 * with the interpreted tier and with every block compiled at once.
 */
class TcgLongModePayloadTest {
    private static final String DEBIAN_QEMU = "qemu-system-x86_64";
    private static final String FIRMWARE_LAST_LINE = "Booting from ROM..";

    @TempDir
    Path dir;


    @ParameterizedTest
    @ValueSource(ints = {64, 1})
    void longModePayloadBehavesAsUnderDebianQemu(int compileThreshold) throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        assumeTrue(HostProcess.onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        Path sources = root.resolve("tests/src/test/payloads");
        Path kernel = Payloads.compile(dir, "long64", sources.resolve("long64.S"));
        List<String> machine = List.of("-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString());

        List<String> ourCommand = new ArrayList<>(List.of("env", "QEMU_JAVA_OPTS=-Dqemu.tcg.compile-threshold=" + compileThreshold,
                root.resolve("bin/qemu-system-x86_64").toString()));
        ourCommand.addAll(machine);
        EmulatorRun ours = EmulatorRun.of(dir, 60, ourCommand);
        List<String> debianCommand = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none"));
        debianCommand.addAll(machine);
        EmulatorRun debian = EmulatorRun.of(dir, 60, debianCommand);

        int banner = debian.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("Debian's QEMU printed its firmware banner: %s", debian).isGreaterThanOrEqualTo(0);
        // the option ROM adds progress dots and, on a loaded host, a line break of its own before the payload's first
        String expected = debian.stdout().substring(banner + FIRMWARE_LAST_LINE.length()).replaceFirst("^[.\\r\\n]+", "");
        assertThat(debian.status()).as("Debian's QEMU: %s", debian).isZero();
        assertThat(ours.stdout().replaceFirst("^[\\r\\n]+", "")).as("serial output; ours: %s", ours).isEqualTo(expected);
        assertThat(ours.status()).as("%s", ours).isZero();
        assertThat(ours.stdout()).contains("long64 done");
        assertThat(ours.stderr()).isEmpty();
    }
}
