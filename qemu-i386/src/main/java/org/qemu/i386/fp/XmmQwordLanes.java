package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.XmmForm;

/**
 * The SSE2 instructions that work on two independent 64-bit lanes, which is how 32-bit code
 * does 64-bit integer arithmetic (a xorshift generator compiles to psllq/psrlq/pxor): paddq,
 * psubq (xmm or aligned m128 source) and psllq/psrlq by an immediate count.
 */
final class XmmQwordLanes implements FpuOnlyOp, InlineXmmOp {
    /** One of XmmForm's ADD_QWORDS, SUB_QWORDS, SHIFT_LEFT_QWORDS, SHIFT_RIGHT_QWORDS. */
    private final int kind;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;
    private final int count;

    private XmmQwordLanes(int kind, int destination, int sourceRegister, Operand.Memory sourceMemory, int count) {
        this.kind = kind;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
        this.count = count;
    }

    static XmmQwordLanes arithmetic(boolean add, XmmOperands operands) {
        return new XmmQwordLanes(add ? XmmForm.ADD_QWORDS : XmmForm.SUB_QWORDS, operands.destination(), operands.sourceRegister(),
                operands.sourceMemory(), 0);
    }

    static XmmQwordLanes shift(boolean left, int register, int count) {
        return new XmmQwordLanes(left ? XmmForm.SHIFT_LEFT_QWORDS : XmmForm.SHIFT_RIGHT_QWORDS, register, 0, null, count);
    }

    @Override
    public XmmForm xmmForm() {
        return XmmForm.of(kind, destination, sourceRegister, sourceMemory, count);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long[] x = cpu.state.xmm;
        int d = 2 * destination;
        switch (kind) {
            case XmmForm.SHIFT_LEFT_QWORDS -> {
                x[d] = count > 63 ? 0 : x[d] << count;
                x[d + 1] = count > 63 ? 0 : x[d + 1] << count;
            }
            case XmmForm.SHIFT_RIGHT_QWORDS -> {
                x[d] = count > 63 ? 0 : x[d] >>> count;
                x[d + 1] = count > 63 ? 0 : x[d + 1] >>> count;
            }
            default -> {
                long lo;
                long hi;
                if (sourceMemory == null) {
                    lo = x[2 * sourceRegister];
                    hi = x[2 * sourceRegister + 1];
                } else {
                    long a = sourceMemory.address(cpu);
                    SseInline.requireAligned(a);
                    lo = cpu.memory.read64(a);
                    hi = cpu.memory.read64(a + 8);
                }
                boolean add = kind == XmmForm.ADD_QWORDS;
                x[d] = add ? x[d] + lo : x[d] - lo;
                x[d + 1] = add ? x[d + 1] + hi : x[d + 1] - hi;
            }
        }
    }
}
