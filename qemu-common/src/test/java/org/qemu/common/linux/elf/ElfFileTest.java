package org.qemu.common.linux.elf;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The ELF reader against binutils' readelf on real cross-compiled executables. */
class ElfFileTest {
    private static final ElfFile.Target I386 = new ElfFile.Target(false, ByteOrder.LITTLE_ENDIAN, 3, 6);

    @TempDir
    Path dir;

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

    private Path compile(boolean dynamic) throws Exception {
        assumeTrue(onPath("i686-linux-gnu-gcc") && onPath("readelf"), "i686 cross compiler or readelf missing");
        Path src = dir.resolve("p.c");
        Files.writeString(src, "int main(void){return 0;}\n");
        Path out = dir.resolve(dynamic ? "dyn" : "static");
        if (dynamic) {
            run("i686-linux-gnu-gcc", "-o", out.toString(), src.toString());
        } else {
            run("i686-linux-gnu-gcc", "-static", "-o", out.toString(), src.toString());
        }
        return out;
    }

    private record Load(long vaddr, long fileSize, long memSize) {
    }

    private static List<Load> readelfLoads(String readelf) {
        List<Load> loads = new ArrayList<>();
        Matcher m = Pattern.compile("LOAD\\s+0x\\p{XDigit}+ (0x\\p{XDigit}+) 0x\\p{XDigit}+ (0x\\p{XDigit}+) (0x\\p{XDigit}+)")
                .matcher(readelf);
        while (m.find()) {
            loads.add(new Load(Long.decode(m.group(1)), Long.decode(m.group(2)), Long.decode(m.group(3))));
        }
        return loads;
    }

    @Test
    void staticExecutableMatchesReadelf() throws Exception {
        Path exe = compile(false);
        ElfFile elf = ElfFile.parse(Files.readAllBytes(exe), I386);
        String readelf = run("readelf", "-W", "-h", "-l", exe.toString());
        Matcher entry = Pattern.compile("Entry point address:\\s+(0x\\p{XDigit}+)").matcher(readelf);
        assertThat(entry.find()).isTrue();
        assertThat(elf.entry()).isEqualTo(Long.decode(entry.group(1)));
        assertThat(elf.type()).isEqualTo(ElfFile.ET_EXEC);
        assertThat(elf.interpreter()).isNull();
        List<Load> ours = elf.programHeaders().stream().filter(p -> p.type() == ElfFile.PT_LOAD)
                .map(p -> new Load(p.vaddr(), p.fileSize(), p.memorySize())).toList();
        assertThat(ours).isEqualTo(readelfLoads(readelf));
    }

    @Test
    void dynamicExecutableIsPositionIndependentWithInterpreter() throws Exception {
        Path exe = compile(true);
        ElfFile elf = ElfFile.parse(Files.readAllBytes(exe), I386);
        String readelf = run("readelf", "-W", "-l", exe.toString());
        Matcher interp = Pattern.compile("Requesting program interpreter: ([^\\]]+)\\]").matcher(readelf);
        assertThat(interp.find()).isTrue();
        assertThat(elf.interpreter()).isEqualTo(interp.group(1));
        assertThat(elf.isPositionIndependent()).isEqualTo(readelf.contains("DYN"));
    }

    @Test
    void aProgramIsParsedFromItsHeadAndItsSegmentsMayLieBeyondIt() throws Exception {
        Path exe = compile(false);
        long length = Files.size(exe);
        assumeTrue(length > 64 * 1024, "the static executable is smaller than the head read");
        ElfFile elf = ElfLoader.readProgram(exe, I386);
        assertThat(elf.hasWholeFile()).isFalse();
        assertThat(elf.fileLength()).isEqualTo(length);
        assertThat(elf.bytes()).hasSizeLessThan((int) length);
        String readelf = run("readelf", "-W", "-l", exe.toString());
        List<Load> ours = elf.programHeaders().stream().filter(p -> p.type() == ElfFile.PT_LOAD)
                .map(p -> new Load(p.vaddr(), p.fileSize(), p.memorySize())).toList();
        assertThat(ours).isEqualTo(readelfLoads(readelf));
        // A segment claimed past the end of the file is still refused.
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(exe), 64 * 1024);
        assertThatThrownBy(() -> ElfFile.parse(head, 64 * 1024 + 1, I386)).isInstanceOf(ElfFormatException.class);
    }

    @Test
    void hostExecutableIsTheWrongArchitecture() throws Exception {
        byte[] host = Files.readAllBytes(Path.of("/bin/true"));
        assertThatThrownBy(() -> ElfFile.parse(host, I386)).isInstanceOf(ElfFormatException.class)
                .hasMessage("Invalid ELF image for this architecture");
        assertThat(ElfFile.matchesTarget(host, I386)).isFalse();
        assertThat(ElfFile.matchesTarget(host, new ElfFile.Target(true, ByteOrder.LITTLE_ENDIAN, 62))).isTrue();
    }

    @Test
    void truncatedAndForeignBytesAreRejectedWithoutIndexErrors() throws Exception {
        Path exe = compile(false);
        byte[] bytes = Files.readAllBytes(exe);
        for (int len : new int[] {0, 3, 4, 20, 51, 52, 60, 100, 200, 1000, 3000}) {
            byte[] cut = java.util.Arrays.copyOf(bytes, len);
            assertThatThrownBy(() -> ElfFile.parse(cut, I386)).as("length " + len).isInstanceOf(ElfFormatException.class);
        }
        assertThatThrownBy(() -> ElfFile.parse("#!/bin/sh\necho\n".getBytes(), I386)).isInstanceOf(ElfFormatException.class);
    }
}
