package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.X86Decoder;

/**
 * System mode's share of translation: port I/O, interrupt flag and hlt, control and descriptor
 * table registers, far transfers, iret, int n, MSRs. User mode has none installed, so those
 * instructions stay #GP there. Installed by a machine (org.qemu.i386.system).
 */
public interface SystemTranslator {
    /**
     * The op for the instruction whose prefixes and opcode the decoder has just read ({@code opcode}:
     * the one-byte opcode, or 0x100 | second byte for the 0x0F map), or null — having consumed
     * nothing more — when the instruction is not a system instruction. {@code privilegeLevel} is
     * the CPL the block is translated for (blocks are keyed by it), so an instruction reserved to
     * CPL 0 can be translated as #GP(0) at CPL 3.
     */
    X86Op translate(int opcode, X86Decoder decoder, int operandBits, int privilegeLevel);

    /**
     * As {@link #translate}, asked first in 64-bit code, for the instructions whose system meaning
     * replaces user mode's there (iretq, int n through 64-bit gates, popf with IF, syscall,
     * sysret, swapgs, 64-bit control and descriptor table registers); null otherwise.
     */
    default X86Op translateLongMode(int opcode, X86Decoder decoder, int operandBits, int privilegeLevel) {
        return null;
    }
}
