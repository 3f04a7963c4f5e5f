package org.qemu.tests.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.tests.kvm.Payloads;
import org.qemu.tests.launcher.LauncherProcess;

/**
 * {@code -d in_asm} and {@code -d op} of the emulators, end to end. Oracle for in_asm: GNU objdump
 * on the very binary the guest runs; every instruction line the emulator logs must carry the
 * text objdump prints at that address (branch targets as 0x addresses), or be listed as data
 * ({@code .byte}/{@code .long}) when it is one we do not read; and the log must have
 * QEMU's block shape (a dashed line, {@code IN: }, instruction lines, a blank line). {@code op}
 * is our own format: its shape is checked.
 */
class TranslationLogTest {
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t(?:[0-9a-f]{2} )+\\s*\\t(.*)$");
    private static final Pattern TARGET = Pattern.compile("(^|[ ,*])([0-9a-f]+) <[^>]*>$");
    private static final Pattern LOG_LINE = Pattern.compile("^0x([0-9a-f]{8}):  (.*)$");
    private static final String PROGRAM = """
            #include <stdio.h>
            #include <string.h>
            int main(int argc, char **argv) {
                char buf[32];
                snprintf(buf, sizeof buf, "%d:%s", argc * 7, argv[0]);
                return (int) strlen(buf) > 3 ? 0 : 1;
            }
            """;

    @TempDir
    Path dir;

