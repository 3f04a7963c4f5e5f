package org.qemu.i386.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.signal.SignalAction;
import org.qemu.common.linux.syscall.HostStat;
import org.qemu.common.linux.syscall.HostStatfs;
import org.qemu.common.memory.GuestMemory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * stat64 and statfs64 bytes as we write them, against the bytes Debian's qemu-i386 hands to a
 * guest program that makes the raw system calls on the same file (src/test/c/rawstat.c).
 */
class I386StructLayoutsTest {
    @TempDir
    Path dir;
    private final GuestMemory memory = new GuestMemory(20);
    private final GuestData data = new GuestData(memory, 4, false);
    private final I386StructLayouts layouts = new I386StructLayouts();

    I386StructLayoutsTest() {
        memory.map(0, 0x10000, GuestMemory.READ | GuestMemory.WRITE);
    }

    @AfterEach
    void close() {
        memory.close();
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private byte[] guestBytes(long at, int n) {
        byte[] b = new byte[n];
        memory.read(at, b, 0, n);
        return b;
    }

    @Test
    void stat64AndStatfs64MatchDebianQemu() throws Exception {
        assumeTrue(onPath("i686-linux-gnu-gcc") && onPath("qemu-i386"), "i686 cross compiler or Debian qemu-i386 missing");
        Path exe = dir.resolve("rawstat");
        run("i686-linux-gnu-gcc", "-static", "-o", exe.toString(), Path.of("src/test/c/rawstat.c").toAbsolutePath().toString());
        Path file = dir.resolve("subject");
        Files.writeString(file, "x".repeat(12345));
        String[] lines = run("qemu-i386", exe.toString(), file.toString()).trim().split("\n");

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            MemorySegment st = arena.allocate(HostStat.SIZE);
            assertThat(HostSyscall.call(HostNr.NEWFSTATAT, -100, path.address(), st.address(), 0)).isZero();
            layouts.putStat64(data, 0x100, HostStat.decode(st));
            assertThat(HexFormat.of().formatHex(guestBytes(0x100, 96))).isEqualTo(lines[0]);

            MemorySegment sf = arena.allocate(HostStatfs.SIZE);
            assertThat(HostSyscall.call(HostNr.STATFS, path.address(), sf.address())).isZero();
            layouts.putStatfs(data, 0x200, HostStatfs.decode(sf), true);
            String ours = HexFormat.of().formatHex(guestBytes(0x200, 84));
            // Free block and inode counts move between the two calls; everything else must be identical.
            assertThat(mask(ours)).isEqualTo(mask(lines[1]));
        }
    }

    private static String mask(String hex) {
        StringBuilder sb = new StringBuilder(hex);
        for (int[] range : new int[][] {{16, 32}, {40, 48}}) {
            for (int i = range[0] * 2; i < range[1] * 2; i++) {
                sb.setCharAt(i, '.');
            }
        }
        return sb.toString();
    }

    @Test
    void rtSigactionRoundTripsThroughTheKernelLayout() {
        SignalAction a = new SignalAction(0x08049000L, SignalAction.SA_SIGINFO | SignalAction.SA_RESTORER, 0x0804a000L,
                (1L << 9) | (1L << 40));
        layouts.writeSigaction(data, 0x300, a, false);
        assertThat(data.u32(0x300)).isEqualTo(0x08049000L);
        assertThat(data.u32(0x304)).isEqualTo(SignalAction.SA_SIGINFO | SignalAction.SA_RESTORER);
        assertThat(data.u32(0x308)).isEqualTo(0x0804a000L);
        assertThat(layouts.readSigaction(data, 0x300, false)).isEqualTo(a);
    }

    @Test
    void setThreadAreaAllocatesEntrySixAndResolvesItsSelector() {
        TlsDescriptors tls = new TlsDescriptors();
        data.put32(0x400, -1);
        data.put32(0x404, 0x12345000);
        data.put32(0x408, 0xfffff);
        data.put32(0x40c, 0x51); // seg_32bit, limit_in_pages, useable
        assertThat(tls.set(data, 0x400)).isZero();
        assertThat(data.s32(0x400)).isEqualTo(6);
        assertThat(tls.baseOf(6 << 3 | 3)).isEqualTo(0x12345000L);
        assertThat(tls.baseOf(7 << 3 | 3)).isEqualTo(-1);
        assertThat(tls.baseOf(0x2b)).isZero();
    }
}
