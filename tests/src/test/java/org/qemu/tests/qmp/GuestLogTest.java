package org.qemu.tests.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.launcher.LauncherProcess;

/**
 * {@code -d} and {@code -D} of the system emulator, with the bare-metal payloads. {@code -d int}
 * is checked against Debian's {@code qemu-system-x86_64 -d int} running the same {@code irq}
 * payload: the UART interrupt, which the guest raises itself at one known instruction, must be
 * logged with the same vector, CS:EIP and SS:ESP. {@code -d exec}/{@code cpu} start at the
 * entry point the ELF header names. Items not built, and bad items, are one line and status 1.
 */
class GuestLogTest {
    private static final String INT_LINE = " *\\d+: v=[0-9a-f]{2} e=[0-9a-f]{4} i=[01] cpl=0 IP=[0-9a-f]{4}:[0-9a-f]{8} pc=[0-9a-f]{8}"
            + " SP=[0-9a-f]{4}:[0-9a-f]{8} env->regs\\[R_EAX\\]=[0-9a-f]{8}( CR2=[0-9a-f]{8})?";
    private static Path payloads;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        payloads = Payloads.build();
    }

    private LauncherProcess ours(String... options) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(LauncherProcess.launcher("qemu-system-i386").toString(),
                "-nographic", "-no-reboot", "-m", "64"));
        cmd.addAll(List.of(options));
        return LauncherProcess.exec(cmd);
    }

    @Test
    void interruptsAreLoggedOneLineEachAsDebiansQemuLogsThem() throws Exception {
        Path log = dir.resolve("int.log");
        LauncherProcess run = ours("-kernel", payloads.resolve("irq.elf").toString(), "-d", "int", "-D", log.toString());
        assertThat(run.exitStatus()).as("%s", run).isZero();
        List<String> lines = Files.readAllLines(log);
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches(INT_LINE));
        assertThat(lines).filteredOn(l -> l.contains(" v=20 ")).hasSizeGreaterThanOrEqualTo(20);
        List<String> uart = lines.stream().filter(l -> l.contains(" v=24 ")).toList();
        assertThat(uart).hasSize(1);

        assumeTrue(PowerButtonPayload.onPath(Emulator.DEBIAN_QEMU), Emulator.DEBIAN_QEMU + " is not installed");
        Path debianLog = dir.resolve("debian-int.log");
        LauncherProcess debian = LauncherProcess.exec(List.of(Emulator.DEBIAN_QEMU, "-accel", "tcg", "-display", "none",
                "-vga", "none", "-net", "none", "-no-reboot", "-m", "64", "-serial", "null",
                "-kernel", payloads.resolve("irq.elf").toString(), "-d", "int", "-D", debianLog.toString()));
        assertThat(debian.exitStatus()).isZero();
        List<String> debianUart = Files.readAllLines(debianLog).stream().filter(l -> l.contains(" v=24 ")).toList();
        assertThat(debianUart).hasSize(1);
        // qemu-system-x86_64 prints 64-bit fields; the values are what the 32-bit guest decided
        assertThat(where(uart.get(0))).isEqualTo(where(debianUart.get(0).replaceAll("([:=])00000000([0-9a-f]{8})", "$1$2")));
    }

    /** "v=24 e=0000 i=0 cpl=0 IP=0008:0010057a pc=0010057a SP=0010:00104830": vector, error, kind, CS:EIP, SS:ESP. */
    private static String where(String line) {
        return line.replaceFirst("^ *\\d+: ", "").replaceFirst(" env->.*", "");
    }

    @Test
    void execAndCpuTraceStartAtTheElfEntryPoint() throws Exception {
        Path kernel = payloads.resolve("hello.elf");
        long entry = ByteBuffer.wrap(Files.readAllBytes(kernel)).order(ByteOrder.LITTLE_ENDIAN).getInt(24) & 0xffffffffL;
        Path log = dir.resolve("exec.log");
        LauncherProcess run = ours("-kernel", kernel.toString(), "-d", "exec,cpu", "-D", log.toString());
        assertThat(run.exitStatus()).as("%s", run).isZero();
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(String.format("Trace 0: [00000000/%08x/00000000/00000000]", entry));
        assertThat(lines.get(3)).startsWith(String.format("EIP=%08x EFL=", entry));
        assertThat(lines).filteredOn(l -> l.startsWith("Trace 0:")).hasSizeGreaterThan(10);
    }

    @Test
    void itemsNotBuiltUnknownItemsAndUnwritableFilesAreOneLine() throws Exception {
        Path kernel = payloads.resolve("hello.elf");
        LauncherProcess outAsm = ours("-kernel", kernel.toString(), "-d", "out_asm");
        assertThat(outAsm.exitStatus()).isEqualTo(1);
        assertThat(outAsm.stderrLines()).containsExactly("qemu-system-i386: -d out_asm: logging 'out_asm' is not supported in this build");
        LauncherProcess unknown = ours("-kernel", kernel.toString(), "-d", "int,bogus");
        assertThat(unknown.exitStatus()).isEqualTo(1);
        assertThat(unknown.stderrLines()).containsExactly("qemu-system-i386: -d bogus: unknown logging item (-d help lists them)");
        LauncherProcess file = ours("-kernel", kernel.toString(), "-d", "int", "-D", dir.resolve("no/such/dir/x.log").toString());
        assertThat(file.exitStatus()).isEqualTo(1);
        assertThat(file.stderrLines()).hasSize(1);
        assertThat(file.stderrLines().get(0)).startsWith("qemu-system-i386: could not open log file");
        LauncherProcess help = ours("-d", "help");
        assertThat(help.exitStatus()).isZero();
        assertThat(help.stdout()).startsWith("Log items (comma separated):").contains("int ", "in_asm ");
        LauncherProcess kvm = LauncherProcess.run("qemu-kvm", "-nographic", "-no-reboot", "-kernel", kernel.toString(), "-d", "int");
        assertThat(kvm.exitStatus()).isEqualTo(1);
        assertThat(kvm.stderrLines()).containsExactly("qemu-kvm: -d int: logging 'int' needs TCG (under KVM the kernel runs the guest); use -accel tcg");
        LauncherProcess userMode = LauncherProcess.run("qemu-i386", "-d", "cpu", "/bin/true");
        assertThat(userMode.exitStatus()).isEqualTo(1);
        assertThat(userMode.stderrLines()).containsExactly("qemu-i386: -d cpu: logging 'cpu' is not supported in this build");
    }
}
