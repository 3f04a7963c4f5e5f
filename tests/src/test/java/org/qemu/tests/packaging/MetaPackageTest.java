package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;

import org.junit.jupiter.api.Test;

/** dnf install qemu brings all six packages; they verify clean; dnf remove leaves nothing behind. */
class MetaPackageTest {
    private static final List<String> LAUNCHERS = List.of("qemu-kvm", "qemu-x86_64", "qemu-system-x86_64",
            "qemu-i386", "qemu-system-i386", "qemu-ppc", "qemu-system-ppc");

    @Test
    void installVerifyAndRemoveTheWholeSet() throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        InstallRoot root = workspace.newRoot("meta");
        root.dnf("install", "host-runtime").requireSuccess();
        SortedSet<String> before = root.files();

        root.dnf("install", "qemu").requireSuccess();

        List<String> expected = new ArrayList<>(PackagingWorkspace.PACKAGES);
        expected.add("host-runtime");
        assertThat(root.installedPackages()).containsExactlyInAnyOrderElementsOf(expected);
        Command.Result verify = root.rpm("-V", "-a");
        assertThat(verify.exitCode()).as(verify.describe()).isZero();
        assertThat(verify.stdout()).as(verify.describe()).isEmpty();
        for (String launcher : LAUNCHERS) {
            assertThat(root.dir.resolve("usr/bin/" + launcher)).isExecutable();
        }
        Path binfmt = root.dir.resolve("usr/lib/binfmt.d/qemu-ppc.conf");
        assertThat(Files.readString(binfmt))
                .isEqualTo(Files.readString(workspace.projectRoot.resolve("packaging/src/main/binfmt/qemu-ppc.conf")));
        LauncherOracle.assertBannerShape("qemu-system-x86_64", root.launch("qemu-system-x86_64", "--version"));

        List<String> remove = new ArrayList<>(List.of("remove"));
        remove.addAll(PackagingWorkspace.PACKAGES);
        root.dnf(remove.toArray(String[]::new)).requireSuccess();

        assertThat(root.installedPackages()).containsExactly("host-runtime");
        assertThat(root.files()).as("files left behind or lost by dnf remove").isEqualTo(before);
    }
}
