package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** qemu.spec and the rpm-maven-plugin build must make the same packages. */
class SpecBuildTest {
    private static final List<List<String>> QUERIES = List.of(
            List.of("--qf", "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{ARCH}\\n"),
            List.of("--requires"), List.of("--provides"), List.of("--obsoletes"), List.of("--conflicts"), List.of("-l"));

    @Test
    void specBuildsTheSamePackagesAsMaven() {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        SpecBuild spec = workspace.specBuild();
        for (String name : PackagingWorkspace.PACKAGES) {
            Path fromMaven = workspace.mavenRpm(name);
            Path fromSpec = spec.rpm(workspace, name);
            assertThat(fromSpec).as("rpmbuild -ba qemu.spec wrote %s", fromSpec.getFileName()).isRegularFile();
            for (List<String> query : QUERIES) {
                String[] q = query.toArray(String[]::new);
                assertThat(workspace.queryLines(fromSpec, q))
                        .as("rpm -qp %s of %s: qemu.spec versus Maven", String.join(" ", query), name)
                        .isEqualTo(workspace.queryLines(fromMaven, q));
            }
        }
    }

    @Test
    void sourcePackageCarriesTheSpecAndTheMavenMadeTarball() {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        SpecBuild spec = workspace.specBuild();
        assertThat(workspace.queryLines(spec.sourceRpm(), "-l"))
                .containsExactlyInAnyOrder("qemu-" + workspace.version + ".tar.gz", "qemu.spec");
        assertThat(workspace.queryLines(spec.sourceRpm(), "--requires")).contains("java-25-devel", "maven");
    }
}
