package org.qemu.tests.tcg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.support.HostProcess;

/**
 * The bare-metal payloads under our translated PC ({@code bin/qemu-system-i386}, and
 * {@code bin/qemu-kvm -accel kvm:tcg}) against Debian's {@code qemu-system-x86_64 -accel tcg}
 * running the same file: the serial output after the firmware's banner and the exit status
 * must be identical. Debian's QEMU runs with {@code -vga none} so both PCs have the same PCI slots.
 */
class TcgPayloadTest {
    private static final String DEBIAN_QEMU = "qemu-system-x86_64";
    /** SeaBIOS's last line before it jumps to the multiboot option ROM; the payload's output follows. */
    private static final String FIRMWARE_LAST_LINE = "Booting from ROM..";
    private static final int TIMEOUT_SECONDS = 60;
    private static Path payloads;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        assumeTrue(HostProcess.onPath(DEBIAN_QEMU), DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
        payloads = Payloads.build();
    }


    private static Path launcher(String name) {
        return Path.of(System.getProperty("qemu.root", "..")).resolve("bin").resolve(name).toAbsolutePath();
    }

    private static List<String> machineOptions(Path kernel, String append, Path disk) {
        List<String> options = new ArrayList<>(List.of("-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString()));
        if (append != null) {
            options.addAll(List.of("-append", append));
        }
        if (disk != null) {
            options.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=virtio"));
        }
        return options;
    }

    private EmulatorRun debian(Path kernel, String append, Path disk) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none"));
        cmd.addAll(machineOptions(kernel, append, disk));
        EmulatorRun r = EmulatorRun.of(dir, TIMEOUT_SECONDS, cmd);
        int banner = r.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("Debian's QEMU printed its firmware banner: %s", r).isGreaterThanOrEqualTo(0);
        return new EmulatorRun(r.status(), afterFirmware(r.stdout().substring(banner + FIRMWARE_LAST_LINE.length())), r.stderr());
    }

    /**
     * The payload's output: what follows the banner, without the progress dots the multiboot
     * option ROM sometimes adds to it on a loaded host (every payload starts with a line break).
     */
    private static String afterFirmware(String afterBanner) {
        int start = 0;
        while (start < afterBanner.length() && afterBanner.charAt(start) == '.') {
            start++;
        }
        return afterBanner.substring(start);
    }

    /**
     * The option ROM's dots can come with a line break of their own: where only one payload's
     * output is compared, both sides are compared from their first printed character.
     */
    private static String withoutLeadingBreaks(String output) {
        return output.replaceFirst("^[.\\r\\n]*", "");
    }

    private EmulatorRun ours(List<String> launcherAndAccel, Path kernel, String append, Path disk) throws Exception {
        List<String> cmd = new ArrayList<>(launcherAndAccel);
        cmd.addAll(machineOptions(kernel, append, disk));
        return EmulatorRun.of(dir, TIMEOUT_SECONDS, cmd);
    }

    private EmulatorRun oursI386(Path kernel, String append, Path disk) throws Exception {
        return ours(List.of(launcher("qemu-system-i386").toString()), kernel, append, disk);
    }

    private static void assertSameMachineBehaviour(EmulatorRun ours, EmulatorRun debian) {
        assertThat(debian.status()).as("Debian's QEMU: %s", debian).isZero();
        assertThat(withoutLeadingBreaks(ours.stdout())).as("serial output; ours: %s", ours).isEqualTo(withoutLeadingBreaks(debian.stdout()));
        assertThat(ours.status()).as("exit status; ours: %s", ours).isEqualTo(debian.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "irq", "pit", "rtc"})
    void payloadBehavesAsUnderDebianQemu(String payload) throws Exception {
        Path kernel = payloads.resolve(payload + ".elf");
        assertSameMachineBehaviour(oursI386(kernel, null, null), debian(kernel, null, null));
    }

    @Test
    void commandLineReachesThePayload() throws Exception {
        Path kernel = payloads.resolve("iobench.elf");
        EmulatorRun ours = oursI386(kernel, "count=5000", null);
        assertSameMachineBehaviour(ours, debian(kernel, "count=5000", null));
        assertThat(ours.stdout()).contains("5000 port writes done");
    }

    @Test
    void virtioBlockWritesLandInTheImageFileAsUnderDebianQemu() throws Exception {
        byte[] image = new byte[1 << 20];
        byte[] text = "Boot sector text from the host test".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, image, 0, text.length);
        Path ourDisk = dir.resolve("ours.img");
        Path debianDisk = dir.resolve("debian.img");
        Files.write(ourDisk, image);
        Files.write(debianDisk, image);
        Path kernel = payloads.resolve("pci.elf");
        EmulatorRun ours = oursI386(kernel, null, ourDisk);
        assertSameMachineBehaviour(ours, debian(kernel, null, debianDisk));
        byte[] ourImage = Files.readAllBytes(ourDisk);
        assertThat(ourImage).as("the payload wrote sector 1").isNotEqualTo(image);
        assertThat(ourImage).as("our image after the run equals Debian's").isEqualTo(Files.readAllBytes(debianDisk));
    }

