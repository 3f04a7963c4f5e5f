package org.qemu.common.board;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.qemu.common.hw.PhysicalMemory;

/**
 * Linux bzImage through the 64-bit or the 32-bit boot protocol (Documentation/arch/x86/boot.rst):
 * the protected-mode kernel at 1 MiB, a zero page with the copied setup header, E820 map,
 * command line and initrd, then entry at load address + 0x200 in long mode with RSI = zero page
 * (64-bit), or at code32_start (the load address) in flat 32-bit protected mode with paging off
 * and ESI = zero page (32-bit: what an i386 kernel without its real-mode setup needs).
 */
public final class LinuxLoader {
    private static final int SETUP_HEADER = 0x1f1;
    private static final int HDRS_MAGIC = 0x53726448; // "HdrS"
    private static final int MIN_VERSION_64 = 0x020c;
    /** 2.02: the command line pointer in the header; the 32-bit entry needs no more. */
    private static final int MIN_VERSION_32 = 0x0202;
    private static final int LOADED_HIGH = 0x01;
    private static final int CAN_USE_HEAP = 0x80;
    private static final int XLF_KERNEL_64 = 0x01;
    private static final long KERNEL_ADDRESS = PcMemoryMap.HIGH_MEMORY;
    private static final int E820_MAX = 128;

    private LinuxLoader() {
    }

    public static boolean isBzImage(byte[] image) {
        return image.length > 0x210 && ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(0x202) == HDRS_MAGIC;
    }

    /** The boot protocol version in the header, e.g. 0x020f. */
    public static int protocolVersion(byte[] image) {
        return Short.toUnsignedInt(ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getShort(0x206));
    }

    /** The kernel's version string (from the header's kernel_version pointer), or "" if absent. */
    public static String kernelVersion(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int pointer = Short.toUnsignedInt(b.getShort(0x20e));
        int at = pointer + 0x200;
        if (pointer == 0 || at >= image.length) {
            return "";
        }
        int end = at;
        while (end < image.length && image[end] != 0 && end - at < 256) {
            end++;
        }
        return new String(image, at, end - at, StandardCharsets.US_ASCII);
    }

    /** The 64-bit boot protocol (what qemu-kvm's x86_64 guests use). */
    public static BootState load(byte[] image, byte[] initrd, String cmdline, PhysicalMemory memory) throws BootException {
        return load(image, initrd, cmdline, memory, false);
    }

    /** The 32-bit boot protocol: entry at code32_start with ESI = the zero page, flat segments 0x10/0x18, paging off. */
    public static BootState load32(byte[] image, byte[] initrd, String cmdline, PhysicalMemory memory) throws BootException {
        return load(image, initrd, cmdline, memory, true);
    }

