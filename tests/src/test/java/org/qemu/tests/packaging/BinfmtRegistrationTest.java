package org.qemu.tests.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binfmt_misc file qemu-ppc ships claims real 32-bit PowerPC executables (built here by the
 * PowerPC cross compiler) and no x86 ones, and agrees with Debian's own qemu-ppc registration.
 */
class BinfmtRegistrationTest {
    private static final Path OURS = Path.of(System.getProperty("qemu.root", "..")).toAbsolutePath().normalize()
            .resolve("packaging/src/main/binfmt/qemu-ppc.conf");
    private static final Path DEBIAN = Path.of("/usr/lib/binfmt.d/qemu-ppc.conf");

    /** One registration in systemd's binfmt.d format: {@code :name:type:offset:magic:mask:interpreter:flags}. */
    record Rule(String name, String type, int offset, byte[] magic, byte[] mask, String interpreter, String flags) {
        static Rule parse(Path file) throws IOException {
            String line = Files.readAllLines(file).stream()
                    .filter(l -> !l.isBlank() && !l.startsWith("#") && !l.startsWith(";"))
                    .findFirst().orElseThrow(() -> new AssertionError(file + " has no registration"));
            String[] f = line.split(":", -1);
            assertThat(f).as("fields of %s", line).hasSize(8);
            assertThat(f[0]).isEmpty();
            return new Rule(f[1], f[2], f[3].isEmpty() ? 0 : Integer.parseInt(f[3]), decode(f[4]), decode(f[5]), f[6], f[7]);
        }

        private static byte[] decode(String escaped) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < escaped.length(); i++) {
                char c = escaped.charAt(i);
                if (c == '\\' && i + 3 < escaped.length() && escaped.charAt(i + 1) == 'x') {
                    out.write(Integer.parseInt(escaped.substring(i + 2, i + 4), 16));
                    i += 3;
                } else {
                    out.write(c);
                }
            }
            return out.toByteArray();
        }

        /** The kernel's test: the masked bytes at offset equal the masked magic. */
        boolean claims(byte[] file) {
            if (file.length < offset + magic.length) {
                return false;
            }
            for (int i = 0; i < magic.length; i++) {
                int m = i < mask.length ? mask[i] : 0xff;
                if ((file[offset + i] & m) != (magic[i] & m)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static byte[] compile(Path dir, String compiler, String name, String... flags) throws IOException {
        assumeTrue(Command.onPath(compiler), "needs " + compiler);
        Path source = dir.resolve("hello.c");
        Files.writeString(source, "int main(void) { return 0; }\n");
        Path binary = dir.resolve(name);
        List<String> argv = new ArrayList<>(List.of(compiler));
        argv.addAll(List.of(flags));
        argv.addAll(List.of("-o", binary.toString(), source.toString()));
        Command.run(dir, Map.of(), Duration.ofMinutes(1), argv).requireSuccess();
        return Files.readAllBytes(binary);
    }

    @Test
    void claimsPowerPcExecutablesOnlyAndStartsQemuPpc(@TempDir Path dir) throws IOException {
        Rule rule = Rule.parse(OURS);
        assertThat(rule.name()).isEqualTo("qemu-ppc");
        assertThat(rule.type()).isEqualTo("M");
        assertThat(rule.interpreter()).isEqualTo("/usr/bin/qemu-ppc");
        assertThat(rule.magic()).hasSameSizeAs(rule.mask());

        byte[] ppcStatic = compile(dir, "powerpc-linux-gnu-gcc", "ppc-static", "-static");
        byte[] ppcDynamic = compile(dir, "powerpc-linux-gnu-gcc", "ppc-pie", "-pie", "-fPIE");
        byte[] i386 = compile(dir, "i686-linux-gnu-gcc", "i386-static", "-static");
        byte[] x86_64 = compile(dir, "gcc", "x86_64", "-O0");

        assertThat(rule.claims(ppcStatic)).as("static PowerPC executable").isTrue();
        assertThat(rule.claims(ppcDynamic)).as("position-independent PowerPC executable").isTrue();
        assertThat(rule.claims(i386)).as("i386 executable").isFalse();
        assertThat(rule.claims(x86_64)).as("x86-64 executable").isFalse();

        if (Files.isReadable(DEBIAN)) {
            Rule debian = Rule.parse(DEBIAN);
            for (byte[] program : List.of(ppcStatic, ppcDynamic, i386, x86_64)) {
                assertThat(rule.claims(program)).isEqualTo(debian.claims(program));
            }
        }
    }
}