    @Test
    void qemuKvmFallsBackToTcgWithQemusMessages() throws Exception {
        assumeTrue(!Files.exists(Path.of("/dev/kvm")), "/dev/kvm exists here: qemu-kvm would not fall back");
        Path kernel = payloads.resolve("hello.elf");
        EmulatorRun ours = ours(List.of(launcher("qemu-kvm").toString(), "-accel", "kvm:tcg"), kernel, null, null);
        // Debian's QEMU spells the fallback -machine accel=kvm:tcg; its stderr is the oracle for ours.
        List<String> cmd = new ArrayList<>(List.of(DEBIAN_QEMU, "-machine", "accel=kvm:tcg", "-vga", "none", "-net", "none"));
        cmd.addAll(machineOptions(kernel, null, null));
        EmulatorRun debian = EmulatorRun.of(dir, TIMEOUT_SECONDS, cmd);
        assertThat(ours.stderr().replace("qemu-kvm:", "PROGRAM:"))
                .isEqualTo(debian.stderr().replace(DEBIAN_QEMU + ":", "PROGRAM:"));
        assertThat(ours.status()).isEqualTo(debian.status()).isZero();
        assertThat(ours.stdout()).isEqualTo(afterFirmware(debian.stdout().substring(debian.stdout().indexOf(FIRMWARE_LAST_LINE)
                + FIRMWARE_LAST_LINE.length())));
    }

    /**
     * ud2 with an empty IDT: #UD cannot be delivered (#GP), neither can the double fault, so the
     * CPU shuts down; QEMU treats the triple fault as a reset, which -no-reboot turns into exit 0.
     */
    @Test
    void garbageEndsInATripleFaultResetAsUnderDebianQemu() throws Exception {
        Path source = dir.resolve("triple.S");
        Files.writeString(source, """
                        .section .multiboot, "a"
                        .align 4
                        .long 0x1BADB002, 0, -0x1BADB002
                        .text
                        .globl _start
                _start: mov $0x3f8, %dx
                        mov $'T', %al
                        out %al, %dx
                        lidt empty_idt
                        ud2
                        .data
                empty_idt: .word 0
                        .long 0
                """);
        Path kernel = dir.resolve("triple.elf");
        EmulatorRun build = EmulatorRun.of(dir, 60, List.of(Payloads.COMPILER, "-nostdlib", "-static", "-no-pie",
                "-Wl,-T," + Path.of(System.getProperty("qemu.root", "..")).resolve("tests/src/test/payloads/payload.ld").toAbsolutePath(),
                "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments", "-o", kernel.toString(), source.toString()));
        assertThat(build.status()).as("%s", build).isZero();
        EmulatorRun ours = oursI386(kernel, null, null);
        assertSameMachineBehaviour(ours, debian(kernel, null, null));
        assertThat(ours.stdout()).isEqualTo("T");
        assertThat(ours.stderr()).isEmpty();
    }

