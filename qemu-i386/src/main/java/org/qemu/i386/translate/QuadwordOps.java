package org.qemu.i386.translate;

import org.qemu.i386.cpu.Flags64;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;

/**
 * The integer instructions with a 64-bit operand size (REX.W in long mode). They read and write
 * operands through {@link Operand#getLong}/{@link Operand#setLong} and record flags eagerly
 * ({@link Flags64}); the 8/16/32-bit forms stay with the older op families, whose 32-bit register
 * writes zero-extend as long mode requires.
 */
final class QuadwordOps {
    private QuadwordOps() {
    }

    /** add/or/adc/sbb/and/sub/xor/cmp/test with 64-bit operands (immediates sign-extended). */
    static final class Binary extends X86OpBase {
        final int kind;
        final Operand dst;
        final Operand src;

        Binary(int kind, Operand dst, Operand src) {
            this.kind = kind;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long a = dst.getLong(cpu);
            long b = src.getLong(cpu);
            switch (kind) {
                case ArithmeticOps.ADD -> {
                    long res = a + b;
                    dst.setLong(cpu, res);
                    Flags64.setAdd(s, a, b, 0, res);
                }
                case ArithmeticOps.ADC -> {
                    int c = LazyFlags.carry(s);
                    long res = a + b + c;
                    dst.setLong(cpu, res);
                    Flags64.setAdd(s, a, b, c, res);
                }
                case ArithmeticOps.SUB -> {
                    long res = a - b;
                    dst.setLong(cpu, res);
                    Flags64.setSub(s, a, b, 0, res);
                }
                case ArithmeticOps.SBB -> {
                    int c = LazyFlags.carry(s);
                    long res = a - b - c;
                    dst.setLong(cpu, res);
                    Flags64.setSub(s, a, b, c, res);
                }
                case ArithmeticOps.CMP -> Flags64.setSub(s, a, b, 0, a - b);
                case ArithmeticOps.OR -> {
                    long res = a | b;
                    dst.setLong(cpu, res);
                    Flags64.setLogic(s, res);
                }
                case ArithmeticOps.AND -> {
                    long res = a & b;
                    dst.setLong(cpu, res);
                    Flags64.setLogic(s, res);
                }
                case ArithmeticOps.XOR -> {
                    long res = a ^ b;
                    dst.setLong(cpu, res);
                    Flags64.setLogic(s, res);
                }
                default -> Flags64.setLogic(s, a & b);
            }
        }
    }

    /** inc, dec, not, neg. */
    static final class Unary extends X86OpBase {
        final int kind;
        final Operand dst;

        Unary(int kind, Operand dst) {
            this.kind = kind;
            this.dst = dst;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long a = dst.getLong(cpu);
            switch (kind) {
                case ArithmeticOps.INC -> {
                    dst.setLong(cpu, a + 1);
                    Flags64.setIncDec(cpu.state, true, a, a + 1);
                }
                case ArithmeticOps.DEC -> {
                    dst.setLong(cpu, a - 1);
                    Flags64.setIncDec(cpu.state, false, a, a - 1);
                }
                case ArithmeticOps.NOT -> dst.setLong(cpu, ~a);
                default -> {
                    dst.setLong(cpu, -a);
                    Flags64.setSub(cpu.state, 0, a, 0, -a);
                }
            }
        }
    }

    /** The shift/rotate group: the count is masked to 6 bits; a zero count changes nothing. */
    static final class Shift extends X86OpBase {
        final int kind;
        final Operand dst;
        final Operand count;

