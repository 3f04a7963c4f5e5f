package org.qemu.i386.translate;

import static org.qemu.i386.cpu.X86CpuState.CF;
import static org.qemu.i386.cpu.X86CpuState.ZF;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** bt/bts/btr/btc, bsf/bsr, popcnt and lzcnt. */
final class BitOps {
    static final int BT = 0, BTS = 1, BTR = 2, BTC = 3;

    private BitOps() {
    }

    /**
     * Bit test and modify. With a register bit offset and a memory operand the offset is signed
     * and reaches outside the operand (bit 35 of [m] is bit 3 of [m+4]).
     */
    static final class BitTest extends X86OpBase {
        private final int kind;
        private final Operand base;
        private final Operand offset;
        private final boolean immediateOffset;

        BitTest(int kind, Operand base, Operand offset) {
            this.kind = kind;
            this.base = base;
            this.offset = offset;
            this.immediateOffset = offset instanceof Operand.Immediate;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int bits = base.bits;
            int off = offset.get(cpu);
            int value;
            int bit;
            long address = 0;
            boolean memory = base instanceof Operand.Memory;
            if (memory && !immediateOffset) {
                int signedOffset = Operand.signExtend(bits, off);
                int byteDelta = (signedOffset >> (bits == 16 ? 4 : 5)) * (bits / 8);
                address = ((Operand.Memory) base).address(cpu, byteDelta);
                bit = signedOffset & (bits - 1);
                value = bits == 16 ? cpu.memory.read16(address) : cpu.memory.read32(address);
            } else {
                bit = off & (bits - 1);
                value = base.get(cpu);
            }
            int cf = (value >>> bit) & 1;
            if (kind != BT) {
                int res = switch (kind) {
                    case BTS -> value | (1 << bit);
                    case BTR -> value & ~(1 << bit);
                    default -> value ^ (1 << bit);
                };
                if (memory && !immediateOffset) {
                    if (bits == 16) {
                        cpu.memory.write16(address, res);
                    } else {
                        cpu.memory.write32(address, res);
                    }
                } else {
                    base.set(cpu, res);
                }
            }
            LazyFlags.setCarryOverflow(cpu.state, cf, 0); // OF SF AF PF undefined, ZF kept
        }
    }

    /** bsf / bsr: a zero source sets ZF and leaves the destination unchanged. */
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
            int v = Operand.zeroExtend(src.bits, src.get(cpu));
            if (v == 0) {
                LazyFlags.modify(cpu.state, ZF, ZF);
                return;
            }
            dst.set(cpu, reverse ? 31 - Integer.numberOfLeadingZeros(v) : Integer.numberOfTrailingZeros(v));
            LazyFlags.modify(cpu.state, ZF, 0);
        }
    }

    /**
     * popcnt r, r/m of 16, 32 or 64 bits (F3 0F B8): the source's set bits; ZF when the source is
     * zero, CF OF SF AF PF cleared.
     */
    static final class PopCount extends X86OpBase {
        final Operand dst;
        final Operand src;

        PopCount(Operand dst, Operand src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long v = src.getLong(cpu);
            dst.setLong(cpu, Long.bitCount(v));
            LazyFlags.setFlags(cpu.state, v == 0 ? ZF : 0);
        }
    }

    /**
     * lzcnt r, r/m of 16, 32 or 64 bits (F3 0F BD, where CPUID claims it): the leading zero bits,
     * the operand's width for a zero source; CF when the source is zero, ZF when the count is.
     * OF SF AF PF are undefined: left as they were.
     */
    static final class LeadingZeroCount extends X86OpBase {
        final Operand dst;
        final Operand src;

        LeadingZeroCount(Operand dst, Operand src) {
            this.dst = dst;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long v = src.getLong(cpu);
            int count = Long.numberOfLeadingZeros(v) - (64 - src.bits);
            dst.setLong(cpu, count);
            LazyFlags.modify(cpu.state, CF | ZF, (v == 0 ? CF : 0) | (count == 0 ? ZF : 0));
        }
    }
}
