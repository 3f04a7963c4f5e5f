package org.qemu.tests.i386;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files that are not i386 programs: one clear line on stderr, exit status 1, no stack trace. */
class I386BadInputTest {
    @BeforeAll
    static void launcherBuilt() {
        Tools.assumeLauncherBuilt();
    }

    private static void assertOneLineError(Path file, String expectedText) throws Exception {
        Tools.Result r = Tools.run(null, Tools.LAUNCHER.toString(), file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr().lines().count()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("qemu-i386: ").contains(expectedText);
    }

    @Test
    void textFileIsNotAnElfImage() throws Exception {
        Path f = Tools.WORK.resolve("not-elf.txt");
        Files.createDirectories(Tools.WORK);
        Files.writeString(f, "just text\n");
        assertOneLineError(f, f + ": Invalid ELF image for this architecture");
    }

    @Test
    void truncatedElfIsRejected() throws Exception {
        Path full = Tools.compileI386("arith", false);
        Path f = Tools.WORK.resolve("truncated-elf");
        byte[] bytes = Files.readAllBytes(full);
        Files.write(f, java.util.Arrays.copyOf(bytes, 3000));
        assertOneLineError(f, "Invalid ELF image for this architecture");
        Files.write(f, java.util.Arrays.copyOf(bytes, 40));
        assertOneLineError(f, "Invalid ELF image for this architecture");
    }

    @Test
    void x86_64ElfIsTheWrongArchitecture() throws Exception {
        assertOneLineError(Path.of("/bin/true"), "/bin/true: Invalid ELF image for this architecture");
    }

    @Test
    void powerPcElfIsTheWrongArchitecture() throws Exception {
        assumeTrue(Tools.onPath("powerpc-linux-gnu-gcc"), "powerpc-linux-gnu-gcc is not installed");
        Path f = Tools.WORK.resolve("ppc-program");
        Files.createDirectories(Tools.WORK);
        Tools.Result c = Tools.run(null, "powerpc-linux-gnu-gcc", "-static", "-o", f.toString(),
                Tools.C_SOURCES.resolve("arith.c").toString());
        assumeTrue(c.status() == 0, "ppc compile failed");
        assertOneLineError(f, "Invalid ELF image for this architecture");
    }

    @Test
    void missingInterpreterIsNamed() throws Exception {
        assumeTrue(!Files.exists(Path.of("/lib/ld-linux.so.2")), "this host has an i386 loader installed");
        Path dynamic = Tools.compileI386("arith", true);
        assertOneLineError(dynamic, "Could not open '/lib/ld-linux.so.2'");
    }

    @Test
    void missingProgramIsNamed() throws Exception {
        assertOneLineError(Tools.WORK.resolve("no-such-program"), "no-such-program");
    }
}
