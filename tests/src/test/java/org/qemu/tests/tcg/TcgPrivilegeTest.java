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
import org.junit.jupiter.params.provider.CsvSource;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.support.HostProcess;

/**
 * Privilege levels and tasks of the translated CPU, each payload under our {@code qemu-system-i386}
 * and under Debian's {@code qemu-system-x86_64 -accel tcg}: the serial output after the firmware
 * banner and the exit status must be the same. {@code ring3}: TSS, ring-3 segments, iret to ring 3,
 * int 0x80 through a DPL-3 trap gate with the stack switch, privileged instructions and refused
 * segment loads and returns with their exceptions and error codes, the I/O bitmap,
 * lar/lsl/verr/verw, popf under IOPL, sysenter/sysexit, a call gate, an IRQ in ring 3.
 * {@code tasks}: a double fault through a task gate, iret with NT, far call and jmp to tasks.
 * {@code chain}: hot loops whose compiled blocks chain to each other across a ring change (one
 * routine entered by the same iret in ring 0 and ring 3), timer interrupts, a code page rewritten
 * next to the chain and a page remapped under it (invlpg, CR3 reload).
 * {@code loops}: one-block loops (loop blocks once compiled) ended by timer interrupts, by a
 * store into their own code, by page faults in mid-loop (A/D bits, the faulting store resumed),
 * and run over a page remapped between runs.
 * {@code patching}: code patched a few bytes at a time next to hot code on the same page (two
 * routines, an instruction straddling a page end, a two-block loop rewriting its partner's
 * immediate, data written beside code, the page written through a second mapping): every
 * translation that used a written byte must go, whatever else stays (session 8's invalidation by
 * written range).
 * {@code parking}: a code page unmapped and mapped again, to the same physical page with the same
 * bytes, to another, and to the same with bytes written meanwhile, by invlpg and by CR3 switches;
 * an instruction straddling into a page the #PF handler maps, run again after the page went and
 * came back (session 10: translations parked while their page is unmapped).
 * Each runs once with the interpreted tier and once with every block compiled at its first run,
 * since the two tiers run the same ops differently.
 */
class TcgPrivilegeTest {
    private static final String DEBIAN_QEMU = "qemu-system-x86_64";
    private static final String FIRMWARE_LAST_LINE = "Booting from ROM..";
    private static final int TIMEOUT_SECONDS = 60;
    private static final java.util.Map<String, Path> KERNELS = new java.util.HashMap<>();
    private static final java.util.Map<String, EmulatorRun> DEBIAN = new java.util.HashMap<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void buildAndRunUnderDebianQemu() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        assumeTrue(HostProcess.onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        Path sources = root.resolve("tests/src/test/payloads");
        for (String payload : List.of("ring3", "tasks", "chain", "loops", "patching", "parking")) {
            Path kernel = Payloads.compile(dir, payload, sources.resolve(payload + ".c"));
            EmulatorRun r = EmulatorRun.of(dir, TIMEOUT_SECONDS, List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none",
                    "-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString()));
            int banner = r.stdout().indexOf(FIRMWARE_LAST_LINE);
            assertThat(banner).as("Debian's QEMU printed its firmware banner: %s", r).isGreaterThanOrEqualTo(0);
            String payloadOutput = withoutLeadingBreaks(r.stdout().substring(banner + FIRMWARE_LAST_LINE.length()));
            EmulatorRun debian = new EmulatorRun(r.status(), payloadOutput, r.stderr());
            assertThat(debian.status()).as("Debian's QEMU: %s", debian).isZero();
            assertThat(debian.stdout()).as("the payload ran to its end under Debian's QEMU").contains(payload + " done");
            KERNELS.put(payload, kernel);
            DEBIAN.put(payload, debian);
        }
    }

    /**
     * Every payload starts with a line break; on a loaded host the multiboot option ROM sometimes
     * adds progress dots and a line break of its own after its banner, so both outputs are
     * compared from their first printed character.
     */
    private static String withoutLeadingBreaks(String output) {
        return output.replaceFirst("^[.\\r\\n]*", "");
    }


    @ParameterizedTest(name = "{0}, compile threshold {1}")
    @CsvSource({"ring3, 64", "ring3, 1", "tasks, 64", "tasks, 1", "chain, 64", "chain, 1", "loops, 64", "loops, 1", "patching, 64", "patching, 1", "parking, 64", "parking, 1"})
    void payloadBehavesAsUnderDebianQemu(String payload, int compileThreshold) throws Exception {
        Path launcher = Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-i386").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("env", "QEMU_JAVA_OPTS=-Dqemu.tcg.compile-threshold=" + compileThreshold,
                launcher.toString(), "-nographic", "-no-reboot", "-m", "64", "-kernel", KERNELS.get(payload).toString()));
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, command);
        EmulatorRun debian = DEBIAN.get(payload);
        assertThat(withoutLeadingBreaks(ours.stdout())).as("serial output; ours: %s", ours).isEqualTo(debian.stdout());
        assertThat(ours.status()).as("exit status; ours: %s", ours).isEqualTo(debian.status());
        assertThat(ours.stderr()).isEmpty();
    }
}
