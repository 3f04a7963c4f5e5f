package org.qemu.tests.gdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.tests.kvm.Payloads;

/**
 * GDB watchpoints ({@code watch}, {@code rwatch}, {@code awatch}: the remote protocol's Z2/Z3/Z4)
 * driven by Debian's gdb. Oracles: in system mode Debian's qemu-system-x86_64 running the same
 * payload under the same script (its TCG has hardware watchpoints); in user mode Debian's
 * qemu-i386/qemu-ppc refuse hardware watchpoints, so gdb's own software watchpoints there
 * (single-stepping and comparing) give the value changes and lines ours must report.
 */
class WatchpointGdbTest {
    private static final Path SOURCE = GdbHarness.ROOT.resolve("tests/src/test/c/gdb/watched.c");

    private static Path compile(String compiler, String suffix) throws Exception {
        Files.createDirectories(GdbHarness.WORK);
        Path out = GdbHarness.WORK.resolve("watched-" + suffix);
        Process p = new ProcessBuilder(compiler, "-static", "-g", "-O0", "-o", out.toString(), SOURCE.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(log).isZero();
        return out;
    }

    private static final List<String> WRITE_SCRIPT = List.of("set confirm off",
            "break main", "continue", "watch counter", "continue", "continue", "delete", "continue");

    @Test
    void i386WriteWatchpointsReportTheChangesGdbFindsByStepping() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("gdb", "i686-linux-gnu-gcc", "qemu-i386");
        assertUserModeWatch(compile("i686-linux-gnu-gcc", "i386"), "bin/qemu-i386", "qemu-i386", "gdb");
    }

    @Test
    void ppcWriteWatchpointsReportTheChangesGdbFindsByStepping() throws Exception {
        GdbHarness.assumeBuilt("qemu-ppc.jar");
        GdbHarness.assumeTools("gdb-multiarch", "powerpc-linux-gnu-gcc", "qemu-ppc");
        assertUserModeWatch(compile("powerpc-linux-gnu-gcc", "ppc"), "bin/qemu-ppc", "qemu-ppc", "gdb-multiarch");
    }

    private static void assertUserModeWatch(Path program, String ours, String debian, String gdb) throws Exception {
        GdbHarness.Run hardware = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve(ours).toString(),
                "-g", String.valueOf(port), program.toString()), gdb, program, List.of(), WRITE_SCRIPT);
        GdbHarness.Run software = GdbHarness.debug(port -> List.of(debian, "-g", String.valueOf(port), program.toString()),
                gdb, program, List.of("set can-use-hw-watchpoints 0"), WRITE_SCRIPT);
        assertThat(hardware.gdbOutput()).contains("Hardware watchpoint 2: counter", "Old value = 0", "New value = 2", "New value = 4");
        assertThat(stops(hardware.gdbOutput())).hasSize(2).isEqualTo(stops(software.gdbOutput()));
        assertThat(hardware.emulatorStdout()).isEqualTo("6 12\n").isEqualTo(software.emulatorStdout());
        assertThat(hardware.emulatorStatus()).isZero();
    }

    @Test
    void i386ReadAndAccessWatchpointsStopAtTheReadsTheProgramMakes() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("gdb", "i686-linux-gnu-gcc");
        Path program = compile("i686-linux-gnu-gcc", "i386");
        // From main's start the first read of total is in "total += counter" (0, line 10); at -O0
        // the next access to counter is its read in that same statement (2).
        List<String> script = List.of("set confirm off", "break main", "continue",
                "rwatch total", "continue", "delete 2", "awatch counter", "continue", "continue", "delete", "continue");
        GdbHarness.Run run = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve("bin/qemu-i386").toString(),
                "-g", String.valueOf(port), program.toString()), "gdb", program, List.of(), script);
        String out = run.gdbOutput();
        assertThat(out).containsPattern("Hardware read watchpoint 2: total\n\nValue = 0\n0x[0-9a-f]+ in main \\(\\) at \\S+:10\n");
        assertThat(out).containsPattern("Hardware access \\(read/write\\) watchpoint 3: counter\n\nValue = 2\n0x[0-9a-f]+ in main \\(\\) at \\S+:10\n");
        assertThat(run.emulatorStdout()).isEqualTo("6 12\n");
        assertThat(run.emulatorStatus()).isZero();
    }

    @Test
    void systemEmulatorWatchpointsMatchDebianQemu() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("gdb", "qemu-system-x86_64", "i686-linux-gnu-nm");
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        Path payload = Payloads.build().resolve("hello.elf");
        String magic = symbol(payload, "multiboot_magic");
        // boot.S stores the multiboot magic from eax; hello.c reads it back in payload_main.
        List<String> script = new ArrayList<>(List.of("set confirm off", "set pagination off",
                "watch *(int *) 0x" + magic, "continue", "p/x *(int *) 0x" + magic, "p/x $pc", "delete",
                "rwatch *(int *) 0x" + magic, "continue", "p/x $pc"));
        // Debian's QEMU 7.2 also reports the lgdt at 0x100018 as a read of these bytes (it reads
        // 0x1005f8..0x1005fd, just below): one more stop before the payload's own read.
        List<String> debianScript = new ArrayList<>(script);
        debianScript.addAll(List.of("continue", "p/x $pc"));
        script.addAll(List.of("delete", "continue"));
        debianScript.addAll(List.of("delete", "continue"));
        GdbHarness.Run ours = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve("bin/qemu-system-i386").toString(),
                "-nographic", "-no-reboot", "-gdb", "tcp::" + port, "-S", "-kernel", payload.toString()),
                "gdb", payload, List.of(), script);
        GdbHarness.Run debian = GdbHarness.debug(port -> List.of("qemu-system-x86_64", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-gdb", "tcp::" + port, "-S", "-kernel", payload.toString()),
                "gdb", payload, List.of("set architecture i386:x86-64"), debianScript);
        assertThat(ours.gdbOutput()).contains("Old value = 0", "New value = 732803074", "Hardware read watchpoint 2");
        List<String> debianValues = GdbHarness.printedValues(debian.gdbOutput());
        assertThat(debianValues).hasSize(4);
        assertThat(GdbHarness.printedValues(ours.gdbOutput())).containsExactly(debianValues.get(0), debianValues.get(1), debianValues.get(3));
        assertThat(ours.emulatorStatus()).isZero();
    }

    private static String symbol(Path elf, String name) throws Exception {
        Process p = new ProcessBuilder("i686-linux-gnu-nm", elf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        for (String line : out.split("\n")) {
            if (line.endsWith(" " + name)) {
                return line.split(" ")[0];
            }
        }
        throw new AssertionError(name + " not in " + elf);
    }

    /** Each watchpoint stop: the old/new values and the source line, without the pc (hardware stops right after the store). */
    private static List<String> stops(String gdbOutput) {
        List<String> stops = new ArrayList<>();
        String[] lines = gdbOutput.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("Old value = ") && i + 3 < lines.length) {
                stops.add(lines[i] + " | " + lines[i + 1] + " | " + lines[i + 2].replaceFirst("^0x[0-9a-f]+ in ", "") + " | " + lines[i + 3]);
            }
        }
        return stops;
    }
}
