package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole static i686 glibc program doing double, float and long double arithmetic, rounding
 * modes, exception flags, libm and printf/strtod, built once for the x87 (gcc's i686 default)
 * once with -msse2 -mfpmath=sse and once more at -O3 (packed SSE2 from the vectorizer), run by our qemu-i386 and by Debian's qemu-i386: the output
 * must be identical. (A native x86-64 build is no oracle here: x87 excess precision and the
 * i386 libm legitimately print different last digits.)
 */
class FloatingPointProgramTest {
    private static final Path WORK = Path.of("target", "fp-programs");

    record Result(int exit, String output) {
    }

    private static Result exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
                Path.of("/dev/null").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    /**
     * feenableexcept + 1/0, 0/0, overflow: SIGFPE with the right si_code, for x87 (#MF at the next
     * x87 instruction) and SSE (#XM). Debian's QEMU 7.2 raises nothing here, so the oracle is the
     * same source built for and run on this x86-64 host, where the kernel reports the same codes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"x87", "sse2"})
    void unmaskedExceptionsRaiseSigfpeLikeTheHost(String variant) throws Exception {
        Path cross = Path.of("/usr/bin/i686-linux-gnu-gcc");
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(cross) && Files.isExecutable(gcc), "needs i686-linux-gnu-gcc and gcc");
        Files.createDirectories(WORK);
        Path source = WORK.resolve("fp_exceptions.c");
        try (InputStream in = getClass().getResourceAsStream("/fp/fp_exceptions.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = WORK.resolve("fp_exceptions." + variant);
        List<String> compile = new ArrayList<>(List.of(cross.toString(), "-static", "-O2", "-o", binary.toString()));
        if (variant.equals("sse2")) {
            compile.addAll(List.of("-msse2", "-mfpmath=sse"));
        }
        compile.addAll(List.of(source.toString(), "-lm"));
        assertThat(exec(compile).exit()).isZero();
        Path host = WORK.resolve("fp_exceptions.host");
        assertThat(exec(List.of(gcc.toString(), "-O2", "-o", host.toString(), source.toString(), "-lm")).exit()).isZero();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String which : List.of("0", "1", "2")) {
            Result expected = exec(List.of(host.toString(), which));
            assertThat(expected.output()).startsWith("caught signal 8");
            Result ours = exec(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), "org.qemu.i386.launcher.QemuI386", binary.toString(), which));
            assertThat(ours.output()).as(variant + " case " + which).isEqualTo(expected.output());
            assertThat(ours.exit()).isEqualTo(expected.exit());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"x87", "sse2", "sse2-vectorized"})
    void outputMatchesDebiansQemu(String variant) throws Exception {
        Path cross = Path.of("/usr/bin/i686-linux-gnu-gcc");
        Path debianQemu = Path.of("/usr/bin/qemu-i386");
        assumeTrue(Files.isExecutable(cross), "needs i686-linux-gnu-gcc");
        assumeTrue(Files.isExecutable(debianQemu), "needs Debian's qemu-user (qemu-i386) as the oracle");
        Files.createDirectories(WORK);
        Path source = WORK.resolve("fp_workout.c");
        try (InputStream in = getClass().getResourceAsStream("/fp/fp_workout.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = WORK.resolve("fp_workout." + variant);
        String optimization = variant.endsWith("vectorized") ? "-O3" : "-O2";
        List<String> compile = new ArrayList<>(List.of(cross.toString(), "-static", optimization, "-o", binary.toString()));
        if (variant.startsWith("sse2")) {
            compile.addAll(List.of("-msse2", "-mfpmath=sse"));
        }
        compile.addAll(List.of(source.toString(), "-lm"));
        Result build = exec(compile);
        assertThat(build.exit()).as(build.output()).isZero();

        Result expected = exec(List.of(debianQemu.toString(), binary.toString()));
        assertThat(expected.exit()).isZero();
        assertThat(expected.output()).contains("harmonic");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Result ours = exec(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.qemu.i386.launcher.QemuI386", binary.toString()));
        assertThat(ours.output()).isEqualTo(expected.output());
        assertThat(ours.exit()).isZero();
    }
}
