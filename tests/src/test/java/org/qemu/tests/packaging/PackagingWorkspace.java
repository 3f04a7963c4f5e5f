package org.qemu.tests.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What every packaging test shares, made once per test JVM: the RPMs `mvn package` left in
 * target/rpms, a scratch directory, the fixture packages and a dnf repository.
 *
 * <p>Every rpm and dnf command runs with HOME pointing at a scratch home whose .rpmmacros puts
 * the database at /var/lib/rpm, which `--root`/`--installroot` move inside the test root
 * (Debian's rpm would otherwise use ~/.rpmdb); commands that work on no root name their
 * own database with --dbpath. The host's rpm database is never opened.
 */
final class PackagingWorkspace {
    static final List<String> PACKAGES = List.of("qemu", "qemu-common", "qemu-i386", "qemu-x86_64", "qemu-ppc", "qemu-kvm");
    static final List<String> TOOLS = List.of("rpm", "rpmbuild", "dnf", "createrepo_c");
    static final Duration QUICK = Duration.ofMinutes(2);

    private static PackagingWorkspace shared;

    final Path projectRoot;
    final Path work;
    final Path home;
    final String epoch;
    final String version;
    final String release;
    private FixturePackages fixtures;
    private Path repository;
    private SpecBuild specBuild;

    private PackagingWorkspace(Path projectRoot) throws IOException {
        this.projectRoot = projectRoot;
        String pom = Files.readString(projectRoot.resolve("pom.xml"));
        this.epoch = pomProperty(pom, "rpm.epoch");
        this.version = pomProperty(pom, "rpm.version");
        this.release = pomProperty(pom, "rpm.release");
        this.work = Files.createTempDirectory("qemu-packaging-tests");
        this.home = Files.createDirectories(work.resolve("home"));
        Files.writeString(home.resolve(".rpmmacros"), "%_dbpath /var/lib/rpm\n");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(work)));
    }

    /** The shared workspace; skips the calling test when the tools or the built RPMs are absent. */
    static synchronized PackagingWorkspace get() {
        List<String> missing = TOOLS.stream().filter(t -> !Command.onPath(t)).toList();
        assumeTrue(missing.isEmpty(), "packaging tests need " + missing + " on PATH");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath().normalize();
        if (shared == null) {
            try {
                shared = new PackagingWorkspace(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String name : PACKAGES) {
            assumeTrue(Files.isRegularFile(shared.mavenRpm(name)),
                    shared.mavenRpm(name) + " is missing: the RPMs are built in the package phase (run mvn verify, not mvn test)");
        }
        return shared;
    }

    /** Epoch:Version-Release, as the root pom sets it for every package. */
    String evr() {
        return epoch + ":" + version + "-" + release;
    }

    String fileName(String name) {
        return name + "-" + version + "-" + release + ".noarch.rpm";
    }

    Path mavenRpm(String name) {
        return projectRoot.resolve("target/rpms").resolve(fileName(name));
    }

    List<Path> mavenRpms() {
        return PACKAGES.stream().map(this::mavenRpm).toList();
    }

    /** The environment of every rpm, rpmbuild and dnf command. */
    Map<String, String> environment() {
        return Map.of("HOME", home.toString(), "LC_ALL", "C.UTF-8", "JAVA_HOME", System.getProperty("java.home"));
    }

    Command.Result run(Duration timeout, List<String> argv) {
        return Command.run(work, environment(), timeout, argv);
    }

    Command.Result run(String... argv) {
        return run(QUICK, List.of(argv));
    }

    /** {@code rpm -qp QUERY FILE} against a scratch database. */
    Command.Result query(Path rpm, String... query) {
        List<String> argv = new ArrayList<>(List.of("rpm", "--dbpath", work.resolve("query-db").toString(), "-qp"));
        argv.addAll(List.of(query));
        argv.add(rpm.toString());
        return run(QUICK, argv).requireSuccess();
    }

    /** One answer per line, sorted, for comparing package metadata. */
    List<String> queryLines(Path rpm, String... query) {
        return query(rpm, query).stdout().lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    synchronized FixturePackages fixtures() {
        if (fixtures == null) {
            fixtures = FixturePackages.build(this);
        }
        return fixtures;
    }

    /** A dnf repository with the six packages `mvn package` built and the host-runtime fixture. */
    synchronized Path repository() throws IOException {
        if (repository == null) {
            Path repo = Files.createDirectories(work.resolve("repo"));
            for (Path rpm : mavenRpms()) {
                Files.copy(rpm, repo.resolve(rpm.getFileName()));
            }
            Files.copy(fixtures().hostRuntime(), repo.resolve(fixtures().hostRuntime().getFileName()));
            run("createrepo_c", "-q", repo.toString()).requireSuccess();
            repository = repo;
        }
        return repository;
    }

    /** The six packages and the source package rpmbuild makes from qemu.spec; built once. */
    synchronized SpecBuild specBuild() {
        if (specBuild == null) {
            specBuild = SpecBuild.run(this);
        }
        return specBuild;
    }

    /** The local Maven repository of the build running the tests (the spec's offline build reads it). */
    static Path mavenLocalRepository() {
        String configured = System.getProperty("maven.repo.local", "");
        return configured.isBlank() || configured.startsWith("${")
                ? Path.of(System.getProperty("user.home"), ".m2", "repository")
                : Path.of(configured);
    }

    InstallRoot newRoot(String name) throws IOException {
        return new InstallRoot(this, Files.createTempDirectory(work, name + "-"));
    }

    private static String pomProperty(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!m.find()) {
            throw new IllegalStateException("root pom.xml has no property " + name);
        }
        return m.group(1).trim();
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Best effort at exit: a leftover scratch directory under /tmp is harmless.
        }
    }
}
