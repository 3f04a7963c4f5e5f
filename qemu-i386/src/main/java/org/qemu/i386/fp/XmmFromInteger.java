package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.XmmForm;

/**
 * A 32-bit general register or memory operand into an XMM register: movd xmm, r/m32 (zero-extended
 * into the whole register) and cvtsi2sd xmm, r/m32 (exact: every int32 is a binary64; the high
 * quadword stays); with REX.W the 64-bit forms movq xmm, r/m64 and cvtsi2sd xmm, r/m64 (rounded
 * by MXCSR when wider than 53 bits).
 */
final class XmmFromInteger implements FpuOnlyOp, InlineXmmOp {
    private final boolean convert;
    private final int destination;
    private final Operand source;

    XmmFromInteger(boolean convert, int destination, Operand source) {
        this.convert = convert;
        this.destination = destination;
        this.source = source;
    }

    @Override
    public XmmForm xmmForm() {
        return new XmmForm(convert ? XmmForm.INT_TO_DOUBLE : XmmForm.DWORD_IN, destination, 0, null, source, 0);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long[] x = cpu.state.xmm;
        if (convert) {
            x[2 * destination] = source.bits == 64 ? SseInline.int64ToDouble(cpu, source.getLong(cpu)) : SseFloat.int32ToDouble(source.get(cpu));
        } else {
            x[2 * destination] = source.getLong(cpu);
            x[2 * destination + 1] = 0;
        }
    }
}
