package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Packaging a build that lacks a jar stops the Maven build with one clear line naming the jar. */
class PackagingCheckTest {
    private static final List<String> JARS = List.of("qemu-common", "qemu-whitebox", "byte-buddy", "commons-cli", "gson",
            "qemu-i386", "qemu-x86_64", "qemu-ppc", "qemu-kvm");

    private static Command.Result preparePackaging(PackagingWorkspace workspace, Path lib) {
        // From the root (which sets qemu.root), the packaging module alone: it has no reactor dependencies.
        return Command.run(workspace.projectRoot, workspace.environment(), Duration.ofMinutes(5),
                List.of("mvn", "-o", "-B", "-q", "-Dmaven.repo.local=" + PackagingWorkspace.mavenLocalRepository(),
                        "-pl", "packaging", "-Dqemu.lib=" + lib, "prepare-package"));
    }

    @Test
    void missingJarFailsTheBuildNamingTheJar() throws IOException {
        assumeTrue(Command.onPath("mvn"), "needs mvn on PATH");
        PackagingWorkspace workspace = PackagingWorkspace.get();
        Path built = workspace.projectRoot.resolve("target/lib");
        Path lib = Files.createDirectories(workspace.work.resolve("lib-without-ppc"));
        for (String jar : JARS) {
            if (!jar.equals("qemu-ppc")) {
                Files.copy(built.resolve(jar + ".jar"), lib.resolve(jar + ".jar"));
            }
        }
        Command.Result missing = preparePackaging(workspace, lib);
        assertThat(missing.exitCode()).as(missing.describe()).isNotZero();
        assertThat(missing.stdout() + missing.stderr())
                .contains("packaging: missing jar " + lib.resolve("qemu-ppc.jar"));
        // The complete set passing is what every `mvn package` of the tree shows.
    }
}
