package org.qemu.tests.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One empty directory that rpm and dnf install into, with its own rpm database. */
final class InstallRoot {
    /** Where rpm and dnf keep their own state; not part of what packages install. */
    private static final List<String> PACKAGE_MANAGER_STATE = List.of(
            "var/lib/rpm", "var/lib/dnf", "var/cache/dnf", "var/log", "etc/dnf");

    private final PackagingWorkspace workspace;
    final Path dir;

    InstallRoot(PackagingWorkspace workspace, Path dir) {
        this.workspace = workspace;
        this.dir = dir;
    }

    Command.Result rpm(String... args) {
        List<String> argv = new ArrayList<>(List.of("rpm", "--root", dir.toString()));
        argv.addAll(List.of(args));
        return workspace.run(PackagingWorkspace.QUICK, argv);
    }

    /** dnf on this root, with the test repository as its only repository. */
    Command.Result dnf(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("dnf", "-y", "-q",
                "--installroot=" + dir,
                "--setopt=reposdir=/dev/null",
                "--repofrompath=qemu-test," + workspace.repository(),
                "--disablerepo=*", "--enablerepo=qemu-test",
                "--setopt=gpgcheck=0",
                "--setopt=install_weak_deps=False",
                "--releasever=40"));
        argv.addAll(List.of(args));
        return workspace.run(PackagingWorkspace.QUICK, argv);
    }

    /** Names of the installed packages. */
    Set<String> installedPackages() {
        return rpm("-qa", "--qf", "%{NAME}\\n").requireSuccess().stdout().lines()
                .filter(l -> !l.isBlank()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every path in the root (relative), except rpm's and dnf's own state. */
    SortedSet<String> files() {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.map(p -> dir.relativize(p).toString())
                    .filter(p -> !p.isEmpty())
                    .filter(p -> PACKAGE_MANAGER_STATE.stream().noneMatch(s -> p.equals(s) || p.startsWith(s + "/")))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs a launcher installed in this root, from the host, with the root's Java
     * (the fixture's /usr/lib/jvm/jre-25) as JAVA_HOME.
     */
    Command.Result launch(String launcher, String... args) {
        List<String> argv = new ArrayList<>(List.of(dir.resolve("usr/bin").resolve(launcher).toString()));
        argv.addAll(List.of(args));
        Map<String, String> env = new HashMap<>(workspace.environment());
        env.put("JAVA_HOME", dir.resolve("usr/lib/jvm/jre-25").toString());
        return Command.run(dir, env, PackagingWorkspace.QUICK, argv);
    }
}
