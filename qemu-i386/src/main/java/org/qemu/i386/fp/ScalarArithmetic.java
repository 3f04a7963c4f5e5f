package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.fp.SseFloat.Arithmetic;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.InlineXmmOp;
import org.qemu.i386.translate.XmmForm;
import org.qemu.i386.translate.Operand;

/**
 * addsd/subsd/mulsd/divsd/minsd/maxsd and their single-precision twins, the hottest SSE
 * instructions of compiled floating-point code. Each operation and precision is a class of its
 * own with a small {@code exec}: a translated block calls it directly (one receiver type per
 * call site), and HotSpot inlines it into the block. One shared {@code exec} with a switch over
 * the operations grew too big once compiled (over {@code InlineSmallCode}), and HotSpot then
 * refused to inline it anywhere.
 */
abstract class ScalarArithmetic implements FpuOnlyOp, InlineXmmOp {
    final int destination;
    final int sourceRegister;
    final Operand.Memory sourceMemory;

    ScalarArithmetic(int destination, int sourceRegister, Operand.Memory sourceMemory) {
        this.destination = destination;
        this.sourceRegister = sourceRegister;
        this.sourceMemory = sourceMemory;
    }

    /** The inline kind, or 0 for none (min/max stay calls). */
    abstract int inlineKind();

    @Override
    public XmmForm xmmForm() {
        int kind = inlineKind();
        return kind == 0 ? null : XmmForm.of(kind, destination, sourceRegister, sourceMemory);
    }

    static X86Op of(Arithmetic op, boolean isDouble, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        if (isDouble) {
            return switch (op) {
                case ADD -> new AddDouble(destination, sourceRegister, sourceMemory);
                case SUB -> new SubtractDouble(destination, sourceRegister, sourceMemory);
                case MUL -> new MultiplyDouble(destination, sourceRegister, sourceMemory);
                case DIV -> new DivideDouble(destination, sourceRegister, sourceMemory);
                default -> new MinMaxDouble(op, destination, sourceRegister, sourceMemory);
            };
        }
        return switch (op) {
            case ADD -> new AddFloat(destination, sourceRegister, sourceMemory);
            case SUB -> new SubtractFloat(destination, sourceRegister, sourceMemory);
            case MUL -> new MultiplyFloat(destination, sourceRegister, sourceMemory);
            case DIV -> new DivideFloat(destination, sourceRegister, sourceMemory);
            default -> new MinMaxFloat(op, destination, sourceRegister, sourceMemory);
        };
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

    final long sourceDouble(X86Cpu cpu, long[] x) {
        return sourceMemory == null ? x[2 * sourceRegister] : cpu.memory.read64(sourceMemory.address(cpu));
    }

    final int sourceFloat(X86Cpu cpu, long[] x) {
        return sourceMemory == null ? (int) x[2 * sourceRegister] : cpu.memory.read32(sourceMemory.address(cpu));
    }

    /** The exact general path (any MXCSR, special operands, flags, #XM). */
    static long generalDouble(X86Cpu cpu, Arithmetic op, long a, long b) {
        X86CpuState s = cpu.state;
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        long r = SseFloat.arithmeticDouble(c, op, a, b);
        SseTranslator.end(cpu, c);
        return r;
    }

    static long generalFloat(X86Cpu cpu, Arithmetic op, int a, int b) {
        X86CpuState s = cpu.state;
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        int r = SseFloat.arithmeticFloat(c, op, a, b);
        SseTranslator.end(cpu, c);
        return r & 0xffffffffL;
    }

    static long lowFloat(long quadword, long bits) {
        return (quadword & 0xffffffff00000000L) | bits;
    }

    static final class AddDouble extends ScalarArithmetic {
        AddDouble(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.ADD_DOUBLE;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            long b = sourceDouble(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.addDouble(cpu, x[d], b);
        }
    }

    static final class SubtractDouble extends ScalarArithmetic {
        SubtractDouble(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.SUB_DOUBLE;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            long b = sourceDouble(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.subtractDouble(cpu, x[d], b);
        }
    }

    static final class MultiplyDouble extends ScalarArithmetic {
        MultiplyDouble(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.MUL_DOUBLE;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            long b = sourceDouble(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.multiplyDouble(cpu, x[d], b);
        }
    }

    static final class DivideDouble extends ScalarArithmetic {
        DivideDouble(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.DIV_DOUBLE;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            long b = sourceDouble(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.divideDouble(cpu, x[d], b);
        }
    }

    static final class MinMaxDouble extends ScalarArithmetic {
        private final Arithmetic operation;
        private final int fastKind;

        MinMaxDouble(Arithmetic operation, int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
            this.operation = operation;
            this.fastKind = fastKind(operation);
        }

        @Override
        int inlineKind() {
            return 0;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            long b = sourceDouble(cpu, x);
            int d = 2 * destination;
            long r = SseFastPath.arithmeticDouble(cpu.state, fastKind, x[d], b);
            x[d] = r != SseFastPath.SLOW ? r : generalDouble(cpu, operation, x[d], b);
        }
    }

    static final class AddFloat extends ScalarArithmetic {
        AddFloat(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.ADD_FLOAT;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            int b = sourceFloat(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.addFloat(cpu, x[d], b);
        }
    }

    static final class SubtractFloat extends ScalarArithmetic {
        SubtractFloat(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.SUB_FLOAT;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            int b = sourceFloat(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.subtractFloat(cpu, x[d], b);
        }
    }

    static final class MultiplyFloat extends ScalarArithmetic {
        MultiplyFloat(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.MUL_FLOAT;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            int b = sourceFloat(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.multiplyFloat(cpu, x[d], b);
        }
    }

    static final class DivideFloat extends ScalarArithmetic {
        DivideFloat(int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
        }

        @Override
        int inlineKind() {
            return XmmForm.DIV_FLOAT;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            int b = sourceFloat(cpu, x);
            int d = 2 * destination;
            x[d] = SseInline.divideFloat(cpu, x[d], b);
        }
    }

    static final class MinMaxFloat extends ScalarArithmetic {
        private final Arithmetic operation;
        private final int fastKind;

        MinMaxFloat(Arithmetic operation, int destination, int sourceRegister, Operand.Memory sourceMemory) {
            super(destination, sourceRegister, sourceMemory);
            this.operation = operation;
            this.fastKind = fastKind(operation);
        }

        @Override
        int inlineKind() {
            return 0;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] x = cpu.state.xmm;
            int b = sourceFloat(cpu, x);
            int d = 2 * destination;
            long r = SseFastPath.arithmeticFloat(cpu.state, fastKind, (int) x[d], b);
            x[d] = lowFloat(x[d], r != SseFastPath.SLOW_FLOAT ? r : generalFloat(cpu, operation, (int) x[d], b));
        }
    }
}
