package org.qemu.i386.translate;

import java.util.HexFormat;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;

/**
 * Hand-assembled 32-bit code on guest pages of their own, and a translator reading it: the
 * set-up the translator's tests share (each adds the CPU or translation cache it exercises).
 */
final class HandAssembledCode implements AutoCloseable {
    final GuestMemory memory = new GuestMemory(32);
    final X86Translator translator;

    /** Maps {@code length} bytes at {@code address} with {@code protection} ({@link GuestMemory#READ} ...). */
    HandAssembledCode(long address, long length, int protection) {
        memory.map(address, length, protection);
        translator = new X86Translator(memory);
    }

    /** Puts {@code hex} (the instruction bytes in hex) at {@code address}. */
    HandAssembledCode load(long address, String hex) {
        byte[] code = HexFormat.of().parseHex(hex);
        memory.load(address, code, 0, code.length);
        return this;
    }

    /** A fresh 32-bit block translated at {@code pc}. */
    X86Block translate(long pc) {
        return translator.translate(pc, X86Cpu.MODE_32);
    }

    @Override
    public void close() {
        memory.close();
    }
}
