package org.qemu.tests.x86_64;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Files that are not x86-64 programs: one clear line on stderr, exit status 1, no stack trace. */
class X86_64BadInputTest {
    @BeforeAll
    static void launcherBuilt() {
        X64Tools.assumeLauncherBuilt();
    }

    private static void assertOneLineError(Path file, String expectedText) throws Exception {
        X64Tools.Result r = X64Tools.run(null, X64Tools.LAUNCHER.toString(), file.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr().lines().count()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("qemu-x86_64: ").contains(expectedText);
    }

    @Test
    void textFileIsNotAnElfImage() throws Exception {
        Path f = X64Tools.WORK.resolve("not-elf.txt");
        Files.createDirectories(X64Tools.WORK);
        Files.writeString(f, "just text\n");
        assertOneLineError(f, f + ": Invalid ELF image for this architecture");
    }

    @Test
    void truncatedElfIsRejected() throws Exception {
        Path full = X64Tools.compile("arith", false);
        Path f = X64Tools.WORK.resolve("truncated-elf");
        byte[] bytes = Files.readAllBytes(full);
        Files.write(f, java.util.Arrays.copyOf(bytes, 3000));
        assertOneLineError(f, "Invalid ELF image for this architecture");
        Files.write(f, java.util.Arrays.copyOf(bytes, 40));
        assertOneLineError(f, "Invalid ELF image for this architecture");
    }

    @Test
    void i386ElfIsTheWrongArchitecture() throws Exception {
        assumeTrue(X64Tools.onPath("i686-linux-gnu-gcc"), "i686-linux-gnu-gcc is not installed");
        Path f = X64Tools.WORK.resolve("i386-program");
        Files.createDirectories(X64Tools.WORK);
        X64Tools.Result c = X64Tools.run(null, "i686-linux-gnu-gcc", "-static", "-o", f.toString(),
                X64Tools.SHARED_C_SOURCES.resolve("arith.c").toString());
        assumeTrue(c.status() == 0, "i686 compile failed");
        assertOneLineError(f, f + ": Invalid ELF image for this architecture");
    }

    @Test
    void powerPcElfIsTheWrongArchitecture() throws Exception {
        assumeTrue(X64Tools.onPath("powerpc-linux-gnu-gcc"), "powerpc-linux-gnu-gcc is not installed");
        Path f = X64Tools.WORK.resolve("ppc-program");
        Files.createDirectories(X64Tools.WORK);
        X64Tools.Result c = X64Tools.run(null, "powerpc-linux-gnu-gcc", "-static", "-o", f.toString(),
                X64Tools.SHARED_C_SOURCES.resolve("arith.c").toString());
        assumeTrue(c.status() == 0, "ppc compile failed");
        assertOneLineError(f, "Invalid ELF image for this architecture");
    }

    @Test
    void missingInterpreterIsNamed() throws Exception {
        Path dynamic = X64Tools.compile("arith", true);
        Path sysroot = X64Tools.WORK.resolve("empty-sysroot");
        Files.createDirectories(sysroot);
        // The interpreter is looked up under -L first and then on the host: patch its name instead.
        byte[] bytes = Files.readAllBytes(dynamic);
        String elf = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = elf.indexOf("/lib64/ld-linux-x86-64.so.2");
        assertThat(at).isPositive();
        byte[] renamed = "/lib64/no-such-loader.so.2".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(renamed, 0, bytes, at, renamed.length);
        bytes[at + renamed.length] = 0;
        Path f = X64Tools.WORK.resolve("bad-interp");
        Files.write(f, bytes);
        assertOneLineError(f, "Could not open '/lib64/no-such-loader.so.2'");
    }

    @Test
    void missingProgramIsNamed() throws Exception {
        assertOneLineError(X64Tools.WORK.resolve("no-such-program"), "no-such-program");
    }
}
