package org.qemu.tests.gdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.qemu.tests.kvm.Payloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's GDB against our system emulator held at start-up ({@code -gdb tcp::PORT -S}) running
 * a bare-metal multiboot payload, with the same script against Debian's qemu-system-x86_64 as
 * the oracle. Debian's QEMU describes x86-64 registers and starts in its BIOS, so the script
 * compares only what means the same on both: values at and after a breakpoint on a payload
 * symbol, memory, and the serial output once continued. The qemu-kvm run needs /dev/kvm and
 * skips without it.
 */
class SystemGdbTest {
    private static final List<String> SCRIPT = List.of("set confirm off",
            "break payload_main", "continue",
            "p/x $pc", "stepi", "p/x $pc", "p/x $eflags", "p/x $cs", "p/x $ss", "p/x $esp",
            "p/x *(unsigned *) 0x100000", "x/3i $pc",
            "delete", "continue");

    @Test
    void tcgSystemEmulatorUnderGdbMatchesDebianQemu() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        assertMatchesDebian("bin/qemu-system-i386");
    }

    @Test
    void qemuKvmUnderGdbMatchesDebianQemu() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/kvm")), "/dev/kvm is absent on this host: the gdbstub under KVM cannot run here");
        GdbHarness.assumeBuilt("qemu-kvm.jar");
        assertMatchesDebian("bin/qemu-kvm", "-accel", "kvm");
    }

    private static void assertMatchesDebian(String launcher, String... extra) throws Exception {
        GdbHarness.assumeTools("gdb", "qemu-system-x86_64");
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        Path payload = Payloads.build().resolve("hello.elf");
        GdbHarness.Run ours = GdbHarness.debug(port -> {
            List<String> cmd = new ArrayList<>(List.of(GdbHarness.ROOT.resolve(launcher).toString()));
            cmd.addAll(List.of(extra));
            cmd.addAll(List.of("-nographic", "-no-reboot", "-gdb", "tcp::" + port, "-S", "-kernel", payload.toString()));
            return cmd;
        }, "gdb", payload, List.of(), SCRIPT);
        GdbHarness.Run debian = GdbHarness.debug(port -> List.of("qemu-system-x86_64", "-display", "none", "-serial", "stdio",
                "-no-reboot", "-gdb", "tcp::" + port, "-S", "-kernel", payload.toString()),
                "gdb", payload, List.of("set architecture i386:x86-64"), SCRIPT);
        List<String> values = GdbHarness.printedValues(ours.gdbOutput());
        assertThat(values).hasSize(7).isEqualTo(GdbHarness.printedValues(debian.gdbOutput()));
        assertThat(disassembly(ours.gdbOutput())).hasSize(3).isEqualTo(disassembly(debian.gdbOutput()));
        assertThat(ours.gdbOutput()).contains("Breakpoint 1, ").contains("payload_main");
        assertThat(serial(ours.emulatorStdout())).startsWith("Hello from a multiboot payload").isEqualTo(serial(debian.emulatorStdout()));
        assertThat(ours.emulatorStatus()).isZero();
    }

    /** The instruction lines of {@code x/3i}, without the marker of the current one. */
    private static List<String> disassembly(String gdbOutput) {
        List<String> lines = new ArrayList<>();
        for (String l : gdbOutput.split("\n")) {
            if (l.matches("(=>)?\\s+0x[0-9a-f]+ <.*")) {
                lines.add(l.replace("=>", "").trim().replaceAll("\\s+", " "));
            }
        }
        return lines;
    }

    /** The serial text from the payload's first line on (what comes before differs: a terminal reset, a blank line). */
    private static String serial(String stdout) {
        int at = stdout.indexOf("Hello");
        return at < 0 ? stdout : stdout.substring(at);
    }
}
