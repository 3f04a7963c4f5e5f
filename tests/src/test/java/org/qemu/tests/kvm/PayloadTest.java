package org.qemu.tests.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Each bare-metal payload runs twice: under Debian's {@code qemu-system-x86_64 -accel tcg}, which
 * proves the payload and its expected output right, and under our {@code bin/qemu-kvm}, which
 * needs a working /dev/kvm and is skipped (with the reason) where there is none.
 */
class PayloadTest {
    static final String DEBIAN_QEMU = "qemu-system-x86_64";
    private static final byte[] SECTOR0_TEXT = "Boot sector text from the host test".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PAYLOAD_WRITE = "written by the payload through virtio-blk\n".getBytes(StandardCharsets.US_ASCII);
    private static Path payloads;
    private String appendLine;
    private String ram = "64";

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        payloads = Payloads.build();
    }

    enum Vmm { DEBIAN_QEMU_TCG, OUR_QEMU_KVM }

    private Tools.Result boot(Vmm vmm, String payload, int cpus, Path disk) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (vmm == Vmm.DEBIAN_QEMU_TCG) {
            assumeTrue(Tools.onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
            cmd.addAll(List.of(DEBIAN_QEMU, "-accel", "tcg", "-net", "none"));
        } else {
            String reason = Tools.kvmUnavailableReason();
            assumeTrue(reason == null, () -> "skipping our qemu-kvm: " + reason);
            cmd.addAll(List.of(Tools.launcher("qemu-kvm").toString(), "-accel", "kvm", "-cpu", "host"));
        }
        cmd.addAll(List.of("-nographic", "-no-reboot", "-m", ram, "-smp", Integer.toString(cpus),
                "-kernel", payloads.resolve(payload + ".elf").toString()));
        if (appendLine != null) {
            cmd.addAll(List.of("-append", appendLine));
        }
        if (disk != null) {
            cmd.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=virtio"));
        }
        Tools.Result r = Tools.run(dir, 60, cmd);
        assertThat(r.status()).as("exit status of %s on %s; output:%n%s", payload, vmm, r.output()).isZero();
        return r;
    }

    private static List<String> lines(Tools.Result r) {
        return Arrays.stream(r.output().split("\r?\n")).map(String::strip).toList();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void helloPrintsOverTheSerialPortAndResets(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "hello", 1, null);
        assertThat(lines(r)).containsSubsequence("Hello from a multiboot payload", "multiboot magic ok", "resetting");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void longModePayloadPrintsFrom64BitCode(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "longmode", 1, null);
        assertThat(lines(r)).containsSubsequence("Hello from 64-bit long mode", "long mode ok");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void timerAndSerialInterruptsArrive(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "irq", 1, null);
        assertThat(lines(r)).containsSubsequence("timer interrupts: at least 20", "serial interrupt: ok", "irq ok");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void secondCpuStartsWithInitSipi(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "smp", 2, null);
        assertThat(lines(r)).containsSubsequence("BSP apic id 0", "AP started, apic id 1", "smp ok");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void virtioBlockReadsAndWritesTheImageFile(Vmm vmm) throws Exception {
        Path disk = dir.resolve("disk.img");
        byte[] image = new byte[1 << 20];
        System.arraycopy(SECTOR0_TEXT, 0, image, 0, SECTOR0_TEXT.length);
        Files.write(disk, image);
        Tools.Result r = boot(vmm, "pci", 1, disk);
        assertThat(lines(r)).contains("pci 00:00.0 8086:1237 class 060000");
        assertThat(lines(r)).anyMatch(l -> l.matches("pci 00:[0-9a-f]{2}\\.0 1af4:1001 class 010000"));
        assertThat(lines(r)).containsSubsequence("found virtio-blk", "capacity 2048 sectors",
                "sector 0: " + new String(SECTOR0_TEXT, StandardCharsets.US_ASCII), "write and flush ok",
                "read beyond the disk: I/O error as expected", "virtio-blk ok");
        byte[] after = Files.readAllBytes(disk);
        for (int i = 0; i < 512; i++) {
            assertThat(after[512 + i]).as("sector 1 byte %d on the host", i).isEqualTo(PAYLOAD_WRITE[i % PAYLOAD_WRITE.length]);
        }
        assertThat(Arrays.copyOfRange(after, 1024, after.length)).containsOnly((byte) 0);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void benchmarkPayloadCountsItsPortWrites(Vmm vmm) throws Exception {
        appendLine = "count=5000";
        Tools.Result r = boot(vmm, "iobench", 1, null);
        assertThat(lines(r)).containsSubsequence("iobench: start", "iobench: 5000 port writes done");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void pitCounterTwoAndPortBWorkAsLinuxCalibrationNeeds(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "pit", 1, null);
        assertThat(lines(r)).containsSubsequence("mode 0: OUT2 goes high at the terminal count: yes",
                "the TSC advanced across the 50 ms: yes", "pit ok");
        assertThat(lines(r)).noneMatch(l -> l.endsWith(": NO"));
    }

    /** The MP table's IRQ 0 pin differs on purpose: 2 on QEMU's pc, 0 under KVM's default routing (ours). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void ioApicApicTimerAndIpisDeliverInterrupts(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "apic", 2, null);
        assertThat(lines(r)).containsSubsequence("I/O APIC redirection entries: 24",
                "PIT through the I/O APIC: 20 interrupts: yes", "UART through the I/O APIC, level-triggered: yes",
                "APIC timer periodic: 10 interrupts: yes", "fixed IPI reached the second CPU: yes",
                "fixed IPI from the second CPU reached the boot CPU: yes", "apic ok");
        assertThat(lines(r)).noneMatch(l -> l.endsWith(": NO"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void cmosClockInterruptsAndSetting(Vmm vmm) throws Exception {
        Tools.Result r = boot(vmm, "rtc", 1, null);
        assertThat(lines(r)).containsSubsequence("periodic interrupt: 64 received: yes", "update-ended interrupt: yes",
                "alarm interrupt: yes", "clock set to 2009-07-14 12:34", "rtc ok");
        assertThat(lines(r)).noneMatch(l -> l.endsWith(": NO"));
    }

    /** 5 GiB: 3 GiB below the PCI hole and 2 GiB from 4 GiB (two KVM memory slots in ours). */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Vmm.class)
    void ramAboveFourGibibytesIsInTheMemoryMap(Vmm vmm) throws Exception {
        ram = "5G";
        Tools.Result r = boot(vmm, "memmap", 1, null);
        assertThat(lines(r)).contains("ram 0000000100000000 0000000080000000", "memmap done");
    }

    @Test
    void payloadsAreThirtyTwoBitMultibootElf() throws Exception {
        for (String p : List.of("hello", "pci", "irq", "smp", "longmode")) {
            byte[] elf = Files.readAllBytes(payloads.resolve(p + ".elf"));
            assertThat(Arrays.copyOf(elf, 5)).containsExactly(0x7f, 'E', 'L', 'F', 1);
        }
    }
}