        Shift(int kind, Operand dst, Operand count) {
            this.kind = kind;
            this.dst = dst;
            this.count = count;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int n = count.get(cpu) & 0x3f;
            if (n == 0) {
                return;
            }
            X86CpuState s = cpu.state;
            long a = dst.getLong(cpu);
            switch (kind) {
                case ShiftOps.SHL, ShiftOps.SAL -> {
                    long res = a << n;
                    boolean cf = ((a >>> (64 - n)) & 1) != 0;
                    dst.setLong(cpu, res);
                    Flags64.setResultCarryOverflow(s, res, cf, (res < 0) != cf);
                }
                case ShiftOps.SHR -> {
                    long res = a >>> n;
                    dst.setLong(cpu, res);
                    Flags64.setResultCarryOverflow(s, res, ((a >>> (n - 1)) & 1) != 0, a < 0);
                }
                case ShiftOps.SAR -> {
                    long res = a >> n;
                    dst.setLong(cpu, res);
                    Flags64.setResultCarryOverflow(s, res, ((a >> (n - 1)) & 1) != 0, false);
                }
                case ShiftOps.ROL -> {
                    long res = Long.rotateLeft(a, n);
                    int cf = (int) res & 1;
                    dst.setLong(cpu, res);
                    LazyFlags.setCarryOverflow(s, cf, (int) (res >>> 63) ^ cf);
                }
                case ShiftOps.ROR -> {
                    long res = Long.rotateRight(a, n);
                    dst.setLong(cpu, res);
                    LazyFlags.setCarryOverflow(s, (int) (res >>> 63), (int) ((res >>> 63) ^ (res >>> 62)) & 1);
                }
                case ShiftOps.RCL -> {
                    // a 65-bit rotation: the carry sits above bit 63
                    long res = a;
                    int c = LazyFlags.carry(s);
                    for (int i = 0; i < n; i++) {
                        int out = (int) (res >>> 63);
                        res = res << 1 | c;
                        c = out;
                    }
                    dst.setLong(cpu, res);
                    LazyFlags.setCarryOverflow(s, c, (int) (res >>> 63) ^ c);
                }
                default -> { // RCR
                    long res = a;
                    int c = LazyFlags.carry(s);
                    for (int i = 0; i < n; i++) {
                        int out = (int) res & 1;
                        res = res >>> 1 | (long) c << 63;
                        c = out;
                    }
                    dst.setLong(cpu, res);
                    LazyFlags.setCarryOverflow(s, c, (int) ((res >>> 63) ^ (res >>> 62)) & 1);
                }
            }
        }
    }

    /** shld / shrd with 64-bit operands. */
    static final class DoubleShift extends X86OpBase {
        private final boolean left;
        private final Operand dst;
        private final Operand src;
        private final Operand count;

        DoubleShift(boolean left, Operand dst, Operand src, Operand count) {
            this.left = left;
            this.dst = dst;
            this.src = src;
            this.count = count;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int n = count.get(cpu) & 0x3f;
            if (n == 0) {
                return;
            }
            long a = dst.getLong(cpu);
            long b = src.getLong(cpu);
            long res;
            boolean cf;
            if (left) {
                res = a << n | b >>> (64 - n);
                cf = ((a >>> (64 - n)) & 1) != 0;
            } else {
                res = a >>> n | b << (64 - n);
                cf = ((a >>> (n - 1)) & 1) != 0;
            }
            dst.setLong(cpu, res);
            Flags64.setResultCarryOverflow(cpu.state, res, cf, (res ^ a) < 0);
        }
    }

