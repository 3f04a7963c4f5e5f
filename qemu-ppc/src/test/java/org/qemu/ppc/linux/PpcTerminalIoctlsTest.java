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
 * The terminal ioctl numbers, struct termios offsets and flag bits of ppc32 against the kernel
 * headers as the PowerPC cross compiler sees them, and the flag translation against the x86
 * values the host compiler sees in its own kernel headers.
 */
class PpcTerminalIoctlsTest {
    private static final List<String> INPUT = List.of("IGNBRK", "BRKINT", "IGNPAR", "PARMRK", "INPCK", "ISTRIP", "INLCR",
            "IGNCR", "ICRNL", "IUCLC", "IXON", "IXANY", "IXOFF", "IMAXBEL", "IUTF8");
    private static final List<String> OUTPUT = List.of("OPOST", "OLCUC", "ONLCR", "OCRNL", "ONOCR", "ONLRET", "OFILL",
            "OFDEL", "NL1", "CR1", "CR2", "CR3", "TAB1", "TAB2", "TAB3", "BS1", "VT1", "FF1");
    private static final List<String> CONTROL = List.of("CS6", "CS7", "CS8", "CSTOPB", "CREAD", "PARENB", "PARODD", "HUPCL",
            "CLOCAL", "CMSPAR", "CRTSCTS");
    private static final List<String> LOCAL = List.of("ISIG", "ICANON", "XCASE", "ECHO", "ECHOE", "ECHOK", "ECHONL", "NOFLSH",
            "TOSTOP", "ECHOCTL", "ECHOPRT", "ECHOKE", "FLUSHO", "PENDIN", "IEXTEN", "EXTPROC");
    private static final List<String> CONTROL_CHARS = List.of("VINTR", "VQUIT", "VERASE", "VKILL", "VEOF", "VMIN", "VEOL",
            "VTIME", "VEOL2", "VSWTC", "VWERASE", "VREPRINT", "VSUSP", "VSTART", "VSTOP", "VLNEXT", "VDISCARD");
    private static final List<String> BAUDS = List.of("B0", "B50", "B9600", "B38400", "B57600", "B115200", "B921600",
            "B4000000", "BOTHER");

    private static Map<String, Integer> constants(String compiler, List<String> names, String extra) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/" + compiler)), compiler + " is not installed");
        StringBuilder c = new StringBuilder("#include <stddef.h>\n#include <asm/termios.h>\n");
        for (String n : names) {
            c.append("unsigned int c_").append(n).append(" = ").append(n).append(";\n");
        }
        c.append(extra);
        Path dir = Files.createTempDirectory("ppc-termios");
        Path src = Files.writeString(dir.resolve("t.c"), c);
        Path asm = dir.resolve("t.s");
        Process p = new ProcessBuilder(compiler, "-S", "-o", asm.toString(), src.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(log).isTrue();
        Map<String, Integer> values = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^c_([A-Za-z_0-9]+):\\s*\\n\\s*\\.(?:long|zero)\\s+(-?\\d+)").matcher(Files.readString(asm));
        while (m.find()) {
            values.put(m.group(1), m.group(0).contains(".zero") ? 0 : (int) Long.parseLong(m.group(2)));
        }
        Files.delete(src);
        Files.delete(asm);
        Files.delete(dir);
        return values;
    }

    private static List<String> all() {
        List<String> names = new java.util.ArrayList<>();
        for (List<String> l : List.of(INPUT, OUTPUT, CONTROL, LOCAL, CONTROL_CHARS, BAUDS)) {
            names.addAll(l);
        }
        return names;
    }

