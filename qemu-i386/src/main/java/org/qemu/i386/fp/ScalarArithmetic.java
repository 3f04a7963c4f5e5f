package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.fp.SseFloat.Arithmetic;
import org.qemu.i386.translate.Operand;

/**
 * addsd/subsd/mulsd/divsd/minsd/maxsd and their single-precision twins, the hottest SSE
 * instructions of compiled floating-point code, as their own op class: a translated block then
 * calls this class directly (one receiver type per call site) and HotSpot inlines the whole
 * lane computation, instead of going through the shared lambda of the generic XMM helper.
 */
final class ScalarArithmetic implements X86Op {
    private final Arithmetic operation;
    private final boolean isDouble;
    private final int destination;
    private final int sourceRegister;
    private final Operand.Memory sourceMemory;
    private final int fastKind;

    ScalarArithmetic(Arithmetic operation, boolean isDouble, int destination, int sourceRegister,
            Operand.Memory sourceMemory) {
        this.operation = operation;
        this.isDouble = isDouble;
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
        this.fastKind = fastKind(operation);
    }

    static int fastKind(Arithmetic operation) {
        return switch (operation) {
            case ADD -> SseFastPath.ADD;
            case SUB -> SseFastPath.SUB;
            case MUL -> SseFastPath.MUL;
            case DIV -> SseFastPath.DIV;
            case MIN -> SseFastPath.MIN;
            case MAX -> SseFastPath.MAX;
        };
    }

    @Override
    public void exec(X86Cpu cpu) {
        X86CpuState s = cpu.state;
        long[] x = s.xmm;
        int d = 2 * destination;
        if (isDouble) {
            long b = sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
            long fast = SseFastPath.arithmeticDouble(s, fastKind, x[d], b);
            if (fast != SseFastPath.SLOW) {
                x[d] = fast;
                return;
            }
            FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
            long r = SseFloat.arithmeticDouble(c, operation, x[d], b);
            SseTranslator.end(cpu, c);
            x[d] = r;
        } else {
            int b = sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
            long fast = SseFastPath.arithmeticFloat(s, fastKind, (int) x[d], b);
            if (fast != SseFastPath.SLOW_FLOAT) {
                x[d] = (x[d] & 0xffffffff00000000L) | fast;
                return;
            }
            FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
            int r = SseFloat.arithmeticFloat(c, operation, (int) x[d], b);
            SseTranslator.end(cpu, c);
            x[d] = (x[d] & 0xffffffff00000000L) | (r & 0xffffffffL);
        }
    }
}
