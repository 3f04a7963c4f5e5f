package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** The shift/rotate group (C0 C1 D0-D3) and the double shifts shld/shrd. */
final class ShiftOps {
    static final int ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;

    private ShiftOps() {
    }

    private static int msb(int bits, int v) {
        return (v >>> (bits - 1)) & 1;
    }

    /**
     * shl/shr/sar/rol/ror of a 32-bit value by a count already masked to 1..31, recording flags;
     * generated code calls it for register destinations (no store can fault after the flags).
     */
    static int shift32(X86CpuState s, int kind, int a, int n) {
        switch (kind) {
            case SHL, SAL -> {
                int res = a << n;
                int cf = (a >>> (32 - n)) & 1;
                LazyFlags.setResultCarryOverflow(s, 32, res, cf != 0, ((res >>> 31) ^ cf) != 0);
                return res;
            }
            case SHR -> {
                int res = a >>> n;
                LazyFlags.setResultCarryOverflow(s, 32, res, ((a >>> (n - 1)) & 1) != 0, a < 0);
                return res;
            }
            case SAR -> {
                int res = a >> n;
                LazyFlags.setResultCarryOverflow(s, 32, res, ((a >> (n - 1)) & 1) != 0, false);
                return res;
            }
            case ROL -> {
                int res = Integer.rotateLeft(a, n);
                int cf = res & 1;
                LazyFlags.setCarryOverflow(s, cf, (res >>> 31) ^ cf);
                return res;
            }
            default -> { // ROR
                int res = Integer.rotateRight(a, n);
                LazyFlags.setCarryOverflow(s, res >>> 31, (res >>> 31) ^ ((res >>> 30) & 1));
                return res;
            }
        }
    }

    /**
     * A shift by 0 leaves a 32-bit register destination zero-extended in 64-bit code, as the
     * hardware does (the register is written even though nothing moves); in 32-bit code a no-op.
     */
    private static void zeroExtendRegister(X86Cpu cpu, Operand dst) {
        if (dst.bits == 32 && dst instanceof Operand.Register) {
            dst.set(cpu, dst.get(cpu));
        }
    }

    static final class Shift extends X86OpBase {
        final int kind;
        final Operand dst;
        final Operand count;
        final int bits;

        Shift(int kind, Operand dst, Operand count) {
            this.kind = kind;
            this.dst = dst;
            this.count = count;
            this.bits = dst.bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int n = count.get(cpu) & 0x1f;
            if (n == 0) {
                zeroExtendRegister(cpu, dst);
                return; // no write, flags unchanged (a memory operand is not even read)
            }
            X86CpuState s = cpu.state;
            int a = Operand.zeroExtend(bits, dst.get(cpu));
            switch (kind) {
                case SHL, SAL -> {
                    int res = n >= 32 ? 0 : a << n;
                    int cf = n <= bits ? (int) (((long) a >>> (bits - n)) & 1) : 0;
                    dst.set(cpu, res);
                    LazyFlags.setResultCarryOverflow(s, bits, res, cf != 0, (msb(bits, res) ^ cf) != 0);
                }
                case SHR -> {
                    int res = a >>> n;
                    int cf = (a >>> (n - 1)) & 1;
                    dst.set(cpu, res);
                    LazyFlags.setResultCarryOverflow(s, bits, res, cf != 0, msb(bits, a) != 0);
                }
                case SAR -> {
                    int sa = Operand.signExtend(bits, a);
                    int res = sa >> n;
                    int cf = (sa >> (n - 1)) & 1;
                    dst.set(cpu, res);
                    LazyFlags.setResultCarryOverflow(s, bits, res, cf != 0, false);
                }
                case ROL -> {
                    int r = n & (bits - 1);
                    int res = r == 0 ? a : Operand.zeroExtend(bits, a << r | a >>> (bits - r));
                    int cf = res & 1;
                    dst.set(cpu, res);
                    LazyFlags.setCarryOverflow(s, cf, msb(bits, res) ^ cf);
                }
                case ROR -> {
                    int r = n & (bits - 1);
                    int res = r == 0 ? a : Operand.zeroExtend(bits, a >>> r | a << (bits - r));
                    int cf = msb(bits, res);
                    dst.set(cpu, res);
                    LazyFlags.setCarryOverflow(s, cf, msb(bits, res) ^ ((res >>> (bits - 2)) & 1));
                }
                case RCL -> {
                    int r = n % (bits + 1);
                    int c = LazyFlags.carry(s);
                    long wide = ((long) c << bits) | (a & 0xffffffffL); // bits+1 bit value: carry above the operand
                    long mask = (1L << (bits + 1)) - 1;
                    long rot = r == 0 ? wide : ((wide << r) | (wide >>> (bits + 1 - r))) & mask;
                    int res = (int) rot;
                    int cf = (int) (rot >>> bits) & 1;
                    dst.set(cpu, res);
                    LazyFlags.setCarryOverflow(s, cf, msb(bits, res) ^ cf);
                }
                default -> { // RCR
                    int r = n % (bits + 1);
                    int c = LazyFlags.carry(s);
                    long wide = ((long) c << bits) | (a & 0xffffffffL);
                    long mask = (1L << (bits + 1)) - 1;
                    long rot = r == 0 ? wide : ((wide >>> r) | (wide << (bits + 1 - r))) & mask;
                    int res = (int) rot;
                    int cf = (int) (rot >>> bits) & 1;
                    dst.set(cpu, res);
                    LazyFlags.setCarryOverflow(s, cf, msb(bits, res) ^ ((res >>> (bits - 2)) & 1));
                }
            }
        }
    }

    /** shld / shrd: shift dst, filling from src. */
    static final class DoubleShift extends X86OpBase {
        final boolean left;
        final Operand dst;
        final Operand src;
        final Operand count;
        final int bits;

        DoubleShift(boolean left, Operand dst, Operand src, Operand count) {
            this.left = left;
            this.dst = dst;
            this.src = src;
            this.count = count;
            this.bits = dst.bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int n = count.get(cpu) & 0x1f;
            if (n == 0) {
                zeroExtendRegister(cpu, dst);
                return;
            }
            int a = Operand.zeroExtend(bits, dst.get(cpu));
            long b = Operand.zeroExtend(bits, src.get(cpu)) & 0xffffffffL;
            int res;
            int cf;
            if (bits == 32) {
                long wide = left ? ((a & 0xffffffffL) << 32 | b) : (b << 32 | (a & 0xffffffffL));
                if (left) {
                    res = (int) (wide << n >>> 32);
                    cf = (int) (wide >>> (64 - n)) & 1;
                } else {
                    res = (int) (wide >>> n);
                    cf = (int) (wide >>> (n - 1)) & 1;
                }
            } else {
                // 16-bit: the pattern dst:src:dst (48 bits), which gives the processors' result for counts above 16
                long wide = (long) a << 32 | b << 16 | a;
                if (left) {
                    res = (int) (wide << n >>> 32) & 0xffff;
                    cf = (int) (wide >>> (48 - n)) & 1;
                } else {
                    res = (int) (wide >>> n) & 0xffff;
                    cf = (int) (wide >>> (n - 1)) & 1;
                }
            }
            dst.set(cpu, res);
            LazyFlags.setResultCarryOverflow(cpu.state, bits, res, cf != 0, (msb(bits, res) ^ msb(bits, a)) != 0);
        }
    }
}