    @Test
    void ioctlNumbersAndTermiosLayoutMatchThePowerPcHeaders() throws Exception {
        Map<String, Integer> ppc = constants("powerpc-linux-gnu-gcc", List.of("TCGETS", "TCSETS", "TCSETSW", "TCSETSF",
                "TIOCGWINSZ", "TIOCSWINSZ", "TIOCOUTQ", "TIOCSPGRP", "TIOCGPGRP", "FIONREAD", "FIONBIO", "FIOCLEX",
                "FIONCLEX", "TCSBRK", "TCXONC", "TCFLSH", "TIOCGPTN", "TIOCSPTLCK"), """
                unsigned int c_size = sizeof(struct termios);
                unsigned int c_cc = offsetof(struct termios, c_cc);
                unsigned int c_line = offsetof(struct termios, c_line);
                unsigned int c_ispeed = offsetof(struct termios, c_ispeed);
                unsigned int c_ospeed = offsetof(struct termios, c_ospeed);
                """);
        assertThat(ppc.get("TCGETS")).isEqualTo(PpcTerminalIoctls.TCGETS);
        assertThat(ppc.get("TCSETS")).isEqualTo(PpcTerminalIoctls.TCSETS);
        assertThat(ppc.get("TCSETSW")).isEqualTo(PpcTerminalIoctls.TCSETSW);
        assertThat(ppc.get("TCSETSF")).isEqualTo(PpcTerminalIoctls.TCSETSF);
        assertThat(ppc.get("TIOCGWINSZ")).isEqualTo(PpcTerminalIoctls.TIOCGWINSZ);
        assertThat(ppc.get("TIOCSWINSZ")).isEqualTo(PpcTerminalIoctls.TIOCSWINSZ);
        assertThat(ppc.get("TIOCOUTQ")).isEqualTo(PpcTerminalIoctls.TIOCOUTQ);
        assertThat(ppc.get("TIOCSPGRP")).isEqualTo(PpcTerminalIoctls.TIOCSPGRP);
        assertThat(ppc.get("TIOCGPGRP")).isEqualTo(PpcTerminalIoctls.TIOCGPGRP);
        assertThat(ppc.get("FIONREAD")).isEqualTo(PpcTerminalIoctls.FIONREAD);
        assertThat(ppc.get("FIONBIO")).isEqualTo(PpcTerminalIoctls.FIONBIO);
        assertThat(ppc.get("FIOCLEX")).isEqualTo(PpcTerminalIoctls.FIOCLEX);
        assertThat(ppc.get("FIONCLEX")).isEqualTo(PpcTerminalIoctls.FIONCLEX);
        assertThat(ppc.get("TCSBRK")).isEqualTo(PpcTerminalIoctls.TCSBRK);
        assertThat(ppc.get("TCXONC")).isEqualTo(PpcTerminalIoctls.TCXONC);
        assertThat(ppc.get("TCFLSH")).isEqualTo(PpcTerminalIoctls.TCFLSH);
        assertThat(ppc.get("TIOCGPTN")).isEqualTo(PpcTerminalIoctls.TIOCGPTN);
        assertThat(ppc.get("TIOCSPTLCK")).isEqualTo(PpcTerminalIoctls.TIOCSPTLCK);
        assertThat(ppc.get("size")).isEqualTo(PpcTerminalIoctls.GUEST_TERMIOS_SIZE);
        assertThat(ppc.get("cc")).isEqualTo(16);
        assertThat(ppc.get("line")).isEqualTo(35);
        assertThat(ppc.get("ispeed")).isEqualTo(36);
        assertThat(ppc.get("ospeed")).isEqualTo(40);
    }

    @Test
    void everyNamedFlagMovesToItsX86Twin() throws Exception {
        Map<String, Integer> ppc = constants("powerpc-linux-gnu-gcc", all(), "");
        Map<String, Integer> x86 = constants("gcc", all(), "");
        check(INPUT, "input", ppc, x86);
        check(OUTPUT, "output", ppc, x86);
        check(CONTROL, "control", ppc, x86);
        check(LOCAL, "local", ppc, x86);
        for (String cc : CONTROL_CHARS) {
            assertThat(PpcTerminalIoctls.HOST_CC_INDEX[ppc.get(cc)]).as(cc).isEqualTo(x86.get(cc));
        }
        assertThat(PpcTerminalIoctls.HOST_CC_INDEX).hasSize(CONTROL_CHARS.size());
        for (String b : BAUDS) {
            assertThat(PpcTerminalIoctls.baudToHost(ppc.get(b))).as(b).isEqualTo(x86.get(b));
            assertThat(PpcTerminalIoctls.baudToGuest(x86.get(b))).as(b).isEqualTo(ppc.get(b));
        }
    }

    private static void check(List<String> names, String field, Map<String, Integer> ppc, Map<String, Integer> x86) {
        for (String n : names) {
            assertThat(ppc).containsKey(n);
            assertThat(PpcTerminalIoctls.convertForTest(ppc.get(n), field, true)).as("%s to x86", n).isEqualTo(x86.get(n));
            assertThat(PpcTerminalIoctls.convertForTest(x86.get(n), field, false)).as("%s to ppc", n).isEqualTo(ppc.get(n));
        }
    }
}
