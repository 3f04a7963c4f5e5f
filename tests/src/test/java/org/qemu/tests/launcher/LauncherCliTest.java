package org.qemu.tests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every launcher in bin/ speaks QEMU's command line: version banners, help, and one clear
 * line with status 1 for anything it cannot do. Debian's QEMU 7.2 is the reference for the
 * spelling of the banner's first line.
 */
class LauncherCliTest {
    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-system-i386", "qemu-x86_64", "qemu-system-x86_64",
            "qemu-ppc", "qemu-system-ppc", "qemu-kvm"})
    void versionBannerHasQemusShape(String name) throws Exception {
        for (String flag : new String[] {"-version", "--version"}) {
            LauncherProcess p = LauncherProcess.run(name, flag);
            assertThat(p.exitStatus()).isZero();
            String first = p.stdout().lines().findFirst().orElse("");
            // Debian: "qemu-i386 version 7.2.22 (...)" and "QEMU emulator version 7.2.22 (...)"
            if (name.startsWith("qemu-system") || name.equals("qemu-kvm")) {
                assertThat(first).matches("QEMU emulator version \\d+\\.\\d+\\.\\d+ \\(.*\\)");
            } else {
                assertThat(first).matches(name + " version \\d+\\.\\d+\\.\\d+ \\(.*\\)");
            }
            assertThat(p.stdout()).contains("Copyright (c)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-system-i386", "qemu-x86_64", "qemu-system-x86_64",
            "qemu-ppc", "qemu-system-ppc", "qemu-kvm"})
    void helpListsQemuOptionSpelling(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "-h");
        assertThat(p.exitStatus()).isZero();
        assertThat(p.stdout()).startsWith("usage: " + name);
        if (name.startsWith("qemu-system") || name.equals("qemu-kvm")) {
            assertThat(p.stdout()).contains("-kernel", "-m ", "-append", "-nographic", "-drive");
        } else {
            assertThat(p.stdout()).contains("-L ", "-E ", "-cpu", "-strace");
        }
        assertThat(LauncherProcess.run(name, "-help").stdout()).isEqualTo(p.stdout());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-system-i386", "qemu-x86_64", "qemu-system-x86_64",
            "qemu-ppc", "qemu-system-ppc", "qemu-kvm"})
    void unknownOptionIsOneLineAndStatusOne(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "-no-such-option");
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).hasSize(1);
        assertThat(p.stderrLines().getFirst()).startsWith(name + ": ").contains("no-such-option");
        assertThat(p.stdout()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-x86_64", "qemu-ppc"})
    void missingProgramIsOneLineAndStatusOne(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "/nonexistent/program");
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).containsExactly(name + ": could not open '/nonexistent/program': No such file or directory");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-x86_64", "qemu-ppc"})
    void directoryAsProgramIsOneLineAndStatusOne(String name, @TempDir Path dir) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, dir.toString());
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).hasSize(1);
        assertThat(p.stderrLines().getFirst()).startsWith(name + ": ").contains(dir.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-x86_64", "qemu-ppc"})
    void noProgramIsOneLineAndStatusOne(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name);
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).containsExactly(name + ": no user program specified");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-system-i386", "qemu-system-x86_64", "qemu-system-ppc", "qemu-kvm"})
    void missingKernelIsOneLineAndStatusOne(String name, @TempDir Path dir) throws Exception {
        Path missing = dir.resolve("vmlinuz");
        LauncherProcess p = LauncherProcess.run(name, "-kernel", missing.toString(), "-nographic");
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).hasSize(1);
        assertThat(p.stderrLines().getFirst()).startsWith(name + ": ").contains(missing.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-system-i386", "qemu-kvm"})
    void badRamSizeIsOneLineAndStatusOne(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "-m", "lots");
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).hasSize(1);
        assertThat(p.stderrLines().getFirst()).startsWith(name + ": ").contains("lots");
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-system-i386", "qemu-kvm"})
    void missingDiskImageIsOneLineAndStatusOne(String name, @TempDir Path dir) throws Exception {
        Path img = dir.resolve("disk.img");
        LauncherProcess p = LauncherProcess.run(name, "-drive", "file=" + img + ",format=raw,if=virtio");
        assertThat(p.exitStatus()).isEqualTo(1);
        assertThat(p.stderrLines()).hasSize(1);
        assertThat(p.stderrLines().getFirst()).contains(img.toString());
        assertThat(Files.exists(img)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-x86_64", "qemu-ppc"})
    void cpuHelpListsModelsWithoutAProgram(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "-cpu", "help");
        assertThat(p.exitStatus()).isZero();
        // Debian's qemu-i386 -cpu help starts with the same line.
        assertThat(p.stdout().lines().findFirst()).contains("Available CPUs:");
        assertThat(p.stdout().lines().count()).isGreaterThan(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-i386", "qemu-x86_64", "qemu-ppc"})
    void unknownCpuModelIsQemusOneLine(String name) throws Exception {
        LauncherProcess p = LauncherProcess.run(name, "-cpu", "no-such-cpu", "/bin/true");
        assertThat(p.exitStatus()).isEqualTo(1);
        // Debian: "qemu-i386: unable to find CPU model 'foo'"
        assertThat(p.stderrLines()).containsExactly(name + ": unable to find CPU model 'no-such-cpu'");
    }

    /**
     * The guest's arguments pass through verbatim, option-like ones included (the parser stops at
     * the program), with and without emulator options before it. Oracle: the host's own amd64
     * busybox run natively.
     */
    @Test
    void guestArgumentsPassVerbatimWithAndWithoutEmulatorOptions() throws Exception {
        Path busybox = Path.of("/bin/busybox");
        assumeTrue(Files.isExecutable(busybox), "the host's amd64 busybox");
        List<String> guest = List.of(busybox.toString(), "sh", "-c", "for a in \"$@\"; do echo \"[$a]\"; done; echo \"$QEMU_TEST_VAR\"",
                "-h", "-h", "--version", "-d", "in_asm", "", "a b", "-E", "--");
        List<String> hostCommand = new ArrayList<>(List.of("env", "QEMU_TEST_VAR=set"));
        hostCommand.addAll(guest);
        LauncherProcess host = LauncherProcess.exec(hostCommand);
        assertThat(host.stdout()).contains("[-h]\n[--version]\n[-d]\n[in_asm]\n[]\n[a b]\n[-E]\n[--]\nset\n");

        List<String> plain = new ArrayList<>(List.of("env", "QEMU_TEST_VAR=set", LauncherProcess.launcher("qemu-x86_64").toString()));
        plain.addAll(guest);
        LauncherProcess ours = LauncherProcess.exec(plain);
        assertThat(ours.exitStatus()).isEqualTo(host.exitStatus());
        assertThat(ours.stdout()).isEqualTo(host.stdout());

        List<String> withOption = new ArrayList<>(List.of(LauncherProcess.launcher("qemu-x86_64").toString(), "-E", "QEMU_TEST_VAR=set"));
        withOption.addAll(guest);
        LauncherProcess parsed = LauncherProcess.exec(withOption);
        assertThat(parsed.exitStatus()).isEqualTo(host.exitStatus());
        assertThat(parsed.stdout()).isEqualTo(host.stdout());
    }
}
