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
 * Whole real programs on our CPU: a static i686 glibc program built by the cross compiler, and
 * Debian's static busybox for i386. Oracles from outside our code: the same C source built for
 * and run on this x86-64 host, and Debian's busybox for amd64 running the same applets.
 */
class StaticProgramTest {
    private static final Path WORK = Path.of("target", "programs");
    /**
     * Debian's busybox-static:i386 binary (apt-get download busybox-static:i386; dpkg -x it), from the
     * environment variable QEMU_TEST_BUSYBOX_I386 or /tmp/bb32/bin/busybox; the busybox test skips without it.
     */
    private static final Path BUSYBOX_I386 = Path.of(System.getenv().getOrDefault("QEMU_TEST_BUSYBOX_I386", "/tmp/bb32/bin/busybox"));

    private static ProcessResult exec(byte[] stdin, String... command) throws Exception {
        Files.createDirectories(WORK);
        Path input = Files.write(WORK.resolve("stdin"), stdin);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(input.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new ProcessResult(p.exitValue(), out);
    }

    record ProcessResult(int exit, String output) {
    }

    @Test
    void aStaticGlibcProgramPrintsWhatTheSameSourcePrintsNatively() throws Exception {
        Path cross = Path.of("/usr/bin/i686-linux-gnu-gcc");
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(cross) && Files.isExecutable(gcc), "needs i686-linux-gnu-gcc and gcc");
        Files.createDirectories(WORK);
        Path source = WORK.resolve("integer_workout.c");
        try (InputStream in = getClass().getResourceAsStream("/programs/integer_workout.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path guest = WORK.resolve("integer_workout.i686");
        Path host = WORK.resolve("integer_workout.host");
        assertThat(exec(new byte[0], cross.toString(), "-static", "-O2", "-o", guest.toString(), source.toString()).exit()).isZero();
        assertThat(exec(new byte[0], gcc.toString(), "-O2", "-o", host.toString(), source.toString()).exit()).isZero();
        ProcessResult expected = exec(new byte[0], host.toString(), "one", "two");
        assertThat(expected.output()).contains("hello from a guest with 3 args");

        byte[] elf = Files.readAllBytes(guest);
        for (int threshold : new int[] {0, 1, 64}) {
            MiniLinux.Result r = MiniLinux.run(elf, List.of("integer_workout", "one", "two"), new byte[0], threshold);
            assertThat(r.trap()).as("threshold " + threshold + ", output so far: " + r.stdout()).isNull();
            assertThat(r.stdout()).as("threshold " + threshold).isEqualTo(expected.output());
            assertThat(r.exitStatus()).isEqualTo(expected.exit());
        }
    }

    @Test
    void debiansI386BusyboxAppletsMatchTheAmd64Busybox() throws Exception {
        assumeTrue(Files.isReadable(BUSYBOX_I386), "Debian busybox-static:i386 not unpacked at " + BUSYBOX_I386);
        assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs Debian's amd64 busybox as the oracle");
        byte[] elf = Files.readAllBytes(BUSYBOX_I386);
        byte[] text = "hello\nworld\nthe quick brown fox\n42\n".repeat(50).getBytes(StandardCharsets.UTF_8);
        List<String[]> applets = new ArrayList<>();
        applets.add(new String[] {"echo", "hello", "world"});
        applets.add(new String[] {"sha256sum"});
        applets.add(new String[] {"md5sum"});
        applets.add(new String[] {"wc"});
        applets.add(new String[] {"sort"});
        applets.add(new String[] {"uniq", "-c"});
        applets.add(new String[] {"cut", "-c", "2-5"});
        applets.add(new String[] {"head", "-n", "3"});
        applets.add(new String[] {"expr", "6", "*", "7"});
        applets.add(new String[] {"tr", "a-z", "A-Z"});
        applets.add(new String[] {"od", "-A", "x", "-t", "x1z"});
        applets.add(new String[] {"printf", "%d %s %x\\n", "12", "abc", "255"});
        for (String[] applet : applets) {
            String[] native_ = new String[applet.length + 1];
            native_[0] = "/bin/busybox";
            System.arraycopy(applet, 0, native_, 1, applet.length);
            ProcessResult expected = exec(text, native_);
            List<String> args = new ArrayList<>();
            args.add("busybox");
            args.addAll(List.of(applet));
            long t0 = System.nanoTime();
            MiniLinux.Result r = MiniLinux.run(elf, args, text, 64);
            System.out.printf("busybox %s: %d ms, %d system calls%n", String.join(" ", applet), (System.nanoTime() - t0) / 1_000_000, r.syscalls());
            assertThat(r.trap()).as(String.join(" ", applet) + ": " + r.stdout()).isNull();
            assertThat(r.stdout()).as(String.join(" ", applet)).isEqualTo(expected.output());
            assertThat(r.exitStatus()).as(String.join(" ", applet)).isEqualTo(expected.exit());
        }
    }
}
