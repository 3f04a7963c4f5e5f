package org.qemu.tests.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/qemu-kvm} facing bad input and a machine without KVM: one clear line (or QEMU's
 * two KVM lines), status 1, never a stack trace. Input errors are found before KVM is touched,
 * so these run anywhere.
 */
class KvmLauncherTest {
    private static Path payloads;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        payloads = Payloads.build();
    }

    private Tools.Result qemuKvm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.launcher("qemu-kvm").toString()));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.run(dir, 60, cmd);
        assertThat(r.output()).doesNotContain("Exception", "\tat ");
        return r;
    }

    private String hello() {
        return payloads.resolve("hello.elf").toString();
    }

    /**
     * Runs qemu-kvm on a machine without /dev/kvm: this one when it has none, else (as root) in a
     * mount namespace whose /dev is a tmpfs holding only null, zero, random and urandom.
     */
    private Tools.Result qemuKvmWithoutKvm(String... args) throws Exception {
        if (Tools.kvmUnavailableReason() != null) {
            return qemuKvm(args);
        }
        assumeTrue("root".equals(System.getProperty("user.name")) && Tools.onPath("unshare"),
                "/dev/kvm works here and hiding it needs root and unshare(1)");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "sh", "-c",
                "mount -t tmpfs dev /dev && mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5"
                        + " && mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9 && exec \"$@\"",
                "sh", Tools.launcher("qemu-kvm").toString()));
        cmd.addAll(List.of(args));
        Tools.Result r = Tools.run(dir, 60, cmd);
        assertThat(r.output()).doesNotContain("Exception", "\tat ");
        return r;
    }

    @Test
    void withoutKvmItPrintsQemusErrorAndFails() throws Exception {
        Tools.Result r = qemuKvmWithoutKvm("-nographic", "-no-reboot", "-kernel", hello());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly(
                "Could not access KVM kernel module: No such file or directory",
                "qemu-kvm: failed to initialize kvm: No such file or directory");
    }

    @Test
    void fallingBackToTcgRunsThePayload() throws Exception {
        Tools.Result r = qemuKvmWithoutKvm("-accel", "kvm:tcg", "-nographic", "-no-reboot", "-kernel", hello());
        assertThat(r.status()).isZero();
        assertThat(r.output()).contains("Could not access KVM kernel module: No such file or directory")
                .contains("qemu-kvm: falling back to tcg").contains("Hello from a multiboot payload");
    }

    @Test
    void tooMuchRamIsOneLine() throws Exception {
        Tools.Result r = qemuKvm("-m", "2T", "-kernel", hello());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).singleElement().asString().startsWith("qemu-kvm: -m 2097152M:");
        long hostMiB = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo")).stream()
                .filter(l -> l.startsWith("MemTotal:")).mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) >> 10)
                .findFirst().orElse(0);
        r = qemuKvm("-m", (hostMiB + 1024) + "M", "-kernel", hello());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).singleElement().asString()
                .startsWith("qemu-kvm: cannot set up guest memory 'pc.ram': Cannot allocate memory");
        r = qemuKvm("-m", "lots", "-kernel", hello());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly("qemu-kvm: Invalid RAM size lots");
    }

    @Test
    void malformedKernelsAreOneLine() throws Exception {
        Path garbage = dir.resolve("garbage.bin");
        Files.write(garbage, new byte[4096]);
        Tools.Result r = qemuKvm("-kernel", garbage.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly(
                "qemu-kvm: could not load kernel '" + garbage + "': not a Linux bzImage or multiboot kernel");
        // A bzImage signature over a truncated file.
        byte[] truncated = new byte[0x400];
        truncated[0x1f1] = 30;
        truncated[0x202] = 'H';
        truncated[0x203] = 'd';
        truncated[0x204] = 'r';
        truncated[0x205] = 'S';
        truncated[0x206] = 0x0f;
        truncated[0x207] = 0x02;
        truncated[0x211] = 1;
        truncated[0x236] = 1;
        Path bz = dir.resolve("truncated.bzImage");
        Files.write(bz, truncated);
        r = qemuKvm("-kernel", bz.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).singleElement().asString().startsWith("qemu-kvm: kernel image is truncated");
        // A 64-bit multiboot ELF, which Debian's QEMU refuses too.
        byte[] elf64 = Files.readAllBytes(payloads.resolve("hello.elf"));
        elf64[4] = 2;
        Path e64 = dir.resolve("elf64.elf");
        Files.write(e64, elf64);
        r = qemuKvm("-kernel", e64.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly("qemu-kvm: Cannot load x86-64 image, give a 32bit one.");
    }

    @Test
    void missingFilesAreOneLine() throws Exception {
        Tools.Result r = qemuKvm("-kernel", hello(), "-drive", "file=" + dir.resolve("absent.img") + ",format=raw,if=virtio");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).singleElement().asString()
                .contains("Could not open '" + dir.resolve("absent.img") + "': No such file or directory");
        r = qemuKvm("-kernel", dir.resolve("absent.elf").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly(
                "qemu-kvm: could not open kernel file '" + dir.resolve("absent.elf") + "': No such file or directory");
        r = qemuKvm("-serial", "tcp:localhost:4444", "-kernel", hello());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).containsExactly(
                "qemu-kvm: -serial tcp:localhost:4444: only stdio, null and file:PATH are supported");
        r = qemuKvm("-nographic");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.output().lines().toList()).singleElement().asString().contains("no -kernel given");
    }
}
