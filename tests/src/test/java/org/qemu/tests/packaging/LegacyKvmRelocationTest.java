package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Maven twin of "Obsoletes: kvm": a consumer that still depends on org.qemu:kvm, resolved by
 * Maven itself from a file:// repository made here, is handed org.qemu:qemu-kvm instead.
 *
 * <p>Runs offline with its own empty local repository, so nothing of ours reaches the shared
 * one; the plugins and third-party jars come read-only from the shared local repository, used
 * as a file:// mirror of Central ({@code aether.offline.protocols=file} lets offline Maven read
 * file:// repositories).
 */
class LegacyKvmRelocationTest {

    private static void publish(Path repo, String artifactId, Path pom, Path jar) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("org/qemu/" + artifactId + "/1.0.0"));
        copyWithChecksum(pom, dir.resolve(artifactId + "-1.0.0.pom"));
        if (jar != null) {
            copyWithChecksum(jar, dir.resolve(artifactId + "-1.0.0.jar"));
        }
    }

    private static void copyWithChecksum(Path from, Path to) throws IOException {
        Files.copy(from, to);
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(to));
            Files.writeString(to.resolveSibling(to.getFileName() + ".sha1"), HexFormat.of().formatHex(sha1));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void dependencyOnKvmResolvesToQemuKvm(@TempDir Path dir) throws IOException {
        assumeTrue(Command.onPath("mvn"), "needs mvn on PATH");
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath().normalize();
        Path lib = root.resolve("target/lib");
        assumeTrue(Files.isRegularFile(lib.resolve("qemu-kvm.jar")), "needs the jars in target/lib (mvn package)");
        String version = "1.0.0";
        assertThat(Files.readString(root.resolve("pom.xml"))).contains("<version>" + version + "</version>");

        Path repo = dir.resolve("repo");
        publish(repo, "qemu-parent", root.resolve("pom.xml"), null);
        publish(repo, "kvm", root.resolve("legacy-kvm/pom.xml"), null);
        publish(repo, "qemu-kvm", root.resolve("qemu-kvm/pom.xml"), lib.resolve("qemu-kvm.jar"));
        publish(repo, "qemu-common", root.resolve("qemu-common/pom.xml"), lib.resolve("qemu-common.jar"));

        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <mirrors>
                    <mirror><id>shared-local</id><mirrorOf>central</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(PackagingWorkspace.mavenLocalRepository().toUri()));
        Path consumer = Files.createDirectories(dir.resolve("consumer"));
        Files.writeString(consumer.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>old-kvm-user</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <repositories>
                    <repository><id>legacy</id><url>%s</url></repository>
                  </repositories>
                  <dependencies>
                    <dependency><groupId>org.qemu</groupId><artifactId>kvm</artifactId><version>%s</version></dependency>
                  </dependencies>
                </project>
                """.formatted(repo.toUri(), version));
        Matcher pluginVersion = Pattern.compile("<dependency-plugin.version>([^<]+)<")
                .matcher(Files.readString(root.resolve("pom.xml")));
        assertThat(pluginVersion.find()).as("root pom names the dependency plugin version").isTrue();
        Path list = dir.resolve("dependencies.txt");
        Command.Result result = Command.run(consumer,
                Map.of("JAVA_HOME", System.getProperty("java.home")), Duration.ofMinutes(5),
                List.of("mvn", "-o", "-B", "-s", settings.toString(),
                        "-Dmaven.repo.local=" + dir.resolve("local"),
                        "-Daether.offline.protocols=file",
                        "org.apache.maven.plugins:maven-dependency-plugin:" + pluginVersion.group(1) + ":list",
                        "-DoutputFile=" + list));
        assertThat(result.exitCode()).as(result.describe()).isZero();

        assertThat(result.stdout()).contains("org.qemu:kvm:jar:" + version + " has been relocated to org.qemu:qemu-kvm:jar:" + version);
        String resolved = Files.readString(list);
        assertThat(resolved).contains("org.qemu:qemu-kvm:jar:" + version + ":compile")
                .contains("org.qemu:qemu-common:jar:" + version + ":compile")
                .doesNotContain("org.qemu:kvm:");
    }
}
