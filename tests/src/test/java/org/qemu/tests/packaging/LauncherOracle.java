package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The behaviour of Debian's QEMU 7.2 launchers, against which installed launchers are judged:
 * the shape of the {@code --version} banner and the status of an unknown option. The oracle for
 * a launcher is Debian's binary of the same name, or one of the same kind (user or system mode).
 */
final class LauncherOracle {
    private static final Pattern VERSION = Pattern.compile("^(.*version )\\d+(\\.\\d+)+");
    private static final Path DEBIAN_BIN = Path.of("/usr/bin");

    private LauncherOracle() {
    }

    static boolean isSystemEmulator(String launcher) {
        return launcher.startsWith("qemu-system-") || launcher.equals("qemu-kvm");
    }

    /** Debian's binary to compare {@code launcher} with, or null when Debian's QEMU is not installed. */
    static Path debianTwin(String launcher) {
        List<String> candidates = isSystemEmulator(launcher)
                ? List.of(launcher, "qemu-system-x86_64", "qemu-system-i386")
                : List.of(launcher, "qemu-i386", "qemu-x86_64", "qemu-ppc");
        return candidates.stream().map(DEBIAN_BIN::resolve).filter(Files::isExecutable).findFirst().orElse(null);
    }

    private static Command.Result runDebian(Path binary, String... args) {
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        argv.addAll(List.of(args));
        return Command.run(Path.of("/"), Map.of(), Duration.ofSeconds(30), argv);
    }

    /** Asserts that {@code ours} (from {@code launcher --version}) has the shape of Debian's banner. */
    static void assertBannerShape(String launcher, Command.Result ours) {
        assertThat(ours.exitCode()).as(ours.describe()).isZero();
        List<String> lines = ours.stdout().lines().toList();
        Path twin = debianTwin(launcher);
        if (twin == null) {
            // Without Debian's QEMU, QEMU's documented banner shape stands in.
            String prefix = isSystemEmulator(launcher) ? "QEMU emulator version " : launcher + " version ";
            assertThat(lines.getFirst()).as(ours.describe()).matches(Pattern.quote(prefix) + "\\d+(\\.\\d+)+.*");
            assertThat(lines.get(1)).startsWith("Copyright (c) 2003-");
            return;
        }
        List<String> debian = runDebian(twin, "--version").stdout().lines().toList();
        Matcher m = VERSION.matcher(debian.getFirst());
        assertThat(m.find()).as("Debian banner %s", debian.getFirst()).isTrue();
        String prefix = m.group(1).replace(twin.getFileName().toString(), launcher);
        assertThat(lines).as(ours.describe()).hasSize(debian.size());
        assertThat(lines.getFirst()).as(ours.describe()).matches(Pattern.quote(prefix) + "\\d+(\\.\\d+)+ \\(.*\\)");
        String copyright = debian.get(1).substring(0, "Copyright (c) 2003-".length());
        assertThat(lines.get(1)).startsWith(copyright);
    }

    /** Asserts that an unknown option ends {@code ours} the way it ends Debian's launcher: status and one line. */
    static void assertUnknownOptionRejected(String launcher, Command.Result ours) {
        Path twin = debianTwin(launcher);
        int expected = twin == null ? 1 : runDebian(twin, "-no-such-option").exitCode();
        assertThat(ours.exitCode()).as(ours.describe()).isEqualTo(expected).isNotZero();
        assertThat(ours.stderr().lines().toList()).as(ours.describe()).hasSize(1);
        assertThat(ours.stderr()).contains("no-such-option").doesNotContain("Exception");
        assertThat(ours.stdout()).isEmpty();
    }
}
