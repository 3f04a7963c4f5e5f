package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.X86Decoder;

/** Decodes the MMX/SSE/SSE2 0F-map opcodes into ops over the XMM registers and the x87/MMX registers. */
final class SseTranslator {
    private SseTranslator() {
    }

    static X86Op translate(int opcode, X86Decoder d) {
        return null;
    }
}
