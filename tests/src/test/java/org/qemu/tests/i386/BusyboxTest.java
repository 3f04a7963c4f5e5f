package org.qemu.tests.i386;

import org.qemu.tests.support.HostProcess;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's busybox-static for i386 under bin/qemu-i386 must print what Debian's native amd64
 * busybox (same 1.35 source) prints for the same shell script: pipes, subshells, sort, sed,
 * awk, gzip/gunzip, md5sum/sha256sum, find, tar.
 */
class BusyboxTest {
    private static Path busybox;

    @BeforeAll
    static void setUp() throws Exception {
        Tools.assumeLauncherBuilt();
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "native busybox (package busybox) is not installed");
        busybox = Tools.busyboxI386();
    }

    private static void assertSameAsNative(String script, String stdin) throws Exception {
        HostProcess.Result expected = Tools.run(stdin, "/bin/busybox", "sh", "-c", script);
        HostProcess.Result actual = Tools.run(stdin, Tools.LAUNCHER.toString(), busybox.toString(), "sh", "-c", script);
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void hashesOfStdin() throws Exception {
        HostProcess.Result expected = Tools.run("hello\n", "/bin/busybox", "sha256sum");
        HostProcess.Result actual = Tools.run("hello\n", Tools.LAUNCHER.toString(), busybox.toString(), "sha256sum");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
    }

    @Test
    void shellPipesSubshellsAndTextTools() throws Exception {
        assertSameAsNative("""
                x=$(echo sub | tr a-z A-Z); echo "got $x"
                (echo one; echo two) | sort -r
                i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo line$i; done | sed -n 's/line/L/p' | tr -d '\\n'; echo
                printf 'b 2\\na 1\\nc 3\\n' | sort -k2 | cut -d' ' -f1 | tr '\\n' ,
                echo; echo "$(echo nested $(echo deeper))" | md5sum
                exit 3
                """, null);
    }

    /** awk and seq compute in floating point: they need the x87/SSE translator. */
    @Test
    void awkAndSeq() throws Exception {
        assertSameAsNative("printf 'b 10\\na 9\\n' | sort -k2 -n; seq 1 100 | md5sum; seq 1 5 | awk '{s += $1} END {print s, NR, s / NR}'", null);
    }

    /** execve of a "#!" script runs its interpreter as a guest program, found under the -L prefix. */
    @Test
    void shebangScriptRunsItsInterpreterFromThePrefix() throws Exception {
        Path sysroot = Tools.WORK.resolve("sysroot");
        Files.createDirectories(sysroot.resolve("bin"));
        Files.copy(busybox, sysroot.resolve("bin/sh"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path script = sysroot.resolve("greet.sh");
        Files.writeString(script, "#!/bin/sh\necho \"script $0 got $1\"\nexit 4\n");
        script.toFile().setExecutable(true);
        HostProcess.Result r = Tools.run(null, Tools.LAUNCHER.toString(), "-L", sysroot.toString(), busybox.toString(),
                "sh", "-c", "/greet.sh hello; echo status=$?");
        assertThat(r.stdout()).isEqualTo("script /greet.sh got hello\nstatus=4\n");
    }

    @Test
    void gzipTarFindInAScratchDirectory() throws Exception {
        Path dir = Tools.WORK.resolve("bb-scratch");
        String script = """
                set -e
                d="$1"; rm -rf "$d"; mkdir -p "$d/tree/sub"; cd "$d"
                i=0; while [ $i -lt 2000 ]; do echo $i; i=$((i+1)); done > tree/numbers; echo hi > tree/sub/file
                gzip -9 -c tree/numbers > n.gz; gunzip -c n.gz | sha256sum
                tar -cf t.tar tree; tar -tf t.tar | sort
                mkdir out; tar -xf t.tar -C out; find out -type f | sort; cat out/tree/sub/file
                cd /; rm -rf "$d"
                """;
        HostProcess.Result expected = Tools.run(null, "/bin/busybox", "sh", "-c", script, "sh", dir.toString());
        HostProcess.Result actual = Tools.run(null, Tools.LAUNCHER.toString(), busybox.toString(), "sh", "-c", script, "sh", dir.toString());
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("numbers");
        assertThat(actual.status()).isEqualTo(expected.status()).isZero();
    }
}
