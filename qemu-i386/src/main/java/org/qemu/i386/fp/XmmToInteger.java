package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.XmmForm;

/** movd r/m32, xmm: the low dword of an XMM register to a general register or memory. */
final class XmmToInteger implements X86Op, InlineXmmOp {
    private final int source;
    private final Operand destination;

    XmmToInteger(int source, Operand destination) {
        this.source = source;
        this.destination = destination;
    }

    @Override
    public XmmForm xmmForm() {
        return new XmmForm(XmmForm.DWORD_OUT, 0, source, null, destination, 0);
    }

    @Override
    public void exec(X86Cpu cpu) {
        destination.setLong(cpu, cpu.state.xmm[2 * source]);
    }
}
