package org.qemu.common.gdbstub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle: GDB itself. Each description we serve is loaded into Debian's gdb ({@code set tdesc
 * filename}) and its register table ({@code maint print registers}: name, number, offset, size,
 * type) must be the table gdb builds for that architecture on its own.
 */
class TargetDescriptionGdbTest {
    @TempDir
    Path dir;

    @Test
    void x86_64IsGdbsAmd64RegisterFile() throws Exception {
        assertGdbAgrees("gdb", TargetDescriptions.X86_64, "i386:x86-64", 57);
    }

    @Test
    void i386IsGdbsI386RegisterFile() throws Exception {
        assertGdbAgrees("gdb", TargetDescriptions.I386, "i386", 41);
    }

    @Test
    void powerpcIsGdbsPowerpcRegisterFile() throws Exception {
        assertGdbAgrees("gdb-multiarch", TargetDescriptions.POWERPC, "powerpc:common", 71);
    }

    private void assertGdbAgrees(String gdb, TargetDescription description, String architecture, int registers) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + gdb)), gdb + " is not installed");
        Path xml = dir.resolve("target.xml");
        Files.writeString(xml, description.toXml());
        List<String> ours = registerTable(gdb, "set tdesc filename " + xml);
        List<String> gdbs = registerTable(gdb, "set architecture " + architecture);
        assertThat(description.registers()).hasSize(registers);
        assertThat(ours).hasSizeGreaterThanOrEqualTo(registers);
        assertThat(ours.subList(0, registers)).isEqualTo(gdbs.subList(0, registers));
    }

    private static List<String> registerTable(String gdb, String setup) throws Exception {
        Process p = new ProcessBuilder(gdb, "-batch", "-nx", "-ex", setup, "-ex", "maint print registers")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[1].matches("\\d+") && !f[0].equals("''")) {
                rows.add(String.join(" ", f));
            }
        }
        return rows;
    }
}
