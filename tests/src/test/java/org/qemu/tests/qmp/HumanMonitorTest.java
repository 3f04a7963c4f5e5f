package org.qemu.tests.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -monitor stdio} typed into by a script: {@code info status} through stop and cont,
 * {@code info registers} of the CPU halted in the power-button payload, an unknown command, and
 * {@code system_powerdown} ending the guest. Debian's QEMU with the same payload is the oracle:
 * the same status lines, the same error line, and register lines of the same layout with the
 * same values where the guest's state decides them (EIP, segments, GDT, IDT, CR0).
 */
class HumanMonitorTest {
    private static final Pattern TERMINAL_ESCAPE = Pattern.compile("\u001b\\[[0-9;]*[A-Za-z]");
    private static final Pattern REGISTER_LINE = Pattern.compile("^(EAX|ESI|EIP|ES |CS |SS |DS |FS |GS |LDT|TR |GDT|IDT|CR0|DR0|DR6|EFER)=.*");
    private static Path payload;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(PowerButtonPayload.onPath(PowerButtonPayload.COMPILER), PowerButtonPayload.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        payload = PowerButtonPayload.build();
    }

    @Test
    void statusRegistersUnknownCommandAndPowerdown() throws Exception {
        List<String> ours = session(false);
        assertThat(ours).filteredOn(l -> l.startsWith("VM status") || l.startsWith("unknown"))
                .containsExactly("VM status: running", "VM status: paused", "VM status: running", "unknown command: 'nonsense'");
        assertThat(ours).anyMatch(l -> l.matches("EIP=[0-9a-f]{8} EFL=[0-9a-f]{8} \\[[-DOSZAPC]{7}\\] CPL=0 II=0 A20=1 SMM=0 HLT=1"));
        assumeTrue(PowerButtonPayload.onPath(Emulator.DEBIAN_QEMU), Emulator.DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        List<String> debian = session(true);
        assertThat(ours).filteredOn(l -> l.startsWith("VM status") || l.startsWith("unknown"))
                .isEqualTo(debian.stream().filter(l -> l.startsWith("VM status") || l.startsWith("unknown")).toList());
        List<String> ourRegisters = ours.stream().filter(l -> REGISTER_LINE.matcher(l).matches()).toList();
        List<String> debianRegisters = debian.stream().filter(l -> REGISTER_LINE.matcher(l).matches()).toList();
        assertThat(ourRegisters).as("register lines").hasSize(debianRegisters.size());
        assertThat(ourRegisters.stream().map(HumanMonitorTest::layout).toList())
                .isEqualTo(debianRegisters.stream().map(HumanMonitorTest::layout).toList());
        for (String name : List.of("EIP", "CS ", "DS ", "SS ", "ES ", "GDT", "IDT", "CR0", "EFER")) {
            assertThat(field(ourRegisters, name)).as(name).isEqualTo(field(debianRegisters, name));
        }
    }

    /**
     * Under KVM the halted vCPU sits inside KVM_RUN (the in-kernel APIC keeps a {@code hlt} in the
     * kernel), where KVM_GET_REGS waits for an exit that never comes: {@code info registers} must
     * still answer, leave the machine running, and show the instruction Debian's QEMU halted at.
     * After a stop and a cont (each kicks the vCPU out of KVM_RUN) the guest must still take the
     * power button's interrupt: a kick left pending would end every later KVM_RUN at once.
     */
    @Test
    void underKvmInfoRegistersAnswersWhileTheVcpuIsInsideKvmRun() throws Exception {
        String unavailable = org.qemu.tests.kvm.Payloads.kvmUnavailableReason();
        assumeTrue(unavailable == null, () -> "needs /dev/kvm: " + unavailable);
        List<String> lines;
        try (Emulator emulator = Emulator.startKvm(dir, payload, List.of("-monitor", "stdio"))) {
            emulator.awaitSerial("power button armed", Duration.ofSeconds(30));
            OutputStream in = emulator.stdin();
            in.write("info registers\nstop\ncont\ninfo status\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.readString(emulator.stdout, StandardCharsets.ISO_8859_1).contains("VM status")) {
                assertThat(System.nanoTime()).as("no answer to info registers: %s", emulator).isLessThan(deadline);
                Thread.sleep(100);
            }
            in.write("system_powerdown\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(emulator.awaitExit(Duration.ofSeconds(20))).as("exit after system_powerdown: %s", emulator).isZero();
            lines = Files.readString(emulator.stdout, StandardCharsets.ISO_8859_1).lines()
                    .map(l -> l.replace("(qemu) ", "").strip()).toList();
        }
        assertThat(lines).contains("VM status: running");
        String rip = lines.stream().filter(l -> l.startsWith("RIP")).findFirst().orElseThrow(() -> new AssertionError(lines));
        assumeTrue(PowerButtonPayload.onPath(Emulator.DEBIAN_QEMU), Emulator.DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        String debianEip = field(session(true).stream().filter(l -> REGISTER_LINE.matcher(l).matches()).toList(), "EIP").substring(4);
        assertThat(Long.parseLong(rip.replaceAll("^RIP\\s*=([0-9a-f]+).*", "$1"), 16)).as(rip).isEqualTo(Long.parseLong(debianEip, 16));
    }

    /** The line with every hexadecimal number replaced: names, widths and separators remain. */
    private static String layout(String line) {
        return line.replaceAll("=[0-9a-f]+", "=h").replaceAll(" [0-9a-f]{8}", " h").replaceAll("\\[[-A-Z]+\\]", "[f]");
    }

    /** The first value on a register line (EIP's value, a segment's selector/base/limit/flags, ...). */
    private static String field(List<String> lines, String name) {
        String line = lines.stream().filter(l -> l.startsWith(name + "=")).findFirst().orElseThrow();
        return name.equals("EIP") ? line.substring(0, 12) : line.replaceAll(" DPL.*", "");
    }

    private List<String> session(boolean debian) throws Exception {
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-monitor", "stdio"))) {
            emulator.awaitSerial("power button armed", Duration.ofSeconds(30));
            OutputStream in = emulator.stdin();
            for (String command : List.of("info status", "stop", "info status", "info registers", "cont", "info status", "nonsense")) {
                in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(300);
            }
            in.write("system_powerdown\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            int status = emulator.awaitExit(Duration.ofSeconds(20));
            assertThat(status).as("exit after system_powerdown: %s", emulator).isZero();
            assertThat(emulator.serialText()).contains("power button pressed, powering off");
            String out = TERMINAL_ESCAPE.matcher(Files.readString(emulator.stdout, StandardCharsets.ISO_8859_1)).replaceAll("");
            return out.lines().map(String::strip).map(l -> l.replace("(qemu) ", "")).toList();
        }
    }
}
