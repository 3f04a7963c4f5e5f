package org.qemu.tests.gdb;

import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.qemu.tests.launcher.LauncherProcess;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad gdbstub options: one clear error line and status 1, never a stack trace or a hang. */
class GdbOptionsTest {

    @Test
    void userModePortMustBeANumber() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        LauncherProcess r = LauncherProcess.run("qemu-i386", "-g", "abc", "/bin/true");
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly("qemu-i386: gdbstub: invalid port in 'abc'");
    }

    @Test
    void aPortInUseIsOneError() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("i686-linux-gnu-gcc");
        Path program = GdbHarness.compile("i686-linux-gnu-gcc", "i386");
        try (ServerSocket taken = new ServerSocket(0)) {
            LauncherProcess r = LauncherProcess.run("qemu-i386", "-g", String.valueOf(taken.getLocalPort()), program.toString());
            assertThat(r.exitStatus()).isEqualTo(1);
            assertThat(r.stderrLines()).hasSize(1);
            assertThat(r.stderrLines().get(0)).startsWith("qemu-i386: gdbstub: cannot listen on :" + taken.getLocalPort());
        }
    }

    @Test
    void systemGdbDeviceMustBeTcp() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        LauncherProcess r = LauncherProcess.run("qemu-system-i386", "-gdb", "unix:/tmp/x", "-nographic");
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly(
                "qemu-system-i386: gdbstub: character device 'unix:/tmp/x' is not supported (tcp only)");
        LauncherProcess bad = LauncherProcess.run("qemu-system-i386", "-gdb", "tcp::99999", "-nographic");
        assertThat(bad.stderrLines()).containsExactly("qemu-system-i386: gdbstub: invalid port in 'tcp::99999'");
    }

    @Test
    void frozenStartNeedsSomethingThatCanStartTheCpus() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        LauncherProcess r = LauncherProcess.run("qemu-system-i386", "-S", "-nographic");
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.stderrLines()).hasSize(1);
        assertThat(r.stderrLines().get(0)).startsWith("qemu-system-i386: ").contains("-S: nothing could ever start the CPUs");
    }
}
