package org.qemu.x86_64.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestData;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.linux.ProgramStarter;
import org.qemu.common.linux.elf.AuxvType;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Loading real x86-64 programs of this host (static busybox, the PIE /bin/ls with the host's
 * dynamic loader) and the initial stack Linux would give them; entry points and program header
 * addresses come from binutils' readelf, not from our ELF parser.
 */
class X86_64ProgramStartTest {
    private LinuxProcess process;

    @AfterEach
    void close() {
        if (process != null) {
            process.memory().close();
        }
    }

    private LinuxThread start(String program, List<String> argv) throws Exception {
        assumeTrue(Files.isRegularFile(Path.of(program)), program + " is not installed");
        process = new LinuxProcess(new X86_64LinuxAbi(), new GuestPaths(null, program),
                new LinuxProcess.RuntimeOptions(false, null, System.err, EmulatorCommand.ofCurrentJvm(Object.class), e -> { }));
        return ProgramStarter.start(process, Path.of(program), argv, Map.of("HOME", "/root"), 8 << 20, null);
    }

    private static long readelfEntry(String file) throws Exception {
        Matcher m = Pattern.compile("Entry point address:\\s+0x([0-9a-f]+)").matcher(readelf("-h", file));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1), 16);
    }

    private static String readelf(String option, String file) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/readelf")), "binutils' readelf is not installed");
        Process p = new ProcessBuilder("readelf", option, "-W", file).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        return out;
    }

    /** The PHDR segment's virtual address (or the first LOAD's plus the header offset). */
    private static long readelfPhdr(String file) throws Exception {
        Matcher m = Pattern.compile("\\n\\s+PHDR\\s+0x[0-9a-f]+ 0x([0-9a-f]+)").matcher(readelf("-l", file));
        if (m.find()) {
            return Long.parseLong(m.group(1), 16);
        }
        Matcher load = Pattern.compile("\\n\\s+LOAD\\s+0x0+ 0x([0-9a-f]+)").matcher(readelf("-l", file));
        assertThat(load.find()).isTrue();
        return Long.parseLong(load.group(1), 16) + 64;
    }

    private record Stack(long argc, List<String> argv, List<String> env, Map<Integer, Long> auxv) {
    }

    private Stack readStack(LinuxThread main) {
        X86CpuState s = ((X86Cpu) main.cpu()).state;
        GuestData d = process.data();
        long sp = s.regs[X86CpuState.ESP];
        assertThat(sp % 16).as("rsp 16-byte aligned at entry").isZero();
        long argc = d.u64(sp);
        long p = sp + 8;
        List<String> argv = new java.util.ArrayList<>();
        for (; d.u64(p) != 0; p += 8) {
            argv.add(process.memory().readCString(d.u64(p), 4096));
        }
        p += 8;
        List<String> env = new java.util.ArrayList<>();
        for (; d.u64(p) != 0; p += 8) {
            env.add(process.memory().readCString(d.u64(p), 4096));
        }
        p += 8;
        Map<Integer, Long> auxv = new HashMap<>();
        for (; d.u64(p) != AuxvType.AT_NULL; p += 16) {
            auxv.put((int) d.u64(p), d.u64(p + 8));
        }
        return new Stack(argc, argv, env, auxv);
    }

    @Test
    void staticBusyboxStartsAtItsEntryWithLinuxsStack() throws Exception {
        LinuxThread main = start("/bin/busybox", List.of("busybox", "echo", "hi there"));
        X86CpuState s = ((X86Cpu) main.cpu()).state;
        long entry = readelfEntry("/bin/busybox");
        assertThat(s.rip).isEqualTo(entry);
        Stack st = readStack(main);
        assertThat(st.argc()).isEqualTo(3);
        assertThat(st.argv()).containsExactly("busybox", "echo", "hi there");
        assertThat(st.env()).containsExactly("HOME=/root");
        assertThat(st.auxv().get(AuxvType.AT_ENTRY)).isEqualTo(entry);
        assertThat(st.auxv().get(AuxvType.AT_PHDR)).isEqualTo(readelfPhdr("/bin/busybox"));
        assertThat(st.auxv().get(AuxvType.AT_PHENT)).isEqualTo(56);
        assertThat(st.auxv().get(AuxvType.AT_BASE)).isZero();
        assertThat(st.auxv().get(AuxvType.AT_PAGESZ)).isEqualTo(4096);
        assertThat(st.auxv()).doesNotContainKey(33); // AT_SYSINFO_EHDR: no vDSO
        assertThat(process.memory().readCString(st.auxv().get(AuxvType.AT_PLATFORM), 64)).isEqualTo("x86_64");
        assertThat(process.memory().readCString(st.auxv().get(AuxvType.AT_EXECFN), 64)).isEqualTo("/bin/busybox");
        assertThat(st.auxv().get(AuxvType.AT_RANDOM)).isPositive();
        assertThat(s.regs[X86CpuState.EDX]).as("no atexit function for the program").isZero();
    }

    @Test
    void pieWithTheHostLoaderStartsInTheLoader() throws Exception {
        String loader = "/lib64/ld-linux-x86-64.so.2";
        assumeTrue(Files.exists(Path.of(loader)), "no host x86-64 loader");
        LinuxThread main = start("/bin/ls", List.of("ls"));
        X86CpuState s = ((X86Cpu) main.cpu()).state;
        Stack st = readStack(main);
        long base = st.auxv().get(AuxvType.AT_BASE);
        assertThat(base).as("the loader is mapped").isPositive().isLessThan(X86_64LinuxAbi.STACK_TOP);
        assertThat(base % 4096).isZero();
        assertThat(s.rip).isEqualTo(base + readelfEntry(loader));
        assertThat(st.auxv().get(AuxvType.AT_ENTRY)).isEqualTo(X86_64LinuxAbi.PIE_BASE + readelfEntry("/bin/ls"));
        assertThat(st.auxv().get(AuxvType.AT_PHDR)).isEqualTo(X86_64LinuxAbi.PIE_BASE + readelfPhdr("/bin/ls"));
        assertThat(process.space().brk()).as("the break follows the program").isGreaterThan(X86_64LinuxAbi.PIE_BASE)
                .isLessThan(base);
    }
}
