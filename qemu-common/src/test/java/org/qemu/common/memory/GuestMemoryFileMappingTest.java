package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.linux.host.Scratch;

/**
 * Pages mapped straight from a file (the ELF loader's segments): the guest sees the file's
 * bytes, its writes stay private, and pages given back read as zero again, never as the file.
 * The oracle is the file written here with Java's own I/O.
 */
class GuestMemoryFileMappingTest {
    private static final long AT = 0x40000;

    private final GuestMemory memory = new GuestMemory(32);
    @TempDir
    Path dir;
    private int fd = -1;

    @AfterEach
    void close() {
        if (fd >= 0) {
            HostSyscall.call(HostNr.CLOSE, fd);
        }
        memory.close();
    }

    private byte[] fileOfPages(int pages) throws IOException {
        byte[] bytes = new byte[pages * 4096];
        new Random(7).nextBytes(bytes);
        Path file = dir.resolve("segment.bin");
        Files.write(file, bytes);
        fd = (int) HostSyscall.call(HostNr.OPEN, Scratch.begin().cString(file.toString()).address(), 0);
        assertThat(fd).isNotNegative();
        return bytes;
    }

    @Test
    void theGuestReadsTheFilesBytesAndItsWritesStayPrivate() throws IOException {
        byte[] bytes = fileOfPages(4);
        memory.map(AT, 4 * 4096, GuestMemory.READ | GuestMemory.WRITE);
        assertThat(memory.mapFile(AT, 3 * 4096, fd, 4096, GuestMemory.READ | GuestMemory.WRITE)).isTrue();
        for (int i = 0; i < 3 * 4096; i += 509) {
            assertThat((byte) memory.read8(AT + i)).as("byte %d", i).isEqualTo(bytes[4096 + i]);
        }
        memory.write32(AT + 8, 0x12345678);
        assertThat(memory.read32(AT + 8)).isEqualTo(0x12345678);
        assertThat(Files.readAllBytes(dir.resolve("segment.bin"))).isEqualTo(bytes);
        assertThat(memory.read32(AT + 3 * 4096)).as("the page after the file part").isZero();
    }

    @Test
    void pagesGivenBackReadAsZeroNotAsTheFile() throws IOException {
        fileOfPages(4);
        memory.map(AT, 4 * 4096, GuestMemory.READ | GuestMemory.WRITE);
        assertThat(memory.mapFile(AT, 4 * 4096, fd, 0, GuestMemory.READ)).isTrue();
        memory.unmap(AT + 4096, 4096);
        memory.map(AT + 4096, 4096, GuestMemory.READ | GuestMemory.WRITE);
        assertThat(memory.read64(AT + 4096)).isZero();
        assertThat(memory.read64(AT + 4096 + 4088)).isZero();
        memory.map(AT, 4 * 4096, GuestMemory.READ | GuestMemory.WRITE);
        for (long a = AT; a < AT + 4 * 4096; a += 8) {
            assertThat(memory.read64(a)).as("address 0x%x", a).isZero();
        }
    }
}
