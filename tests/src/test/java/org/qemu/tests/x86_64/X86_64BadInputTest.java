package org.qemu.tests.x86_64;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qemu.tests.support.BadProgramContract;

/** Files that are not x86-64 programs, and an x86-64 program whose loader is missing. */
class X86_64BadInputTest extends BadProgramContract {
    @BeforeAll
    static void launcherBuilt() {
        X64Tools.assumeLauncherBuilt();
    }

    @Override
    protected String emulatorName() {
        return "qemu-x86_64";
    }

    @Override
    protected Path work() {
        return X64Tools.WORK;
    }

    @Override
    protected Path sampleProgram() throws Exception {
        return X64Tools.compile("arith", false);
    }

    @Override
    protected List<Path> foreignPrograms() throws Exception {
        Path arith = X64Tools.SHARED_C_SOURCES.resolve("arith.c");
        return List.of(crossCompiled("i686-linux-gnu-gcc", arith, "i386-program"),
                crossCompiled("powerpc-linux-gnu-gcc", arith, "ppc-program"));
    }

    @Test
    void missingInterpreterIsNamed() throws Exception {
        Path dynamic = X64Tools.compile("arith", true);
        // The interpreter is looked up under -L first and then on the host: patch its name instead.
        byte[] bytes = Files.readAllBytes(dynamic);
        String elf = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = elf.indexOf("/lib64/ld-linux-x86-64.so.2");
        assertThat(at).isPositive();
        byte[] renamed = "/lib64/no-such-loader.so.2".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(renamed, 0, bytes, at, renamed.length);
        bytes[at + renamed.length] = 0;
        Path f = X64Tools.WORK.resolve("bad-interp");
        Files.write(f, bytes);
        assertOneLineError(f, "Could not open '/lib64/no-such-loader.so.2'");
    }
}
