package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.XmmForm;

/**
 * movsd/movss/movq (F3 0F 7E) into an XMM register: from memory the element is loaded and the
 * rest of the register zeroed; from a register movsd/movss replace only the low element, while
 * movq also zeroes the high quadword.
 */
final class XmmScalarLoad implements FpuOnlyOp, InlineXmmOp {
    private final boolean isDouble;
    private final boolean zeroHigh;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    XmmScalarLoad(boolean isDouble, boolean zeroHigh, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.isDouble = isDouble;
        this.zeroHigh = zeroHigh;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public XmmForm xmmForm() {
        int kind = !isDouble ? XmmForm.LOAD_SINGLE : sourceMemory != null || zeroHigh ? XmmForm.LOAD_LOW_ZERO : XmmForm.MOVE_LOW;
        return XmmForm.of(kind, destination, sourceRegister, sourceMemory);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long[] x = cpu.state.xmm;
        int d = 2 * destination;
        if (sourceMemory != null) {
            long a = sourceMemory.address(cpu);
            x[d] = isDouble ? cpu.memory.read64(a) : cpu.memory.read32(a) & 0xffffffffL;
            x[d + 1] = 0;
        } else if (!isDouble) {
            x[d] = (x[d] & 0xffffffff00000000L) | (x[2 * sourceRegister] & 0xffffffffL);
        } else {
            x[d] = x[2 * sourceRegister];
            if (zeroHigh) {
                x[d + 1] = 0;
            }
        }
    }
}
