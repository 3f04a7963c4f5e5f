package org.qemu.tests.x86_64;

import org.qemu.tests.support.HostProcess;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's amd64 busybox-static (/bin/busybox) under bin/qemu-x86_64 against the very same binary
 * run natively: output and exit status identical. (The i386 suite's gzip/tar/find script is not
 * repeated here: every pipeline stage is a fork, which costs a JVM start, and the runtime paths are
 * the same; bench/run-x86_64.sh runs busybox gzip and sha256sum on 32 MiB.)
 */
class X86_64BusyboxTest {
    private static final String BUSYBOX = "/bin/busybox";

    @BeforeAll
    static void setUp() {
        X64Tools.assumeLauncherBuilt();
        assumeTrue(Files.isExecutable(Path.of(BUSYBOX)), "busybox (package busybox-static) is not installed");
    }

    private static void assertSameAsNative(String stdin, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = BUSYBOX;
        System.arraycopy(args, 0, cmd, 1, args.length);
        HostProcess.Result expected = X64Tools.run(stdin, cmd);
        HostProcess.Result actual = X64Tools.ours(stdin, cmd);
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void echoAndHashes() throws Exception {
        assertSameAsNative(null, "echo", "hello", "x86_64");
        assertSameAsNative("hello\n", "sha256sum");
        assertSameAsNative("hello\n", "md5sum");
    }

    @Test
    void shellPipesSubshellsAndTextTools() throws Exception {
        assertSameAsNative(null, "sh", "-c", """
                x=$(echo sub | tr a-z A-Z); echo "got $x"
                (echo one; echo two) | sort -r
                i=0; while [ $i -lt 5 ]; do i=$((i+1)); echo line$i; done | sed -n 's/line/L/p' | tr -d '\\n'; echo
                printf 'b 2\\na 1\\nc 3\\n' | sort -k2 | cut -d' ' -f1 | tr '\\n' ,
                echo; echo "$(echo nested $(echo deeper))" | md5sum
                exit 3
                """);
    }

    @Test
    void awkSeqAndNumericSort() throws Exception {
        assertSameAsNative(null, "sh", "-c",
                "printf 'b 10\\na 9\\n' | sort -k2 -n; seq 1 100 | md5sum; seq 1 5 | awk '{s += $1} END {print s, NR, s / NR}'");
    }
}