    /** imul r64, r/m64 (, imm): the low half of the signed product; CF = OF = it did not fit. */
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
            long x = a.getLong(cpu);
            long y = b.getLong(cpu);
            long lo = x * y;
            long hi = Math.multiplyHigh(x, y);
            dst.setLong(cpu, lo);
            boolean overflow = hi != (lo >> 63);
            Flags64.setResultCarryOverflow(cpu.state, lo, overflow, overflow);
        }
    }

    /** mul / imul r/m64: rdx:rax = rax * src. */
    static final class WideMultiply extends X86OpBase {
        final Operand src;
        final boolean signed;

        WideMultiply(Operand src, boolean signed) {
            this.src = src;
            this.signed = signed;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long v = src.getLong(cpu);
            long x = r[X86CpuState.EAX];
            long lo = x * v;
            long hi = signed ? Math.multiplyHigh(x, v) : Math.unsignedMultiplyHigh(x, v);
            r[X86CpuState.EAX] = lo;
            r[X86CpuState.EDX] = hi;
            boolean overflow = signed ? hi != (lo >> 63) : hi != 0;
            Flags64.setResultCarryOverflow(cpu.state, lo, overflow, overflow);
        }
    }

    /** div / idiv r/m64: rdx:rax / src, #DE on a zero divisor or a quotient that does not fit. */
    static final class Divide extends X86OpBase {
        final Operand src;
        final boolean signed;

        Divide(Operand src, boolean signed) {
            this.src = src;
            this.signed = signed;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long divisor = src.getLong(cpu);
            if (divisor == 0) {
                throw X86Trap.divideError(0);
            }
            long hi = r[X86CpuState.EDX];
            long lo = r[X86CpuState.EAX];
            long q;
            long rem;
            if (signed) {
                boolean negDividend = hi < 0;
                boolean negDivisor = divisor < 0;
                // magnitudes as unsigned 128/64 division
                long mHi = hi;
                long mLo = lo;
                if (negDividend) {
                    mLo = -lo;
                    mHi = ~hi + (lo == 0 ? 1 : 0);
                }
                long mDiv = negDivisor ? -divisor : divisor;
                if (Long.compareUnsigned(mHi, mDiv) >= 0) {
                    throw X86Trap.divideError(0);
                }
                long[] qr = divideUnsigned(mHi, mLo, mDiv);
                boolean negQuotient = negDividend != negDivisor;
                if (negQuotient ? Long.compareUnsigned(qr[0], 1L << 63) > 0 : qr[0] < 0) {
                    throw X86Trap.divideError(0);
                }
                q = negQuotient ? -qr[0] : qr[0];
                rem = negDividend ? -qr[1] : qr[1];
            } else {
                if (Long.compareUnsigned(hi, divisor) >= 0) {
                    throw X86Trap.divideError(0);
                }
                long[] qr = divideUnsigned(hi, lo, divisor);
                q = qr[0];
                rem = qr[1];
            }
            r[X86CpuState.EAX] = q;
            r[X86CpuState.EDX] = rem;
        }
    }

    /** Unsigned (hi:lo) / d for hi < d (so the quotient fits 64 bits): {quotient, remainder}, bit by bit. */
    static long[] divideUnsigned(long hi, long lo, long d) {
        if (hi == 0) {
            return new long[] {Long.divideUnsigned(lo, d), Long.remainderUnsigned(lo, d)};
        }
        long rem = hi;
        long q = 0;
        for (int i = 63; i >= 0; i--) {
            boolean top = rem < 0; // the remainder's 65th bit after the shift
            rem = rem << 1 | ((lo >>> i) & 1);
            q <<= 1;
            if (top || Long.compareUnsigned(rem, d) >= 0) {
                rem -= d;
                q |= 1;
            }
        }
        return new long[] {q, rem};
    }

    /** mov with a 64-bit destination (mov r64, imm64 included). */
    static final class Move extends X86OpBase {
        final Operand dst;
        final Operand src;

        Move(Operand dst, Operand src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.setLong(cpu, src.getLong(cpu));
        }
    }

    /** movzx/movsx to a 64-bit register, and movsxd (sign-extends 32 bits). */
    static final class MoveExtend extends X86OpBase {
        final Operand dst;
        final Operand src;
        final boolean signed;

        MoveExtend(Operand dst, Operand src, boolean signed) {
            this.dst = dst;
            this.src = src;
            this.signed = signed;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int v = src.get(cpu);
            long x = switch (src.bits) {
                case 8 -> signed ? (byte) v : v & 0xffL;
                case 16 -> signed ? (short) v : v & 0xffffL;
                default -> signed ? v : v & 0xffffffffL;
            };
            dst.setLong(cpu, x);
        }
    }

    /** lea r64, m. */
    static final class LoadEffectiveAddress extends X86OpBase {
        final Operand dst;
        final Operand.Memory src;

        LoadEffectiveAddress(Operand dst, Operand.Memory src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.setLong(cpu, src.offset64(cpu.state));
        }
    }

    /**
     * cmovcc in long mode with a 32- or 64-bit operand: a 32-bit destination register is
     * zero-extended even when the condition is false (the instruction always writes it).
     */
    static final class ConditionalMove extends X86OpBase {
        final int cc;
        final Operand dst;
        final Operand src;

        ConditionalMove(int cc, Operand dst, Operand src) {
            this.cc = cc;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long v = src.getLong(cpu);
            dst.setLong(cpu, LazyFlags.condition(cpu.state, cc) ? v : dst.getLong(cpu));
        }
    }

    /** xchg (atomic with memory: the translator wraps it). */
    static final class Exchange extends X86OpBase {
        final Operand rm;
        final Operand reg;

        Exchange(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long a = rm.getLong(cpu);
            rm.setLong(cpu, reg.getLong(cpu));
            reg.setLong(cpu, a);
        }
    }

    /** xadd. */
    static final class ExchangeAdd extends X86OpBase {
        final Operand rm;
        final Operand reg;

        ExchangeAdd(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long d = rm.getLong(cpu);
            long s = reg.getLong(cpu);
            long sum = d + s;
            if (rm instanceof Operand.Memory) {
                rm.setLong(cpu, sum);
                reg.setLong(cpu, d);
            } else {
                reg.setLong(cpu, d);
                rm.setLong(cpu, sum);
            }
            Flags64.setAdd(cpu.state, d, s, 0, sum);
        }
    }

    /** cmpxchg r/m64, r64. */
    static final class CompareExchange extends X86OpBase {
        final Operand rm;
        final Operand reg;

        CompareExchange(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long dest = rm.getLong(cpu);
            long acc = r[X86CpuState.EAX];
            if (acc == dest) {
                rm.setLong(cpu, reg.getLong(cpu));
            } else {
                rm.setLong(cpu, dest); // the processor always writes the destination
                r[X86CpuState.EAX] = dest;
            }
            Flags64.setSub(cpu.state, acc, dest, 0, acc - dest);
        }
    }

    /** cmpxchg16b m128: compares rdx:rax with the 16 bytes, stores rcx:rbx or loads them; #GP unless 16-byte aligned. */
    static final class CompareExchange16Bytes extends X86OpBase {
        final Operand.Memory m;

        CompareExchange16Bytes(Operand.Memory m) {
            this.m = m;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long a = m.address(cpu);
            if ((a & 15) != 0) {
                throw X86Trap.generalProtection(0);
            }
            long lo = cpu.memory.read64(a);
            long hi = cpu.memory.read64(a + 8);
            if (lo == s.regs[X86CpuState.EAX] && hi == s.regs[X86CpuState.EDX]) {
                cpu.memory.write64(a, s.regs[X86CpuState.EBX]);
                cpu.memory.write64(a + 8, s.regs[X86CpuState.ECX]);
                LazyFlags.modify(s, X86CpuState.ZF, X86CpuState.ZF);
            } else {
                cpu.memory.write64(a, lo);
                cpu.memory.write64(a + 8, hi);
                s.regs[X86CpuState.EAX] = lo;
                s.regs[X86CpuState.EDX] = hi;
                LazyFlags.modify(s, X86CpuState.ZF, 0);
            }
        }
    }

    /** bt/bts/btr/btc with 64-bit operands; a register offset reaches outside a memory operand. */
    static final class BitTest extends X86OpBase {
        private final int kind;
        private final Operand base;
        private final Operand offset;

        BitTest(int kind, Operand base, Operand offset) {
            this.kind = kind;
            this.base = base;
            this.offset = offset;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long off = offset.getLong(cpu);
            boolean farMemory = base instanceof Operand.Memory && !(offset instanceof Operand.Immediate);
            long address = 0;
            long value;
            int bit = (int) off & 63;
            if (farMemory) {
                address = ((Operand.Memory) base).address(cpu) + (off >> 6) * 8;
                value = cpu.memory.read64(address);
            } else {
                value = base.getLong(cpu);
            }
            int cf = (int) (value >>> bit) & 1;
            if (kind != BitOps.BT) {
                long res = switch (kind) {
                    case BitOps.BTS -> value | (1L << bit);
                    case BitOps.BTR -> value & ~(1L << bit);
                    default -> value ^ (1L << bit);
                };
                if (farMemory) {
                    cpu.memory.write64(address, res);
                } else {
                    base.setLong(cpu, res);
                }
            }
            LazyFlags.setCarryOverflow(cpu.state, cf, 0);
        }
    }

    /** bsf / bsr r64: a zero source sets ZF and leaves the destination unchanged. */
    static final class BitScan extends X86OpBase {
        final boolean reverse;
        final Operand dst;
        final Operand src;

        BitScan(boolean reverse, Operand dst, Operand src) {
            this.reverse = reverse;
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long v = src.getLong(cpu);
            if (v == 0) {
                LazyFlags.modify(cpu.state, X86CpuState.ZF, X86CpuState.ZF);
                return;
            }
            dst.setLong(cpu, reverse ? 63 - Long.numberOfLeadingZeros(v) : Long.numberOfTrailingZeros(v));
            LazyFlags.modify(cpu.state, X86CpuState.ZF, 0);
        }
    }

    /** bswap r64. */
    static final class ByteSwap extends X86OpBase {
        final int reg;

        ByteSwap(int reg) {
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.regs[reg] = Long.reverseBytes(cpu.state.regs[reg]);
        }
    }

    /** cdqe (rax = sign-extended eax) and cqo (rdx = the sign of rax). */
    static final class SignExtendAccumulator extends X86OpBase {
        final boolean intoDx;

        SignExtendAccumulator(boolean intoDx) {
            this.intoDx = intoDx;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            if (intoDx) {
                r[X86CpuState.EDX] = r[X86CpuState.EAX] >> 63;
            } else {
                r[X86CpuState.EAX] = (int) r[X86CpuState.EAX];
            }
        }
    }
}
