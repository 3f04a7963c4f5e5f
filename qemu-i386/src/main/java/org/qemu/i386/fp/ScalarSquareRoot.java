package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.Operand;

/** sqrtsd/sqrtss as their own op class (one receiver type per call site, see {@link ScalarArithmetic}). */
final class ScalarSquareRoot implements FpuOnlyOp, InlineXmmOp {
    private final boolean isDouble;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    ScalarSquareRoot(boolean isDouble, XmmOperands operands) {
        this(isDouble, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    ScalarSquareRoot(boolean isDouble, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.isDouble = isDouble;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public XmmForm xmmForm() {
        return isDouble ? XmmForm.of(XmmForm.SQRT_DOUBLE, destination, sourceRegister, sourceMemory) : null;
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        int d = 2 * destination;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            x[d] = SseInline.sqrtDouble(cpu, b);
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            long r = SseFastPath.sqrtFloat(s, b);
            if (r == SseFastPath.SLOW_FLOAT) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.sqrtFloat(c, b) & 0xffffffffL;
                SseTranslator.end(cpu, c);
            }
            x[d] = (x[d] & 0xffffffff00000000L) | r;
        }
    }
}
