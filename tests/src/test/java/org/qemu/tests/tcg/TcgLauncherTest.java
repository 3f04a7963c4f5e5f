package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.tests.kvm.Payloads;

/** The TCG machine's launchers facing an incomplete installation and unsupported choices: one line, status 1. */
class TcgLauncherTest {
    @TempDir
    Path dir;

    private static Path root() {
        return Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath().normalize();
    }

    /** qemu-kvm installed without qemu-i386 (the RPMs allow it): -accel tcg says which package is missing. */
    @Test
    void qemuKvmWithoutTheI386PackageNamesIt() throws Exception {
        Path lib = root().resolve("target/lib");
        assumeTrue(Files.isDirectory(lib), "the launcher jars are not built (mvn package)");
        Path install = dir.resolve("install");
        Files.createDirectories(install.resolve("bin"));
        Files.createDirectories(install.resolve("target/lib"));
        Files.copy(root().resolve("bin/qemu-launcher"), install.resolve("bin/qemu-launcher"));
        install.resolve("bin/qemu-launcher").toFile().setExecutable(true);
        Files.createSymbolicLink(install.resolve("bin/qemu-kvm"), Path.of("qemu-launcher"));
        try (var jars = Files.list(lib)) {
            for (Path jar : jars.toList()) {
                if (!jar.getFileName().toString().startsWith("qemu-i386") && !jar.getFileName().toString().startsWith("qemu-x86_64")
                        && jar.toString().endsWith(".jar")) {
                    Files.copy(jar, install.resolve("target/lib").resolve(jar.getFileName()));
                }
            }
        }
        Path kernel = dir.resolve("kernel.elf");
        Files.write(kernel, new byte[512]);
        EmulatorRun r = EmulatorRun.of(dir, 60, List.of(install.resolve("bin/qemu-kvm").toString(), "-accel", "tcg",
                "-nographic", "-kernel", kernel.toString()));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly(
                "qemu-kvm: -accel tcg: TCG system emulation needs the qemu-i386 package (its jar is not installed)");
    }

    @Test
    void qemuSystemX86_64RunsThirtyTwoBitMultibootKernelsUnderTcg() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        Path hello = Payloads.build().resolve("hello.elf");
        EmulatorRun r = EmulatorRun.of(dir, 60, List.of(root().resolve("bin/qemu-system-x86_64").toString(),
                "-nographic", "-no-reboot", "-kernel", hello.toString()));
        assertThat(r.status()).as("%s", r).isZero();
        assertThat(r.stdout()).contains("Hello from a multiboot payload");
    }

    /** hello resets at its end: without -no-reboot the machine boots it again, and again. */
    @Test
    void withoutNoRebootAGuestResetBootsTheKernelAgain() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        Path hello = Payloads.build().resolve("hello.elf");
        EmulatorRun r = EmulatorRun.until(dir, 60, List.of(root().resolve("bin/qemu-system-i386").toString(),
                "-nographic", "-kernel", hello.toString()), "resetting\r\n\r\nHello from a multiboot payload");
        assertThat(r.status()).as("still running when ended: %s", r).isEqualTo(-1);
        assertThat(r.stdout().split("Hello from a multiboot payload", -1).length).as("%s", r).isGreaterThanOrEqualTo(3);
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void hostCpuModelNeedsKvmAsInQemu() throws Exception {
        Path kernel = dir.resolve("kernel.elf");
        Files.write(kernel, new byte[512]);
        EmulatorRun r = EmulatorRun.of(dir, 60, List.of(root().resolve("bin/qemu-system-i386").toString(), "-cpu", "host",
                "-nographic", "-kernel", kernel.toString()));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.stderr().lines().toList()).containsExactly("qemu-system-i386: CPU model 'host' requires KVM or HVF");
    }
}
