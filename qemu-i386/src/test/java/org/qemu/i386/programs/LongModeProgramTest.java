package org.qemu.i386.programs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Whole real x86_64 programs on our CPU in long mode (through the test-only {@link MiniLinux#run64}):
 * a static glibc program built with the host gcc, and Debian's static amd64 busybox. The oracle is
 * this x86-64 host running the very same binaries natively.
 */
class LongModeProgramTest {
    private static final Path WORK = Path.of("target", "programs");

    private static ProcessResult exec(byte[] stdin, String... command) throws Exception {
        Files.createDirectories(WORK);
        Path input = Files.write(WORK.resolve("stdin64"), stdin);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(input.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(p.exitValue(), out);
    }

    record ProcessResult(int exit, String output) {
    }

    @Test
    void aStaticX8664GlibcProgramPrintsWhatItPrintsNatively() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the oracle is native execution on an x86-64 host");
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "needs gcc with static glibc");
        Files.createDirectories(WORK);
        Path source = WORK.resolve("integer_workout.c");
        try (InputStream in = getClass().getResourceAsStream("/programs/integer_workout.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = WORK.resolve("integer_workout.x86_64");
        ProcessResult build = exec(new byte[0], gcc.toString(), "-static", "-O2", "-o", binary.toString(), source.toString());
        assumeTrue(build.exit() == 0, "static glibc for x86_64 is not installed: " + build.output());
        ProcessResult expected = exec(new byte[0], binary.toString(), "one", "two");
        assertThat(expected.output()).contains("hello from a guest with 3 args");

        byte[] elf = Files.readAllBytes(binary);
        for (int threshold : new int[] {0, 1, 64}) {
            MiniLinux.Result r = MiniLinux.run64(elf, List.of(binary.toString(), "one", "two"), new byte[0], threshold);
            assertThat(r.trap()).as("threshold " + threshold + ", rip " + Long.toHexString(r.rip()) + ", output so far: " + r.stdout()).isNull();
            assertThat(r.stdout()).as("threshold " + threshold).isEqualTo(expected.output());
            assertThat(r.exitStatus()).isEqualTo(expected.exit());
        }
    }

    /** C sources built for x86_64 (SSE2 floating point, long double on the x87) and run both ways. */
    @Test
    void x8664FloatingPointAnd128BitProgramsPrintWhatTheyPrintNatively() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the oracle is native execution on an x86-64 host");
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "needs gcc with static glibc");
        Files.createDirectories(WORK);
        for (String name : List.of("programs/long_mode_workout", "fp/fp_workout")) {
            String base = name.substring(name.indexOf('/') + 1);
            Path source = WORK.resolve(base + ".c");
            try (InputStream in = getClass().getResourceAsStream("/" + name + ".c")) {
                Files.write(source, in.readAllBytes());
            }
            Path binary = WORK.resolve(base + ".x86_64");
            ProcessResult build = exec(new byte[0], gcc.toString(), "-static", "-O2", "-o", binary.toString(), source.toString(), "-lm");
            assumeTrue(build.exit() == 0, "static glibc for x86_64 is not installed: " + build.output());
            ProcessResult expected = exec(new byte[0], binary.toString());
            MiniLinux.Result r = MiniLinux.run64(Files.readAllBytes(binary), List.of(binary.toString()), new byte[0], 64);
            assertThat(r.trap()).as(base + " rip " + Long.toHexString(r.rip()) + ", output so far: " + r.stdout()).isNull();
            assertThat(r.stdout()).as(base).isEqualTo(expected.output());
            assertThat(r.exitStatus()).as(base).isEqualTo(expected.exit());
        }
    }

    @Test
    void debiansAmd64BusyboxAppletsMatchNativeRuns() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the oracle is native execution on an x86-64 host");
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "needs Debian's static amd64 busybox");
        byte[] elf = Files.readAllBytes(busybox);
        assumeTrue(elf[16] == 2, "busybox is not a static non-PIE executable");
        byte[] text = "hello\nworld\nthe quick brown fox\n42\n".repeat(50).getBytes(StandardCharsets.UTF_8);
        List<String[]> applets = new ArrayList<>();
        applets.add(new String[] {"echo", "hello", "world"});
        applets.add(new String[] {"sha256sum"});
        applets.add(new String[] {"sort"});
        applets.add(new String[] {"expr", "9223372036854775807", "/", "3"});
        applets.add(new String[] {"od", "-A", "x", "-t", "x8z"});
        applets.add(new String[] {"printf", "%d %s %x %o\\n", "-12", "abc", "4294967296", "511"});
        applets.add(new String[] {"awk", "{ n += length($0); s = s $1 } END { print n, NR, substr(s, 1, 20), 2^40 }"});
        for (String[] applet : applets) {
            String[] native_ = new String[applet.length + 1];
            native_[0] = busybox.toString();
            System.arraycopy(applet, 0, native_, 1, applet.length);
            ProcessResult expected = exec(text, native_);
            List<String> args = new ArrayList<>();
            args.add("busybox");
            args.addAll(List.of(applet));
            long t0 = System.nanoTime();
            MiniLinux.Result r = MiniLinux.run64(elf, args, text, 64);
            System.out.printf("busybox (x86_64) %s: %d ms, %d system calls; %s%n", String.join(" ", applet), (System.nanoTime() - t0) / 1_000_000, r.syscalls(), r.statistics());
            assertThat(r.trap()).as(String.join(" ", applet) + " at rip " + Long.toHexString(r.rip()) + ": " + r.stdout()).isNull();
            assertThat(r.stdout()).as(String.join(" ", applet)).isEqualTo(expected.output());
            assertThat(r.exitStatus()).as(String.join(" ", applet)).isEqualTo(expected.exit());
        }
    }
}
