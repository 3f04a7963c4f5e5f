package org.qemu.tests.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Debian's own kernel, fetched with {@code apt-get download linux-image-amd64}'s dependency and
 * unpacked with {@code dpkg-deb} into {@code target/kvm-cache} (kept between runs). Virtio is
 * modular in Debian's kernel, so the six modules a virtio-blk disk needs are unpacked too.
 */
final class DebianKernel {
    static final List<String> VIRTIO_MODULES = List.of("virtio", "virtio_ring", "virtio_pci_legacy_dev",
            "virtio_pci_modern_dev", "virtio_pci", "virtio_blk");

    record Files_(Path vmlinuz, Path modules) {
    }

    private DebianKernel() {
    }

    static Path cache() {
        return Path.of(System.getProperty("qemu.root", "..")).resolve("target/kvm-cache").toAbsolutePath();
    }

    /** The kernel and its module directory; throws with the reason when they cannot be had. */
    static synchronized Files_ fetch() throws IOException, InterruptedException {
        Path dir = cache();
        Path modules = dir.resolve("modules");
        Path vmlinuz = existingKernel(dir);
        if (vmlinuz != null && Files.isDirectory(modules)) {
            return new Files_(vmlinuz, modules);
        }
        if (System.getenv("QEMU_TEST_NO_DOWNLOAD") != null) {
            throw new IOException("QEMU_TEST_NO_DOWNLOAD is set and no kernel is cached in " + dir);
        }
        for (String tool : List.of("apt-cache", "apt-get", "dpkg-deb")) {
            if (!Tools.onPath(tool)) {
                throw new IOException(tool + " is not available to fetch Debian's kernel");
            }
        }
        Files.createDirectories(dir);
        Tools.Result depends = Tools.run(dir, 60, List.of("apt-cache", "depends", "linux-image-amd64"));
        String pkg = depends.output().lines().map(String::strip).filter(l -> l.matches("Depends: linux-image-[0-9].*"))
                .map(l -> l.substring("Depends: ".length())).findFirst()
                .orElseThrow(() -> new IOException("apt-cache knows no linux-image-amd64 dependency"));
        Tools.Result download = Tools.run(dir, 300, List.of("apt-get", "-o", "Acquire::http::Timeout=20",
                "-o", "Acquire::Retries=1", "download", pkg));
        if (download.status() != 0) {
            throw new IOException("apt-get download " + pkg + " failed: " + download.output().strip());
        }
        Path deb;
        try (Stream<Path> s = Files.list(dir)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElseThrow(() -> new IOException("downloaded .deb not found"));
        }
        Path tree = dir.resolve("tree");
        Tools.Result x = Tools.run(dir, 300, List.of("sh", "-c",
                "mkdir -p tree && dpkg-deb --fsys-tarfile '" + deb + "' | tar -x -C tree --wildcards './boot/vmlinuz-*' '*/virtio*.ko'"));
        if (x.status() != 0) {
            throw new IOException("unpacking " + deb + " failed: " + x.output());
        }
        Files.createDirectories(modules);
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith("vmlinuz-")) {
                    Files.copy(p, dir.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } else if (name.endsWith(".ko") && VIRTIO_MODULES.contains(name.substring(0, name.length() - 3))) {
                    Files.copy(p, modules.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.delete(deb);
        try (Stream<Path> s = Files.walk(tree)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        vmlinuz = existingKernel(dir);
        if (vmlinuz == null) {
            throw new IOException("no vmlinuz in " + pkg);
        }
        return new Files_(vmlinuz, modules);
    }

    private static Path existingKernel(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElse(null);
        }
    }

    /**
     * A busybox initramfs whose /init reports the CPU count, loads the virtio modules, prints the
     * start of /dev/vda, writes a marker to its sector 2, and reboots (through the i8042 with reboot=k).
     */
    static Path initramfs(Path work, Path modules) throws IOException, InterruptedException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox) || !Tools.onPath("cpio")) {
            throw new IOException("busybox-static and cpio are needed to build the initramfs");
        }
        Path root = work.resolve("initramfs");
        for (String d : List.of("bin", "proc", "dev", "lib/modules")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.copy(busybox, root.resolve("bin/busybox"));
        List<String> init = new ArrayList<>(List.of("#!/bin/busybox sh",
                "/bin/busybox mount -t proc proc /proc",
                "/bin/busybox mount -t devtmpfs dev /dev",
                "echo \"init: $(/bin/busybox grep -c ^processor /proc/cpuinfo) cpus\""));
        for (String m : VIRTIO_MODULES) {
            Files.copy(modules.resolve(m + ".ko"), root.resolve("lib/modules/" + m + ".ko"));
            init.add("/bin/busybox insmod /lib/modules/" + m + ".ko || echo \"insmod " + m + " failed\"");
        }
        init.addAll(List.of(
                "for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; /bin/busybox sleep 1; done",
                "echo \"vda: $(/bin/busybox head -c 35 /dev/vda)\"",
                "echo written-by-linux | /bin/busybox dd of=/dev/vda bs=512 seek=2 conv=fsync 2>/dev/null",
                "echo init: done",
                "/bin/busybox reboot -f"));
        Path initScript = root.resolve("init");
        Files.writeString(initScript, String.join("\n", init) + "\n");
        initScript.toFile().setExecutable(true);
        Path cpio = work.resolve("initramfs.cpio");
        Tools.Result r = Tools.run(root, 60, List.of("sh", "-c", "find . | cpio -o -H newc > '" + cpio + "'"));
        if (r.status() != 0) {
            throw new IOException("cpio failed: " + r.output());
        }
        return cpio;
    }
}