    private Path compile(String compiler) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + compiler)), compiler + " is not installed");
        Path source = dir.resolve("prog.c");
        Files.writeString(source, PROGRAM);
        Path program = dir.resolve("prog");
        LauncherProcess cc = LauncherProcess.exec(List.of(compiler, "-static", "-O1", "-o", program.toString(), source.toString()));
        assertThat(cc.exitStatus()).as("%s", cc).isZero();
        return program;
    }

    @Test
    void i386UserModeLogsEachBlockAsObjdumpReadsIt() throws Exception {
        Path program = compile("i686-linux-gnu-gcc");
        Path log = dir.resolve("in_asm.log");
        LauncherProcess run = LauncherProcess.run("qemu-i386", "-d", "in_asm,op", "-D", log.toString(), program.toString());
        assertThat(run.exitStatus()).as("%s", run).isZero();
        List<String> lines = Files.readAllLines(log);
        assertMatchesObjdump(lines, objdump("objdump", program));
        assertOpShape(lines);
    }

    @Test
    void ppcUserModeLogsEachBlockAsObjdumpReadsIt() throws Exception {
        Path program = compile("powerpc-linux-gnu-gcc");
        Path log = dir.resolve("in_asm.log");
        LauncherProcess run = LauncherProcess.run("qemu-ppc", "-d", "in_asm,op", "-D", log.toString(), program.toString());
        assertThat(run.exitStatus()).as("%s", run).isZero();
        List<String> lines = Files.readAllLines(log);
        assertMatchesObjdump(lines, objdump("powerpc-linux-gnu-objdump", program));
        assertOpShape(lines);
    }

    @Test
    void systemEmulatorLogsThePayloadsBlocks() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        Path kernel = Payloads.build().resolve("hello.elf");
        Path log = dir.resolve("system.log");
        LauncherProcess run = LauncherProcess.exec(List.of(LauncherProcess.launcher("qemu-system-i386").toString(),
                "-nographic", "-no-reboot", "-m", "64", "-kernel", kernel.toString(), "-d", "in_asm", "-D", log.toString()));
        assertThat(run.exitStatus()).as("%s", run).isZero();
        assertMatchesObjdump(Files.readAllLines(log), objdump("objdump", kernel));
    }

    @Test
    void traceTranslateBlockNamesTheBlocksDebiansQemuNames() throws Exception {
        Path program = compile("i686-linux-gnu-gcc");
        LauncherProcess ours = LauncherProcess.run("qemu-i386", "-trace", "translate_*", program.toString());
        assertThat(ours.exitStatus()).as("%s", ours).isZero();
        List<String> ourPcs = tracedPcs(ours.stderr());
        assertThat(ourPcs).hasSizeGreaterThan(10);
        assertThat(ours.stderr().lines().filter(l -> l.startsWith("translate_block ")).findFirst().orElseThrow())
                .matches("translate_block tb:0x[0-9a-f]+, pc:0x[0-9a-f]+, tb_code:0x[0-9a-f]+");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-i386")), "Debian's qemu-i386 is not installed");
        LauncherProcess debian = LauncherProcess.exec(List.of("qemu-i386", "-trace", "translate_block", program.toString()));
        // The entry block and the blocks its first call and return lead to: both end blocks at
        // branches there (later, block sizes differ: ours cap at 64 instructions, QEMU's at 512).
        assertThat(ourPcs.subList(0, 3)).isEqualTo(tracedPcs(debian.stderr()).subList(0, 3));
        LauncherProcess unknown = LauncherProcess.run("qemu-i386", "-trace", "no_such_event", program.toString());
        assertThat(unknown.exitStatus()).isZero();
        assertThat(unknown.stderr().strip()).isEqualTo("qemu-i386: warning: trace event 'no_such_event' does not exist");
    }

    private static List<String> tracedPcs(String stderr) {
        List<String> pcs = new ArrayList<>();
        Matcher m = Pattern.compile("translate_block tb:0x[0-9a-f]+, pc:(0x[0-9a-f]+),").matcher(stderr);
        while (m.find()) {
            pcs.add(m.group(1));
        }
        return pcs;
    }

    @Test
    void stderrIsTheDefaultAndUnbuiltItemsAreRefused() throws Exception {
        Path program = compile("i686-linux-gnu-gcc");
        LauncherProcess run = LauncherProcess.run("qemu-i386", "-d", "in_asm", program.toString());
        assertThat(run.exitStatus()).isZero();
        assertThat(run.stderr()).startsWith("----------------\nIN: \n0x");
        LauncherProcess refused = LauncherProcess.run("qemu-i386", "-d", "out_asm", program.toString());
        assertThat(refused.exitStatus()).isEqualTo(1);
        assertThat(refused.stderr().strip()).isEqualTo("qemu-i386: -d out_asm: logging 'out_asm' is not supported in this build");
    }

    private Map<Long, String> objdump(String tool, Path program) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + tool)), tool + " is not installed");
        LauncherProcess dump = LauncherProcess.exec(List.of(tool, "-d", "--insn-width=16", program.toString()));
        assertThat(dump.exitStatus()).isZero();
        Map<Long, String> byAddress = new HashMap<>();
        for (String line : dump.stdout().split("\n")) {
            Matcher m = OBJDUMP_LINE.matcher(line);
            if (m.matches()) {
                String text = m.group(2).strip();
                Matcher target = TARGET.matcher(text);
                if (target.find()) {
                    text = text.substring(0, target.start()) + target.group(1) + "0x" + target.group(2);
                }
                byAddress.put(Long.parseLong(m.group(1), 16), text);
            }
        }
        return byAddress;
    }

    private static void assertMatchesObjdump(List<String> lines, Map<Long, String> objdump) {
        int blocks = 0;
        int compared = 0;
        int unread = 0;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("----------------")) {
                blocks++;
                assertThat(lines.get(i + 1)).startsWith("IN: ");
                assertThat(lines.get(i + 2)).matches(LOG_LINE);
            }
            Matcher m = LOG_LINE.matcher(lines.get(i));
            if (m.matches()) {
                String expected = objdump.get(Long.parseLong(m.group(1), 16));
                if (expected == null) {
                    continue; // code outside the ELF's sections (the vDSO-less stubs never are; payload data is)
                }
                compared++;
                if (m.group(2).startsWith(".byte ") || m.group(2).startsWith(".long ")) {
                    unread++; // an instruction we do not read (AltiVec words glibc probes for, ...)
                    continue;
                }
                if (!expected.equals(m.group(2))) {
                    wrong.add(lines.get(i) + "   objdump: " + expected);
                }
            }
        }
        assertThat(blocks).isGreaterThan(5);
        assertThat(compared).isGreaterThan(20);
        assertThat(unread).as("instructions listed as data").isLessThan(compared / 20 + 1);
        assertThat(wrong).as("logged instructions that objdump reads differently").isEmpty();
    }

    private static void assertOpShape(List<String> lines) {
        int at = lines.indexOf("OP:");
        assertThat(at).isPositive();
        assertThat(lines.get(at + 1)).matches(" 0x[0-9a-f]{8}: \\S.*");
    }
}
