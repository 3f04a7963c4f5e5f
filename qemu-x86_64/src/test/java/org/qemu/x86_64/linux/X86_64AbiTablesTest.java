package org.qemu.x86_64.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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
import static org.qemu.x86_64.linux.X86_64StructLayouts.*;

/**
 * The x86-64 tables against outside oracles: the host compiler's view of asm/unistd_64.h and of
 * the kernel's struct headers (src/test/c), and the bytes the host kernel itself writes, since
 * the guest ABI is this host's own.
 */
class X86_64AbiTablesTest {
    @TempDir
    Path dir;
    private final GuestMemory memory = new GuestMemory(20);
    private final GuestData data = new GuestData(memory, 8, false);
    private final X86_64StructLayouts layouts = new X86_64StructLayouts();

    X86_64AbiTablesTest() {
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

    private static void assumeGcc() {
        assumeTrue(onPath("gcc"), "host gcc is not installed");
        assumeTrue(Files.exists(Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")),
                "x86-64 kernel headers (linux-libc-dev) are not installed");
    }

    @Test
    void everySyscallNumberMatchesTheHeaderBothWays() throws Exception {
        assumeGcc();
        // The preprocessor lists the macros; a compiled program prints their values, so neither
        // side is our own parsing of the header.
        Path empty = dir.resolve("empty.c");
        Files.writeString(empty, "#include <asm/unistd_64.h>\n");
        Set<String> names = new HashSet<>();
        for (String line : run("gcc", "-dM", "-E", empty.toString()).split("\n")) {
            String[] parts = line.split("\\s+");
            if (parts.length >= 2 && parts[1].startsWith("__NR_")) {
                names.add(parts[1].substring("__NR_".length()));
            }
        }
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <asm/unistd_64.h>\nint main(void){\n");
        for (String n : names) {
            c.append("printf(\"%d ").append(n).append("\\n\", __NR_").append(n).append(");\n");
        }
        c.append("return 0;}\n");
        Path source = dir.resolve("numbers.c");
        Path exe = dir.resolve("numbers");
        Files.writeString(source, c);
        run("gcc", "-o", exe.toString(), source.toString());

        Map<Integer, String> header = new LinkedHashMap<>();
        for (String line : run(exe.toString()).trim().split("\n")) {
            String[] parts = line.split(" ");
            header.put(Integer.parseInt(parts[0]), parts[1]);
        }
        assertThat(header).hasSizeGreaterThan(350);
        for (int nr = 0; nr < X86_64SyscallTable.SIZE; nr++) {
            assertThat(X86_64SyscallTable.name(nr)).as("syscall %d", nr).isEqualTo(header.get(nr));
        }
        assertThat(X86_64SyscallTable.name(-1)).isNull();
        assertThat(X86_64SyscallTable.name(X86_64SyscallTable.SIZE)).isNull();
        // The names the runtime dispatches on for the calls only x86-64 spells this way.
        assertThat(X86_64SyscallTable.name(262)).isEqualTo("newfstatat");
        assertThat(X86_64SyscallTable.name(158)).isEqualTo("arch_prctl");
    }

    @Test
    void everyStructOffsetMatchesTheKernelHeaders() throws Exception {
        assumeGcc();
        Path exe = dir.resolve("layouts");
        run("gcc", "-o", exe.toString(), Path.of("src/test/c/kernel_layouts.c").toAbsolutePath().toString(),
                Path.of("src/test/c/libc_layouts.c").toAbsolutePath().toString());
        Map<String, String> fromC = new LinkedHashMap<>();
        for (String line : run(exe.toString()).trim().split("\n")) {
            int space = line.indexOf(' ');
            fromC.put(line.substring(0, space), line.substring(space + 1));
        }
        assertThat(fromC).containsExactlyInAnyOrderEntriesOf(ourLayouts());
    }

    /** Ours, in the C program's "offset size" form; sizes of scalar fields follow from the put width. */
    private static Map<String, String> ourLayouts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stat", "" + STAT_SIZE);
        field(m, "stat.st_dev", STAT_DEV, 8);
        field(m, "stat.st_ino", STAT_INO, 8);
        field(m, "stat.st_nlink", STAT_NLINK, 8);
        field(m, "stat.st_mode", STAT_MODE, 4);
        field(m, "stat.st_uid", STAT_UID, 4);
        field(m, "stat.st_gid", STAT_GID, 4);
        field(m, "stat.st_rdev", STAT_RDEV, 8);
        field(m, "stat.st_size", STAT_SIZE_FIELD, 8);
        field(m, "stat.st_blksize", STAT_BLKSIZE, 8);
        field(m, "stat.st_blocks", STAT_BLOCKS, 8);
        field(m, "stat.st_atime", STAT_ATIME, 8);
        field(m, "stat.st_atime_nsec", STAT_ATIME_NSEC, 8);
        field(m, "stat.st_mtime", STAT_MTIME, 8);
        field(m, "stat.st_mtime_nsec", STAT_MTIME_NSEC, 8);
        field(m, "stat.st_ctime", STAT_CTIME, 8);
        field(m, "stat.st_ctime_nsec", STAT_CTIME_NSEC, 8);

        m.put("statfs", "" + STATFS_SIZE);
        field(m, "statfs.f_type", STATFS_TYPE, 8);
        field(m, "statfs.f_bsize", STATFS_BSIZE, 8);
        field(m, "statfs.f_blocks", STATFS_BLOCKS, 8);
        field(m, "statfs.f_bfree", STATFS_BFREE, 8);
        field(m, "statfs.f_bavail", STATFS_BAVAIL, 8);
        field(m, "statfs.f_files", STATFS_FILES, 8);
        field(m, "statfs.f_ffree", STATFS_FFREE, 8);
        field(m, "statfs.f_fsid", STATFS_FSID, 8);
        field(m, "statfs.f_namelen", STATFS_NAMELEN, 8);
        field(m, "statfs.f_frsize", STATFS_FRSIZE, 8);
        field(m, "statfs.f_flags", STATFS_FLAGS, 8);
        field(m, "statfs.f_spare", STATFS_SPARE, STATFS_SIZE - STATFS_SPARE);
        m.put("statfs64", "" + STATFS_SIZE);

        m.put("sigaction", "" + SIGACTION_SIZE);
        field(m, "sigaction.sa_handler", SIGACTION_HANDLER, 8);
        field(m, "sigaction.sa_flags", SIGACTION_FLAGS, 8);
        field(m, "sigaction.sa_restorer", SIGACTION_RESTORER, 8);
        field(m, "sigaction.sa_mask", SIGACTION_MASK, 8);

        m.put("timespec", "" + TIMESPEC_SIZE);
        field(m, "timespec.tv_sec", 0, TIMESPEC_NSEC);
        field(m, "timespec.tv_nsec", TIMESPEC_NSEC, TIMESPEC_SIZE - TIMESPEC_NSEC);
        m.put("timeval", "" + TIMEVAL_SIZE);
        field(m, "timeval.tv_sec", 0, TIMEVAL_USEC);
        field(m, "timeval.tv_usec", TIMEVAL_USEC, TIMEVAL_SIZE - TIMEVAL_USEC);

        m.put("rlimit", "" + RLIMIT_SIZE);
        field(m, "rlimit.rlim_cur", 0, RLIMIT_MAX);
        field(m, "rlimit.rlim_max", RLIMIT_MAX, RLIMIT_SIZE - RLIMIT_MAX);
        m.put("rlimit64", "" + RLIMIT_SIZE);

        m.put("utsname", "" + UTSNAME_SIZE);
        String[] uts = {"sysname", "nodename", "release", "version", "machine", "domainname"};
        for (int i = 0; i < uts.length; i++) {
            field(m, "utsname." + uts[i], i * UTSNAME_FIELD, UTSNAME_FIELD);
        }

        field(m, "dirent64.d_ino", DIRENT64_INO, 8);
        field(m, "dirent64.d_off", DIRENT64_OFF, 8);
        field(m, "dirent64.d_reclen", DIRENT64_RECLEN, 2);
        field(m, "dirent64.d_type", DIRENT64_TYPE, 1);
        field(m, "dirent64.d_name", DIRENT64_NAME, 256);
        return m;
    }

    private static void field(Map<String, String> m, String name, int offset, int size) {
        m.put(name, offset + " " + size);
    }

    private byte[] guestBytes(long at, int n) {
        byte[] b = new byte[n];
        memory.read(at, b, 0, n);
        return b;
    }

    @Test
    void statBytesAreTheBytesTheHostKernelWrites() throws Exception {
        Path file = dir.resolve("subject");
        Files.writeString(file, "x".repeat(12345));
        giveDistinctOwner(file);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom(file.toString());
            MemorySegment st = arena.allocate(HostStat.SIZE);
            assertThat(HostSyscall.call(HostNr.NEWFSTATAT, -100, path.address(), st.address(), 0)).isZero();
            memory.write(0x100, new byte[STAT_SIZE + 8], 0, STAT_SIZE + 8);
            data.put64(0x100 + STAT_SIZE, -1L); // a guard: nothing past the struct is written
            layouts.putStat64(data, 0x100, HostStat.decode(st));
            assertThat(guestBytes(0x100, STAT_SIZE)).isEqualTo(st.toArray(ValueLayout.JAVA_BYTE));
            assertThat(data.u64(0x100 + STAT_SIZE)).isEqualTo(-1L);
            assertThat(layouts.putStat(data, 0x300, HostStat.decode(st))).isFalse();
        }
    }

    /** Non-zero uid and gid (as root) so a misplaced owner field cannot hide among zero bytes. */
    private static void giveDistinctOwner(Path file) {
        try {
            Files.setAttribute(file, "unix:uid", 1234);
            Files.setAttribute(file, "unix:gid", 5678);
        } catch (java.io.IOException | UnsupportedOperationException notRoot) {
            // Without root the owner stays the runner's; the byte comparison still holds.
        }
    }

    @Test
    void statfsBytesAreTheBytesTheHostKernelWrites() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/");
            MemorySegment sf = arena.allocate(HostStatfs.SIZE);
            assertThat(HostSyscall.call(HostNr.STATFS, path.address(), sf.address())).isZero();
            byte[] kernel = sf.toArray(ValueLayout.JAVA_BYTE);
            for (boolean is64 : new boolean[] {false, true}) {
                layouts.putStatfs(data, 0x200, HostStatfs.decode(sf), is64);
                assertThat(guestBytes(0x200, STATFS_SIZE)).as("is64=%s", is64).isEqualTo(kernel);
            }
        }
    }

    @Test
    void sigactionRoundTripsTheKernelsOwnBytes() {
        try (Arena arena = Arena.ofConfined()) {
            // Only reads the JVM's current SIGSEGV action (the JVM installs a handler with
            // SA_SIGINFO|SA_RESTORER), so every field holds something non-zero to place.
            MemorySegment old = arena.allocate(SIGACTION_SIZE);
            assertThat(HostSyscall.call(HostNr.RT_SIGACTION, 11, 0, old.address(), 8)).isZero();
            byte[] kernel = old.toArray(ValueLayout.JAVA_BYTE);
            memory.write(0x400, kernel, 0, kernel.length);
            SignalAction action = layouts.readSigaction(data, 0x400, false);
            assertThat(action.handler()).isEqualTo(old.get(ValueLayout.JAVA_LONG, 0));
            assertThat(action.flags() & SignalAction.SA_RESTORER).isNotZero();
            layouts.writeSigaction(data, 0x500, action, false);
            assertThat(guestBytes(0x500, SIGACTION_SIZE)).isEqualTo(kernel);
        }
    }
}
