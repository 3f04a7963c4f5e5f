package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.ComparisonToFlagsOp;
import org.qemu.i386.translate.Operand;

/**
 * comisd/ucomisd/comiss/ucomiss, which compiled code runs before nearly every floating-point
 * branch: ordinary operands compare with Java's own comparison and raise nothing.
 */
final class ScalarCompareToFlags implements ComparisonToFlagsOp, InlineXmmOp {
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
    public XmmForm xmmForm() {
        return XmmForm.of(isDouble ? XmmForm.COMPARE_DOUBLE : XmmForm.COMPARE_FLOAT, destination, sourceRegister, sourceMemory,
                signaling ? 1 : 0);
    }

    @Override
    public int compareToFlags(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        int flags;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            flags = SseInline.compareDouble(cpu, x[2 * destination], b, signaling);
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            flags = SseInline.compareFloat(cpu, (int) x[2 * destination], b, signaling);
        }
        return flags;
    }
}
