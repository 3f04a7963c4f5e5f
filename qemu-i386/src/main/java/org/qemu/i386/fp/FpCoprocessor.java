package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.X86Decoder;
import org.qemu.i386.translate.CoprocessorTranslator;

/** The floating-point and vector side of the x86 translator, found by the integer translator through ServiceLoader. */
public final class FpCoprocessor implements CoprocessorTranslator {
    @Override
    public X86Op translateX87(int opcode, X86Decoder decoder) {
        return X87Translator.translate(opcode, decoder);
    }

    @Override
    public X86Op translateSimd(int opcode, X86Decoder decoder) {
        return SseTranslator.translate(opcode, decoder);
    }
}
