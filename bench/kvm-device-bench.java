// Device-model cost without KVM: what the VMM spends in Java per exit, for port I/O to the
// UART and per virtio-blk request (4 KiB reads from a page-cached image through the legacy
// virtio-pci transport). Run after a build:
//   java -cp 'target/lib/*' bench/kvm-device-bench.java [seconds]
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.legacy.Serial16550;
import org.qemu.common.hw.pci.PciHostBridge;
import org.qemu.common.hw.virtio.VirtioPciLegacy;
import org.qemu.common.hw.virtio.block.FileBlockBackend;
import org.qemu.common.hw.virtio.block.VirtioBlock;

public class KvmDeviceBench {
    static final int IO = 0xc000;
    static final long RING = 0x10000;
    static final int Q = 256;

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2;
        IoPortBus io = new IoPortBus();
        io.register(0x3f8, 8, new Serial16550(OutputStream.nullOutputStream(), level -> { }));
        report("UART THR writes (port-I/O dispatch)", seconds, () -> io.out(0x3f8, 1, 'x'));
        report("UART LSR reads", seconds, () -> io.in(0x3fd, 1));

        Path image = Files.createTempFile("kvm-bench", ".img");
        Files.write(image, new byte[16 << 20]);
        try (Arena arena = Arena.ofConfined()) {
            PhysicalMemory mem = new PhysicalMemory(arena.allocate(8 << 20, 4096));
            PciHostBridge pci = new PciHostBridge(io);
            io.register(0xcf8, 8, pci);
            VirtioBlock blk = new VirtioBlock(mem, new FileBlockBackend(image, false), "bench");
            VirtioPciLegacy t = new VirtioPciLegacy(blk, mem, level -> { }, VirtioBlock.PCI_CLASS);
            pci.plug(t);
            t.assignIoBar(0, IO);
            io.out(IO + 0x12, 1, 3);
            io.out(IO + 0x08, 4, (int) (RING >> 12));
            io.out(IO + 0x12, 1, 7);
            long desc = RING, avail = RING + 16L * Q, used = (avail + 6 + 2L * Q + 4095) & ~4095L;
            long hdr = 0x100000, data = 0x101000, status = 0x100010;
            mem.write64(desc, hdr); mem.write32(desc + 8, 16); mem.write16(desc + 12, 1); mem.write16(desc + 14, 1);
            mem.write64(desc + 16, data); mem.write32(desc + 24, 4096); mem.write16(desc + 28, 3); mem.write16(desc + 30, 2);
            mem.write64(desc + 32, status); mem.write32(desc + 40, 1); mem.write16(desc + 44, 2);
            int[] idx = {0};
            long[] sector = {0};
            report("virtio-blk 4 KiB reads (kick to used)", seconds, () -> {
                mem.write32(hdr, 0);
                mem.write64(hdr + 8, sector[0]);
                sector[0] = (sector[0] + 8) % ((16 << 20) / 512 - 8);
                mem.write16(avail + 4 + 2L * (idx[0] % Q), 0);
                idx[0] = (idx[0] + 1) & 0xffff;
                mem.write16(avail + 2, idx[0]);
                io.out(IO + 0x10, 2, 0);
                io.in(IO + 0x13, 1);
                if (mem.read8(status) != 0 || mem.read16(used + 2) != idx[0]) {
                    throw new IllegalStateException("request failed");
                }
            });
        } finally {
            Files.delete(image);
        }
    }

    static void report(String what, double seconds, Runnable op) {
        for (int i = 0; i < 200_000; i++) {
            op.run(); // warm-up: let HotSpot compile the path
        }
        long n = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 1000; i++) {
                op.run();
            }
            n += 1000;
            now = System.nanoTime();
        } while (now < end);
        double s = (now - start) / 1e9;
        System.out.printf("%-40s %12.0f /s  %8.0f ns each%n", what, n / s, s * 1e9 / n);
    }
}
