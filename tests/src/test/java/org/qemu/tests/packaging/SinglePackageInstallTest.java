package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** {@code rpm -i} of one target package and qemu-common into an empty root, then its launchers run. */
class SinglePackageInstallTest {

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of(List.of("qemu-i386"), List.of("qemu-i386", "qemu-system-i386")),
                Arguments.of(List.of("qemu-ppc"), List.of("qemu-ppc", "qemu-system-ppc")),
                Arguments.of(List.of("qemu-kvm"), List.of("qemu-kvm")),
                Arguments.of(List.of("qemu-x86_64", "qemu-i386"), List.of("qemu-x86_64", "qemu-system-x86_64")));
    }

    @ParameterizedTest(name = "rpm -i {0} qemu-common")
    @MethodSource("targets")
    void targetInstallsWithCommonAloneAndItsLaunchersRun(List<String> packages, List<String> launchers) throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        InstallRoot root = workspace.newRoot(packages.getFirst());
        List<String> args = new ArrayList<>(List.of("-i", workspace.fixtures().hostRuntime().toString(),
                workspace.mavenRpm("qemu-common").toString()));
        packages.forEach(p -> args.add(workspace.mavenRpm(p).toString()));
        root.rpm(args.toArray(String[]::new)).requireSuccess();

        List<String> expected = new ArrayList<>(packages);
        expected.addAll(List.of("qemu-common", "host-runtime"));
        assertThat(root.installedPackages()).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(root.rpm("-V", "-a").requireSuccess().stdout()).isEmpty();

        for (String launcher : launchers) {
            assertThat(root.dir.resolve("usr/bin/" + launcher)).isRegularFile().isExecutable();
            LauncherOracle.assertBannerShape(launcher, root.launch(launcher, "--version"));
            LauncherOracle.assertUnknownOptionRejected(launcher, root.launch(launcher, "-no-such-option"));
        }
    }

    @Test
    void x86_64WithoutTheI386FrontEndIsRefusedByRpm() throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        InstallRoot root = workspace.newRoot("x86_64-alone");
        Command.Result result = root.rpm("-i", workspace.fixtures().hostRuntime().toString(),
                workspace.mavenRpm("qemu-common").toString(), workspace.mavenRpm("qemu-x86_64").toString());
        assertThat(result.exitCode()).as(result.describe()).isNotZero();
        assertThat(result.stderr()).contains("qemu-i386 = " + workspace.evr() + " is needed by qemu-x86_64");
        assertThat(Files.exists(root.dir.resolve("usr/bin/qemu-x86_64"))).isFalse();
    }
}
