package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.Operand;

/** cvtss2sd ({@code widen}) and cvtsd2ss on the low element. */
final class ScalarPrecisionConversion implements FpuOnlyOp {
    private final boolean widen;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    ScalarPrecisionConversion(boolean widen, XmmOperands operands) {
        this(widen, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    ScalarPrecisionConversion(boolean widen, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.widen = widen;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        int d = 2 * destination;
        if (widen) {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            long r = SseFastPath.floatToDouble(b);
            if (r == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.floatToDouble(c, b);
                SseTranslator.end(cpu, c);
            }
            x[d] = r;
        } else {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            long r = SseFastPath.doubleToFloat(s, b);
            if (r == SseFastPath.SLOW_FLOAT) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.doubleToFloat(c, b) & 0xffffffffL;
                SseTranslator.end(cpu, c);
            }
            x[d] = (x[d] & 0xffffffff00000000L) | r;
        }
    }
}
