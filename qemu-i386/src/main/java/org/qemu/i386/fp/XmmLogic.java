package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.Operand;

/**
 * The 128-bit bitwise operations (pand/pandn/por/pxor and their ps/pd twins): compiled code
 * uses them to zero registers and to take absolute values and negate, so they get an op class
 * of their own instead of the generic XMM helper's shared (megamorphic) call.
 */
final class XmmLogic implements FpuOnlyOp, InlineXmmOp {
    static final int AND = 0, AND_NOT = 1, OR = 2, XOR = 3;

    private final int kind;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    XmmLogic(int kind, XmmOperands operands) {
        this(kind, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    XmmLogic(int kind, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.kind = kind;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public XmmForm xmmForm() {
        int inline = switch (kind) {
            case AND -> XmmForm.AND;
            case AND_NOT -> XmmForm.AND_NOT;
            case OR -> XmmForm.OR;
            default -> XmmForm.XOR;
        };
        return XmmForm.of(inline, destination, sourceRegister, sourceMemory);
    }

    @Override
    public void exec(X86Cpu cpu) {
        long[] x = cpu.state.xmm;
        long lo;
        long hi;
        if (sourceMemory == null) {
            lo = x[2 * sourceRegister];
            hi = x[2 * sourceRegister + 1];
        } else {
            long a = sourceMemory.address(cpu);
            if ((a & 15) != 0) {
                throw X86Trap.generalProtection(0);
            }
            lo = cpu.memory.read64(a);
            hi = cpu.memory.read64(a + 8);
        }
        int d = 2 * destination;
        switch (kind) {
            case AND -> {
                x[d] &= lo;
                x[d + 1] &= hi;
            }
            case AND_NOT -> {
                x[d] = ~x[d] & lo;
                x[d + 1] = ~x[d + 1] & hi;
            }
            case OR -> {
                x[d] |= lo;
                x[d + 1] |= hi;
            }
            default -> {
                x[d] ^= lo;
                x[d + 1] ^= hi;
            }
        }
    }
}
