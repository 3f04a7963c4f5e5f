package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * rpmlint, with the Fedora settings in packaging/rpmlint.toml, finds no error in any package,
 * and every kind of warning it still reports is listed, with its reason, in docs/PACKAGING.md.
 */
class RpmlintTest {
    private static final Pattern FINDING = Pattern.compile("^\\S+: ([EW]): (\\S+)", Pattern.MULTILINE);
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) errors, (\\d+) warnings");

    private static Command.Result rpmlint(PackagingWorkspace workspace, List<Path> inputs) {
        assumeTrue(Command.onPath("rpmlint"), "needs rpmlint on PATH");
        List<String> argv = new ArrayList<>(List.of("rpmlint", "-c",
                workspace.projectRoot.resolve("packaging/rpmlint.toml").toString()));
        inputs.forEach(p -> argv.add(p.toString()));
        return workspace.run(PackagingWorkspace.QUICK, argv);
    }

    private static Set<String> findings(Command.Result result, String severity) {
        Set<String> found = new TreeSet<>();
        Matcher m = FINDING.matcher(result.stdout());
        while (m.find()) {
            if (m.group(1).equals(severity)) {
                found.add(m.group(2));
            }
        }
        return found;
    }

    private static void assertNoErrors(Command.Result result) {
        Matcher summary = SUMMARY.matcher(result.stdout());
        assertThat(summary.find()).as("rpmlint summary line in:\n" + result.describe()).isTrue();
        assertThat(findings(result, "E")).as(result.describe()).isEmpty();
        assertThat(summary.group(1)).as(result.describe()).isEqualTo("0");
        assertThat(result.exitCode()).as(result.describe()).isZero();
    }

    private static void assertWarningsDocumented(PackagingWorkspace workspace, Command.Result result) throws IOException {
        String doc = Files.readString(workspace.projectRoot.resolve("docs/PACKAGING.md"));
        for (String warning : findings(result, "W")) {
            assertThat(doc).as("docs/PACKAGING.md explains the rpmlint warning %s", warning).contains("`" + warning + "`");
        }
    }

    @Test
    void mavenBuiltPackagesHaveNoErrors() throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        Command.Result result = rpmlint(workspace, workspace.mavenRpms());
        assertNoErrors(result);
        assertWarningsDocumented(workspace, result);
    }

    @Test
    void specAndTheBinaryAndSourcePackagesItBuildsHaveNoErrors() throws IOException {
        PackagingWorkspace workspace = PackagingWorkspace.get();
        SpecBuild spec = workspace.specBuild();
        List<Path> inputs = new ArrayList<>();
        inputs.add(workspace.projectRoot.resolve("qemu.spec"));
        inputs.add(spec.sourceRpm());
        PackagingWorkspace.PACKAGES.forEach(name -> inputs.add(spec.rpm(workspace, name)));
        Command.Result result = rpmlint(workspace, inputs);
        assertNoErrors(result);
        assertWarningsDocumented(workspace, result);
    }
}
