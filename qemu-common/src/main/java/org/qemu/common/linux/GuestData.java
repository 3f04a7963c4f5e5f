package org.qemu.common.linux;

import org.qemu.common.memory.GuestMemory;

/**
 * How one ABI stores integers in guest memory: word size (4 or 8 bytes) and byte order.
 * Struct marshalling goes through it so the same code serves i386, x86_64 and PowerPC.
 */
public record GuestData(GuestMemory memory, int wordSize, boolean bigEndian) {

    public long word(long address) {
        return wordSize == 8 ? u64(address) : u32(address);
    }

    public void putWord(long address, long value) {
        if (wordSize == 8) {
            put64(address, value);
        } else {
            put32(address, (int) value);
        }
    }

    public int u16(long address) {
        return bigEndian ? memory.read16be(address) : memory.read16(address);
    }

    public long u32(long address) {
        return (bigEndian ? memory.read32be(address) : memory.read32(address)) & 0xffffffffL;
    }

    public int s32(long address) {
        return bigEndian ? memory.read32be(address) : memory.read32(address);
    }

    public long u64(long address) {
        return bigEndian ? memory.read64be(address) : memory.read64(address);
    }

    public void put8(long address, int value) {
        memory.write8(address, value);
    }

    public void put16(long address, int value) {
        if (bigEndian) {
            memory.write16be(address, value);
        } else {
            memory.write16(address, value);
        }
    }

    public void put32(long address, int value) {
        if (bigEndian) {
            memory.write32be(address, value);
        } else {
            memory.write32(address, value);
        }
    }

    public void put64(long address, long value) {
        if (bigEndian) {
            memory.write64be(address, value);
        } else {
            memory.write64(address, value);
        }
    }

    /** Guest addresses are unsigned words; masks a register value to one. */
    public long address(long value) {
        return wordSize == 8 ? value : value & 0xffffffffL;
    }
}
