package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.translate.Operand;

/** cvttsd2si/cvtsd2si/cvttss2si/cvtss2si to a 32-bit general register. */
final class ScalarToInteger implements X86Op {
    private final boolean isDouble;
    private final boolean truncate;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    ScalarToInteger(boolean isDouble, boolean truncate, XmmOperands operands) {
        this(isDouble, truncate, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    ScalarToInteger(boolean isDouble, boolean truncate, int destination, int sourceRegister,
            Operand.Memory sourceMemory) {
        this.isDouble = isDouble;
        this.truncate = truncate;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        long r;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            r = SseFastPath.doubleToInt32(s, b, truncate);
            if (r == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.doubleToInteger(c, b, 32, truncate);
                SseTranslator.end(cpu, c);
            }
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            r = SseFastPath.floatToInt32(s, b, truncate);
            if (r == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.floatToInteger(c, b, 32, truncate);
                SseTranslator.end(cpu, c);
            }
        }
        s.regs[destination] = (int) r;
    }
}
