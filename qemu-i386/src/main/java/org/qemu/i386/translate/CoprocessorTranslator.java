package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.X86Decoder;

/**
 * The hook through which the floating-point translator (package {@code org.qemu.i386.fp})
 * turns x87, MMX and SSE instructions into ops.
 * The decoder is positioned just after the opcode: the implementation reads ModRM
 * ({@link X86Decoder#readModrm()}, {@link X86Decoder#decodeModrmMemory()}) and immediates
 * itself and builds memory operands with {@link Operand#memory}. Returning null means
 * "not an instruction I implement": the guest gets SIGILL.
 */
public interface CoprocessorTranslator {
    /** x87 escape opcodes 0xD8-0xDF (and 0x9B fwait is handled as a no-op by the integer translator). */
    X86Op translateX87(int opcode, X86Decoder decoder);

    /**
     * 0x0F-map opcodes in the MMX/SSE ranges (numbered 0x100 + second byte, 0x200/0x300 for the
     * 0F38/0F3A maps); {@link X86Decoder#mandatoryPrefix()} tells 66/F3/F2 forms apart.
     * Includes 0F AE memory forms (fxsave, fxrstor, ldmxcsr, stmxcsr) and 0F 77 (emms).
     */
    X86Op translateSimd(int opcode, X86Decoder decoder);

    /** True for the 0x0F-map opcodes that {@link #translateSimd} receives. */
    static boolean isSimdOpcode(int opcode) {
        if (opcode >= 0x200) {
            return true;
        }
        int b = opcode & 0xff;
        return (b >= 0x10 && b <= 0x17) || (b >= 0x28 && b <= 0x2f) || (b >= 0x50 && b <= 0x7f)
                || (b >= 0xc2 && b <= 0xc6) || b >= 0xd0;
    }
}