    /**
     * Without -no-reboot a reset reboots (qemu-system-i386, and qemu-kvm where /dev/kvm works): the payload counts its boots in CMOS NVRAM, checks a
     * word it left in RAM, and resets itself until the third boot. Debian's QEMU runs SeaBIOS
     * again at every boot; the payload's output after each of its banners is the oracle.
     */
    @Test
    void resetRebootsKeepingRamAndCmosAsUnderDebianQemu() throws Exception {
        Path kernel = payloads.resolve("reboot.elf");
        String done = "reboot test done";
        List<String> options = List.of("-nographic", "-m", "64", "-kernel", kernel.toString());
        List<String> debianCommand = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none"));
        debianCommand.addAll(options);
        EmulatorRun debian = EmulatorRun.until(dir, TIMEOUT_SECONDS, debianCommand, done);
        List<String> ourCommand = new ArrayList<>(List.of(launcher("qemu-system-i386").toString()));
        ourCommand.addAll(options);
        EmulatorRun ours = EmulatorRun.until(dir, TIMEOUT_SECONDS, ourCommand, done);
        String[] boots = debian.stdout().split(java.util.regex.Pattern.quote(FIRMWARE_LAST_LINE), -1);
        assertThat(boots).as("three SeaBIOS banners: %s", debian).hasSize(4);
        StringBuilder payloadOutput = new StringBuilder();
        for (int i = 1; i < boots.length; i++) {
            // SeaBIOS starts each boot by resetting the terminal (ESC c): what follows is firmware output
            int firmware = boots[i].indexOf("\u001bc");
            payloadOutput.append(afterFirmware(firmware < 0 ? boots[i] : boots[i].substring(0, firmware)));
        }
        assertThat(payloadOutput.toString()).as("%s", debian).contains(done);
        assertThat(ours.stdout()).as("ours: %s", ours).isEqualTo(payloadOutput.toString());
        assertThat(ours.stdout()).contains("boot 3, RAM kept");
        assertThat(ours.stderr()).isEmpty();
        // the same reboots under our qemu-kvm on the real /dev/kvm, where there is one: the VM is
        // rebuilt over the same guest RAM at every reset
        if (Payloads.kvmUnavailableReason() == null) {
            List<String> kvmCommand = new ArrayList<>(List.of(launcher("qemu-kvm").toString(), "-accel", "kvm", "-cpu", "host"));
            kvmCommand.addAll(options);
            EmulatorRun kvm = EmulatorRun.until(dir, TIMEOUT_SECONDS, kvmCommand, done);
            assertThat(kvm.stdout()).as("qemu-kvm: %s", kvm).isEqualTo(payloadOutput.toString());
            assertThat(kvm.stderr()).isEmpty();
        }
    }

