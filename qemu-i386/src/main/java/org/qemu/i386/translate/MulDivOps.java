package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;

/** mul, imul (one, two and three operands), div, idiv. */
final class MulDivOps {
    private MulDivOps() {
    }

    /** One-operand mul/imul: accumulator times src into AX, DX:AX or EDX:EAX. */
    static final class WideMultiply extends X86OpBase {
        private final Operand src;
        private final boolean signed;

        WideMultiply(Operand src, boolean signed) {
            this.src = src;
            this.signed = signed;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            X86CpuState r = s;
            int v = src.get(cpu);
            int bits = src.bits;
            int eax = r.reg32(X86CpuState.EAX);
            long product;
            boolean overflow;
            switch (bits) {
                case 8 -> {
                    product = signed ? (long) (byte) eax * (byte) v : (long) (eax & 0xff) * (v & 0xff);
                    r.setReg16(X86CpuState.EAX, (int) product);
                    overflow = signed ? product != (byte) product : (product & ~0xffL) != 0;
                }
                case 16 -> {
                    product = signed ? (long) (short) eax * (short) v : (long) (eax & 0xffff) * (v & 0xffff);
                    r.setReg16(X86CpuState.EAX, (int) product);
                    r.setReg16(X86CpuState.EDX, (int) (product >> 16));
                    overflow = signed ? product != (short) product : (product & ~0xffffL) != 0;
                }
                default -> {
                    product = signed ? (long) eax * v : (eax & 0xffffffffL) * (v & 0xffffffffL);
                    r.setReg32(X86CpuState.EAX, (int) product);
                    r.setReg32(X86CpuState.EDX, (int) (product >>> 32));
                    overflow = signed ? product != (int) product : (product >>> 32) != 0;
                }
            }
            LazyFlags.setResultCarryOverflow(s, bits, (int) product, overflow, overflow);
        }
    }

    /** 1 when a truncating imul's full product does not fit the operand size (CF = OF), else 0. */
    static int multiplyOverflow(int bits, long product) {
        // without a branch: see LongModeEmitter.carryAndOverflowWhenDifferent
        long difference = product - (bits == 16 ? (short) product : (int) product);
        return (int) ((difference | -difference) >>> 63);
    }

    /** Flags of a truncating imul from the full product. */
    static void setMultiplyFlags(X86CpuState s, int bits, long product) {
        boolean overflow = bits == 16 ? product != (short) product : product != (int) product;
        LazyFlags.setResultCarryOverflow(s, bits, (int) product, overflow, overflow);
    }

    /** imul r, r/m and imul r, r/m, imm: truncated signed product. */
    static final class Multiply extends X86OpBase {
        final Operand dst;
        final Operand a;
        final Operand b;

        Multiply(Operand dst, Operand a, Operand b) {
            this.dst = dst;
            this.a = a;
            this.b = b;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int bits = dst.bits;
            long x = Operand.signExtend(bits, a.get(cpu));
            long y = Operand.signExtend(bits, b.get(cpu));
            long p = x * y;
            int res = (int) p;
            boolean overflow = bits == 16 ? p != (short) p : p != (int) p;
            dst.set(cpu, res);
            LazyFlags.setResultCarryOverflow(cpu.state, bits, res, overflow, overflow);
        }
    }

    /** div / idiv; #DE on a zero divisor or a quotient that does not fit. Flags are undefined: left alone. */
    static final class Divide extends X86OpBase {
        private final Operand src;
        private final boolean signed;

        Divide(Operand src, boolean signed) {
            this.src = src;
            this.signed = signed;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int bits = src.bits;
            int v = src.get(cpu);
            int eax = r.reg32(X86CpuState.EAX);
            int edx = r.reg32(X86CpuState.EDX);
            switch (bits) {
                case 8 -> {
                    long dividend = signed ? (short) eax : eax & 0xffff;
                    long divisor = signed ? (byte) v : v & 0xff;
                    if (divisor == 0) {
                        throw X86Trap.divideError(0);
                    }
                    long q = dividend / divisor;
                    long rem = dividend % divisor;
                    if (signed ? q != (byte) q : q > 0xff) {
                        throw X86Trap.divideError(0);
                    }
                    r.setReg16(X86CpuState.EAX, ((int) rem & 0xff) << 8 | ((int) q & 0xff));
                }
                case 16 -> {
                    long dividend = ((edx & 0xffffL) << 16) | (eax & 0xffff);
                    if (signed) {
                        dividend = (int) dividend;
                    }
                    long divisor = signed ? (short) v : v & 0xffff;
                    if (divisor == 0) {
                        throw X86Trap.divideError(0);
                    }
                    long q = dividend / divisor;
                    long rem = dividend % divisor;
                    if (signed ? q != (short) q : q > 0xffff) {
                        throw X86Trap.divideError(0);
                    }
                    r.setReg16(X86CpuState.EAX, (int) q);
                    r.setReg16(X86CpuState.EDX, (int) rem);
                }
                default -> {
                    long dividend = ((long) edx << 32) | (eax & 0xffffffffL);
                    if (v == 0) {
                        throw X86Trap.divideError(0);
                    }
                    long q;
                    long rem;
                    if (signed) {
                        if (dividend == Long.MIN_VALUE && v == -1) {
                            throw X86Trap.divideError(0);
                        }
                        q = dividend / v;
                        rem = dividend % v;
                        if (q != (int) q) {
                            throw X86Trap.divideError(0);
                        }
                    } else {
                        long divisor = v & 0xffffffffL;
                        q = Long.divideUnsigned(dividend, divisor);
                        rem = Long.remainderUnsigned(dividend, divisor);
                        if ((q >>> 32) != 0) {
                            throw X86Trap.divideError(0);
                        }
                    }
                    r.setReg32(X86CpuState.EAX, (int) q);
                    r.setReg32(X86CpuState.EDX, (int) rem);
                }
            }
        }
    }
}
