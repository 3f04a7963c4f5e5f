package org.qemu.tests.ppc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad programs give one clear error line and status 1; a bad instruction kills the guest with SIGILL. */
class PpcBadInputTest {
    @TempDir
    Path dir;

    private static PpcToolchain.Result emulate(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(PpcToolchain.emulator().toString()));
        cmd.addAll(Arrays.asList(args));
        return PpcToolchain.run(cmd, Map.of(), 120);
    }

    private static void assertOneErrorLine(PpcToolchain.Result r, String fragment) {
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr().strip().lines().count()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("qemu-ppc: ").contains(fragment).doesNotContain("Exception");
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void textFileIsNotAnExecutable() throws Exception {
        Path f = Files.writeString(dir.resolve("script.txt"), "just some text\n");
        assertOneErrorLine(emulate(f.toString()), "Exec format error");
    }

    @Test
    void truncatedElfIsRejected() throws Exception {
        Path ppc = PpcToolchain.buildPpc(PpcToolchain.source("arith.c"), dir, false);
        byte[] head = Arrays.copyOf(Files.readAllBytes(ppc), 100);
        Path t = Files.write(dir.resolve("truncated"), head);
        assertOneErrorLine(emulate(t.toString()), "Invalid ELF image");
    }

    @Test
    void hostBinaryIsTheWrongArchitecture() throws Exception {
        assertOneErrorLine(emulate("/bin/true"), "Invalid ELF image for this architecture");
    }

    @Test
    void missingInterpreterIsNamed() throws Exception {
        Path ppc = PpcToolchain.buildPpc(PpcToolchain.source("arith.c"), dir, true);
        // No -L: the PowerPC loader /lib/ld.so.1 does not exist on this host.
        assertOneErrorLine(emulate(ppc.toString()), "ld.so.1");
    }

    @Test
    void missingProgramIsNamed() throws Exception {
        assertOneErrorLine(emulate(dir.resolve("nothing-here").toString()), "No such file or directory");
    }

    @Test
    void invalidInstructionKillsTheGuestWithSigill() throws Exception {
        Path src = Files.writeString(dir.resolve("ill.c"), """
                #include <stdio.h>
                int main(void) {
                    printf("before\\n");
                    fflush(stdout);
                    __asm__ volatile(".long 0");
                    printf("after\\n");
                    return 0;
                }
                """);
        Path ppc = PpcToolchain.buildPpc(src, dir, false);
        PpcToolchain.Result r = emulate(ppc.toString());
        assertThat(r.stdout()).isEqualTo("before\n");
        assertThat(r.status()).isEqualTo(128 + 4);
        assertThat(r.stderr()).doesNotContain("Exception", "\tat ");
    }
}
