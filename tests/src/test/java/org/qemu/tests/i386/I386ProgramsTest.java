package org.qemu.tests.i386;

import org.qemu.tests.support.HostProcess;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our C test programs, built with i686-linux-gnu-gcc, run under bin/qemu-i386; their output
 * must equal what Debian's qemu-i386 prints for the same binary, or (where Debian's QEMU
 * itself deviates from Linux) what a native x86-64 build of the same source prints.
 */
class I386ProgramsTest {
    @BeforeAll
    static void launcherBuilt() {
        Tools.assumeLauncherBuilt();
    }

    private static HostProcess.Result ours(Path binary, String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = Tools.LAUNCHER.toString();
        cmd[1] = binary.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        return Tools.run(null, cmd);
    }

    private static HostProcess.Result debianQemu(Path binary, String... args) throws Exception {
        assumeTrue(Tools.onPath("qemu-i386"), "Debian's qemu-i386 (package qemu-user) is not installed");
        String[] cmd = new String[args.length + 2];
        cmd[0] = "qemu-i386";
        cmd[1] = binary.toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        return Tools.run(null, cmd);
    }

    @ParameterizedTest(name = "{0} (static) matches Debian qemu-i386")
    @ValueSource(strings = {"arith", "signals", "threads", "alarmloop", "bound", "selfpatch"})
    void staticProgramMatchesDebianQemu(String name) throws Exception {
        Path binary = Tools.compileI386(name, false);
        HostProcess.Result expected = debianQemu(binary);
        HostProcess.Result actual = ours(binary);
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void argvEnvironmentAndAuxvMatchDebianQemu() throws Exception {
        Path binary = Tools.compileI386("auxv", false);
        HostProcess.Result expected = debianQemu(binary, "one", "two words");
        HostProcess.Result actual = ours(binary, "one", "two words");
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("platform i686");
        HostProcess.Result withEnv = Tools.run(null, Tools.LAUNCHER.toString(), "-E", "GUEST_TEST_VAR=set-by-E", binary.toString());
        assertThat(withEnv.stdout()).contains("env set-by-E");
    }

    @Test
    void dynamicProgramRunsWithInterpreterFromPrefix() throws Exception {
        Path binary = Tools.compileI386("arith", true);
        assumeTrue(java.nio.file.Files.exists(Path.of("/usr/i686-linux-gnu/lib/ld-linux.so.2")), "no i686 sysroot");
        HostProcess.Result expected = Tools.run(null, "qemu-i386", "-L", "/usr/i686-linux-gnu", binary.toString());
        HostProcess.Result actual = Tools.run(null, Tools.LAUNCHER.toString(), "-L", "/usr/i686-linux-gnu", binary.toString());
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("qsort");
        assertThat(actual.status()).isZero();
    }

    /** Debian's QEMU 7.2 cannot execve /proc/self/exe; a native build shows what Linux does. */
    @Test
    void forkPipesWaitAndExecMatchNativeBuild() throws Exception {
        assertMatchesNativeBuild("forkpipe");
    }

    /**
     * Debian's QEMU hands 64-bit directory offsets to 32-bit readdir (EOVERFLOW on ext4), where an
     * i386 Linux kernel gives 32-bit ones: the native build is the oracle.
     */
    @Test
    void filesAndDirectoriesMatchNativeBuild() throws Exception {
        Path binary = Tools.compileI386("files", false);
        String dir = Tools.WORK.resolve("files-test-dir").toString();
        HostProcess.Result expected = Tools.run(null, Tools.compileNative("files").toString(), dir);
        HostProcess.Result actual = ours(binary, dir);
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("entries 31");
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    /**
     * Sockets through socketcall(2), which i386 glibc uses: pairs, a TCP server and client, UDP,
     * options, sendmsg/recvmsg passing a descriptor (Debian's QEMU 7.2 aborts on a bad bind: the
     * native build is the oracle).
     */
    @Test
    void socketsMatchNativeBuild() throws Exception {
        assertMatchesNativeBuild("sockets");
        assertThat(Tools.run(null, Tools.compileNative("sockets").toString()).stdout()).contains("through the passed fd");
    }

    /**
     * Memory shared across fork (anonymous and file-backed), atomics racing between processes, a
     * process-shared semaphore and mutex (Debian's QEMU 7.2 runs it too; the native build is the
     * oracle, as for the other programs here).
     */
    @Test
    void sharedMemoryAcrossForkMatchesNativeBuild() throws Exception {
        assertMatchesNativeBuild("sharedfork");
    }

    /** The guest's own /proc/self/maps (stack, code, heap, a mapped file, protections, a shared page), not the emulator's. */
    @Test
    void ownMapsMatchNativeBuild() throws Exception {
        assertMatchesNativeBuild("selfmaps");
    }

    /** The program built for i386 prints under our emulator what its native build prints, and exits the same. */
    private static void assertMatchesNativeBuild(String program) throws Exception {
        Path binary = Tools.compileI386(program, false);
        HostProcess.Result expected = Tools.run(null, Tools.compileNative(program).toString());
        HostProcess.Result actual = ours(binary);
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void execveKeepsIgnoredSignalsAndTheMask() throws Exception {
        Path binary = Tools.compileI386("execsig", false);
        HostProcess.Result expected = Tools.run(null, Tools.compileNative("execsig").toString());
        HostProcess.Result actual = ours(binary);
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("usr1 ignored 1");
    }

    @Test
    void mmapMatchesNativeBuild() throws Exception {
        Path binary = Tools.compileI386("mmap", false);
        HostProcess.Result expected = Tools.run(null, Tools.compileNative("mmap").toString());
        HostProcess.Result actual = ours(binary);
        // Addresses differ between a 64-bit and a 32-bit process except the MAP_FIXED one; all else must match.
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void invalidOpcodeKillsTheGuestWithSigill() throws Exception {
        Path binary = Tools.compileI386("illegal", false);
        HostProcess.Result actual = Tools.run(null, "sh", "-c", "\"$0\" \"$1\"; echo status=$?", Tools.LAUNCHER.toString(), binary.toString());
        assertThat(actual.stdout()).isEqualTo("before\nstatus=132\n");
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }
}
