package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.Operand;

/** movsd/movss to memory: the store of nearly every scalar SSE computation, as an op class of its own. */
final class ScalarStore implements FpuOnlyOp, InlineXmmOp {
    private final boolean isDouble;
    private final int source;
    private final Operand.Memory destination;

    ScalarStore(boolean isDouble, int source, Operand.Memory destination) {
        this.isDouble = isDouble;
        this.source = source;
        this.destination = destination;
    }

    @Override
    public XmmForm xmmForm() {
        return XmmForm.of(isDouble ? XmmForm.STORE_LOW : XmmForm.STORE_SINGLE, 0, source, destination);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long a = destination.address(cpu);
        long value = cpu.state.xmm[2 * source];
        if (isDouble) {
            cpu.memory.write64(a, value);
        } else {
            cpu.memory.write32(a, (int) value);
        }
    }
}
