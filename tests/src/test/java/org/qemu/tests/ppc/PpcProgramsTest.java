package org.qemu.tests.ppc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our C programs, built for PowerPC by the cross compiler and run under bin/qemu-ppc, must
 * print exactly what the same source prints built natively for this x86-64 host (the programs
 * print fixed-width types only, so word size and byte order do not show), and exit the same.
 */
class PpcProgramsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({
        "arith.c, static", "arith.c, dynamic",
        "float.c, static",
        "ieee.c, static",
        "intfuzz.c, static", "intfuzz.c, static-compiled", "intfuzz.c, static-regions",
        "jump.c, static",
        "files.c, static",
        "forkpipe.c, static",
        "locks.c, static",
        "termios.c, static",
        "telldir.c, static",
        "signals.c, static", "signals.c, static-regions",
        "mmap.c, static",
        "procs.c, static",
        "threads.c, static", "threads.c, dynamic",
        "sockets.c, static",
    })
    void matchesTheNativeBuild(String program, String linkage) throws Exception {
        boolean dynamic = linkage.equals("dynamic");
        Path emulator = PpcToolchain.emulator();
        Path source = PpcToolchain.source(program);
        Path ppc = PpcToolchain.buildPpc(source, dir, dynamic);
        Path host = PpcToolchain.buildNative(source, dir);

        PpcToolchain.Result expected = PpcToolchain.run(List.of(host.toString(), scratch(program, "native")), Map.of(), 120);
        List<String> cmd = new ArrayList<>(List.of(emulator.toString()));
        if (dynamic) {
            cmd.addAll(List.of("-L", PpcToolchain.PPC_SYSROOT.toString()));
        }
        cmd.add(ppc.toString());
        cmd.add(scratch(program, "ppc"));
        // "-compiled": every block straight to bytecode, so the compiled tier sees all of the program.
        // "-regions": the region tier on, built for every page on a block's second run, with every block that ran.
        Map<String, String> env = linkage.endsWith("-compiled") ? Map.of("QEMU_JAVA_OPTS", "-Dqemu.ppc.compileAll=true")
                : linkage.endsWith("-regions") ? Map.of("QEMU_JAVA_OPTS",
                        "-Dqemu.ppc.regions=true -Dqemu.ppc.hotBlock=2 -Dqemu.ppc.warmBlock=1 -Dqemu.ppc.mergeAfterExits=50")
                : Map.of();
        PpcToolchain.Result actual = PpcToolchain.run(cmd, env, 300);

        assertThat(actual.stderr()).doesNotContain("Exception", "\tat ");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
        assertThat(expected.stdout()).isNotBlank();
    }

    /** files.c wants an empty directory (locks.c, termios.c and telldir.c a scratch one), mmap.c a scratch file path; the others ignore argv[1]. */
    private String scratch(String program, String side) throws Exception {
        Path d = Files.createDirectories(dir.resolve(side + "-" + program));
        return program.equals("mmap.c") ? d.resolve("mapped.txt").toString() : d.toString();
    }
}
