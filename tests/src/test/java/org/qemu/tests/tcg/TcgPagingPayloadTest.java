package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.support.HostProcess;

/**
 * The bare-metal paging payloads (tests/src/test/payloads): {@code paging} turns 32-bit paging
 * on and reports translations, accessed/dirty bits, page faults with CR2 and error codes,
 * invlpg, CR3 reloads, global pages and code rewritten through a second mapping;
 * {@code userpaging} makes ring-3 accesses to a supervisor page the kernel used just before, to
 * a read-only user page and to absent pages; {@code pae} does PAE paging with 2 MiB pages and
 * the execute-disable bit (fetch faults with the I/D bit). Our serial output and exit status must equal
 * Debian's qemu-system-x86_64 (TCG) after SeaBIOS's banner.
 */
class TcgPagingPayloadTest {
    private static final String DEBIAN_QEMU = "qemu-system-x86_64";
    private static final String FIRMWARE_LAST_LINE = "Booting from ROM..";

    @TempDir
    Path dir;


    @ParameterizedTest
    @ValueSource(strings = {"paging", "userpaging", "pae"})
    void pagingPayloadBehavesAsUnderDebianQemu(String payload) throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        assumeTrue(HostProcess.onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        Path sources = root.resolve("tests/src/test/payloads");
        Path kernel = payload.equals("userpaging") ? Payloads.compile(dir, payload, sources.resolve(payload + ".c"))
                : Payloads.compile(dir, payload, sources.resolve(payload + ".c"), sources.resolve("probe.c"));
        List<String> machine = List.of("-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString());

        List<String> ourCommand = new java.util.ArrayList<>(List.of(root.resolve("bin/qemu-system-i386").toString()));
        ourCommand.addAll(machine);
        EmulatorRun ours = EmulatorRun.of(dir, 60, ourCommand);
        List<String> debianCommand = new java.util.ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none"));
        debianCommand.addAll(machine);
        EmulatorRun debian = EmulatorRun.of(dir, 60, debianCommand);

        int banner = debian.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("Debian's QEMU printed its firmware banner: %s", debian).isGreaterThanOrEqualTo(0);
        // the option ROM adds progress dots and, on a loaded host, a line break of its own before the payload's first
        String expected = debian.stdout().substring(banner + FIRMWARE_LAST_LINE.length()).replaceFirst("^[.\\r\\n]+", "");
        assertThat(debian.status()).as("Debian's QEMU: %s", debian).isZero();
        assertThat(ours.stdout().replaceFirst("^[\\r\\n]+", "")).as("serial output; ours: %s", ours).isEqualTo(expected);
        assertThat(ours.status()).as("%s", ours).isZero();
        assertThat(ours.stdout()).containsAnyOf("paging done", "pae done");
    }
}
