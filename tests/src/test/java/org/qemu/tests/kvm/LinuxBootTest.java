package org.qemu.tests.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.board.BootState;
import org.qemu.common.board.LinuxLoader;
import org.qemu.common.hw.PhysicalMemory;

/**
 * Debian's kernel with a busybox initramfs and a virtio-blk disk. The boot runs under Debian's
 * QEMU with TCG (proving the initramfs and the expected output) and under our qemu-kvm only where
 * a hardware KVM module (kvm_intel or kvm_amd) is loaded: the paravirtual kvm-pvm of some cloud
 * hosts runs this kernel too slowly and fails on some instructions (DESIGN.md).
 */
class LinuxBootTest {
    private static DebianKernel.Files_ kernel;
    private static String unavailable;

    @TempDir
    Path dir;

    @BeforeAll
    static void fetch() {
        try {
            kernel = DebianKernel.fetch();
        } catch (IOException | InterruptedException e) {
            unavailable = e.getMessage();
        }
    }

    private static String hardwareKvmMissing() {
        String reason = Tools.kvmUnavailableReason();
        if (reason != null) {
            return reason;
        }
        if (!Files.isDirectory(Path.of("/sys/module/kvm_intel")) && !Files.isDirectory(Path.of("/sys/module/kvm_amd"))) {
            return "neither kvm_intel nor kvm_amd is loaded (only a paravirtual KVM), too slow for a Linux boot";
        }
        return null;
    }

    @Test
    void loaderFollowsTheBootProtocolWithDebiansKernel() throws Exception {
        assumeTrue(kernel != null, () -> "Debian's kernel is not available: " + unavailable);
        byte[] image = Files.readAllBytes(kernel.vmlinuz());
        // file(1) is the outside judge of what the header says.
        String described = Tools.run(dir, 30, List.of("file", "-b", kernel.vmlinuz().toString())).output();
        Matcher version = Pattern.compile("version (\\S+) ").matcher(described);
        assertThat(version.find()).as(described).isTrue();
        assertThat(LinuxLoader.kernelVersion(image)).startsWith(version.group(1) + " ");
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory memory = new PhysicalMemory(arena.allocate(256L << 20, 4096));
            byte[] initrd = "fake initrd contents".getBytes(StandardCharsets.US_ASCII);
            BootState state = LinuxLoader.load(image, initrd, "console=ttyS0 reboot=k", memory);
            long zeroPage = state.rsi();
            assertThat(state.mode()).isEqualTo(BootState.Mode.LONG_64);
            assertThat(state.entry()).isEqualTo(0x100000 + 0x200);
            int setupSectors = image[0x1f1] & 0xff;
            int kernelOffset = (setupSectors + 1) * 512;
            assertThat(memory.read(0x100000, 4096)).isEqualTo(Arrays.copyOfRange(image, kernelOffset, kernelOffset + 4096));
            assertThat(memory.read32(zeroPage + 0x202)).isEqualTo(0x53726448);              // "HdrS" copied
            assertThat(memory.read8(zeroPage + 0x210)).isEqualTo(0xff);                    // type_of_loader
            assertThat(memory.read8(zeroPage + 0x211) & 0x81).isEqualTo(0x81);             // LOADED_HIGH | CAN_USE_HEAP
            long cmdline = Integer.toUnsignedLong(memory.read32(zeroPage + 0x228));
            assertThat(new String(memory.read(cmdline, 22), StandardCharsets.US_ASCII)).isEqualTo("console=ttyS0 reboot=k");
            assertThat(memory.read8(cmdline + 22)).isZero();
            long initrdAddress = Integer.toUnsignedLong(memory.read32(zeroPage + 0x218));
            assertThat(memory.read32(zeroPage + 0x21c)).isEqualTo(initrd.length);
            assertThat(memory.read(initrdAddress, initrd.length)).isEqualTo(initrd);
            assertThat(initrdAddress % 4096).isZero();
            assertThat(memory.read8(zeroPage + 0x1e8)).as("e820 entries").isEqualTo(3);
            assertThat(memory.read64(zeroPage + 0x2d0 + 40 + 8)).as("RAM above 1 MiB").isEqualTo((256L << 20) - 0x100000);
        }
    }

    private Tools.Result boot(boolean ours, Path disk) throws Exception {
        Path initramfs = DebianKernel.initramfs(dir, kernel.modules());
        List<String> cmd = new ArrayList<>();
        if (ours) {
            cmd.addAll(List.of(Tools.launcher("qemu-kvm").toString(), "-accel", "kvm", "-cpu", "host"));
        } else {
            cmd.addAll(List.of(PayloadTest.DEBIAN_QEMU, "-accel", "tcg", "-net", "none"));
        }
        cmd.addAll(List.of("-nographic", "-no-reboot", "-m", "256", "-smp", "2",
                "-kernel", kernel.vmlinuz().toString(), "-initrd", initramfs.toString(),
                "-append", "console=ttyS0 reboot=k panic=-1 rdinit=/init",
                "-drive", "file=" + disk + ",format=raw,if=virtio"));
        return Tools.run(dir, 240, cmd);
    }

    private void bootAndCheck(boolean ours) throws Exception {
        Path disk = dir.resolve("disk.img");
        byte[] image = new byte[1 << 20];
        byte[] text = "Boot sector text from the host test".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, image, 0, text.length);
        Files.write(disk, image);
        Tools.Result r = boot(ours, disk);
        assertThat(r.status()).as("exit status; output:%n%s", r.output()).isZero();
        List<String> lines = Arrays.stream(r.output().split("\r?\n")).map(String::strip).toList();
        assertThat(lines).anyMatch(l -> l.contains("Linux version " + kernel.vmlinuz().getFileName().toString().substring(8)));
        assertThat(lines).containsSubsequence("init: 2 cpus", "vda: Boot sector text from the host test", "init: done");
        assertThat(lines).noneMatch(l -> l.contains("insmod") && l.contains("failed"));
        byte[] after = Files.readAllBytes(disk);
        assertThat(new String(after, 1024, 16, StandardCharsets.US_ASCII)).isEqualTo("written-by-linux");
    }

    @Test
    void debianQemuBootsTheKernelAndInitramfs() throws Exception {
        assumeTrue(kernel != null, () -> "Debian's kernel is not available: " + unavailable);
        assumeTrue(Tools.onPath(PayloadTest.DEBIAN_QEMU), PayloadTest.DEBIAN_QEMU + " is not installed");
        bootAndCheck(false);
    }

    @Test
    void ourQemuKvmBootsTheKernelAndInitramfs() throws Exception {
        String missing = hardwareKvmMissing();
        assumeTrue(missing == null, () -> "skipping the Linux boot under our qemu-kvm: " + missing);
        assumeTrue(kernel != null, () -> "Debian's kernel is not available: " + unavailable);
        bootAndCheck(true);
    }
}
