package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What `mvn package` put in target/rpms, read back with rpm -qp: names, EVR, dependencies, files. */
class PackageMetadataTest {
    private PackagingWorkspace workspace;
    private String evr;

    @BeforeEach
    void setUp() {
        workspace = PackagingWorkspace.get();
        evr = workspace.evr();
    }

    private Path rpm(String name) {
        return workspace.mavenRpm(name);
    }

    @Test
    void everyPackageIsNoarchWithTheOneEpochVersionRelease() {
        for (String name : PackagingWorkspace.PACKAGES) {
            assertThat(workspace.query(rpm(name), "--qf", "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}").stdout())
                    .isEqualTo(name + " " + evr + " noarch");
        }
    }

    @Test
    void metaPackageHasNoFilesAndRequiresEverySubPackageAtThisRelease() {
        assertThat(workspace.query(rpm("qemu"), "-l").stdout().strip()).isEqualTo("(contains no files)");
        assertThat(workspace.queryLines(rpm("qemu"), "--requires")).filteredOn(r -> !r.startsWith("rpmlib("))
                .containsExactlyInAnyOrder("qemu-common = " + evr, "qemu-i386 = " + evr, "qemu-x86_64 = " + evr,
                        "qemu-ppc = " + evr, "qemu-kvm = " + evr);
    }

    @Test
    void commonRequiresTheJava25RuntimeByItsFedoraName() {
        assertThat(workspace.queryLines(rpm("qemu-common"), "--requires")).contains("java-25-headless");
        assertThat(workspace.queryLines(rpm("qemu-common"), "-l")).contains(
                "/usr/share/qemu", "/usr/share/qemu/README",
                "/usr/share/java/qemu", "/usr/share/java/qemu/qemu-common.jar", "/usr/share/java/qemu/qemu-whitebox.jar",
                "/usr/share/java/qemu/byte-buddy.jar", "/usr/share/java/qemu/commons-cli.jar",
                "/usr/share/doc/qemu-common/README", "/usr/share/doc/qemu-common/COPYING",
                "/usr/share/man/man1/qemu.1.gz", "/usr/share/man/man1/qemu-kvm.1.gz",
                "/usr/share/man/man1/qemu-i386.1.gz", "/usr/share/man/man1/qemu-system-i386.1.gz",
                "/usr/share/man/man1/qemu-x86_64.1.gz", "/usr/share/man/man1/qemu-system-x86_64.1.gz",
                "/usr/share/man/man1/qemu-ppc.1.gz", "/usr/share/man/man1/qemu-system-ppc.1.gz");
    }

    @Test
    void targetPackagesShipTheirLaunchersAndJarAndRequireCommonAtThisRelease() {
        for (String arch : new String[] {"i386", "x86_64", "ppc"}) {
            Path rpm = rpm("qemu-" + arch);
            assertThat(workspace.queryLines(rpm, "--requires")).contains("qemu-common = " + evr, "/bin/sh");
            assertThat(workspace.queryLines(rpm, "-l")).contains(
                    "/usr/bin/qemu-" + arch, "/usr/bin/qemu-system-" + arch, "/usr/share/java/qemu/qemu-" + arch + ".jar");
        }
        // The x86-64 jar builds on the x86 front end in qemu-i386.jar.
        assertThat(workspace.queryLines(rpm("qemu-x86_64"), "--requires")).contains("qemu-i386 = " + evr);
    }

    @Test
    void ppcShipsTheJitDirectivesItsLauncherHandsTheJvm() {
        assertThat(workspace.queryLines(rpm("qemu-ppc"), "-l")).contains(
                "/usr/share/java/qemu/qemu-ppc-jit.json", "/usr/share/java/qemu/qemu-ppc-jvm.options");
    }

    /** qemu-i386 ships the x86 directives, which qemu-x86_64 (requiring qemu-i386) uses too. */
    @Test
    void i386ShipsTheX86JitDirectivesItsLaunchersHandTheJvm() {
        assertThat(workspace.queryLines(rpm("qemu-i386"), "-l")).contains(
                "/usr/share/java/qemu/qemu-x86-jit.json", "/usr/share/java/qemu/qemu-x86-jvm.options");
    }

    @Test
    void foreignUserModeEmulatorRegistersWithBinfmtMisc() {
        assertThat(workspace.queryLines(rpm("qemu-ppc"), "-l")).contains("/usr/lib/binfmt.d/qemu-ppc.conf");
        for (String hostArch : new String[] {"qemu-i386", "qemu-x86_64"}) {
            assertThat(workspace.queryLines(rpm(hostArch), "-l")).noneMatch(f -> f.contains("binfmt"));
        }
    }

    @Test
    void qemuKvmReplacesTheLegacyKvmPackageAsFedoraDid() {
        assertThat(workspace.queryLines(rpm("qemu-kvm"), "--obsoletes")).containsExactly("kvm < 85");
        assertThat(workspace.queryLines(rpm("qemu-kvm"), "--provides")).contains("kvm = 85");
        assertThat(workspace.queryLines(rpm("qemu-kvm"), "--requires")).contains("qemu-common = " + evr);
        assertThat(workspace.queryLines(rpm("qemu-kvm"), "-l"))
                .containsExactlyInAnyOrder("/usr/bin/qemu-kvm", "/usr/share/java/qemu/qemu-kvm.jar");
    }
}