    /**
     * The multiboot memory map with RAM below and above the PCI hole: the same RAM ranges as
     * Debian's QEMU (3 GiB below, the rest from 4 GiB once RAM reaches 3.5 GiB), except that
     * SeaBIOS keeps the top 128 KiB below the hole for its own tables, which we have none of.
     */
    @ParameterizedTest
    @ValueSource(strings = {"64", "3584", "5G"})
    void memoryMapShowsRamAroundThePciHoleAsUnderDebianQemu(String ram) throws Exception {
        Path kernel = payloads.resolve("memmap.elf");
        List<String> options = List.of("-nographic", "-no-reboot", "-m", ram, "-kernel", kernel.toString());
        List<String> debianCommand = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none"));
        debianCommand.addAll(options);
        EmulatorRun debian = EmulatorRun.of(dir, TIMEOUT_SECONDS, debianCommand);
        List<String> ourCommand = new ArrayList<>(List.of(launcher("qemu-system-i386").toString()));
        ourCommand.addAll(options);
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, ourCommand);
        assertThat(ours.status()).as("%s", ours).isZero();
        List<long[]> expected = ramRanges(debian.stdout());
        List<long[]> actual = ramRanges(ours.stdout());
        assertThat(expected).as("Debian's QEMU: %s", debian).isNotEmpty();
        assertThat(actual).as("ours: %s", ours).hasSameSizeAs(expected);
        final long seaBiosTables = 128 << 10;
        for (int i = 0; i < expected.size(); i++) {
            long[] e = expected.get(i);
            long[] a = actual.get(i);
            assertThat(a[0]).as("base of range %d", i).isEqualTo(e[0]);
            boolean endsBelowHole = e[0] < (1L << 32) && e[0] + e[1] > (1L << 20);
            assertThat(a[1]).as("length of range %d", i).isEqualTo(endsBelowHole ? e[1] + seaBiosTables : e[1]);
        }
    }

    private static List<long[]> ramRanges(String serial) {
        List<long[]> ranges = new ArrayList<>();
        for (String line : serial.split("\r?\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 3 && f[0].equals("ram")) {
                ranges.add(new long[] {Long.parseUnsignedLong(f[1], 16), Long.parseUnsignedLong(f[2], 16)});
            }
        }
        return ranges;
    }

    /**
     * qemu-system-x86_64 runs the long mode payload as Debian's does; qemu-system-i386's CPU has
     * no long mode, so EFER.LME is #GP(0) there and, without an IDT, the payload triple-faults
     * silently into the reset that ends the process (status 0), as under Debian's qemu-system-i386.
     */
    @Test
    void longModeRunsOnX86_64AndFaultsOnI386() throws Exception {
        Path kernel = payloads.resolve("longmode.elf");
        EmulatorRun ours = ours(List.of(launcher("qemu-system-x86_64").toString()), kernel, null, null);
        assertSameMachineBehaviour(ours, debian(kernel, null, null));
        assertThat(ours.stdout()).contains("long mode ok");
        EmulatorRun oursI386 = oursI386(kernel, null, null);
        assertThat(oursI386.status()).as("%s", oursI386).isZero();
        assertThat(oursI386.stdout().strip()).as("%s", oursI386).isEmpty();
        assertThat(oursI386.stderr()).as("%s", oursI386).doesNotContain("Exception", "internal error");
    }

    @Test
    void secondCpuStartsThroughInitSipiAsUnderDebianQemu() throws Exception {
        Path kernel = payloads.resolve("smp.elf");
        List<String> ourCommand = new ArrayList<>(List.of(launcher("qemu-system-i386").toString(), "-smp", "2"));
        ourCommand.addAll(machineOptions(kernel, null, null));
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, ourCommand);
        List<String> debianCommand = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none", "-smp", "2"));
        debianCommand.addAll(machineOptions(kernel, null, null));
        EmulatorRun debian = EmulatorRun.of(dir, TIMEOUT_SECONDS, debianCommand);
        int banner = debian.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("%s", debian).isGreaterThanOrEqualTo(0);
        assertSameMachineBehaviour(ours, new EmulatorRun(debian.status(),
                afterFirmware(debian.stdout().substring(banner + FIRMWARE_LAST_LINE.length())), debian.stderr()));
        assertThat(ours.stdout()).contains("smp ok");
    }

    /**
     * The I/O APIC (PIT edge on the MP table's pin, UART level with remote IRR and EOI), the APIC
     * timer one-shot and periodic, and fixed IPIs in both directions between two CPUs.
     */
    @Test
    void ioApicApicTimerAndFixedIpisBehaveAsUnderDebianQemu() throws Exception {
        Path kernel = payloads.resolve("apic.elf");
        List<String> ourCommand = new ArrayList<>(List.of(launcher("qemu-system-i386").toString(), "-smp", "2"));
        ourCommand.addAll(machineOptions(kernel, null, null));
        EmulatorRun ours = EmulatorRun.of(dir, TIMEOUT_SECONDS, ourCommand);
        List<String> debianCommand = new ArrayList<>(List.of(DEBIAN_QEMU, "-accel", "tcg", "-vga", "none", "-net", "none", "-smp", "2"));
        debianCommand.addAll(machineOptions(kernel, null, null));
        EmulatorRun debian = EmulatorRun.of(dir, TIMEOUT_SECONDS, debianCommand);
        int banner = debian.stdout().indexOf(FIRMWARE_LAST_LINE);
        assertThat(banner).as("%s", debian).isGreaterThanOrEqualTo(0);
        assertSameMachineBehaviour(ours, new EmulatorRun(debian.status(),
                afterFirmware(debian.stdout().substring(banner + FIRMWARE_LAST_LINE.length())), debian.stderr()));
        assertThat(ours.stdout()).contains("apic ok").doesNotContain(": NO");
    }

    /** Exceptions with and without error codes, int n through interrupt and trap gates, and iret back. */
    @Test
    void exceptionsAndSoftwareInterruptsReachTheirHandlersAsUnderDebianQemu() throws Exception {
        Path root = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath();
        Path kernel = Payloads.compile(dir, "exceptions", root.resolve("tests/src/test/resources/tcg/exceptions.c"));
        EmulatorRun ours = oursI386(kernel, null, null);
        assertSameMachineBehaviour(ours, debian(kernel, null, null));
        assertThat(ours.stdout()).contains("general protection: vector 13 error 0098 eip ok").contains("exceptions done");
    }
}
