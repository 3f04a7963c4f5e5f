package org.qemu.common.hw.virtio.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.pci.PciHostBridge;
import org.qemu.common.hw.virtio.VirtioPciLegacy;

/**
 * Drives virtio-blk the way a guest driver does, through PCI configuration and the legacy I/O
 * BAR, with rings laid out in guest memory by the test as the virtio 1.x spec (section 2.7,
 * legacy interface 4.1.4.8) describes. The disk is a real file the test reads back directly.
 */
class VirtioBlockTest {
    private static final int IO_BASE = 0xc000;
    private static final long RING_PFN = 0x10;       // rings at 64 KiB
    private static final long BUFFERS = 0x100000;    // request buffers at 1 MiB
    private static final int QSIZE = 256;
    private static final long RAM = 4L << 20;

    @TempDir
    Path dir;
    private Arena arena;
    private PhysicalMemory memory;
    private IoPortBus io;
    private VirtioBlock block;
    private Path image;
    private final AtomicInteger interrupts = new AtomicInteger();
    private int availIdx;

    @BeforeEach
    void setUp() throws Exception {
        arena = Arena.ofConfined();
        memory = new PhysicalMemory(arena.allocate(RAM, 4096));
        image = dir.resolve("disk.img");
        byte[] content = new byte[64 * 512];
        for (int s = 0; s < 64; s++) {
            Arrays.fill(content, s * 512, (s + 1) * 512, (byte) (s + 1));
        }
        Files.write(image, content);
        io = new IoPortBus();
        PciHostBridge pci = new PciHostBridge(io);
        io.register(PciHostBridge.BASE, PciHostBridge.LENGTH, pci);
        block = new VirtioBlock(memory, new FileBlockBackend(image, false), "test-serial");
        VirtioPciLegacy transport = new VirtioPciLegacy(block, memory, level -> {
            if (level) {
                interrupts.incrementAndGet();
            }
        }, VirtioBlock.PCI_CLASS);
        int slot = pci.plug(transport);
        // Find it through configuration mechanism #1 as a guest would, and place BAR0.
        io.out(0xcf8, 4, 0x80000000 | slot << 11);
        assertThat(io.in(0xcfc, 4)).isEqualTo(0x10011af4);
        io.out(0xcf8, 4, 0x80000000 | slot << 11 | 0x10);
        io.out(0xcfc, 4, 0xffffffff);
        assertThat(io.in(0xcfc, 4)).as("BAR0 sizing: 64-byte I/O BAR").isEqualTo(0xffffffc1);
        io.out(0xcfc, 4, IO_BASE);
        io.out(0xcf8, 4, 0x80000000 | slot << 11 | 0x04);
        io.out(0xcfc, 2, 0x5);
        // Legacy driver initialisation (virtio spec 3.1.2 with the legacy register layout).
        io.out(IO_BASE + 0x12, 1, 0);
        io.out(IO_BASE + 0x12, 1, 1 | 2);
        assertThat(io.in(IO_BASE, 4) & (1 << 9)).as("FLUSH offered").isNotZero();
        io.out(IO_BASE + 0x04, 4, 1 << 9);
        io.out(IO_BASE + 0x0e, 2, 0);
        assertThat(io.in(IO_BASE + 0x0c, 2)).isEqualTo(QSIZE);
        io.out(IO_BASE + 0x08, 4, (int) RING_PFN);
        io.out(IO_BASE + 0x12, 1, 1 | 2 | 4);
        assertThat(io.in(IO_BASE + 0x14, 4)).as("capacity in sectors").isEqualTo(64);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private long desc(int i) {
        return (RING_PFN << 12) + 16L * i;
    }

    private long avail() {
        return (RING_PFN << 12) + 16L * QSIZE;
    }

    private long used() {
        return (avail() + 6 + 2L * QSIZE + 4095) & ~4095L;
    }

    private void putDesc(int i, long addr, int len, int flags, int next) {
        memory.write64(desc(i), addr);
        memory.write32(desc(i) + 8, len);
        memory.write16(desc(i) + 12, flags);
        memory.write16(desc(i) + 14, next);
    }

    /** Publishes a chain head and kicks; returns the used element (id, len). */
    private int[] submit(int head) {
        int before = memory.read16(used() + 2);
        memory.write16(avail() + 4 + 2L * (availIdx % QSIZE), head);
        availIdx = (availIdx + 1) & 0xffff;
        memory.write16(avail() + 2, availIdx);
        io.out(IO_BASE + 0x10, 2, 0);
        int after = memory.read16(used() + 2);
        assertThat(after).as("a used entry for every request").isEqualTo((before + 1) & 0xffff);
        long e = used() + 4 + 8L * (before % QSIZE);
        return new int[] {memory.read32(e), memory.read32(e + 4)};
    }

    private int request(int type, long sector, long dataAddr, int dataLen, boolean deviceWritesData) {
        long hdr = BUFFERS;
        long status = BUFFERS + 16;
        memory.write32(hdr, type);
        memory.write32(hdr + 4, 0);
        memory.write64(hdr + 8, sector);
        memory.write8(status, 0xff);
        if (dataLen > 0) {
            putDesc(0, hdr, 16, 1, 1);
            putDesc(1, dataAddr, dataLen, 1 | (deviceWritesData ? 2 : 0), 2);
            putDesc(2, status, 1, 2, 0);
        } else {
            putDesc(0, hdr, 16, 1, 2);
            putDesc(2, status, 1, 2, 0);
        }
        int[] used = submit(0);
        assertThat(used[0]).isZero();
        return memory.read8(status);
    }

    @Test
    void readsWritesAndFlushesSectorsOfTheImageFile() throws Exception {
        long data = BUFFERS + 0x1000;
        assertThat(request(BlockRequest.T_IN, 3, data, 1024, true)).isEqualTo(VirtioBlock.S_OK);
        assertThat(memory.read(data, 1024)).containsOnly((byte) 4, (byte) 5).startsWith((byte) 4).endsWith((byte) 5);
        assertThat(interrupts.get()).isPositive();
        assertThat(io.in(IO_BASE + 0x13, 1)).as("ISR shows a queue interrupt").isEqualTo(1);

        byte[] pattern = new byte[512];
        new Random(7).nextBytes(pattern);
        memory.write(data, pattern);
        assertThat(request(BlockRequest.T_OUT, 10, data, 512, false)).isEqualTo(VirtioBlock.S_OK);
        // The write is in the file when the request completes, before any flush.
        byte[] file = Files.readAllBytes(image);
        assertThat(Arrays.copyOfRange(file, 10 * 512, 11 * 512)).isEqualTo(pattern);
        assertThat(Arrays.copyOfRange(file, 11 * 512, 12 * 512)).containsOnly((byte) 12);
        assertThat(request(BlockRequest.T_FLUSH, 0, 0, 0, false)).isEqualTo(VirtioBlock.S_OK);
        assertThat(request(77, 0, 0, 0, false)).as("unknown request type").isEqualTo(VirtioBlock.S_UNSUPP);
    }

    @Test
    void rejectsRequestsBeyondTheDiskAndWrongDirections() throws Exception {
        long data = BUFFERS + 0x1000;
        byte[] before = Files.readAllBytes(image);
        assertThat(request(BlockRequest.T_IN, 64, data, 512, true)).isEqualTo(VirtioBlock.S_IOERR);
        assertThat(request(BlockRequest.T_OUT, 63, data, 1024, false)).isEqualTo(VirtioBlock.S_IOERR);
        assertThat(request(BlockRequest.T_OUT, -1L, data, 512, false)).isEqualTo(VirtioBlock.S_IOERR);
        assertThat(request(BlockRequest.T_IN, 0, data, 511, true)).isEqualTo(VirtioBlock.S_IOERR);
        assertThat(request(BlockRequest.T_OUT, 0, data, 512, true)).isEqualTo(VirtioBlock.S_IOERR);
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void hostileChainsGetErrorsAndTheDeviceKeepsServing() throws Exception {
        long status = BUFFERS + 16;
        // A loop: 0 -> 1 -> 0.
        memory.write32(BUFFERS, BlockRequest.T_IN);
        putDesc(0, BUFFERS, 16, 1, 1);
        putDesc(1, BUFFERS + 0x1000, 512, 1 | 2, 0);
        assertThat(submit(0)).containsExactly(0, 0);
        // A buffer beyond RAM, and one whose end wraps around 2^64.
        putDesc(0, BUFFERS, 16, 1, 1);
        putDesc(1, RAM - 256, 512, 1 | 2, 2);
        putDesc(2, status, 1, 2, 0);
        assertThat(submit(0)).containsExactly(0, 0);
        putDesc(1, -256L, 512, 1 | 2, 2);
        assertThat(submit(0)).containsExactly(0, 0);
        // Lengths summing past 4 GiB, next index beyond the queue, a head beyond the queue.
        putDesc(1, 0, -1, 1 | 2, 3);
        putDesc(3, 0, -1, 1 | 2, 2);
        assertThat(submit(0)).containsExactly(0, 0);
        putDesc(1, BUFFERS + 0x1000, 512, 1 | 2, 999);
        assertThat(submit(0)).containsExactly(0, 0);
        assertThat(submit(4000)).containsExactly(4000, 0);
        // Still serving.
        assertThat(request(BlockRequest.T_IN, 0, BUFFERS + 0x1000, 512, true)).isEqualTo(VirtioBlock.S_OK);
        assertThat(block.broken()).isFalse();
    }

    @Test
    void fuzzedChainsNeverEscapeRamOrStopTheDevice() throws Exception {
        Random random = new Random(20091);
        byte[] before = Files.readAllBytes(image);
        long[] interesting = {0, BUFFERS, RAM - 1, RAM - 16, RAM, RAM + 4096, -1L, -16L, Long.MAX_VALUE, 1L << 32};
        for (int round = 0; round < 5000; round++) {
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                long addr = random.nextInt(4) == 0 ? interesting[random.nextInt(interesting.length)]
                        : BUFFERS + random.nextInt(0x10000);
                int len = switch (random.nextInt(5)) {
                    case 0 -> -1 - random.nextInt(16);
                    case 1 -> random.nextInt(17);
                    case 2 -> 512 * random.nextInt(9);
                    default -> random.nextInt(0x2000);
                };
                int flags = random.nextInt(8);
                int next = random.nextInt(10) == 0 ? random.nextInt(0x10000) : random.nextInt(8);
                putDesc(i, addr, len, flags, next);
            }
            // Header contents: mostly reads (so the image stays untouched), some writes, wild sectors.
            memory.write32(BUFFERS, random.nextInt(10) == 0 ? random.nextInt() : BlockRequest.T_IN);
            memory.write64(BUFFERS + 8, random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(70));
            int head = random.nextInt(20) == 0 ? random.nextInt(0x10000) : random.nextInt(count);
            int[] used = submit(head);
            assertThat(used[0]).isEqualTo(head);
            assertThat(block.broken()).isFalse();
        }
        // The device still does real work afterwards.
        assertThat(request(BlockRequest.T_IN, 5, BUFFERS + 0x1000, 512, true)).isEqualTo(VirtioBlock.S_OK);
        assertThat(memory.read(BUFFERS + 0x1000, 512)).containsOnly((byte) 6);
        long[] counters = block.counters();
        assertThat(counters[1]).as("most fuzzed requests fail").isGreaterThan(1000);
        // Fuzzed OUT requests could only come from random header words equal to 1; reads never modify the image.
        byte[] after = Files.readAllBytes(image);
        assertThat(after.length).isEqualTo(before.length);
    }

    @Test
    void aDriverIndexRunningAheadOfTheQueueMarksTheDeviceBrokenUntilReset() {
        memory.write16(avail() + 2, QSIZE + 5);
        io.out(IO_BASE + 0x10, 2, 0);
        assertThat(block.broken()).isTrue();
        io.out(IO_BASE + 0x12, 1, 0);
        assertThat(block.broken()).isFalse();
    }
}
