package org.qemu.tests.packaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Packages the tests build with rpmbuild to stand for what the test roots need from outside
 * this project. None of them fakes a file: each points at something real on this host.
 *
 * <ul>
 * <li>{@code host-runtime}: what a Fedora host gives an application, the shell and the Java 25
 *     runtime ({@code Provides: java-25-headless}), as symlinks to the real shell and the JDK the
 *     tests run on, plus the system directories Fedora's filesystem package owns.
 * <li>{@code host-build-tools}: no files; {@code Provides: java-25-devel, maven} for the
 *     BuildRequires of qemu.spec, recorded in the build database only, standing for the JDK
 *     and the mvn command this host really has.
 * <li>{@code kvm-84}: the last kvm release before Fedora merged it into qemu, shipping
 *     /usr/bin/qemu-kvm and /usr/bin/kvm as that package did.
 * </ul>
 * The two host-* fixtures say {@code AutoReqProv: no}: they stand for the host and need nothing.
 */
record FixturePackages(Path hostRuntime, Path hostBuildTools, Path kvm84) {

    static FixturePackages build(PackagingWorkspace workspace) {
        try {
            Path dir = Files.createDirectories(workspace.work.resolve("fixtures"));
            Path shell = Path.of("/bin/sh").toRealPath();
            Path jdk = Path.of(System.getProperty("java.home")).toRealPath();
            Path hostRuntime = build(workspace, dir, "host-runtime", """
                    Name: host-runtime
                    Version: 1
                    Release: 1
                    Summary: Test fixture: the host shell and Java 25 runtime seen from a test root
                    License: MIT
                    BuildArch: noarch
                    AutoReqProv: no
                    Provides: java-25-headless
                    %%description
                    Stands for what a Fedora host provides an application: /bin/sh and the
                    Java 25 runtime (symlinks to %1$s and %2$s), and the system
                    directories that Fedora's filesystem package owns.
                    %%install
                    mkdir -p %%{buildroot}/bin %%{buildroot}/usr/bin %%{buildroot}/usr/lib/jvm %%{buildroot}/usr/lib/binfmt.d
                    mkdir -p %%{buildroot}/usr/share/java %%{buildroot}/usr/share/man/man1 %%{buildroot}/usr/share/doc
                    ln -s %1$s %%{buildroot}/bin/sh
                    ln -s %2$s %%{buildroot}/usr/lib/jvm/jre-25
                    %%files
                    %%dir /bin
                    /bin/sh
                    %%dir /usr
                    %%dir /usr/bin
                    %%dir /usr/lib
                    %%dir /usr/lib/binfmt.d
                    %%dir /usr/lib/jvm
                    /usr/lib/jvm/jre-25
                    %%dir /usr/share
                    %%dir /usr/share/doc
                    %%dir /usr/share/java
                    %%dir /usr/share/man
                    %%dir /usr/share/man/man1
                    """.formatted(shell, jdk));
            Path buildTools = build(workspace, dir, "host-build-tools", """
                    Name: host-build-tools
                    Version: 1
                    Release: 1
                    Summary: Test fixture: the host JDK 25 and Maven as build requirements
                    License: MIT
                    BuildArch: noarch
                    AutoReqProv: no
                    Provides: java-25-devel
                    Provides: maven
                    %description
                    Stands for the JDK 25 and the mvn command this host has, so that the
                    BuildRequires of qemu.spec are checked rather than skipped.
                    %files
                    """);
            Path kvm = build(workspace, dir, "kvm", """
                    Name: kvm
                    Version: 84
                    Release: 1
                    Summary: Kernel-based Virtual Machine
                    License: GPL-2.0-only
                    BuildArch: noarch
                    Requires: /bin/sh
                    %description
                    The userspace of KVM before its merge into qemu: qemu-kvm, and kvm as
                    its older name.
                    %install
                    mkdir -p %{buildroot}/usr/bin
                    printf '#!/bin/sh\\necho "kvm-84"\\n' > %{buildroot}/usr/bin/qemu-kvm
                    printf '#!/bin/sh\\nexec /usr/bin/qemu-kvm "$@"\\n' > %{buildroot}/usr/bin/kvm
                    chmod 755 %{buildroot}/usr/bin/qemu-kvm %{buildroot}/usr/bin/kvm
                    %files
                    /usr/bin/qemu-kvm
                    /usr/bin/kvm
                    """);
            return new FixturePackages(hostRuntime, buildTools, kvm);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path build(PackagingWorkspace workspace, Path dir, String name, String spec) throws IOException {
        Path specFile = dir.resolve(name + ".spec");
        Files.writeString(specFile, spec);
        Path top = dir.resolve("top");
        workspace.run(PackagingWorkspace.QUICK, List.of("rpmbuild", "-bb", "--quiet",
                "--dbpath", dir.resolve("build-db").toString(),
                "--define", "_topdir " + top, specFile.toString())).requireSuccess();
        try (var found = Files.list(top.resolve("RPMS/noarch"))) {
            return found.filter(p -> p.getFileName().toString().startsWith(name + "-")).findFirst()
                    .orElseThrow(() -> new AssertionError("rpmbuild wrote no " + name + " package"));
        }
    }
}
