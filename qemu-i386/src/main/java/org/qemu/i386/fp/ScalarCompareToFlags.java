package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.translate.ComparisonToFlagsOp;
import org.qemu.i386.translate.Operand;

/**
 * comisd/ucomisd/comiss/ucomiss, which compiled code runs before nearly every floating-point
 * branch: ordinary operands compare with Java's own comparison and raise nothing.
 */
final class ScalarCompareToFlags implements ComparisonToFlagsOp {
    private final boolean isDouble;
    private final boolean signaling;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    ScalarCompareToFlags(boolean isDouble, boolean signaling, XmmOperands operands) {
        this(isDouble, signaling, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    ScalarCompareToFlags(boolean isDouble, boolean signaling, int destination, int sourceRegister,
            Operand.Memory sourceMemory) {
        this.isDouble = isDouble;
        this.signaling = signaling;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public int compareToFlags(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        int flags;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            flags = SseFastPath.compareDoubleToFlags(x[2 * destination], b);
            if (flags < 0) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                flags = SseFloat.compareDoubleToFlags(c, x[2 * destination], b, signaling);
                SseTranslator.end(cpu, c);
            }
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            flags = SseFastPath.compareFloatToFlags((int) x[2 * destination], b);
            if (flags < 0) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                flags = SseFloat.compareFloatToFlags(c, (int) x[2 * destination], b, signaling);
                SseTranslator.end(cpu, c);
            }
        }
        return flags;
    }
}
