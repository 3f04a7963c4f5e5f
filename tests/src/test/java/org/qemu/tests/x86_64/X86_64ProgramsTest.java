package org.qemu.tests.x86_64;

import org.qemu.tests.support.HostProcess;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our C test programs built by the host gcc, static and dynamic, run natively and under
 * bin/qemu-x86_64: standard output and exit status must be identical. Dynamic builds run with
 * the host's own /lib64/ld-linux-x86-64.so.2 and libc, loaded by the guest.
 */
class X86_64ProgramsTest {
    @BeforeAll
    static void launcherBuilt() {
        X64Tools.assumeLauncherBuilt();
    }

    private static void assertSameAsNative(Path binary, String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = binary.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        HostProcess.Result expected = X64Tools.run(null, cmd);
        HostProcess.Result actual = X64Tools.ours(null, cmd);
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @ParameterizedTest(name = "{0} ({1}) matches native")
    @CsvSource({
        "arith, static", "arith, dynamic",
        "math64, static", "math64, dynamic",
        "cas128, static", "threads, static",
        "signals, static", "frames, static", "frames, dynamic",
        "mmap, static", "alarmloop, static", "selfpatch, static",
        "keptcaches, static", "keptcaches, dynamic",
        "sockets, static", "sockets, dynamic",
        "segments, static", "segments, dynamic",
        "trapframes, static", "trapframes, dynamic",
        "sharedfork, static", "sharedfork, dynamic",
        "selfmaps, static", "selfmaps, dynamic",
        "bitcount, static", "bitcount, dynamic",
        "sse3, static", "sse3, dynamic",
        "lockprefix, static", "lockprefix, dynamic",
        "copies, static", "copies, dynamic",
        "xmmwindows, static",
    })
    void programMatchesNative(String name, String linkage) throws Exception {
        assertSameAsNative(X64Tools.compile(name, linkage.equals("dynamic")));
    }

    /**
     * 16-byte SSE accesses through one base register share one page check in a block's class
     * (LongModeEmitter's windows): with every block compiled at its first run, the copies and the
     * faults in the middle of such a group (a load half in a PROT_NONE page, a store into a
     * read-only page, a misaligned movaps) are the native ones. (The default policy runs the same
     * program in {@link #programMatchesNative}.)
     */
    @Test
    void xmmAccessGroupsFaultLikeNativeInCompiledBlocks() throws Exception {
        Path binary = X64Tools.compile("xmmwindows", false);
        HostProcess.Result expected = X64Tools.run(null, binary.toString());
        HostProcess.Result actual = X64Tools.run(null, "env", "QEMU_JAVA_OPTS=-Dqemu.tcg.compile-threshold=1",
                X64Tools.LAUNCHER.toString(), binary.toString());
        assertThat(expected.stdout()).contains("signal 11 code 128 trapno 13");
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    /**
     * What the host's glibc makes of our CPUID: its dynamic loader lists the caches it found and
     * the copy strategies it chose from them. It must find the caches (without them it sent every
     * copy over 16 KiB to its non-temporal loops) and take rep movsb (ERMS) from 2 KiB up to its
     * non-temporal threshold, a share of the L3 cache.
     */
    @Test
    void glibcFindsTheCachesAndFastRepMovsb() throws Exception {
        Path loader = Path.of("/lib64/ld-linux-x86-64.so.2");
        assumeTrue(java.nio.file.Files.isExecutable(loader), "no x86-64 dynamic loader on this host");
        HostProcess.Result native_ = X64Tools.run(null, loader.toString(), "--list-diagnostics");
        assumeTrue(native_.status() == 0 && native_.stdout().contains("x86.cpu_features.rep_movsb_stop_threshold="),
                "this glibc lists no x86 cache diagnostics");
        HostProcess.Result ours = X64Tools.ours(null, loader.toString(), "--list-diagnostics");
        assertThat(ours.status()).isZero();
        java.util.Map<String, Long> values = new java.util.HashMap<>();
        java.util.regex.Pattern entry = java.util.regex.Pattern.compile("x86\\.cpu_features\\.([\\w.\\[\\]]+)=0x([0-9a-f]+)");
        for (String line : ours.stdout().split("\n")) {
            java.util.regex.Matcher m = entry.matcher(line);
            if (m.matches()) {
                values.put(m.group(1), Long.parseUnsignedLong(m.group(2), 16));
            }
        }
        assertThat(values.get("level1_dcache_size")).isEqualTo(32 * 1024);
        assertThat(values.get("level2_cache_size")).isEqualTo(256 * 1024);
        assertThat(values.get("level3_cache_size")).isEqualTo(16 * 1024 * 1024);
        long nonTemporal = values.get("non_temporal_threshold");
        assertThat(nonTemporal).isGreaterThan(1024 * 1024).isLessThanOrEqualTo(16 * 1024 * 1024);
        // leaf 7 EBX as glibc uses it (ERMS, bit 9) and nothing else of that leaf
        assertThat(values.get("features[0x1].active[0x1]")).isEqualTo(0x200);
        assertThat(values.get("rep_movsb_threshold")).isEqualTo(2048);
        assertThat(values.get("rep_movsb_stop_threshold")).isEqualTo(nonTemporal);
    }

    /**
     * By default the launcher binds HotSpot's WhiteBox API, block classes are made on a background
     * thread and each block waits for HotSpot's code of its class: with four guest threads running
     * the same blocks, and in a busybox shell loop, the output stays the native one and the
     * statistics show blocks that waited; in the loop (30,000 rounds of the same blocks) some waits
     * also end in the switch to the class. With the API locked nothing waits. (Self-modifying code
     * under the default: {@link #programMatchesNative}'s selfpatch; the switch itself, exactly:
     * AwaitedClassTest. How many waits end before a short program exits depends on HotSpot's
     * queue, so only the loop asks for that.)
     */
    @Test
    void blocksWaitForHotSpotsCodeWithThreadsAndInALoop() throws Exception {
        assumeTrue(java.nio.file.Files.isExecutable(Path.of("/bin/busybox")), "the host's amd64 busybox is not installed");
        java.util.regex.Pattern waited = java.util.regex.Pattern.compile("([0-9]+) waited for HotSpot's code \\(([0-9]+) done");
        List<List<String>> programs = List.of(List.of(X64Tools.compile("threads", false).toString()),
                List.of("/bin/busybox", "sh", "-c", "i=0; s=0; while [ $i -lt 30000 ]; do i=$((i+1)); s=$((s+i%7)); done; echo $s"));
        for (List<String> program : programs) {
            String name = String.join(" ", program);
            HostProcess.Result expected = X64Tools.run(null, program.toArray(String[]::new));
            List<String> ours = new java.util.ArrayList<>(List.of("env", "QEMU_JAVA_OPTS=-Dqemu.tcg.stats=true", X64Tools.LAUNCHER.toString()));
            ours.addAll(program);
            HostProcess.Result actual = X64Tools.run(null, ours.toArray(String[]::new));
            assertThat(actual.stdout()).as(name).isEqualTo(expected.stdout());
            assertThat(actual.status()).as(name).isEqualTo(expected.status());
            java.util.regex.Matcher m = waited.matcher(actual.stderr());
            assertThat(m.find()).as(name + ": " + actual.stderr()).isTrue();
            assertThat(Long.parseLong(m.group(1))).as(name + ": blocks that waited").isPositive();
            if (program.getFirst().equals("/bin/busybox")) {
                assertThat(Long.parseLong(m.group(2))).as(name + ": waits that ended in the switch").isPositive();
            }

            List<String> lockedCommand = new java.util.ArrayList<>(List.of("env",
                    "QEMU_JAVA_OPTS=-Dqemu.tcg.stats=true -Dqemu.tcg.hotspot-requests=false", X64Tools.LAUNCHER.toString()));
            lockedCommand.addAll(program);
            HostProcess.Result locked = X64Tools.run(null, lockedCommand.toArray(String[]::new));
            assertThat(locked.stdout()).as(name).isEqualTo(expected.stdout());
            assertThat(locked.stderr()).as(name).contains("blocks compiled").doesNotContain("waited for HotSpot's code");
        }
    }

    /**
     * keptcaches' loop (a call in its body, entered 300,000 times for six iterations) becomes a
     * 64-bit loop trace whose page caches are kept from one run to the next; the pages they hold
     * are then made read-only, unmapped, and turned into code the loop rewrites, and the loop reads
     * on from a readable page into a PROT_NONE one (a cache holds a window of two pages). The
     * output must stay the native one (a fault each time, at the first byte of the refusing page;
     * the rewritten code's values), and the statistics must show the loop trace, or the program no
     * longer tests what it is for. (Checked the other way: with the protection epoch never moving,
     * the first three cases went wrong; with a window taking in the next page unchecked, the fourth.)
     */
    @Test
    void keptPageCachesFollowProtectionChanges() throws Exception {
        Path binary = X64Tools.compile("keptcaches", false);
        HostProcess.Result expected = X64Tools.run(null, binary.toString());
        assertThat(expected.stdout()).contains("SIGSEGV").contains("returns 3");
        HostProcess.Result actual = X64Tools.run(null, "env", "QEMU_JAVA_OPTS=-Dqemu.tcg.stats=true", X64Tools.LAUNCHER.toString(), binary.toString());
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isEqualTo(expected.status());
        java.util.regex.Matcher loops = java.util.regex.Pattern.compile("64-bit traces of [0-9]+ blocks, ([0-9]+) of them loops").matcher(actual.stderr());
        assertThat(loops.find()).as(actual.stderr()).isTrue();
        assertThat(Integer.parseInt(loops.group(1))).as("loop traces").isPositive();
    }

    /**
     * qsort through a comparator that branches before its ret (it counts its calls and now and then
     * calls out): the 64-bit traces follow the indirect call into it, and the output (the sorted
     * order's checksum and the comparator's own counts) must be the native one. With the callee
     * followed only when it is one block ending in ret, the merge loop got no trace of its own
     * (one loop trace elsewhere, against two here).
     */
    @Test
    void tracesFollowAnIndirectCallIntoABranchingComparator() throws Exception {
        Path binary = X64Tools.compile("sortbranchy", false);
        HostProcess.Result expected = X64Tools.run(null, binary.toString());
        HostProcess.Result actual = X64Tools.run(null, "env", "QEMU_JAVA_OPTS=-Dqemu.tcg.stats=true", X64Tools.LAUNCHER.toString(), binary.toString());
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).startsWith("checksum");
        assertThat(actual.status()).isEqualTo(expected.status());
        java.util.regex.Matcher loops = java.util.regex.Pattern.compile("64-bit traces of [0-9]+ blocks, ([0-9]+) of them loops").matcher(actual.stderr());
        assertThat(loops.find()).as(actual.stderr()).isTrue();
        assertThat(Integer.parseInt(loops.group(1))).as("loop traces").isGreaterThanOrEqualTo(2);
    }

    @Test
    void argvEnvironmentAndAuxvMatchNative() throws Exception {
        Path binary = X64Tools.compile("auxv", false);
        HostProcess.Result expected = X64Tools.run(null, binary.toString(), "one", "two words");
        HostProcess.Result actual = X64Tools.ours(null, binary.toString(), "one", "two words");
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("platform x86_64");
        HostProcess.Result withEnv = X64Tools.run(null, X64Tools.LAUNCHER.toString(), "-E", "GUEST_TEST_VAR=set-by-E",
                binary.toString());
        assertThat(withEnv.stdout()).contains("env set-by-E");
    }

    @Test
    void forkPipesWaitAndExecMatchNative() throws Exception {
        assertSameAsNative(X64Tools.compile("forkpipe", false));
    }

    @Test
    void filesAndDirectoriesMatchNative() throws Exception {
        Path binary = X64Tools.compile("files", true);
        String dir = X64Tools.WORK.resolve("files-test-dir").toString();
        HostProcess.Result expected = X64Tools.run(null, binary.toString(), dir);
        HostProcess.Result actual = X64Tools.ours(null, binary.toString(), dir);
        assertThat(actual.stdout()).isEqualTo(expected.stdout()).contains("entries 31");
        assertThat(actual.status()).isEqualTo(expected.status());
    }

    @Test
    void execveKeepsIgnoredSignalsAndTheMask() throws Exception {
        assertSameAsNative(X64Tools.compile("execsig", false));
    }

    /** Old static binaries call the vsyscall page; the host kernel emulates it here, and so do we. */
    @Test
    void vsyscallPageEntriesWorkAsNatively() throws Exception {
        assumeTrue(java.nio.file.Files.readString(Path.of("/proc/self/maps")).contains("[vsyscall]"),
                "this kernel has no vsyscall page (vsyscall=none): native execution is no oracle");
        assertSameAsNative(X64Tools.compile("vsyscall", false));
    }

    @Test
    void invalidOpcodeKillsTheGuestWithSigill() throws Exception {
        Path binary = X64Tools.compile("illegal", false);
        String script = "\"$@\"; echo status=$?";
        HostProcess.Result expected = X64Tools.run(null, "sh", "-c", script, "sh", binary.toString());
        HostProcess.Result actual = X64Tools.run(null, "sh", "-c", script, "sh", X64Tools.LAUNCHER.toString(),
                binary.toString());
        assertThat(expected.stdout()).isEqualTo("before\nstatus=132\n");
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void straceNamesTheX86_64Calls() throws Exception {
        Path binary = X64Tools.compile("arith", false);
        HostProcess.Result r = X64Tools.run(null, X64Tools.LAUNCHER.toString(), "-strace", binary.toString());
        assertThat(r.status()).isZero();
        assertThat(r.stderr()).contains("arch_prctl(").contains("exit_group(");
    }
}
