package org.qemu.tests.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qemu.common.board.BootState;
import org.qemu.common.board.MultibootLoader;
import org.qemu.common.hw.PhysicalMemory;

/** The multiboot loader places every payload where binutils' {@code readelf} says its segments go. */
class MultibootLoadTest {
    private static final Pattern LOAD = Pattern.compile(
            "\\s*LOAD\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+).*");
    private static Path payloads;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Payloads.compilerAvailable(), Payloads.COMPILER + " is not installed");
        assumeTrue(Tools.onPath("readelf"), "readelf (binutils) is not installed");
        payloads = Payloads.build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "pci", "irq", "smp", "longmode"})
    void segmentsAndEntryMatchReadelf(String name) throws Exception {
        Path elf = payloads.resolve(name + ".elf");
        byte[] image = Files.readAllBytes(elf);
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory memory = new PhysicalMemory(arena.allocate(16 << 20, 4096));
            BootState state = MultibootLoader.load(image, "console=ttyS0", memory);
            String header = Tools.run(dir, 30, List.of("readelf", "-hW", elf.toString())).output();
            Matcher entry = Pattern.compile("Entry point address:\\s+0x([0-9a-f]+)").matcher(header);
            assertThat(entry.find()).isTrue();
            assertThat(state.entry()).isEqualTo(Long.parseLong(entry.group(1), 16));
            assertThat(state.eax()).isEqualTo(0x2badb002L);
            int segments = 0;
            for (String line : Tools.run(dir, 30, List.of("readelf", "-lW", elf.toString())).output().lines().toList()) {
                Matcher m = LOAD.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                int offset = Integer.parseInt(m.group(1), 16);
                long paddr = Long.parseLong(m.group(3), 16);
                int filesz = Integer.parseInt(m.group(4), 16);
                int memsz = Integer.parseInt(m.group(5), 16);
                assertThat(memory.read(paddr, filesz)).isEqualTo(Arrays.copyOfRange(image, offset, offset + filesz));
                if (memsz > filesz) {
                    assertThat(memory.read(paddr + filesz, memsz - filesz)).as("bss").containsOnly((byte) 0);
                }
                segments++;
            }
            assertThat(segments).isPositive();
            // The info structure: flags with memory, cmdline and mmap; mem_upper in KiB above 1 MiB.
            long info = state.ebx();
            assertThat(memory.read32(info) & 0x45).isEqualTo(0x45);
            assertThat(memory.read32(info + 8)).isEqualTo(15 * 1024);
            long cmdline = Integer.toUnsignedLong(memory.read32(info + 16));
            assertThat(new String(memory.read(cmdline, 13))).isEqualTo("console=ttyS0");
        }
    }
}
