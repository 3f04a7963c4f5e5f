package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.Operand;

/** cvttsd2si/cvtsd2si/cvttss2si/cvtss2si to a 32-bit general register, or a 64-bit one (REX.W). */
final class ScalarToInteger implements X86Op, InlineXmmOp {
    private final boolean isDouble;
    private final boolean truncate;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;
    private final int bits;

    ScalarToInteger(boolean isDouble, boolean truncate, XmmOperands operands) {
        this(isDouble, truncate, operands, 32);
    }

    ScalarToInteger(boolean isDouble, boolean truncate, XmmOperands operands, int bits) {
        this(isDouble, truncate, operands.destination(), operands.sourceRegister(), operands.sourceMemory(), bits);
    }

    ScalarToInteger(boolean isDouble, boolean truncate, int destination, int sourceRegister,
            Operand.Memory sourceMemory) {
        this(isDouble, truncate, destination, sourceRegister, sourceMemory, 32);
    }

    ScalarToInteger(boolean isDouble, boolean truncate, int destination, int sourceRegister,
            Operand.Memory sourceMemory, int bits) {
        this.bits = bits;
        this.isDouble = isDouble;
        this.truncate = truncate;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public XmmForm xmmForm() {
        // a 64-bit destination is named as the integer operand (its width is what differs)
        return new XmmForm(isDouble ? XmmForm.DOUBLE_TO_INT : XmmForm.FLOAT_TO_INT, destination, sourceRegister, sourceMemory,
                bits == 64 ? Operand.register(64, destination) : null, truncate ? 1 : 0);
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        long r;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            r = bits == 64 ? SseInline.doubleToInt64(cpu, b, truncate) : SseFastPath.doubleToInt32(s, b, truncate);
            if (bits == 32 && r == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.doubleToInteger(c, b, bits, truncate);
                SseTranslator.end(cpu, c);
            }
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            r = bits == 64 ? SseInline.floatToInt64(cpu, b, truncate) : SseFastPath.floatToInt32(s, b, truncate);
            if (bits == 32 && r == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r = SseFloat.floatToInteger(c, b, bits, truncate);
                SseTranslator.end(cpu, c);
            }
        }
        if (bits == 64) {
            s.regs[destination] = r;
        } else {
            s.setReg32(destination, (int) r);
        }
    }
}
