package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** Data movement: mov, movzx/movsx, lea, xchg, cmpxchg, cmpxchg8b, xadd, bswap, cbw/cwd, cmov, setcc. */
final class MoveOps {
    private MoveOps() {
    }

    static final class Move extends X86OpBase {
        final Operand dst;
        final Operand src;

        Move(Operand dst, Operand src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.set(cpu, src.get(cpu));
        }
    }

    /** movzx / movsx. */
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
            dst.set(cpu, signed ? Operand.signExtend(src.bits, v) : v);
        }
    }

    static final class LoadEffectiveAddress extends X86OpBase {
        final Operand dst;
        final Operand.Memory src;

        LoadEffectiveAddress(Operand dst, Operand.Memory src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.set(cpu, src.offset(cpu.state));
        }
    }

    /** xchg: with a memory operand it is atomic (implicitly locked). */
    static final class Exchange extends X86OpBase {
        final Operand rm;
        final Operand reg;

        Exchange(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int a = rm.get(cpu);
            rm.set(cpu, reg.get(cpu));
            reg.set(cpu, a);
        }
    }

    static final class CompareExchange extends X86OpBase {
        final Operand rm;
        final Operand reg;
        final Operand accumulator;

        CompareExchange(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
            this.accumulator = Operand.register(rm.bits, X86CpuState.EAX);
        }

        @Override
        public void exec(X86Cpu cpu) {
            int dest = rm.get(cpu);
            int acc = accumulator.get(cpu);
            if (acc == dest) {
                rm.set(cpu, reg.get(cpu));
            } else {
                if (rm instanceof Operand.Memory) {
                    rm.set(cpu, dest); // the processor writes a memory destination back (a register one stays as it was)
                }
                accumulator.set(cpu, dest);
            }
            LazyFlags.setSub(cpu.state, rm.bits, acc, dest, 0, acc - dest);
        }
    }

    static final class CompareExchange8Bytes extends X86OpBase {
        final Operand.Memory m;

        CompareExchange8Bytes(Operand.Memory m) {
            this.m = m;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long a = m.address(cpu);
            long old = cpu.memory.read64(a);
            long expected = (s.reg32(X86CpuState.EDX) & 0xffffffffL) << 32 | (s.reg32(X86CpuState.EAX) & 0xffffffffL);
            if (old == expected) {
                cpu.memory.write64(a, (s.reg32(X86CpuState.ECX) & 0xffffffffL) << 32 | (s.reg32(X86CpuState.EBX) & 0xffffffffL));
                LazyFlags.modify(s, X86CpuState.ZF, X86CpuState.ZF);
            } else {
                cpu.memory.write64(a, old);
                s.setReg32(X86CpuState.EAX, (int) old);
                s.setReg32(X86CpuState.EDX, (int) (old >>> 32));
                LazyFlags.modify(s, X86CpuState.ZF, 0);
            }
        }
    }

    static final class ExchangeAdd extends X86OpBase {
        final Operand rm;
        final Operand reg;

        ExchangeAdd(Operand rm, Operand reg) {
            this.rm = rm;
            this.reg = reg;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int d = rm.get(cpu);
            int s = reg.get(cpu);
            int sum = d + s;
            if (rm instanceof Operand.Memory) {
                rm.set(cpu, sum);
                reg.set(cpu, d);
            } else {
                reg.set(cpu, d);
                rm.set(cpu, sum);
            }
            LazyFlags.setAdd(cpu.state, rm.bits, d, s, 0, sum);
        }
    }

    static final class ByteSwap extends X86OpBase {
        final int reg;
        final int bits;

        ByteSwap(int reg, int bits) {
            this.reg = reg;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            if (bits == 16) {
                r.setReg32(reg, r.reg32(reg) & ~0xffff); // bswap of a 16-bit register is undefined; hardware gives zero
            } else {
                r.setReg32(reg, Integer.reverseBytes(r.reg32(reg)));
            }
        }
    }

    /** cbw/cwde (sign-extend the accumulator's lower half) and cwd/cdq (into dx/edx). */
    static final class SignExtendAccumulator extends X86OpBase {
        final int bits;
        final boolean intoDx;

        SignExtendAccumulator(int bits, boolean intoDx) {
            this.bits = bits;
            this.intoDx = intoDx;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int eax = r.reg32(X86CpuState.EAX);
            if (intoDx) {
                if (bits == 16) {
                    r.setReg16(X86CpuState.EDX, (short) eax >> 15);
                } else {
                    r.setReg32(X86CpuState.EDX, eax >> 31);
                }
            } else if (bits == 16) {
                r.setReg16(X86CpuState.EAX, (byte) eax);
            } else {
                r.setReg32(X86CpuState.EAX, (short) eax);
            }
        }
    }

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
            int v = src.get(cpu); // read even when false: a bad address faults either way
            if (LazyFlags.condition(cpu.state, cc)) {
                dst.set(cpu, v);
            }
        }
    }

    static final class SetCondition extends X86OpBase {
        final int cc;
        final Operand dst;

        SetCondition(int cc, Operand dst) {
            this.cc = cc;
            this.dst = dst;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.set(cpu, LazyFlags.condition(cpu.state, cc) ? 1 : 0);
        }
    }

    /**
     * xlat: AL = [seg:(e/r)bx + AL], the offset in {@code addressBits} (16, 32, or 64 in 64-bit
     * code, where 0x67 makes it ebx + al wrapped to 32 bits and the linear address does not wrap).
     * Only AL changes: in 64-bit code a 32-bit register write would clear rax's upper half.
     */
    static final class Translate extends X86OpBase {
        final int segment;
        final int addressBits;
        final boolean longMode;

        Translate(int segment, int addressBits, boolean longMode) {
            this.segment = segment;
            this.addressBits = addressBits;
            this.longMode = longMode;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long offset = s.regs[X86CpuState.EBX] + (s.regs[X86CpuState.EAX] & 0xff);
            offset &= addressBits == 16 ? 0xffff : addressBits == 32 ? 0xffffffffL : -1L;
            long linear = offset + s.segBase[segment];
            s.setReg8Low(X86CpuState.EAX, cpu.memory.read8(longMode ? linear : linear & 0xffffffffL));
        }
    }
}
