package org.qemu.tests.ppc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiler directives bin/qemu-launcher hands the JVM for qemu-ppc (target/lib/qemu-ppc-jit.json):
 * the JVM's own compilation log (-XX:+LogCompilation, HotSpot's record, not ours) shows the
 * translator and the helper dispatcher kept out of C2 while the block classes still reach it, and
 * the guest's output stays exactly the native build's.
 */
class PpcJitDirectivesTest {
    /** One {@code <task>} element of the log: C1 tasks carry their tier as {@code level}, C2 tasks carry none. */
    private static final Pattern TASK = Pattern.compile("<task [^>]*method='([^']*)'[^>]*>");
    private static final Pattern LEVEL = Pattern.compile("level='(\\d)'");
    private static final List<String> KEPT_FROM_C2 = List.of("HelperDispatcher", "org.qemu.ppc.translate.BlockEmitter ",
            "org.qemu.ppc.translate.PpcTranslator ", "org.qemu.ppc.translate.PpcDecoder ");

    @TempDir
    Path dir;

    @Test
    void translatorAndDispatcherStayOutOfC2WhileBlocksReachIt() throws Exception {
        Path emulator = PpcToolchain.emulator();
        Assumptions.assumeTrue(Files.exists(PpcToolchain.root().resolve("target/lib/qemu-ppc-jit.json")),
                "qemu-ppc-jit.json not packaged (run mvn package)");
        String log = compilationLog(emulator, Map.of());
        int c2Blocks = 0;
        boolean dispatcherAtTierOne = false;
        Matcher task = TASK.matcher(log);
        while (task.find()) {
            String method = task.group(1);
            Matcher level = LEVEL.matcher(task.group());
            boolean c2 = !level.find();
            if (c2 && method.contains("GuestBlock")) {
                c2Blocks++;
            }
            if (method.contains("GeneratedHelperDispatcher") && !c2 && level.group(1).equals("1")) {
                dispatcherAtTierOne = true;
            }
            for (String kept : KEPT_FROM_C2) {
                assertThat(c2 && method.contains(kept)).as("C2 compiled %s", method).isFalse();
            }
        }
        assertThat(c2Blocks).as("block classes compiled by C2").isPositive();
        assertThat(dispatcherAtTierOne).as("the dispatcher compiled by C1 without profiling once C2 refused it").isTrue();
    }

    @Test
    void withoutTheDirectivesTheDispatcherNeverGoesToTierOne() throws Exception {
        Path emulator = PpcToolchain.emulator();
        String log = compilationLog(emulator, Map.of("QEMU_PPC_NO_JIT_DIRECTIVES", "1"));
        assertThat(log).contains("GeneratedHelperDispatcher");
        Matcher task = TASK.matcher(log);
        while (task.find()) {
            if (task.group(1).contains("GeneratedHelperDispatcher")) {
                assertThat(task.group()).doesNotContain("level='1'");
            }
        }
    }

    /** Runs cpubench's sort phase (a second of guest work) under the launcher and returns the JVM's compilation log. */
    private String compilationLog(Path emulator, Map<String, String> env) throws Exception {
        Path source = PpcToolchain.root().resolve("bench/src/cpubench.c");
        Path ppc = PpcToolchain.buildPpc(source, dir, false);
        Path nativeBuild = PpcToolchain.buildNative(source, dir);
        PpcToolchain.Result expected = PpcToolchain.run(List.of(nativeBuild.toString(), "1", "2"), Map.of(), 60);
        Path log = dir.resolve("compilation.log");
        Map<String, String> withLog = new java.util.HashMap<>(env);
        withLog.put("QEMU_JAVA_OPTS", "-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=" + log);
        PpcToolchain.Result r = PpcToolchain.run(List.of(emulator.toString(), ppc.toString(), "1", "2"), withLog, 300);
        assertThat(r.status()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo(expected.stdout());
        assertThat(r.stderr()).isEmpty();
        return Files.readString(log);
    }
}
