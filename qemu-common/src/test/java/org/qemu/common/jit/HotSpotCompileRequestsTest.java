package org.qemu.common.jit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Compile requests reach HotSpot only with the WhiteBox class on the boot class path and the
 * WhiteBox API unlocked, change a method's compilation level when they do (HotSpot's own
 * -XX:+PrintCompilation is the witness), leave the JVM's stdout to the program, and do nothing
 * everywhere else.
 */
class HotSpotCompileRequestsTest {
    private static final List<String> UNLOCK = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+WhiteBoxAPI");

    @Test
    void withoutTheBootJarNothingIsRequested() throws NoSuchMethodException {
        Method target = CompileRequestProbe.class.getMethod("neverCalled", int.class);
        assertThat(HotSpotCompileRequests.available()).isFalse();
        assertThat(HotSpotCompileRequests.request(target, HotSpotCompileRequests.C2)).isFalse();
        assertThat(HotSpotCompileRequests.level(target)).isEqualTo(-1);
        assertThat(HotSpotCompileRequests.queueSize(HotSpotCompileRequests.C2)).isEqualTo(-1);
    }

    @Test
    void aRequestCompilesANeverCalledMethodAtEachTierAndStdoutHoldsOnlyTheProgramsLines() throws Exception {
        List<String> lines = probe(bootJar(), UNLOCK, List.of());
        assertThat(lines).containsExactly("available true", "before 0", "requested 1 true", "level 1",
                "requested 4 true", "level 4", "again false");
    }

    @Test
    void hotSpotsOwnCompilationLogShowsTheRequestedTiers() throws Exception {
        // the log goes to stderr: on stdout the probe's own lines, printed while the compiler works,
        // can split a log line in two (CI saw "level 1" land inside the tier-4 line)
        List<String> log = run(bootJar(), UNLOCK, List.of("-XX:+PrintCompilation", "-XX:+DisplayVMOutputToStderr"), true);
        // PrintCompilation: "<ms> <id> <flags> <tier> <class>::<method> (<bytes>)"
        List<String> tiers = new ArrayList<>();
        for (String line : log) {
            if (line.contains("CompileRequestProbe::neverCalled") && !line.contains("made not entrant")) {
                String[] words = line.substring(0, line.indexOf("org.qemu")).trim().split("\\s+");
                tiers.add(words[words.length - 1]);
            }
        }
        assertThat(tiers).containsExactly("1", "4");
    }

    @Test
    void theBootJarWithoutTheUnlockedApiOrWithRequestsOffRequestsNothing() throws Exception {
        assertThat(probe(bootJar(), List.of(), List.of())).containsExactly("available false");
        assertThat(probe(bootJar(), UNLOCK, List.of("-Dqemu.tcg.hotspot-requests=false"))).containsExactly("available false");
    }

    @Test
    void theClassOnTheClassPathOnlyIsNeverBound() throws Exception {
        // the test class path holds qemu-whitebox (a test dependency): the app loader's copy gets no natives
        assertThat(probe(null, UNLOCK, List.of())).containsExactly("available false");
    }

    /** The probe's stdout lines (stderr apart: it must not leak into them); {@code bootJar} null: none. */
    private static List<String> probe(Path bootJar, List<String> unlock, List<String> extra) throws IOException, InterruptedException {
        return run(bootJar, unlock, extra, false);
    }

    /** The probe's stdout lines, or with {@code stderr} its stderr lines (stdout apart). */
    private static List<String> run(Path bootJar, List<String> unlock, List<String> extra, boolean stderr)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (bootJar != null) {
            command.add("-Xbootclasspath/a:" + bootJar);
        }
        command.addAll(unlock);
        command.addAll(extra);
        command.addAll(List.of("-Xshare:auto", "-cp", System.getProperty("java.class.path"), CompileRequestProbe.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        if (stderr) {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        Process child = builder.start();
        java.io.InputStream wanted = stderr ? child.getErrorStream() : child.getInputStream();
        List<String> lines = new String(wanted.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        return lines;
    }

    /** Where the test class path has qemu-whitebox's class: its jar, or its classes folder. */
    private static Path bootJar() throws URISyntaxException {
        java.net.URL location = ClassLoader.getSystemResource("jdk/test/whitebox/WhiteBox.class");
        assertThat(location).as("qemu-whitebox on the test class path").isNotNull();
        String url = location.toString();
        if (url.startsWith("jar:")) {
            return Path.of(new java.net.URI(url.substring(4, url.indexOf("!/"))));
        }
        Path classFile = Path.of(location.toURI());
        return classFile.getParent().getParent().getParent().getParent();
    }
}
