package org.qemu.i386.fp;

import org.qemu.i386.decode.X86Decoder;
import org.qemu.i386.translate.Operand;

/**
 * The decoded ModRM operands of an SSE op class: the reg field (an XMM or general register)
 * and an XMM register or memory source. A plain value rather than a factory lambda: every
 * lambda expression costs a generated class at first use, which short-lived (forked) emulator
 * processes pay again and again.
 */
record XmmOperands(int destination, int sourceRegister, Operand.Memory sourceMemory) {
    static XmmOperands decode(X86Decoder d) {
        d.readModrm();
        int destination = d.reg();
        if (d.modrmIsRegister()) {
            return new XmmOperands(destination, d.rm(), null);
        }
        return new XmmOperands(destination, 0, (Operand.Memory) Operand.memory(32, d.decodeModrmMemory()));
    }
}
