package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.Operand;

/**
 * movaps/movapd/movdqa (aligned) and movups/movupd/movdqu loads and register copies, the most
 * frequent SSE instructions of all, as an op class of their own.
 */
final class XmmMove implements FpuOnlyOp, InlineXmmOp {
    private final boolean aligned;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    XmmMove(boolean aligned, XmmOperands operands) {
        this(aligned, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    XmmMove(boolean aligned, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.aligned = aligned;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public XmmForm xmmForm() {
        return XmmForm.of(XmmForm.MOVE, destination, sourceRegister, sourceMemory, aligned ? 1 : 0);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long[] x = cpu.state.xmm;
        int d = 2 * destination;
        if (sourceMemory == null) {
            x[d] = x[2 * sourceRegister];
            x[d + 1] = x[2 * sourceRegister + 1];
            return;
        }
        long a = sourceMemory.address(cpu);
        if (aligned && (a & 15) != 0) {
            throw X86Trap.generalProtection(0);
        }
        cpu.memory.read128(a, x, d);
    }
}
