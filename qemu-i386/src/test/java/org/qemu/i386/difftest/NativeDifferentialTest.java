package org.qemu.i386.difftest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The instruction-level differential test against this x86-64 host's own CPU: a small C harness
 * runs the snippets in 64-bit mode, for the forms whose encoding means the same there
 * ({@code FormCatalogue(false)}), with code and data below 4 GiB at the guest addresses.
 * Registers, defined flags, memory and traps must agree with ours, in both execution tiers.
 */
class NativeDifferentialTest {
    @Test
    void translatedInstructionsMatchTheHostCpu() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the native oracle needs an x86-64 host");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "host gcc is needed to build the native harness");
        Path harness = DifferentialRunner.buildHarness("native_harness.c", "native_harness", "/usr/bin/gcc", "-O1");
        DifferentialRunner.compare("the host CPU", List.of(harness.toString()), new FormCatalogue(false), 16, 0x5eed_1386L, false, 3);
    }
}
