package org.qemu.tests.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code rpmbuild -ba qemu.spec} on the source tarball `mvn package` made: the distribution's
 * way to the same six packages. The spec's own build is an offline Maven build (no network in
 * a build root), reading the local repository of the Maven run that runs these tests.
 * BuildRequires are checked against a build database holding the host-build-tools fixture.
 */
record SpecBuild(Path binaryRpms, Path sourceRpm, Command.Result log) {
    private static final Duration LIMIT = Duration.ofMinutes(15);

    static SpecBuild run(PackagingWorkspace workspace) {
        Path tarball = workspace.projectRoot.resolve("target/sources/qemu-" + workspace.version + ".tar.gz");
        assumeTrue(Files.isRegularFile(tarball), tarball + " is missing: the source tarball is made in the package phase");
        assumeTrue(Command.onPath("mvn"), "building qemu.spec needs mvn on PATH");
        try {
            Path dir = Files.createDirectories(workspace.work.resolve("spec-build"));
            Path buildDb = dir.resolve("build-db");
            workspace.run(PackagingWorkspace.QUICK, List.of("rpm", "-i", "--justdb", "--dbpath", buildDb.toString(),
                    workspace.fixtures().hostBuildTools().toString())).requireSuccess();
            Path top = dir.resolve("top");
            Command.Result log = workspace.run(LIMIT, List.of("rpmbuild", "-ba",
                    "--dbpath", buildDb.toString(),
                    "--define", "_topdir " + top,
                    "--define", "_sourcedir " + tarball.getParent(),
                    "--define", "maven_repo_local " + PackagingWorkspace.mavenLocalRepository(),
                    workspace.projectRoot.resolve("qemu.spec").toString())).requireSuccess();
            try (var srpms = Files.list(top.resolve("SRPMS"))) {
                Path srpm = srpms.findFirst().orElseThrow(() -> new AssertionError("rpmbuild wrote no source package"));
                return new SpecBuild(top.resolve("RPMS/noarch"), srpm, log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path rpm(PackagingWorkspace workspace, String name) {
        return binaryRpms.resolve(workspace.fileName(name));
    }
}
