package org.qemu.tests.tcg;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * A Debian kernel and Debian's busybox-static of the same architecture, fetched with
 * {@code apt-get download} and unpacked with {@code dpkg-deb} into a cache under
 * {@code target/} (kept between runs), and an initramfs (newc cpio) around that busybox whose
 * /init prints a marker, runs a few commands and ends the machine. {@link #I386}: the non-PAE
 * 686 kernel (32-bit paging with 4 MiB pages); {@link #AMD64}: the amd64 kernel (long mode).
 */
final class DebianLinux {
    static final String MARKER = "TCG-LINUX-MARKER";
    /** What /init runs after the marker: the commands both emulators must agree on. */
    static final List<String> COMMANDS = List.of("uname -a", "ls /", "echo $((6*7))");

    static final DebianLinux I386 = new DebianLinux("linux-image-6.1.0-50-686:i386", "busybox-static:i386",
            "QEMU_TEST_BUSYBOX_I386", "target/tcg-linux");
    /** /bin/busybox of an amd64 Debian host is the same busybox-static: used when present. */
    static final DebianLinux AMD64 = new DebianLinux("linux-image-6.1.0-50-amd64", "busybox-static",
            "QEMU_TEST_BUSYBOX_X86_64", "target/tcg-linux-amd64");

    private final String kernelPackage;
    private final String busyboxPackage;
    private final String busyboxVariable;
    private final String cacheDirectory;

    private DebianLinux(String kernelPackage, String busyboxPackage, String busyboxVariable, String cacheDirectory) {
        this.kernelPackage = kernelPackage;
        this.busyboxPackage = busyboxPackage;
        this.busyboxVariable = busyboxVariable;
        this.cacheDirectory = cacheDirectory;
    }

    Path cache() {
        return Path.of(System.getProperty("qemu.root", "..")).resolve(cacheDirectory).toAbsolutePath();
    }

    /** The vmlinuz; throws with the reason when it cannot be had. */
    synchronized Path kernel() throws IOException, InterruptedException {
        Path dir = cache();
        Path found = find(dir, "vmlinuz-");
        if (found != null) {
            return found;
        }
        fetch(dir, kernelPackage, "./boot/vmlinuz-*");
        found = find(dir, "vmlinuz-");
        if (found == null) {
            throw new IOException("no vmlinuz in " + kernelPackage);
        }
        return found;
    }

    /**
     * The busybox the user-mode tests use (scripts/install-deps.sh fetches it; its variable names
     * it), the host's own /bin/busybox when it is the same package and architecture (amd64), else
     * our own download.
     */
    synchronized Path busybox() throws IOException, InterruptedException {
        String fixture = System.getenv(busyboxVariable);
        if (fixture != null && Files.isRegularFile(Path.of(fixture))) {
            return Path.of(fixture);
        }
        if (this == AMD64 && Files.isRegularFile(Path.of("/bin/busybox"))
                && "amd64".equals(System.getProperty("os.arch")) && isStaticBusybox(Path.of("/bin/busybox"))) {
            return Path.of("/bin/busybox");
        }
        Path dir = cache();
        Path found = find(dir, "busybox");
        if (found != null) {
            return found;
        }
        fetch(dir, busyboxPackage, "./bin/busybox");
        found = find(dir, "busybox");
        if (found == null) {
            throw new IOException("no busybox in " + busyboxPackage);
        }
        return found;
    }

    /** A static x86-64 ELF (no PT_INTERP): busybox-static rather than the dynamic busybox package. */
    private static boolean isStaticBusybox(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        return b.length > 64 && b[0] == 0x7f && b[1] == 'E' && b[4] == 2
                && !new String(b, 0, Math.min(b.length, 4096), StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux");
    }

    private static void fetch(Path dir, String pkg, String member) throws IOException, InterruptedException {
        if (System.getenv("QEMU_TEST_NO_DOWNLOAD") != null) {
            throw new IOException("QEMU_TEST_NO_DOWNLOAD is set and " + pkg + " is not cached in " + dir);
        }
        Files.createDirectories(dir);
        EmulatorRun download = EmulatorRun.of(dir, 300, List.of("apt-get", "-o", "Acquire::http::Timeout=20",
                "-o", "Acquire::Retries=1", "download", pkg));
        if (download.status() != 0) {
            throw new IOException("apt-get download " + pkg + " failed: " + download.stderr().strip());
        }
        String name = pkg.substring(0, pkg.indexOf(':') < 0 ? pkg.length() : pkg.indexOf(':'));
        Path deb;
        try (Stream<Path> s = Files.list(dir)) {
            deb = s.filter(p -> p.getFileName().toString().startsWith(name + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElseThrow(() -> new IOException("downloaded " + pkg + " .deb not found"));
        }
        EmulatorRun x = EmulatorRun.of(dir, 300, List.of("sh", "-c", "mkdir -p tree && dpkg-deb --fsys-tarfile '" + deb
                + "' | tar -x -C tree --wildcards '" + member + "' && find tree -type f -exec mv {} . \\; && rm -rf tree"));
        Files.delete(deb);
        if (x.status() != 0) {
            throw new IOException("unpacking " + deb + " failed: " + x.stderr());
        }
    }

    private static Path find(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && !p.toString().endsWith(".deb"))
                    .findFirst().orElse(null);
        }
    }

    /** The /init script: marker, commands, then {@code reboot -f} (with {@code reboot=k}: the i8042 reset, status 0 under -no-reboot). */
    static String initScript() {
        StringBuilder s = new StringBuilder("#!/bin/busybox sh\n/bin/busybox --install -s /bin\n");
        s.append("echo ").append(MARKER).append('\n');
        COMMANDS.forEach(c -> s.append(c).append('\n'));
        s.append("reboot -f\n");
        return s.toString();
    }

    /** A newc initramfs with /bin/busybox, /init and the directories busybox needs. */
    Path initramfs(Path work) throws IOException, InterruptedException {
        byte[] busybox = Files.readAllBytes(busybox());
        Path cpio = work.resolve("initramfs.cpio");
        try (OutputStream file = Files.newOutputStream(cpio);
             CpioArchiveOutputStream out = new CpioArchiveOutputStream(file, CpioConstants.FORMAT_NEW)) {
            for (String d : List.of("bin", "dev", "proc", "sys")) {
                directory(out, d);
            }
            file(out, "bin/busybox", busybox);
            file(out, "init", initScript().getBytes(StandardCharsets.US_ASCII));
        }
        return cpio;
    }

    private static void directory(CpioArchiveOutputStream out, String name) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(CpioConstants.C_ISDIR | 0755);
        e.setNumberOfLinks(2);
        out.putArchiveEntry(e);
        out.closeArchiveEntry();
    }

    private static void file(CpioArchiveOutputStream out, String name, byte[] data) throws IOException {
        CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
        e.setMode(CpioConstants.C_ISREG | 0755);
        e.setSize(data.length);
        e.setNumberOfLinks(1);
        out.putArchiveEntry(e);
        out.write(data);
        out.closeArchiveEntry();
    }
}
