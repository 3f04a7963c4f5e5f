package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.fp.SseFloat.Arithmetic;
import org.qemu.i386.translate.Operand;

/**
 * addpd/subpd/mulpd/divpd/minpd/maxpd and the ps forms (what the vectorizer emits), lane by lane
 * through {@link SseFastPath}; if any lane needs the general path the whole instruction runs
 * there (the fast lanes can only have set the sticky precision flag, which the general path
 * sets too, and in the default mode nothing traps).
 */
final class PackedArithmetic implements FpuOnlyOp {
    private final Arithmetic operation;
    private final int fastKind;
    private final boolean isDouble;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;

    PackedArithmetic(Arithmetic operation, boolean isDouble, XmmOperands operands) {
        this(operation, isDouble, operands.destination(), operands.sourceRegister(), operands.sourceMemory());
    }

    PackedArithmetic(Arithmetic operation, boolean isDouble, int destination, int sourceRegister,
            Operand.Memory sourceMemory) {
        this.operation = operation;
        this.fastKind = ScalarArithmetic.fastKind(operation);
        this.isDouble = isDouble;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
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
        if (isDouble) {
            long r0 = SseFastPath.arithmeticDouble(s, fastKind, x[d], lo);
            long r1 = SseFastPath.arithmeticDouble(s, fastKind, x[d + 1], hi);
            if (r0 == SseFastPath.SLOW || r1 == SseFastPath.SLOW) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r0 = SseFloat.arithmeticDouble(c, operation, x[d], lo);
                r1 = SseFloat.arithmeticDouble(c, operation, x[d + 1], hi);
                SseTranslator.end(cpu, c);
            }
            x[d] = r0;
            x[d + 1] = r1;
        } else {
            long a0 = x[d];
            long a1 = x[d + 1];
            long r0 = SseFastPath.arithmeticFloat(s, fastKind, (int) a0, (int) lo);
            long r1 = SseFastPath.arithmeticFloat(s, fastKind, (int) (a0 >>> 32), (int) (lo >>> 32));
            long r2 = SseFastPath.arithmeticFloat(s, fastKind, (int) a1, (int) hi);
            long r3 = SseFastPath.arithmeticFloat(s, fastKind, (int) (a1 >>> 32), (int) (hi >>> 32));
            if (r0 == SseFastPath.SLOW_FLOAT || r1 == SseFastPath.SLOW_FLOAT || r2 == SseFastPath.SLOW_FLOAT
                    || r3 == SseFastPath.SLOW_FLOAT) {
                FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
                r0 = SseFloat.arithmeticFloat(c, operation, (int) a0, (int) lo) & 0xffffffffL;
                r1 = SseFloat.arithmeticFloat(c, operation, (int) (a0 >>> 32), (int) (lo >>> 32)) & 0xffffffffL;
                r2 = SseFloat.arithmeticFloat(c, operation, (int) a1, (int) hi) & 0xffffffffL;
                r3 = SseFloat.arithmeticFloat(c, operation, (int) (a1 >>> 32), (int) (hi >>> 32)) & 0xffffffffL;
                SseTranslator.end(cpu, c);
            }
            x[d] = r0 | r1 << 32;
            x[d + 1] = r2 | r3 << 32;
        }
    }
}
