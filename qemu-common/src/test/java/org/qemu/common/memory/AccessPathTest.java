package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The direct host access path and the MemorySegment fallback give the same results and faults. */
class AccessPathTest {
    @Test
    void directAndSegmentAccessAgreeOnEveryResultAndFault() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), AccessPathProbe.class.getName())
                .redirectErrorStream(true).start();
        List<String> lines = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).isZero();
        assertThat(lines).first().isEqualTo("direct=false");

        List<String> here = new ArrayList<>(AccessPathProbe.run());
        assertThat(lines.subList(1, lines.size())).containsExactlyElementsOf(here);
        // Spot checks against the little-endian definition, not against either path.
        assertThat(here).contains("code writes [16]");
        assertThat(here.subList(0, 8)).containsExactly("w8", "w16", "w32be", "w64",
                "8f", "8f8e", "8c8d8e8f", "8f8e8d8c8b8a8988");
    }
}
