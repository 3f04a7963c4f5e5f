package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A root with the legacy kvm-84 installed: dnf must replace it with qemu-kvm (Obsoletes: kvm &lt; 85),
 * both when asked for qemu-kvm by name and on a plain upgrade.
 */
class KvmUpgradeTest {

    @ParameterizedTest(name = "dnf {0}")
    @ValueSource(strings = {"install qemu-kvm", "upgrade"})
    void legacyKvmIsReplacedByQemuKvm(String transaction) throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        InstallRoot root = workspace.newRoot("kvm-84");
        FixturePackages fixtures = workspace.fixtures();
        root.rpm("-i", fixtures.hostRuntime().toString(), fixtures.kvm84().toString()).requireSuccess();
        assertThat(root.installedPackages()).containsExactlyInAnyOrder("host-runtime", "kvm");
        assertThat(root.dir.resolve("usr/bin/kvm")).isRegularFile();

        root.dnf(transaction.split(" ")).requireSuccess();

        assertThat(root.installedPackages()).containsExactlyInAnyOrder("host-runtime", "qemu-kvm", "qemu-common");
        assertThat(root.rpm("-q", "--whatprovides", "kvm", "--qf", "%{NAME}\\n").requireSuccess().stdout().strip())
                .isEqualTo("qemu-kvm");
        assertThat(root.rpm("-q", "kvm").exitCode()).as("kvm is no longer installed").isNotZero();
        assertThat(root.dir.resolve("usr/bin/kvm")).doesNotExist();
        // /usr/bin/qemu-kvm now belongs to qemu-kvm and is the Java launcher, not kvm-84's script.
        assertThat(root.rpm("-qf", "/usr/bin/qemu-kvm", "--qf", "%{NAME}\\n").requireSuccess().stdout().strip())
                .isEqualTo("qemu-kvm");
        LauncherOracle.assertBannerShape("qemu-kvm", root.launch("qemu-kvm", "--version"));
    }
}
