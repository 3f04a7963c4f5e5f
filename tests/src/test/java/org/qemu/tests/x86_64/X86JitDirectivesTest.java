package org.qemu.tests.x86_64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qemu.tests.support.HostProcess;

/**
 * The compiler directives bin/qemu-launcher hands the JVM for qemu-i386 and qemu-x86_64
 * (target/lib/qemu-x86-jit.json): the JVM's own compilation log (-XX:+LogCompilation, HotSpot's
 * record) shows the block class generator (ByteBuddy's ASM, our emitters) kept out of C2 while
 * block classes still reach it, the guest's output stays the native program's, and the JVM's
 * note about the directives stays off the guest's stdout. Without them
 * (QEMU_X86_NO_JIT_DIRECTIVES=1) C2 does compile generator methods in the same run, so the first
 * check could fail.
 */
class X86JitDirectivesTest {
    /** One {@code <task>} element of the log: C1 tasks carry their tier as {@code level}, C2 tasks carry none. */
    private static final Pattern TASK = Pattern.compile("<task [^>]*method='([^']*)'[^>]*>");
    private static final List<String> GENERATOR = List.of("net.bytebuddy.", "org.qemu.i386.translate.LongModeEmitter ",
            "org.qemu.i386.translate.X86Emitter ", "org.qemu.i386.translate.SseEmitter ",
            "org.qemu.i386.translate.BytecodeBlockCompiler ", "org.qemu.i386.translate.AccessWindows ");

    @BeforeAll
    static void launcherBuilt() {
        X64Tools.assumeLauncherBuilt();
        assumeTrue(Files.exists(X64Tools.ROOT.resolve("target/lib/qemu-x86-jit.json")),
                "qemu-x86-jit.json not packaged (run mvn package)");
        assumeTrue(X64Tools.onPath("gcc"), "gcc is not installed");
    }

    @Test
    void generatorStaysOutOfC2WhileBlocksReachIt() throws Exception {
        List<String> c2 = c2Tasks(List.of());
        assertThat(c2).as("C2 compiles of block classes").anyMatch(m -> m.contains("TranslatedBlock"));
        assertThat(c2).as("C2 compiles of the class generator").noneMatch(X86JitDirectivesTest::generator);
    }

    @Test
    void withoutTheDirectivesC2CompilesTheGenerator() throws Exception {
        List<String> c2 = c2Tasks(List.of("QEMU_X86_NO_JIT_DIRECTIVES=1"));
        assertThat(c2).as("C2 compiles of the class generator").anyMatch(X86JitDirectivesTest::generator);
    }

    private static boolean generator(String method) {
        return GENERATOR.stream().anyMatch(method::startsWith);
    }

    /** Runs cpubench (scale 1, about a second of guest work) under the launcher; the methods C2 compiled. */
    private static List<String> c2Tasks(List<String> env) throws Exception {
        Files.createDirectories(X64Tools.WORK);
        Path binary = X64Tools.WORK.resolve("cpubench-directives");
        HostProcess.Result built = X64Tools.run(null, "gcc", "-static", "-O2", "-o", binary.toString(),
                X64Tools.ROOT.resolve("bench/src/cpubench.c").toString(), "-lm");
        assertThat(built.status()).as(built.stderr()).isZero();
        HostProcess.Result expected = X64Tools.run(null, binary.toString(), "1");
        Path log = X64Tools.WORK.resolve("directives-" + env.size() + ".log");
        Files.deleteIfExists(log);
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.addAll(env);
        cmd.add("QEMU_JAVA_OPTS=-XX:+UnlockDiagnosticVMOptions -XX:+LogCompilation -XX:LogFile=" + log);
        cmd.add(X64Tools.LAUNCHER.toString());
        cmd.add(binary.toString());
        cmd.add("1");
        HostProcess.Result actual = X64Tools.run(null, cmd.toArray(String[]::new));
        assertThat(actual.stdout()).isEqualTo(expected.stdout());
        assertThat(actual.status()).isZero();
        List<String> c2 = new ArrayList<>();
        Matcher task = TASK.matcher(Files.readString(log));
        while (task.find()) {
            if (!task.group().contains("level='")) {
                c2.add(task.group(1));
            }
        }
        return c2;
    }
}
