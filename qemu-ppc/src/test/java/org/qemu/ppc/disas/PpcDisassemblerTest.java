package org.qemu.ppc.disas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Oracle: GNU objdump for PowerPC (binutils), on a real statically linked program (glibc's code,
 * nobody here wrote it) and on random words from every primary opcode the emulator decodes.
 * Every word we name must read exactly as objdump prints it; the share of words we name is
 * reported and must stay high.
 */
class PpcDisassemblerTest {
    private static final Path OBJDUMP = Path.of("/usr/bin/powerpc-linux-gnu-objdump");
    private static final Path GCC = Path.of("/usr/bin/powerpc-linux-gnu-gcc");
    /** "10000168:\t7f c8 02 a6 \tmflr    r30" */
    private static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t((?:[0-9a-f]{2} ){4})\\t?(.*)$");
    /** objdump names a branch target "10000168 <_init+0x30>"; we print the address alone as 0x10000168. */
    private static final Pattern TARGET = Pattern.compile("(^|[ ,])([0-9a-f]+) <[^>]*>$");

    @TempDir
    Path dir;

    private record Listed(int address, int word, String text) {
    }

    @Test
    void everyNamedInstructionOfAStaticProgramReadsAsObjdumpPrintsIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(GCC), "powerpc-linux-gnu-gcc is not installed");
        Assumptions.assumeTrue(Files.isExecutable(OBJDUMP), "powerpc-linux-gnu-objdump is not installed");
        Path source = dir.resolve("prog.c");
        Files.writeString(source, """
                #include <stdio.h>
                #include <stdlib.h>
                #include <math.h>
                #include <string.h>
                int main(int argc, char **argv) {
                    double x = argc * 1.5;
                    float y = (float) sqrt(x) + (float) argc;
                    char buf[64];
                    snprintf(buf, sizeof buf, "%g %f %ld", x, y, strtol(argc > 1 ? argv[1] : "7", 0, 0));
                    return (int) strlen(buf) + (int) floor(x * y);
                }
                """);
        Path program = dir.resolve("prog");
        run(List.of(GCC.toString(), "-static", "-O2", "-o", program.toString(), source.toString(), "-lm"));
        List<Listed> listed = parse(run(List.of(OBJDUMP.toString(), "-d", program.toString())));
        assertThat(listed).hasSizeGreaterThan(50_000);
        assertAgreement(listed, 0.995);
    }

    @Test
    void randomWordsOfEveryDecodedOpcodeReadAsObjdumpPrintsThem() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OBJDUMP), "powerpc-linux-gnu-objdump is not installed");
        int[] opcodes = {3, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 31,
            32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 59, 63};
        Random random = new Random(8);
        int count = 30_000;
        ByteBuffer words = ByteBuffer.allocate(count * 4);
        for (int n = 0; n < count; n++) {
            int opcode = opcodes[random.nextInt(opcodes.length)];
            int word = opcode << 26 | (random.nextInt() & 0x03ffffff);
            // Opcodes 19, 31, 59 and 63 are mostly reserved space: draw the extended opcode
            // from the ones that exist so the sample exercises them.
            if (opcode == 19 || opcode == 31 || opcode == 63) {
                word = word & ~0x7fe | (random.nextInt(1024) << 1);
            }
            words.putInt(word);
        }
        Path binary = dir.resolve("words.bin");
        Files.write(binary, words.array());
        List<Listed> listed = parse(run(List.of(OBJDUMP.toString(), "-D", "-b", "binary", "-m", "powerpc", "-EB", binary.toString())));
        assertThat(listed).hasSize(count);
        assertAgreement(listed, 0.0);
    }

    private static void assertAgreement(List<Listed> listed, double minimumNamedShare) {
        int named = 0;
        List<String> wrong = new ArrayList<>();
        for (Listed l : listed) {
            if (!PpcDisassembler.recognises(l.address(), l.word())) {
                continue;
            }
            named++;
            String ours = PpcDisassembler.disassemble(l.address(), l.word());
            if (!ours.equals(l.text())) {
                wrong.add(String.format("%08x: %08x objdump '%s' ours '%s'", l.address(), l.word(), l.text(), ours));
            }
        }
        double share = (double) named / listed.size();
        System.out.printf("ppc disassembler: %d of %d words named (%.2f%%), %d differ from objdump%n",
                named, listed.size(), 100 * share, wrong.size());
        assertThat(wrong).as("words we name that objdump prints differently").isEmpty();
        assertThat(share).isGreaterThanOrEqualTo(minimumNamedShare);
    }

    private static List<Listed> parse(String objdump) {
        List<Listed> listed = new ArrayList<>();
        for (String line : objdump.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            int word = (int) Long.parseLong(m.group(2).replace(" ", ""), 16);
            String text = m.group(3).stripTrailing();
            Matcher target = TARGET.matcher(text);
            if (target.find()) {
                text = text.substring(0, target.start()) + target.group(1) + "0x" + target.group(2);
            }
            listed.add(new Listed((int) Long.parseLong(m.group(1), 16), word, text));
        }
        return listed;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command)).isZero();
        return new String(out);
    }
}
