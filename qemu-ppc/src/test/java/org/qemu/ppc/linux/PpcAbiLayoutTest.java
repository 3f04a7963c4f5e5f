package org.qemu.ppc.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The ppc32 ABI tables against the kernel's own headers: struct offsets as the PowerPC cross
 * compiler computes them from asm/stat.h, asm/ucontext.h, asm/sigcontext.h, asm/statfs.h, and
 * system call numbers from asm/unistd_32.h.
 */
class PpcAbiLayoutTest {
    private static final Path SYSROOT_INCLUDE = Path.of("/usr/powerpc-linux-gnu/include");

    private static Map<String, Integer> compilerConstants(String declarations) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/powerpc-linux-gnu-gcc")), "powerpc-linux-gnu-gcc is not installed");
        Path dir = Files.createTempDirectory("ppc-layout");
        Path src = Files.writeString(dir.resolve("layout.c"), "#include <stddef.h>\n#include <asm/stat.h>\n#include <asm/ucontext.h>\n"
                + "#include <asm/sigcontext.h>\n#include <asm/statfs.h>\n" + declarations);
        Path asm = dir.resolve("layout.s");
        Process p = new ProcessBuilder("powerpc-linux-gnu-gcc", "-S", "-o", asm.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(log).isTrue();
        Map<String, Integer> values = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^([a-z_0-9]+):\\s*\\n\\s*\\.long\\s+(-?\\d+)").matcher(Files.readString(asm));
        while (m.find()) {
            values.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
        return values;
    }

    @Test
    void structLayoutsMatchTheKernelHeaders() throws Exception {
        Map<String, Integer> c = compilerConstants("""
                int stat64_size = sizeof(struct stat64);
                int stat64_st_size = offsetof(struct stat64, st_size);
                int stat64_st_blocks = offsetof(struct stat64, st_blocks);
                int stat64_st_mtime = offsetof(struct stat64, st_mtime);
                int stat_size = sizeof(struct stat);
                int stat_st_size = offsetof(struct stat, st_size);
                int stat_st_mtime = offsetof(struct stat, st_mtime);
                int uc_stack = offsetof(struct ucontext, uc_stack);
                int uc_regs = offsetof(struct ucontext, uc_regs);
                int uc_sigmask = offsetof(struct ucontext, uc_sigmask);
                int uc_mcontext = offsetof(struct ucontext, uc_mcontext);
                int uc_size = sizeof(struct ucontext);
                int sc_regs = offsetof(struct sigcontext, regs);
                int sc_oldmask = offsetof(struct sigcontext, oldmask);
                int sc_signal = offsetof(struct sigcontext, signal);
                int sc_handler = offsetof(struct sigcontext, handler);
                int sc_size = sizeof(struct sigcontext);
                int statfs64_size = sizeof(struct statfs64);
                int statfs64_fsid = offsetof(struct statfs64, f_fsid);
                int statfs64_flags = offsetof(struct statfs64, f_flags);
                """);
        assertThat(c.get("stat64_size")).isEqualTo(PpcStructLayouts.STAT64_SIZE);
        assertThat(c.get("stat64_st_size")).isEqualTo(48);
        assertThat(c.get("stat64_st_blocks")).isEqualTo(64);
        assertThat(c.get("stat64_st_mtime")).isEqualTo(80);
        assertThat(c.get("stat_size")).isEqualTo(PpcStructLayouts.STAT_SIZE);
        assertThat(c.get("stat_st_size")).isEqualTo(28);
        assertThat(c.get("stat_st_mtime")).isEqualTo(48);
        assertThat(c.get("uc_stack")).isEqualTo(PpcSignalFrames.UC_STACK);
        assertThat(c.get("uc_regs")).isEqualTo(PpcSignalFrames.UC_REGS);
        assertThat(c.get("uc_sigmask")).isEqualTo(PpcSignalFrames.UC_SIGMASK);
        assertThat(c.get("uc_mcontext")).isEqualTo(PpcSignalFrames.UC_MCONTEXT);
        assertThat(c.get("uc_size")).isEqualTo(PpcSignalFrames.UCONTEXT_SIZE);
        assertThat(c.get("sc_signal")).isEqualTo(16);
        assertThat(c.get("sc_handler")).isEqualTo(20);
        assertThat(c.get("sc_oldmask")).isEqualTo(24);
        assertThat(c.get("sc_regs")).isEqualTo(28);
        assertThat(c.get("sc_size")).isEqualTo(PpcSignalFrames.SIGCONTEXT_SIZE);
        assertThat(c.get("statfs64_size")).isEqualTo(88);
        assertThat(c.get("statfs64_fsid")).isEqualTo(48);
        assertThat(c.get("statfs64_flags")).isEqualTo(64);
    }

    @Test
    void syscallNumbersMatchUnistd32() throws Exception {
        Path header = SYSROOT_INCLUDE.resolve("asm/unistd_32.h");
        Assumptions.assumeTrue(Files.exists(header), "PowerPC kernel headers are not installed");
        Matcher m = Pattern.compile("(?m)^#define __NR_([a-z0-9_]+)\\s+(\\d+)").matcher(Files.readString(header));
        int count = 0;
        while (m.find()) {
            assertThat(PpcSyscallTable.name(Integer.parseInt(m.group(2)))).as("syscall %s", m.group(2)).isEqualTo(m.group(1));
            count++;
        }
        assertThat(count).isGreaterThan(400);
        for (String name : List.of("read", "write", "sigreturn", "rt_sigreturn", "mmap2", "clone")) {
            assertThat(List.of(3, 4, 119, 172, 192, 120)).contains(indexOf(name));
        }
    }

    private static int indexOf(String name) {
        for (int i = 0; i < PpcSyscallTable.SIZE; i++) {
            if (name.equals(PpcSyscallTable.name(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void openAndMapFlagsAreTranslatedToTheHost() {
        // ppc asm/fcntl.h: O_DIRECTORY 040000, O_NOFOLLOW 0100000; x86: 0200000, 0400000. O_CREAT 0100 is shared.
        assertThat(PpcLinuxAbi.openFlagsToHost(040000 | 0100)).isEqualTo(0200000 | 0100);
        assertThat(PpcLinuxAbi.openFlagsToHost(0100000)).isEqualTo(0400000);
        assertThat(PpcLinuxAbi.openFlagsToGuest(PpcLinuxAbi.openFlagsToHost(0740102))).isEqualTo(0740102);
        // ppc asm/mman.h: MAP_NORESERVE 0x40, MAP_LOCKED 0x80; x86: 0x4000, 0x2000.
        assertThat(PpcLinuxAbi.mapFlagsToHost(0x22 | 0x40)).isEqualTo(0x22 | 0x4000);
    }
}
