package org.qemu.tests.x86_64;

import org.qemu.tests.support.HostProcess;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host's own dynamically linked programs (PIEs with /lib64/ld-linux-x86-64.so.2 as their
 * interpreter, loaded by the guest from the host's file system, as QEMU does without -L) under
 * bin/qemu-x86_64 against the same programs run natively.
 */
class HostProgramsTest {
    @BeforeAll
    static void launcherBuilt() {
        X64Tools.assumeLauncherBuilt();
    }

    private static void assertSameAsNative(String stdin, String... cmd) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(cmd[0])), cmd[0] + " is not installed");
        HostProcess.Result expected = X64Tools.run(stdin, cmd);
        HostProcess.Result actual = X64Tools.ours(stdin, cmd);
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).isNotEmpty();
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void lsOfADirectory() throws Exception {
        assertSameAsNative(null, "/bin/ls", "-la", "--time-style=+%Y", "/usr/share/man");
    }

    @Test
    void sortOfLines() throws Exception {
        assertSameAsNative("pear\napple\n10\n9\nBanana\n", "/usr/bin/sort");
        assertSameAsNative("pear 3\napple 20\nfig 100\n", "/usr/bin/sort", "-k2", "-n");
    }

    @Test
    void dateOfTheEpoch() throws Exception {
        assertSameAsNative(null, "/usr/bin/date", "-d", "@0", "-u");
        assertSameAsNative(null, "/usr/bin/date", "-d", "2024-02-29 13:45:00 UTC", "+%s %A %j");
    }

    @Test
    void pythonComputes() throws Exception {
        assertSameAsNative(null, "/usr/bin/python3", "-c", "print(sum(range(10**6)))");
    }

    /**
     * multiprocessing's Pool: forked workers share the task queue's lock (a process-shared
     * semaphore in MAP_SHARED memory) and read the pickled tasks from one pipe under it. With
     * each forked emulator holding a private copy of that memory, two workers read at once and
     * unpickled torn messages ("pickle data was truncated").
     */
    @Test
    void pythonMultiprocessingPool() throws Exception {
        assertSameAsNative(null, "/usr/bin/python3", "-c", String.join("\n",
                "import multiprocessing as m",
                "def square(x): return x * x",
                "if __name__ == '__main__':",
                "    with m.Pool(2) as p: print(p.map(square, range(40)))"));
    }
}
