package org.qemu.i386.difftest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The same differential test with Debian's qemu-i386 as the oracle, which adds the forms only a
 * 32-bit CPU runs (inc/dec 40-4F, push/pop/pusha/popa/pushf/popf, call/ret, enter/leave, BCD
 * adjusts, jcxz, into). The i386 harness is cross-compiled and its stack lives in the compared
 * buffer, so stack effects are checked as well.
 */
class QemuDifferentialTest {
    @Test
    void translatedInstructionsMatchDebiansQemuI386() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-i386")), "Debian's qemu-user (qemu-i386) is the oracle here");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/i686-linux-gnu-gcc")), "i686-linux-gnu-gcc builds the i386 harness");
        Path harness = DifferentialRunner.buildHarness("i386_harness.c", "i386_harness", "/usr/bin/i686-linux-gnu-gcc",
                "-static", "-no-pie", "-O1");
        DifferentialRunner.compare("qemu-i386", List.of("/usr/bin/qemu-i386", harness.toString()), new FormCatalogue(true), 6,
                0x1386_0e3eL, true, 4);
    }
}
