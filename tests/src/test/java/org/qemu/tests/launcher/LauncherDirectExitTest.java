package org.qemu.tests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * bin/qemu-launcher ends a user-mode emulator with the host's exit_group (ExitActions, "direct
 * exit") instead of the JVM's exit: what the guest wrote, the exit actions' output and the
 * guest's status must all come through as before. Oracle: the same busybox script run natively.
 */
class LauncherDirectExitTest {
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    @Test
    void directExitKeepsOutputStatusAndExitActions() throws Exception {
        assumeTrue(Files.isExecutable(BUSYBOX), "the host's amd64 busybox");
        // forks and execs (the pipe) as well as the shell's own writes, then a status of its own
        String script = "echo start; " + BUSYBOX + " seq 1 20000 | " + BUSYBOX + " tail -n 3; echo end >&2; exit 7";
        LauncherProcess host = LauncherProcess.exec(List.of(BUSYBOX.toString(), "sh", "-c", script));
        // a -D option keeps the direct exit (only -X and agent options turn it off); the statistics
        // line is printed by an exit action, which must run before the process ends
        LauncherProcess ours = LauncherProcess.exec(List.of("env", "QEMU_JAVA_OPTS=-Dqemu.tcg.stats=true",
                LauncherProcess.launcher("qemu-x86_64").toString(), BUSYBOX.toString(), "sh", "-c", script));
        assertThat(host.exitStatus()).isEqualTo(7);
        assertThat(ours.exitStatus()).isEqualTo(host.exitStatus());
        assertThat(ours.stdout()).isEqualTo(host.stdout()).contains("19999\n20000\n");
        assertThat(ours.stderrLines()).contains("end");
        assertThat(ours.stderr()).contains("qemu.tcg.stats: ");
    }
}
