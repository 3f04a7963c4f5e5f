package org.qemu.tests.i386;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qemu.tests.support.BadProgramContract;

/** Files that are not i386 programs, and an i386 program whose loader is missing. */
class I386BadInputTest extends BadProgramContract {
    @BeforeAll
    static void launcherBuilt() {
        Tools.assumeLauncherBuilt();
    }

    @Override
    protected String emulatorName() {
        return "qemu-i386";
    }

    @Override
    protected Path work() {
        return Tools.WORK;
    }

    @Override
    protected Path sampleProgram() throws Exception {
        return Tools.compileI386("arith", false);
    }

    @Override
    protected List<Path> foreignPrograms() throws Exception {
        return List.of(Path.of("/bin/true"),
                crossCompiled("powerpc-linux-gnu-gcc", Tools.C_SOURCES.resolve("arith.c"), "ppc-program"));
    }

    @Test
    void missingInterpreterIsNamed() throws Exception {
        assumeTrue(!Files.exists(Path.of("/lib/ld-linux.so.2")), "this host has an i386 loader installed");
        Path dynamic = Tools.compileI386("arith", true);
        assertOneLineError(dynamic, "Could not open '/lib/ld-linux.so.2'");
    }
}
