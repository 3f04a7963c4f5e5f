package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** add/or/adc/sbb/and/sub/xor/cmp/test, inc/dec/neg/not: the flag-setting ALU. */
final class ArithmeticOps {
    static final int ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7, TEST = 8;

    private ArithmeticOps() {
    }

    /** The binary ALU group: {@code dst = dst op src}, cmp and test only set flags. */
    static final class Binary extends X86OpBase {
        final int kind;
        final int bits;
        final Operand dst;
        final Operand src;

        Binary(int kind, Operand dst, Operand src) {
            this.kind = kind;
            this.bits = dst.bits;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            int a = dst.get(cpu);
            int b = src.get(cpu);
            int res;
            switch (kind) {
                case ADD -> {
                    res = a + b;
                    dst.set(cpu, res);
                    LazyFlags.setAdd(s, bits, a, b, 0, res);
                }
                case ADC -> {
                    int c = LazyFlags.carry(s);
                    res = a + b + c;
                    dst.set(cpu, res);
                    LazyFlags.setAdd(s, bits, a, b, c, res);
                }
                case SUB -> {
                    res = a - b;
                    dst.set(cpu, res);
                    LazyFlags.setSub(s, bits, a, b, 0, res);
                }
                case SBB -> {
                    int c = LazyFlags.carry(s);
                    res = a - b - c;
                    dst.set(cpu, res);
                    LazyFlags.setSub(s, bits, a, b, c, res);
                }
                case CMP -> LazyFlags.setSub(s, bits, a, b, 0, a - b);
                case OR -> {
                    res = a | b;
                    dst.set(cpu, res);
                    LazyFlags.setLogic(s, bits, res);
                }
                case AND -> {
                    res = a & b;
                    dst.set(cpu, res);
                    LazyFlags.setLogic(s, bits, res);
                }
                case XOR -> {
                    res = a ^ b;
                    dst.set(cpu, res);
                    LazyFlags.setLogic(s, bits, res);
                }
                default -> LazyFlags.setLogic(s, bits, a & b);
            }
        }
    }

    /** adc: the sum with the carry in, flags recorded (generated code calls this for register destinations). */
    static int addWithCarry(X86CpuState s, int bits, int a, int b) {
        int c = LazyFlags.carry(s);
        int res = a + b + c;
        LazyFlags.setAdd(s, bits, a, b, c, res);
        return res;
    }

    /** sbb: the difference with the borrow in, flags recorded. */
    static int subtractWithBorrow(X86CpuState s, int bits, int a, int b) {
        int c = LazyFlags.carry(s);
        int res = a - b - c;
        LazyFlags.setSub(s, bits, a, b, c, res);
        return res;
    }

    /** xor r, r and sub r, r: zero without reading the register (a very common idiom). */
    static final class ZeroRegister extends X86OpBase {
        final Operand dst;
        final boolean sub;

        ZeroRegister(Operand dst, boolean sub) {
            this.dst = dst;
            this.sub = sub;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.set(cpu, 0);
            if (sub) {
                LazyFlags.setSub(cpu.state, dst.bits, 0, 0, 0, 0);
            } else {
                LazyFlags.setLogic(cpu.state, dst.bits, 0);
            }
        }
    }

    static final int INC = 0, DEC = 1, NOT = 2, NEG = 3;

    /** inc, dec (keep CF), not (no flags), neg (CF = operand != 0). */
    static final class Unary extends X86OpBase {
        final int kind;
        final Operand dst;

        Unary(int kind, Operand dst) {
            this.kind = kind;
            this.dst = dst;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int a = dst.get(cpu);
            switch (kind) {
                case INC -> {
                    int res = a + 1;
                    dst.set(cpu, res);
                    LazyFlags.setIncDec(cpu.state, dst.bits, true, a, res);
                }
                case DEC -> {
                    int res = a - 1;
                    dst.set(cpu, res);
                    LazyFlags.setIncDec(cpu.state, dst.bits, false, a, res);
                }
                case NOT -> dst.set(cpu, ~a);
                default -> {
                    int res = -a;
                    dst.set(cpu, res);
                    LazyFlags.setSub(cpu.state, dst.bits, 0, a, 0, res);
                }
            }
        }
    }
}
