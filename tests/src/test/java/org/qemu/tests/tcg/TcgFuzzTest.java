package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.tests.kvm.Payloads;

/**
 * Guest faults stay in the guest: the {@code fuzz} payload runs rounds of random instruction
 * bytes in ring 0 (privileged instructions, control registers, descriptor tables, ports, wild
 * jumps under paging, a timer tick ending loops), each round ended by whatever vector it raises.
 * There is no oracle for the output (random code diverges on anything the firmware left in
 * memory); what must hold is that our emulator never fails inside itself: no internal error
 * and no Java exception on stderr, and the run ends the way a machine ends (status 0: the payload
 * finished or the random code reset the machine; status 1 only with QEMU's own wording for a
 * fetch outside RAM once the code turned paging off; the test's timeout for a guest that halted
 * with interrupts off).
 */
class TcgFuzzTest {
    private static final int TIMEOUT_SECONDS = 90;
    private static Path kernel;
    private static Path kernel64;

    @TempDir
    static Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        Path sources = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath().resolve("tests/src/test/payloads");
        kernel = build(sources, "fuzz");
        kernel64 = build(sources, "fuzz64");
    }

    private static Path build(Path sources, String name) throws Exception {
        return Payloads.compile(dir, name, sources.resolve(name + ".c"));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 5, 6})
    void randomRing0CodeNeverBreaksTheEmulator(int seed) throws Exception {
        Path launcher = Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-i386").toAbsolutePath();
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, List.of(launcher.toString(), "-nographic", "-no-reboot", "-m", "64",
                "-kernel", kernel.toString(), "-append", "seed=" + seed + " rounds=150"));
        assertThat(ours.stdout()).as("%s", ours).contains("fuzz: seed");
        assertEndedAsAMachine(ours);
    }

    /**
     * The same in 64-bit ring 0 ({@code fuzz64}: 4-level paging, 64-bit gates through IST1),
     * where random code reaches far and non-canonical addresses all the time.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 5, 6})
    void randomLongModeRing0CodeNeverBreaksTheEmulator(int seed) throws Exception {
        Path launcher = Path.of(System.getProperty("qemu.root", "..")).resolve("bin/qemu-system-x86_64").toAbsolutePath();
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, List.of(launcher.toString(), "-nographic", "-no-reboot", "-m", "64",
                "-kernel", kernel64.toString(), "-append", "seed=" + seed + " rounds=150"));
        assertThat(ours.stdout()).as("%s", ours).contains("fuzz64: seed");
        assertEndedAsAMachine(ours);
    }

    private static void assertEndedAsAMachine(EmulatorRun ours) {
        assertThat(ours.stderr()).as("%s", ours).doesNotContain("internal error").doesNotContain("Exception").doesNotContain("\tat ");
        if (ours.status() == 1) {
            assertThat(ours.stderr().lines().toList()).as("%s", ours).singleElement().asString()
                    .contains("Trying to execute code outside RAM or ROM");
        } else {
            assertThat(ours.status()).as("%s", ours).isIn(0, -1);
        }
    }
}
