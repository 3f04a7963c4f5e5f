package org.qemu.ppc.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.qemu.ppc.cpu.PpcCpuState;

/**
 * Every instruction word of Debian's PowerPC libc and libm text decodes to a helper that
 * exists with the descriptor the translator will emit; binutils' disassembly tells which
 * words are instructions we are expected to know (the AltiVec and transactional-memory ones
 * sit behind AT_HWCAP checks and are excluded).
 */
class DecoderCoverageTest {
    @Test
    void everyGlibcInstructionHasAHelper() throws Exception {
        Path objdump = Path.of("/usr/bin/powerpc-linux-gnu-objdump");
        Path libc = Path.of("/usr/powerpc-linux-gnu/lib/libc.so.6");
        Assumptions.assumeTrue(Files.isExecutable(objdump) && Files.exists(libc), "PowerPC cross binutils/libc not installed");
        Process raw = new ProcessBuilder(objdump.toString(), "-d", libc.toString(),
                "/usr/powerpc-linux-gnu/lib/libm.so.6", "/usr/powerpc-linux-gnu/lib/ld.so.1").redirectErrorStream(true).start();
        List<String> lines = new String(raw.getInputStream().readAllBytes()).lines().toList();
        Set<String> unknown = new TreeSet<>();
        Set<String> vectorOrHtm = Set.of("lvx", "stvx", "vperm", "lvsl", "lvsr", "tbegin.", "tabort.", "tend.", "mfspr"); // mfspr: the HTM register TEXASRU, read only under PPC_FEATURE2_HTM
        int checked = 0;
        for (String line : lines) {
            String[] cols = line.split("\t");
            if (cols.length < 3 || !cols[0].trim().endsWith(":")) {
                continue;
            }
            String mnemonic = cols[2].trim().split("\\s+")[0];
            if (mnemonic.startsWith(".long") || vectorOrHtm.contains(mnemonic) || mnemonic.startsWith("v")) {
                continue;
            }
            String[] hex = cols[1].trim().split(" ");
            if (hex.length != 4) {
                continue;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) Integer.parseInt(hex[i], 16);
            }
            int word = ByteBuffer.wrap(b).getInt();
            Instruction insn = PpcDecoder.decode(0x1000, word);
            if (insn.method().equals("illegal")) {
                unknown.add(mnemonic + " " + Integer.toHexString(word));
                continue;
            }
            assertHelperExists(insn);
            checked++;
        }
        assertThat(checked).isGreaterThan(100_000);
        assertThat(unknown).as("instructions glibc uses that decode as illegal").isEmpty();
    }

    private static void assertHelperExists(Instruction insn) {
        Class<?>[] params = new Class<?>[insn.operands().length + 1];
        params[0] = PpcCpuState.class;
        Arrays.fill(params, 1, params.length, int.class);
        try {
            Method m = insn.owner().getMethod(insn.method(), params);
            assertThat(Modifier.isStatic(m.getModifiers())).isTrue();
            assertThat(m.getReturnType()).isEqualTo(insn.endsBlock() ? int.class : void.class);
        } catch (NoSuchMethodException e) {
            throw new AssertionError("no helper for " + insn, e);
        }
    }
}