    private static BootState load(byte[] image, byte[] initrd, String cmdline, PhysicalMemory memory, boolean entry32) throws BootException {
        if (!isBzImage(image)) {
            throw new BootException("not a Linux bzImage (no HdrS signature at 0x202)");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int version = protocolVersion(image);
        int setupSectors = Byte.toUnsignedInt(image[SETUP_HEADER]);
        if (setupSectors == 0) {
            setupSectors = 4;
        }
        int loadflags = Byte.toUnsignedInt(image[0x211]);
        if (entry32 && version < MIN_VERSION_32) {
            throw new BootException(String.format("kernel boot protocol %d.%02d is too old (2.02 or later needed)",
                    version >> 8, version & 0xff));
        }
        if (!entry32 && (version < MIN_VERSION_64 || (Short.toUnsignedInt(b.getShort(0x236)) & XLF_KERNEL_64) == 0)) {
            throw new BootException(String.format("kernel boot protocol %d.%02d has no 64-bit entry point (2.12 or later needed)",
                    version >> 8, version & 0xff));
        }
        if ((loadflags & LOADED_HIGH) == 0) {
            throw new BootException("kernel is a zImage, not a bzImage");
        }
        long kernelOffset = (setupSectors + 1L) * 512;
        if (kernelOffset >= image.length) {
            throw new BootException("kernel image is truncated (setup is " + kernelOffset + " bytes, file " + image.length + ")");
        }
        long kernelSize = image.length - kernelOffset;
        long initSize = Integer.toUnsignedLong(b.getInt(0x260));
        // A relocatable kernel decompresses from anywhere; a fixed one must sit at its preferred address.
        boolean relocatable = image[0x234] != 0;
        long loadAddress = relocatable ? KERNEL_ADDRESS : b.getLong(0x258);
        long kernelEnd = loadAddress + Math.max(kernelSize, initSize);
        if (loadAddress < KERNEL_ADDRESS || !memory.contains(loadAddress, kernelEnd - loadAddress)) {
            throw new BootException("kernel needs " + ((kernelEnd >> 20) + 1) + " MiB of guest RAM to decompress; give more with -m");
        }
        memory.write(loadAddress, Arrays.copyOfRange(image, (int) kernelOffset, image.length));

        // The zero page: everything 0 except the copied setup header and what we fill in.
        long zeroPage = PcMemoryMap.BOOT_PARAMS;
        memory.slice(zeroPage, 0x1000).fill((byte) 0);
        int headerEnd = 0x202 + Byte.toUnsignedInt(image[0x201]);
        memory.write(zeroPage + SETUP_HEADER, Arrays.copyOfRange(image, SETUP_HEADER, Math.min(headerEnd, image.length)));
        memory.write16(zeroPage + 0x1fa, 0xffff);                          // vid_mode: normal
        memory.write8(zeroPage + 0x210, 0xff);                             // type_of_loader: undefined
        memory.write8(zeroPage + 0x211, loadflags | CAN_USE_HEAP);
        memory.write16(zeroPage + 0x224, 0xfe00);                          // heap_end_ptr
        long maxCmdline = Integer.toUnsignedLong(b.getInt(0x238));
        byte[] cmd = cmdline.getBytes(StandardCharsets.UTF_8);
        if (cmd.length > Math.min(maxCmdline, PcMemoryMap.CMDLINE_MAX - 1)) {
            throw new BootException("kernel command line is " + cmd.length + " bytes; the kernel accepts " + maxCmdline);
        }
        memory.write(PcMemoryMap.CMDLINE, Arrays.copyOf(cmd, cmd.length + 1));
        memory.write32(zeroPage + 0x228, (int) PcMemoryMap.CMDLINE);
        if (initrd != null && initrd.length > 0) {
            long limit = Math.min(memory.below4gSize(), Integer.toUnsignedLong(b.getInt(0x22c)) + 1);
            long address = (limit - initrd.length) & ~0xfffL;
            if (address < kernelEnd) {
                throw new BootException("initrd (" + (initrd.length >> 10) + " KiB) does not fit in guest RAM above the kernel; give more with -m");
            }
            memory.write(address, initrd);
            memory.write32(zeroPage + 0x218, (int) address);
            memory.write32(zeroPage + 0x21c, initrd.length);
        }
        List<PcMemoryMap.E820Entry> map = PcMemoryMap.e820(new PcMemoryMap.RamLayout(memory.below4gSize(), memory.above4gSize()));
        memory.write8(zeroPage + 0x1e8, Math.min(map.size(), E820_MAX));
        for (int i = 0; i < map.size(); i++) {
            long e = zeroPage + 0x2d0 + 20L * i;
            memory.write64(e, map.get(i).address());
            memory.write64(e + 8, map.get(i).length());
            memory.write32(e + 16, map.get(i).type());
        }
        memory.write32(zeroPage + 0x214, (int) loadAddress);                // code32_start: where it was loaded
        if (entry32) {
            return new BootState(BootState.Mode.LINUX_32, loadAddress, 0, 0, zeroPage, 0);
        }
        return new BootState(BootState.Mode.LONG_64, loadAddress + 0x200, 0, 0, zeroPage, 0);
    }
}
