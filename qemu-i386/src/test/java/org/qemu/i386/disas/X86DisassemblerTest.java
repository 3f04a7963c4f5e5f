package org.qemu.i386.disas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle: GNU objdump (binutils, default AT&T syntax) on a statically linked i386 program
 * (glibc's integer, x87 and SSE2 code). Every instruction we read must have objdump's length
 * and text; the share we read is reported and must stay high. {@code -Dx86.disas.binary=FILE}
 * checks another i386 ELF (busybox) the same way.
 */
class X86DisassemblerTest {
    private static final Path OBJDUMP = Path.of("/usr/bin/objdump");
    private static final Path GCC = Path.of("/usr/bin/i686-linux-gnu-gcc");
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} )+)\\s*\\t(.*)$");
    private static final Pattern TARGET = Pattern.compile("(^|[ ,*])([0-9a-f]+) <[^>]*>$");

    @TempDir
    Path dir;

    private record Listed(long address, byte[] bytes, String text) {
    }

    @Test
    void everyInstructionWeReadOfAStaticProgramReadsAsObjdumpPrintsIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(GCC), "i686-linux-gnu-gcc is not installed");
        Assumptions.assumeTrue(Files.isExecutable(OBJDUMP), "objdump (binutils) is not installed");
        Path source = dir.resolve("prog.c");
        Files.writeString(source, """
                #include <stdio.h>
                #include <stdlib.h>
                #include <math.h>
                #include <string.h>
                int main(int argc, char **argv) {
                    double x = argc * 1.5;
                    long double y = sqrtl(x) + argc;
                    char buf[64];
                    snprintf(buf, sizeof buf, "%g %Lf %ld", x, y, strtol(argc > 1 ? argv[1] : "7", 0, 0));
                    return (int) strlen(buf) + (int) floor(x * (double) y);
                }
                """);
        Path program = dir.resolve("prog");
        run(List.of(GCC.toString(), "-static", "-O2", "-o", program.toString(), source.toString(), "-lm"));
        check(program, 0.97);
        // The same bytes read as 16-bit code (as a real-mode or 16-bit protected-mode guest
        // would run them): a test of the 16-bit operand and address forms, not of real code.
        Path text = dir.resolve("text.bin");
        run(List.of("objcopy", "-O", "binary", "--only-section=.text", program.toString(), text.toString()));
        List<Listed> listed = parse(run(List.of(OBJDUMP.toString(), "-D", "-b", "binary", "-m", "i8086", "--insn-width=16", text.toString())));
        compare("the same bytes as 16-bit code", listed, 16, 0.85);
    }

    @Test
    void everyInstructionWeReadOfAStatic64BitProgramReadsAsObjdumpPrintsIt() throws Exception {
        Path hostGcc = Path.of("/usr/bin/gcc");
        Assumptions.assumeTrue(Files.isExecutable(hostGcc), "gcc (x86-64) is not installed");
        Assumptions.assumeTrue(Files.isExecutable(OBJDUMP), "objdump (binutils) is not installed");
        Path source = dir.resolve("prog64.c");
        Files.writeString(source, """
                #include <stdio.h>
                #include <stdlib.h>
                #include <math.h>
                int main(int argc, char **argv) {
                    double x = argc * 1.5;
                    printf("%g %ld\\n", sqrt(x), strtol(argc > 1 ? argv[1] : "3", 0, 0));
                    return 0;
                }
                """);
        Path program = dir.resolve("prog64");
        run(List.of(hostGcc.toString(), "-static", "-O2", "-o", program.toString(), source.toString(), "-lm"));
        List<Listed> listed = parse(run(List.of(OBJDUMP.toString(), "-d", "--insn-width=16", program.toString())));
        compare(program.getFileName().toString() + " (64-bit)", listed, 64, 0.85);
    }

    @Test
    void anotherBinaryWhenNamed() throws Exception {
        String named = System.getProperty("x86.disas.binary");
        Assumptions.assumeTrue(named != null, "-Dx86.disas.binary=FILE not given");
        check(Path.of(named), 0.0);
    }

    private static void check(Path program, double minimumShare) throws Exception {
        List<Listed> listed = parse(run(List.of(OBJDUMP.toString(), "-d", "--insn-width=16", program.toString())));
        compare(program.getFileName().toString(), listed, 32, minimumShare);
    }

    private static void compare(String what, List<Listed> listed, int codeBits, double minimumShare) {
        assertThat(listed).hasSizeGreaterThan(10_000);
        int read = 0;
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> unread = new TreeMap<>();
        for (Listed l : listed) {
            X86Disassembler.Disassembled ours = X86Disassembler.disassemble(
                    a -> { int i = (int) (a - l.address()); if (i >= l.bytes().length) { throw new IllegalStateException(); } return l.bytes()[i]; },
                    l.address(), codeBits);
            if (ours == null) {
                String mnemonic = l.text().split(" ")[0];
                unread.merge(mnemonic, 1, Integer::sum);
                continue;
            }
            read++;
            if (ours.length() != l.bytes().length || !ours.text().equals(l.text())) {
                wrong.add(String.format("%08x: objdump '%s' (%d bytes) ours '%s' (%d bytes)", l.address(), l.text(), l.bytes().length, ours.text(), ours.length()));
            }
        }
        double share = (double) read / listed.size();
        System.out.printf("x86 disassembler on %s: read %d of %d instructions (%.2f%%), %d differ from objdump; not read: %s%n",
                what, read, listed.size(), 100 * share, wrong.size(), unread);
        assertThat(wrong).as("instructions we read that objdump prints differently").isEmpty();
        assertThat(share).isGreaterThanOrEqualTo(minimumShare);
    }

    private static List<Listed> parse(String objdump) {
        List<Listed> listed = new ArrayList<>();
        for (String line : objdump.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String[] hex = m.group(2).trim().split(" ");
            byte[] bytes = new byte[hex.length];
            for (int i = 0; i < hex.length; i++) {
                bytes[i] = (byte) Integer.parseInt(hex[i], 16);
            }
            String text = m.group(3).strip().replaceAll("\\s+#.*$", "");
            Matcher target = TARGET.matcher(text);
            if (target.find()) {
                text = text.substring(0, target.start()) + target.group(1) + "0x" + target.group(2);
            }
            listed.add(new Listed(Long.parseLong(m.group(1), 16), bytes, text));
        }
        return listed;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return new String(out);
    }
}
