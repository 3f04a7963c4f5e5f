package org.qemu.common.board;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.qemu.common.hw.PhysicalMemory;

/**
 * Multiboot (version 1) ELF32 kernels: PT_LOAD segments at their physical addresses, an info
 * structure with memory sizes, the command line and the E820 map, and the handshake registers.
 * Like Debian's QEMU, only ELFCLASS32 images are taken; the a.out kludge is not supported.
 */
public final class MultibootLoader {
    public static final int HEADER_MAGIC = 0x1badb002;
    public static final int BOOTLOADER_MAGIC = 0x2badb002;
    private static final int SEARCH_LIMIT = 8192;
    private static final int FLAG_AOUT_KLUDGE = 1 << 16;
    private static final int INFO_MEMORY = 1 << 0;
    private static final int INFO_CMDLINE = 1 << 2;
    private static final int INFO_MEMORY_MAP = 1 << 6;
    private static final int INFO_LOADER_NAME = 1 << 9;
    private static final int PT_LOAD = 1;

    private MultibootLoader() {
    }

    /** True when the image carries a multiboot header in its first 8 KiB. */
    public static boolean isMultiboot(byte[] image) {
        return headerOffset(image) >= 0;
    }

    private static int headerOffset(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off + 12 <= Math.min(image.length, SEARCH_LIMIT); off += 4) {
            if (b.getInt(off) == HEADER_MAGIC && b.getInt(off) + b.getInt(off + 4) + b.getInt(off + 8) == 0) {
                return off;
            }
        }
        return -1;
    }

    public static BootState load(byte[] image, String cmdline, PhysicalMemory memory) throws BootException {
        int header = headerOffset(image);
        if (header < 0) {
            throw new BootException("no multiboot header in the first 8 KiB");
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 52 || b.getInt(0) != 0x464c457f) {
            if ((b.getInt(header + 4) & FLAG_AOUT_KLUDGE) != 0) {
                throw new BootException("multiboot a.out-kludge kernels are not supported (ELF only)");
            }
            throw new BootException("multiboot kernel is not an ELF file");
        }
        if (image[4] != 1) {
            throw new BootException("Cannot load x86-64 image, give a 32bit one.");
        }
        if (image[5] != 1 || b.getShort(18) != 3) {
            throw new BootException("multiboot kernel is not a little-endian i386 ELF");
        }
        long entry = Integer.toUnsignedLong(b.getInt(24));
        long phoff = Integer.toUnsignedLong(b.getInt(28));
        int phentsize = Short.toUnsignedInt(b.getShort(42));
        int phnum = Short.toUnsignedInt(b.getShort(44));
        if (phentsize < 32 || phoff + (long) phentsize * phnum > image.length) {
            throw new BootException("multiboot kernel has a truncated program header table");
        }
        long end = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = (int) (phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = Integer.toUnsignedLong(b.getInt(ph + 4));
            long paddr = Integer.toUnsignedLong(b.getInt(ph + 12));
            long filesz = Integer.toUnsignedLong(b.getInt(ph + 16));
            long memsz = Integer.toUnsignedLong(b.getInt(ph + 20));
            if (filesz > memsz || offset + filesz > image.length) {
                throw new BootException("multiboot kernel segment " + i + " lies outside the file");
            }
            if (paddr < PcMemoryMap.HIGH_MEMORY || !memory.contains(paddr, memsz)) {
                throw new BootException(String.format("multiboot kernel segment at 0x%x+0x%x does not fit in guest RAM", paddr, memsz));
            }
            memory.slice(paddr, memsz).fill((byte) 0);
            memory.write(paddr, java.util.Arrays.copyOfRange(image, (int) offset, (int) (offset + filesz)));
            end = Math.max(end, paddr + memsz);
        }
        if (end == 0) {
            throw new BootException("multiboot kernel has no loadable segment");
        }
        long info = writeInfo(cmdline, memory);
        return new BootState(BootState.Mode.PROTECTED_32, entry, BOOTLOADER_MAGIC, info, 0, 0);
    }

    private static long writeInfo(String cmdline, PhysicalMemory memory) {
        long info = PcMemoryMap.MULTIBOOT_INFO;
        long strings = info + 0x100;
        long mmap = info + 0x200;
        memory.slice(info, 0x1000).fill((byte) 0);
        byte[] cmd = (cmdline + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] name = "qemu-kvm (Java)\0".getBytes(StandardCharsets.US_ASCII);
        memory.write(strings, name);
        long cmdAddress = PcMemoryMap.CMDLINE;
        memory.write(cmdAddress, java.util.Arrays.copyOf(cmd, Math.min(cmd.length, PcMemoryMap.CMDLINE_MAX)));
        long mmapLength = 0;
        for (PcMemoryMap.E820Entry e : PcMemoryMap.e820(new PcMemoryMap.RamLayout(memory.below4gSize(), memory.above4gSize()))) {
            memory.write32(mmap + mmapLength, 20);
            memory.write64(mmap + mmapLength + 4, e.address());
            memory.write64(mmap + mmapLength + 12, e.length());
            memory.write32(mmap + mmapLength + 20, e.type());
            mmapLength += 24;
        }
        memory.write32(info, INFO_MEMORY | INFO_CMDLINE | INFO_MEMORY_MAP | INFO_LOADER_NAME);
        memory.write32(info + 4, (int) (PcMemoryMap.EBDA >> 10));
        memory.write32(info + 8, (int) Math.min(0xffffffffL, (memory.below4gSize() - PcMemoryMap.HIGH_MEMORY) >> 10));
        memory.write32(info + 16, (int) cmdAddress);
        memory.write32(info + 44, (int) mmapLength);
        memory.write32(info + 48, (int) mmap);
        memory.write32(info + 64, (int) strings);
        return info;
    }
}
