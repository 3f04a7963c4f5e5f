package org.qemu.tests.gdb;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Debian's GDB against our user-mode emulators' gdbstub ({@code -g PORT}), with the same
 * script against Debian's QEMU as the oracle: break at main and in a second thread, step one
 * instruction and two lines, read registers and memory, write a variable, list the threads,
 * continue to the exit status.
 */
class UserModeGdbTest {
    /** The script; {@code %pc%} and {@code %frame%} name the architecture's registers. */
    private static List<String> script(String pcRegister, String frameExpression) {
        return List.of("set print frame-arguments none", "set confirm off",
                "break main", "break worker", "continue",
                "stepi", "info registers " + pcRegister, "p " + frameExpression, "x/2i $pc",
                "p counter", "x/4xb &counter",
                "next", "next", "p x",
                "set var counter = 100", "p counter",
                "continue", "info threads", "p arg",
                "continue");
    }

    @Test
    void i386UnderGdbBehavesAsUnderDebianQemu() throws Exception {
        assertX86SessionAsDebian("qemu-i386", "i686-linux-gnu-gcc", "i386", "eip", "$ebp - $esp");
    }

    @Test
    void x86_64UnderGdbBehavesAsUnderDebianQemu() throws Exception {
        assertX86SessionAsDebian("qemu-x86_64", "gcc", "x86_64", "rip", "$rbp - $rsp");
    }

    /** The script under Debian's gdb against our {@code emulator} and against Debian's emulator of the same name. */
    private static void assertX86SessionAsDebian(String emulator, String compiler, String suffix, String pcRegister,
            String frameExpression) throws Exception {
        GdbHarness.assumeBuilt(emulator + ".jar");
        GdbHarness.assumeTools("gdb", compiler, emulator);
        Path program = GdbHarness.compile(compiler, suffix);
        List<String> script = script(pcRegister, frameExpression);
        GdbHarness.Run ours = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve("bin/" + emulator).toString(),
                "-g", String.valueOf(port), program.toString()), "gdb", program, List.of(), script);
        GdbHarness.Run debian = GdbHarness.debug(port -> List.of(emulator, "-g", String.valueOf(port), program.toString()),
                "gdb", program, List.of(), script);
        assertSameSession(ours, debian);
        assertThat(ours.gdbOutput()).contains("Breakpoint 1, main").contains("Thread 2 hit Breakpoint 2, worker")
                .contains("$4 = 100").contains("exited with code 03");
    }

    @Test
    void ppcUnderGdbBehavesAsUnderDebianQemu() throws Exception {
        GdbHarness.assumeBuilt("qemu-ppc.jar");
        GdbHarness.assumeTools("gdb-multiarch", "powerpc-linux-gnu-gcc", "qemu-ppc");
        Path program = GdbHarness.compile("powerpc-linux-gnu-gcc", "ppc");
        List<String> script = script("pc", "/x $lr");
        GdbHarness.Run ours = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve("bin/qemu-ppc").toString(),
                "-g", String.valueOf(port), program.toString()), "gdb-multiarch", program, List.of(), script);
        GdbHarness.Run debian = GdbHarness.debug(port -> List.of("qemu-ppc", "-g", String.valueOf(port), program.toString()),
                "gdb-multiarch", program, List.of(), script);
        assertSameSession(ours, debian);
        assertThat(ours.gdbOutput()).contains("Breakpoint 1, main").contains("Thread 2 hit Breakpoint 2, worker")
                .contains("exited with code 03");
    }

    @Test
    void i386FaultStopsUnderGdbAsUnderDebianQemu() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("gdb", "i686-linux-gnu-gcc", "qemu-i386");
        assertFaultSession(GdbHarness.compile("i686-linux-gnu-gcc", "i386"), "bin/qemu-i386", "qemu-i386", "gdb", "$eip");
    }

    @Test
    void ppcFaultStopsUnderGdbAsUnderDebianQemu() throws Exception {
        GdbHarness.assumeBuilt("qemu-ppc.jar");
        GdbHarness.assumeTools("gdb-multiarch", "powerpc-linux-gnu-gcc", "qemu-ppc");
        assertFaultSession(GdbHarness.compile("powerpc-linux-gnu-gcc", "ppc"), "bin/qemu-ppc", "qemu-ppc", "gdb-multiarch", "$pc");
    }

    /** A guest fault stops the guest with SIGSEGV at the faulting instruction; continuing lets it die of it. */
    private static void assertFaultSession(Path program, String ours, String debian, String gdb, String pc) throws Exception {
        List<String> script = List.of("set print frame-arguments none", "continue", "bt", "p/x " + pc, "continue");
        GdbHarness.Run our = GdbHarness.debug(port -> List.of(GdbHarness.ROOT.resolve(ours).toString(),
                "-g", String.valueOf(port), program.toString(), "10", "crash"), gdb, program, List.of(), script);
        GdbHarness.Run their = GdbHarness.debug(port -> List.of(debian, "-g", String.valueOf(port), program.toString(), "10", "crash"),
                gdb, program, List.of(), script);
        assertThat(GdbHarness.normalize(our.gdbOutput())).isEqualTo(GdbHarness.normalize(their.gdbOutput()))
                .contains("Program received signal SIGSEGV").contains("Program terminated with signal SIGSEGV");
        assertThat(our.emulatorStatus()).isEqualTo(their.emulatorStatus()).isEqualTo(128 + 11);
        assertThat(our.emulatorStdout()).isEqualTo(their.emulatorStdout());
    }

    private static void assertSameSession(GdbHarness.Run ours, GdbHarness.Run debian) {
        assertThat(GdbHarness.normalize(ours.gdbOutput())).isEqualTo(GdbHarness.normalize(debian.gdbOutput()));
        assertThat(ours.emulatorStdout()).isEqualTo(debian.emulatorStdout()).isEqualTo("result 42 counter 41\nspin 7\n");
        assertThat(ours.emulatorStatus()).isEqualTo(debian.emulatorStatus()).isEqualTo(3);
    }
}
