package org.qemu.i386.fp;

import java.util.function.LongBinaryOperator;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.decode.X86Decoder;
import org.qemu.i386.fp.SseFloat.Arithmetic;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.Operand;

/**
 * Decodes the MMX, SSE and SSE2 instructions of the 0F map into ops. XMM registers live in
 * {@link X86CpuState#xmm} as (low, high) quadwords; MMX registers are the x87 significands.
 * Legacy-SSE 128-bit memory operands must be 16-byte aligned (#GP otherwise) except for the
 * explicitly unaligned moves.
 */
final class SseTranslator {
    private SseTranslator() {
    }

    /** An operation on XMM register {@code dst} with a source already loaded into (lo, hi). */
    interface XmmOp {
        void apply(X86Cpu cpu, long[] x, int dst, long lo, long hi, int imm);
    }

    // ---------------------------------------------------------------- operand plumbing

    private static Operand.Memory memory(X86Decoder d) {
        return (Operand.Memory) Operand.memory(32, d.decodeModrmMemory());
    }

    private static void checkAligned(long address) {
        if ((address & 15) != 0) {
            throw X86Trap.generalProtection(0);
        }
    }

    /**
     * XMM destination (ModRM reg), source XMM register or memory of {@code bytes} (16 aligned
     * unless {@code unaligned}, 8 or 4: zero-extended into lo), optional imm8 after the operand.
     */
    private static FpuOnlyOp xmm(X86Decoder d, int bytes, boolean unaligned, boolean hasImm, XmmOp op) {
        d.readModrm();
        int dst = d.reg();
        if (d.modrmIsRegister()) {
            int s = d.rm();
            int imm = hasImm ? d.uimm8() : 0;
            return cpu -> {
                long[] x = cpu.state.xmm;
                op.apply(cpu, x, dst, x[2 * s], x[2 * s + 1], imm);
            };
        }
        Operand.Memory m = memory(d);
        int imm = hasImm ? d.uimm8() : 0;
        return cpu -> {
            long a = m.address(cpu);
            GuestMemory mem = cpu.memory;
            long lo;
            long hi = 0;
            switch (bytes) {
                case 16 -> {
                    if (!unaligned) {
                        checkAligned(a);
                    }
                    lo = mem.read64(a);
                    hi = mem.read64(a + 8);
                }
                case 8 -> lo = mem.read64(a);
                default -> lo = mem.read32(a) & 0xffffffffL;
            }
            op.apply(cpu, cpu.state.xmm, dst, lo, hi, imm);
        };
    }

    /** An XMM-or-memory destination written from XMM register reg (movaps m128, xmm and friends). */
    private static FpuOnlyOp xmmStore(X86Decoder d, int bytes, boolean unaligned, boolean registerZeroExtends) {
        d.readModrm();
        int src = d.reg();
        if (d.modrmIsRegister()) {
            int dst = d.rm();
            return cpu -> {
                long[] x = cpu.state.xmm;
                switch (bytes) {
                    case 16 -> {
                        x[2 * dst] = x[2 * src];
                        x[2 * dst + 1] = x[2 * src + 1];
                    }
                    case 8 -> {
                        x[2 * dst] = x[2 * src];
                        if (registerZeroExtends) {
                            x[2 * dst + 1] = 0;
                        }
                    }
                    default -> x[2 * dst] = (x[2 * dst] & 0xffffffff00000000L) | (x[2 * src] & 0xffffffffL);
                }
            };
        }
        Operand.Memory m = memory(d);
        if (bytes >= 8) {
            return new XmmStore(bytes, !unaligned, src, m);
        }
        return cpu -> {
            long a = m.address(cpu);
            long[] x = cpu.state.xmm;
            switch (bytes) {
                case 16 -> {
                    if (!unaligned) {
                        checkAligned(a);
                    }
                    cpu.memory.checkRange(a, 16, true);
                    cpu.memory.write64(a, x[2 * src]);
                    cpu.memory.write64(a + 8, x[2 * src + 1]);
                }
                case 8 -> cpu.memory.write64(a, x[2 * src]);
                default -> cpu.memory.write32(a, (int) x[2 * src]);
            }
        };
    }

    /** An MMX destination (reg) with an MMX-register or m64 source. */
    private static FpuOnlyOp mmx(X86Decoder d, boolean hasImm, LongBinaryOperator op) {
        d.readModrm();
        int dst = d.reg();
        if (d.modrmIsRegister()) {
            int s = d.rm();
            if (hasImm) {
                d.uimm8();
            }
            return cpu -> {
                X87Fpu f = cpu.state.fpu;
                f.mmxWrite(dst, op.applyAsLong(f.mmxRead(dst), f.mmxRead(s)));
            };
        }
        Operand.Memory m = memory(d);
        return cpu -> {
            long v = cpu.memory.read64(m.address(cpu));
            X87Fpu f = cpu.state.fpu;
            f.mmxWrite(dst, op.applyAsLong(f.mmxRead(dst), v));
        };
    }

    /** A 64-bit-lane-local integer operation on MMX (no prefix) or XMM (66). */
    private static FpuOnlyOp packed(X86Decoder d, int prefix, LongBinaryOperator op) {
        if (prefix == 0) {
            return mmx(d, false, op);
        }
        if (prefix != 0x66) {
            return null;
        }
        return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
            x[2 * dst] = op.applyAsLong(x[2 * dst], lo);
            x[2 * dst + 1] = op.applyAsLong(x[2 * dst + 1], hi);
        });
    }

    /** A whole-register operation on MMX or XMM where the 128-bit form needs both halves at once. */
    private static FpuOnlyOp packedWide(X86Decoder d, int prefix, LongBinaryOperator mmxOp, XmmOp xmmOp) {
        if (prefix == 0) {
            return mmx(d, false, mmxOp);
        }
        if (prefix != 0x66) {
            return null;
        }
        return xmm(d, 16, false, false, xmmOp);
    }

    /** A general register or memory operand of 32 bits, or 64 with REX.W (movd/movq, cvtsi2sd/ss). */
    private static Operand rmInteger(X86Decoder d) {
        int bits = d.rexW() ? 64 : 32;
        d.readModrm();
        if (d.modrmIsRegister()) {
            return Operand.register(bits, d.rm());
        }
        return Operand.memory(bits, d.decodeModrmMemory());
    }

    private static Operand rm32(X86Decoder d) {
        d.readModrm();
        if (d.modrmIsRegister()) {
            return Operand.register(32, d.rm());
        }
        return Operand.memory(32, d.decodeModrmMemory());
    }

    private static FpContext begin(X86Cpu cpu) {
        return SseFloat.begin(cpu.state.sseContext, cpu.state.mxcsr);
    }

    /**
     * Merges the instruction's flags into MXCSR. An unmasked exception raises #XM before the
     * destination is written (every caller writes its results after this call).
     */
    static void end(X86Cpu cpu, FpContext c) {
        int mxcsr = cpu.state.mxcsr | c.flags();
        cpu.state.mxcsr = mxcsr;
        int unmasked = c.flags() & ~(mxcsr >>> 7) & FpFlags.ALL;
        if (unmasked != 0) {
            throw FpExceptionTrap.of(unmasked, FpExceptionTrap.SIMD_VECTOR);
        }
    }

    private static int lane(long lo, long hi, int i) {
        return (int) ((i < 2 ? lo : hi) >>> (32 * (i & 1)));
    }

    private static long pair(int low, int high) {
        return (low & 0xffffffffL) | (long) high << 32;
    }

    // ---------------------------------------------------------------- dispatch

    static X86Op translate(int opcode, X86Decoder d) {
        int prefix = d.mandatoryPrefix();
        int b = opcode & 0xff;
        if (opcode >= 0x200) {
            return null; // SSSE3 and later are not claimed
        }
        if (isSse3(b, prefix)) {
            return sse3(b, prefix, d);
        }
        if (b >= 0x60 && b <= 0x7f || b >= 0xd0) {
            return integer(b, prefix, d);
        }
        return switch (b) {
            case 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x28, 0x29, 0x2b -> moves(b, prefix, d);
            case 0x2a, 0x2c, 0x2d, 0x5a, 0x5b -> conversions(b, prefix, d);
            case 0x2e, 0x2f -> compareToFlags(b, prefix, d);
            case 0x50 -> moveMask(prefix, d);
            case 0x51, 0x52, 0x53, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f -> arithmetic(b, prefix, d);
            case 0x54, 0x55, 0x56, 0x57 -> logic(b, prefix, d);
            case 0xc2 -> compare(prefix, d);
            case 0xc3 -> moveNonTemporalInteger(prefix, d);
            case 0xc4, 0xc5 -> wordInsertExtract(b, prefix, d);
            case 0xc6 -> shuffle(prefix, d);
            case 0xae -> stateManagement(d);
            default -> null;
        };
    }

    // ---------------------------------------------------------------- SSE3

    /** The SSE3 opcodes with their mandatory prefixes (see {@link #sse3}). */
    private static boolean isSse3(int b, int prefix) {
        return switch (b) {
            case 0xd0, 0x7c, 0x7d -> prefix == 0x66 || prefix == 0xf2;
            case 0x12 -> prefix == 0xf2 || prefix == 0xf3;
            case 0x16 -> prefix == 0xf3;
            case 0xf0 -> prefix == 0xf2;
            default -> false;
        };
    }

    /**
     * The SSE3 forms (CPUID leaf 1 ECX bit 0; fisttp is the x87 translator's): addsubpd/ps,
     * haddpd/ps, hsubpd/ps, movddup, movsldup, movshdup and lddqu ({@link #isSse3} says which);
     * null, as elsewhere here, for a form that is #UD (lddqu from a register). The arithmetic
     * takes the exact general path (these are rare), every lane's flags together: an unmasked
     * exception raises #XM before the destination is written, as for the SSE2 packed forms.
     */
    private static X86Op sse3(int b, int prefix, X86Decoder d) {
        if (b == 0xd0 && prefix == 0x66) {
            return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long r0 = SseFloat.arithmeticDouble(c, Arithmetic.SUB, x[2 * dst], lo);
                long r1 = SseFloat.arithmeticDouble(c, Arithmetic.ADD, x[2 * dst + 1], hi);
                end(cpu, c);
                x[2 * dst] = r0;
                x[2 * dst + 1] = r1;
            });
        }
        if (b == 0xd0 && prefix == 0xf2) {
            return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long a0 = x[2 * dst];
                long a1 = x[2 * dst + 1];
                int r0 = SseFloat.arithmeticFloat(c, Arithmetic.SUB, lane(a0, a1, 0), lane(lo, hi, 0));
                int r1 = SseFloat.arithmeticFloat(c, Arithmetic.ADD, lane(a0, a1, 1), lane(lo, hi, 1));
                int r2 = SseFloat.arithmeticFloat(c, Arithmetic.SUB, lane(a0, a1, 2), lane(lo, hi, 2));
                int r3 = SseFloat.arithmeticFloat(c, Arithmetic.ADD, lane(a0, a1, 3), lane(lo, hi, 3));
                end(cpu, c);
                x[2 * dst] = pair(r0, r1);
                x[2 * dst + 1] = pair(r2, r3);
            });
        }
        if ((b == 0x7c || b == 0x7d) && prefix == 0x66) {
            Arithmetic op = b == 0x7c ? Arithmetic.ADD : Arithmetic.SUB;
            return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long r0 = SseFloat.arithmeticDouble(c, op, x[2 * dst], x[2 * dst + 1]);
                long r1 = SseFloat.arithmeticDouble(c, op, lo, hi);
                end(cpu, c);
                x[2 * dst] = r0;
                x[2 * dst + 1] = r1;
            });
        }
        if ((b == 0x7c || b == 0x7d) && prefix == 0xf2) {
            Arithmetic op = b == 0x7c ? Arithmetic.ADD : Arithmetic.SUB;
            return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long a0 = x[2 * dst];
                long a1 = x[2 * dst + 1];
                int r0 = SseFloat.arithmeticFloat(c, op, lane(a0, a1, 0), lane(a0, a1, 1));
                int r1 = SseFloat.arithmeticFloat(c, op, lane(a0, a1, 2), lane(a0, a1, 3));
                int r2 = SseFloat.arithmeticFloat(c, op, lane(lo, hi, 0), lane(lo, hi, 1));
                int r3 = SseFloat.arithmeticFloat(c, op, lane(lo, hi, 2), lane(lo, hi, 3));
                end(cpu, c);
                x[2 * dst] = pair(r0, r1);
                x[2 * dst + 1] = pair(r2, r3);
            });
        }
        if (b == 0x12 && prefix == 0xf2) {
            // movddup: the source's low quadword (an m64 operand: no alignment) into both halves
            return xmm(d, 8, true, false, (cpu, x, dst, lo, hi, imm) -> {
                x[2 * dst] = lo;
                x[2 * dst + 1] = lo;
            });
        }
        if ((b == 0x12 || b == 0x16) && prefix == 0xf3) {
            // movsldup / movshdup: the even / odd single lanes, each twice
            int odd = b == 0x16 ? 1 : 0;
            return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                int l = lane(lo, hi, odd);
                int h = lane(lo, hi, 2 + odd);
                x[2 * dst] = pair(l, l);
                x[2 * dst + 1] = pair(h, h);
            });
        }
        // lddqu: an unaligned 16-byte load; no register form
        d.readModrm();
        if (d.modrmIsRegister()) {
            return null;
        }
        return xmm(d, 16, true, false, (cpu, x, dst, lo, hi, imm) -> {
            x[2 * dst] = lo;
            x[2 * dst + 1] = hi;
        });
    }

    // ---------------------------------------------------------------- moves

    private static FpuOnlyOp moves(int b, int prefix, X86Decoder d) {
        switch (b) {
            case 0x10:
                return switch (prefix) {
                    case 0, 0x66 -> new XmmMove(false, XmmOperands.decode(d));
                    case 0xf3 -> scalarLoad(d, 4);
                    default -> scalarLoad(d, 8);
                };
            case 0x11:
                return switch (prefix) {
                    case 0, 0x66 -> xmmStore(d, 16, true, false);
                    case 0xf3 -> scalarStore(d, false);
                    default -> scalarStore(d, true);
                };
            case 0x28:
                return prefix == 0 || prefix == 0x66 ? new XmmMove(true, XmmOperands.decode(d)) : null;
            case 0x29:
            case 0x2b:
                if (prefix != 0 && prefix != 0x66) {
                    return null;
                }
                d.readModrm();
                if (b == 0x2b && d.modrmIsRegister()) {
                    return null;
                }
                return xmmStore(d, 16, false, false);
            case 0x12:
            case 0x16: {
                if (prefix != 0 && prefix != 0x66) {
                    return null;
                }
                d.readModrm();
                boolean high = b == 0x16;
                if (d.modrmIsRegister()) {
                    if (prefix == 0x66) {
                        return null;
                    }
                    int dst = d.reg();
                    int src = d.rm();
                    // movhlps / movlhps
                    return high ? cpu -> cpu.state.xmm[2 * dst + 1] = cpu.state.xmm[2 * src]
                            : cpu -> cpu.state.xmm[2 * dst] = cpu.state.xmm[2 * src + 1];
                }
                int dst = d.reg();
                Operand.Memory m = memory(d);
                return cpu -> cpu.state.xmm[2 * dst + (high ? 1 : 0)] = cpu.memory.read64(m.address(cpu));
            }
            case 0x13:
            case 0x17: {
                if (prefix != 0 && prefix != 0x66) {
                    return null;
                }
                d.readModrm();
                if (d.modrmIsRegister()) {
                    return null;
                }
                int src = d.reg();
                boolean high = b == 0x17;
                Operand.Memory m = memory(d);
                return cpu -> cpu.memory.write64(m.address(cpu), cpu.state.xmm[2 * src + (high ? 1 : 0)]);
            }
            case 0x14:
            case 0x15: {
                boolean high = b == 0x15;
                if (prefix == 0) {
                    return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                        long dv = high ? x[2 * dst + 1] : x[2 * dst];
                        long sv = high ? hi : lo;
                        x[2 * dst] = pair((int) dv, (int) sv);
                        x[2 * dst + 1] = pair((int) (dv >>> 32), (int) (sv >>> 32));
                    });
                }
                if (prefix == 0x66) {
                    return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                        x[2 * dst] = high ? x[2 * dst + 1] : x[2 * dst];
                        x[2 * dst + 1] = high ? hi : lo;
                    });
                }
                return null;
            }
            default:
                return null;
        }
    }

    private static void copy(X86Cpu cpu, long[] x, int dst, long lo, long hi, int imm) {
        x[2 * dst] = lo;
        x[2 * dst + 1] = hi;
    }

    /** movss/movsd stores: register destinations keep the generic helper, memory gets its own op class. */
    private static FpuOnlyOp scalarStore(X86Decoder d, boolean isDouble) {
        d.readModrm();
        if (d.modrmIsRegister()) {
            return xmmStore(d, isDouble ? 8 : 4, false, false); // readModrm reads the byte once
        }
        return new ScalarStore(isDouble, d.reg(), memory(d));
    }

    /** movss/movsd loads: a register source moves only the low element, memory zeroes the rest. */
    private static FpuOnlyOp scalarLoad(X86Decoder d, int bytes) {
        XmmOperands o = XmmOperands.decode(d);
        return new XmmScalarLoad(bytes == 8, false, o.destination(), o.sourceRegister(), o.sourceMemory());
    }

    private static FpuOnlyOp moveNonTemporalInteger(int prefix, X86Decoder d) {
        d.readModrm();
        if (prefix != 0 || d.modrmIsRegister()) {
            return null;
        }
        int src = d.reg();
        Operand.Memory m = memory(d);
        if (d.rexW()) {
            // movnti m64, r64: the whole register
            return cpu -> cpu.memory.write64(m.address(cpu), cpu.state.regs[src]);
        }
        return cpu -> cpu.memory.write32(m.address(cpu), cpu.state.reg32(src));
    }

    // ---------------------------------------------------------------- floating-point arithmetic

    private static X86Op arithmetic(int b, int prefix, X86Decoder d) {
        if (b == 0x51) {
            return squareRoot(prefix, d);
        }
        if (b == 0x52 || b == 0x53) {
            return reciprocal(b == 0x52, prefix, d);
        }
        Arithmetic op = switch (b) {
            case 0x58 -> Arithmetic.ADD;
            case 0x59 -> Arithmetic.MUL;
            case 0x5c -> Arithmetic.SUB;
            case 0x5d -> Arithmetic.MIN;
            case 0x5e -> Arithmetic.DIV;
            default -> Arithmetic.MAX;
        };
        return switch (prefix) {
            case 0 -> new PackedArithmetic(op, false, XmmOperands.decode(d));
            case 0x66 -> new PackedArithmetic(op, true, XmmOperands.decode(d));
            default -> scalar(d, op, prefix == 0xf2);
        };
    }

    private static X86Op scalar(X86Decoder d, Arithmetic op, boolean isDouble) {
        d.readModrm();
        int dst = d.reg();
        if (d.modrmIsRegister()) {
            return ScalarArithmetic.of(op, isDouble, dst, d.rm(), null);
        }
        return ScalarArithmetic.of(op, isDouble, dst, 0, memory(d));
    }

    private static X86Op squareRoot(int prefix, X86Decoder d) {
        return switch (prefix) {
            case 0 -> xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                int[] r = new int[4];
                for (int i = 0; i < 4; i++) {
                    r[i] = SseFloat.sqrtFloat(c, lane(lo, hi, i));
                }
                end(cpu, c);
                x[2 * dst] = pair(r[0], r[1]);
                x[2 * dst + 1] = pair(r[2], r[3]);
            });
            case 0x66 -> xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long r0 = SseFloat.sqrtDouble(c, lo);
                long r1 = SseFloat.sqrtDouble(c, hi);
                end(cpu, c);
                x[2 * dst] = r0;
                x[2 * dst + 1] = r1;
            });
            case 0xf3 -> new ScalarSquareRoot(false, XmmOperands.decode(d));
            default -> new ScalarSquareRoot(true, XmmOperands.decode(d));
        };
    }

    /**
     * rcpps/rsqrtps: the hardware returns a 12-bit approximation whose exact bits differ between
     * vendors; this returns the correctly rounded single-precision value (within their error bound).
     */
    private static FpuOnlyOp reciprocal(boolean squareRoot, int prefix, X86Decoder d) {
        if (prefix != 0 && prefix != 0xf3) {
            return null;
        }
        boolean scalar = prefix == 0xf3;
        return xmm(d, scalar ? 4 : 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
            int lanes = scalar ? 1 : 4;
            int[] r = new int[4];
            for (int i = 0; i < 4; i++) {
                r[i] = lane(x[2 * dst], x[2 * dst + 1], i);
            }
            for (int i = 0; i < lanes; i++) {
                float v = Float.intBitsToFloat(lane(lo, hi, i));
                double value = squareRoot ? 1.0 / Math.sqrt(v) : 1.0 / v;
                r[i] = Float.floatToRawIntBits((float) value);
            }
            x[2 * dst] = pair(r[0], r[1]);
            x[2 * dst + 1] = pair(r[2], r[3]);
        });
    }

    private static X86Op logic(int b, int prefix, X86Decoder d) {
        if (prefix != 0 && prefix != 0x66) {
            return null;
        }
        int kind = switch (b) {
            case 0x54 -> XmmLogic.AND;
            case 0x55 -> XmmLogic.AND_NOT;
            case 0x56 -> XmmLogic.OR;
            default -> XmmLogic.XOR;
        };
        return new XmmLogic(kind, XmmOperands.decode(d));
    }

    private static FpuOnlyOp compare(int prefix, X86Decoder d) {
        return switch (prefix) {
            case 0 -> xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                int[] r = new int[4];
                for (int i = 0; i < 4; i++) {
                    r[i] = SseFloat.compareFloat(c, imm, lane(x[2 * dst], x[2 * dst + 1], i), lane(lo, hi, i)) ? -1 : 0;
                }
                end(cpu, c);
                x[2 * dst] = pair(r[0], r[1]);
                x[2 * dst + 1] = pair(r[2], r[3]);
            });
            case 0x66 -> xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                long r0 = SseFloat.compareDouble(c, imm, x[2 * dst], lo) ? -1L : 0;
                long r1 = SseFloat.compareDouble(c, imm, x[2 * dst + 1], hi) ? -1L : 0;
                end(cpu, c);
                x[2 * dst] = r0;
                x[2 * dst + 1] = r1;
            });
            case 0xf3 -> xmm(d, 4, false, true, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                boolean r = SseFloat.compareFloat(c, imm, (int) x[2 * dst], (int) lo);
                end(cpu, c);
                x[2 * dst] = (x[2 * dst] & 0xffffffff00000000L) | (r ? 0xffffffffL : 0);
            });
            default -> xmm(d, 8, false, true, (cpu, x, dst, lo, hi, imm) -> {
                FpContext c = begin(cpu);
                boolean r = SseFloat.compareDouble(c, imm, x[2 * dst], lo);
                end(cpu, c);
                x[2 * dst] = r ? -1L : 0;
            });
        };
    }

    private static X86Op compareToFlags(int b, int prefix, X86Decoder d) {
        boolean signaling = b == 0x2f;
        if (prefix == 0 || prefix == 0x66) {
            boolean isDouble = prefix == 0x66;
            return new ScalarCompareToFlags(isDouble, signaling, XmmOperands.decode(d));
        }
        return null;
    }

    private static FpuOnlyOp shuffle(int prefix, X86Decoder d) {
        if (prefix == 0) {
            return xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                long dlo = x[2 * dst];
                long dhi = x[2 * dst + 1];
                int r0 = lane(dlo, dhi, imm & 3);
                int r1 = lane(dlo, dhi, (imm >> 2) & 3);
                int r2 = lane(lo, hi, (imm >> 4) & 3);
                int r3 = lane(lo, hi, (imm >> 6) & 3);
                x[2 * dst] = pair(r0, r1);
                x[2 * dst + 1] = pair(r2, r3);
            });
        }
        if (prefix == 0x66) {
            return xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                long r0 = (imm & 1) != 0 ? x[2 * dst + 1] : x[2 * dst];
                long r1 = (imm & 2) != 0 ? hi : lo;
                x[2 * dst] = r0;
                x[2 * dst + 1] = r1;
            });
        }
        return null;
    }

    private static X86Op moveMask(int prefix, X86Decoder d) {
        d.readModrm();
        if (!d.modrmIsRegister() || (prefix != 0 && prefix != 0x66)) {
            return null;
        }
        int dst = d.reg();
        int src = d.rm();
        if (prefix == 0) {
            return cpu -> {
                long lo = cpu.state.xmm[2 * src];
                long hi = cpu.state.xmm[2 * src + 1];
                cpu.state.setReg32(dst, (int) ((lo >>> 31) & 1 | (lo >>> 62) & 2 | (hi >>> 29) & 4 | (hi >>> 60) & 8));
            };
        }
        return cpu -> cpu.state.setReg32(dst, (int) ((cpu.state.xmm[2 * src] >>> 63) | (cpu.state.xmm[2 * src + 1] >>> 63) << 1));
    }

    // ---------------------------------------------------------------- conversions

    private static X86Op conversions(int b, int prefix, X86Decoder d) {
        switch (b) {
            case 0x2a:
                return switch (prefix) {
                    case 0 -> mmxSourceToXmm(d, (cpu, x, dst, v) -> {
                        FpContext c = begin(cpu);
                        int r0 = SseFloat.int32ToFloat(c, (int) v);
                        int r1 = SseFloat.int32ToFloat(c, (int) (v >>> 32));
                        end(cpu, c);
                        x[2 * dst] = pair(r0, r1);
                    });
                    case 0x66 -> mmxSourceToXmm(d, (cpu, x, dst, v) -> {
                        x[2 * dst] = SseFloat.int32ToDouble((int) v);
                        x[2 * dst + 1] = SseFloat.int32ToDouble((int) (v >>> 32));
                    });
                    case 0xf3 -> {
                        int dst = regField(d);
                        Operand src = rmInteger(d);
                        boolean wide = src.bits == 64;
                        yield (FpuOnlyOp) cpu -> {
                            long v = src.getLong(cpu);
                            FpContext c = begin(cpu);
                            int r = wide ? SseFloat.int64ToFloat(c, v) : SseFloat.int32ToFloat(c, (int) v);
                            end(cpu, c);
                            long[] x = cpu.state.xmm;
                            x[2 * dst] = (x[2 * dst] & 0xffffffff00000000L) | (r & 0xffffffffL);
                        };
                    }
                    default -> {
                        int dst = regField(d);
                        Operand src = rmInteger(d);
                        yield new XmmFromInteger(true, dst, src);
                    }
                };
            case 0x2c:
            case 0x2d: {
                boolean truncate = b == 0x2c;
                return switch (prefix) {
                    case 0 -> xmmToMmx(d, 8, (cpu, lo, hi) -> {
                        FpContext c = begin(cpu);
                        long r0 = SseFloat.floatToInteger(c, (int) lo, 32, truncate);
                        long r1 = SseFloat.floatToInteger(c, (int) (lo >>> 32), 32, truncate);
                        end(cpu, c);
                        return pair((int) r0, (int) r1);
                    });
                    case 0x66 -> xmmToMmx(d, 16, (cpu, lo, hi) -> {
                        FpContext c = begin(cpu);
                        long r0 = SseFloat.doubleToInteger(c, lo, 32, truncate);
                        long r1 = SseFloat.doubleToInteger(c, hi, 32, truncate);
                        end(cpu, c);
                        return pair((int) r0, (int) r1);
                    });
                    case 0xf3 -> new ScalarToInteger(false, truncate, XmmOperands.decode(d), d.rexW() ? 64 : 32);
                    default -> new ScalarToInteger(true, truncate, XmmOperands.decode(d), d.rexW() ? 64 : 32);
                };
            }
            case 0x5a:
                return switch (prefix) {
                    case 0 -> xmm(d, 8, false, false, (cpu, x, dst, lo, hi, imm) -> {
                        FpContext c = begin(cpu);
                        long r0 = SseFloat.floatToDouble(c, (int) lo);
                        long r1 = SseFloat.floatToDouble(c, (int) (lo >>> 32));
                        end(cpu, c);
                        x[2 * dst] = r0;
                        x[2 * dst + 1] = r1;
                    });
                    case 0x66 -> xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                        FpContext c = begin(cpu);
                        int r0 = SseFloat.doubleToFloat(c, lo);
                        int r1 = SseFloat.doubleToFloat(c, hi);
                        end(cpu, c);
                        x[2 * dst] = pair(r0, r1);
                        x[2 * dst + 1] = 0;
                    });
                    case 0xf3 -> new ScalarPrecisionConversion(true, XmmOperands.decode(d));
                    default -> new ScalarPrecisionConversion(false, XmmOperands.decode(d));
                };
            case 0x5b:
                return switch (prefix) {
                    case 0 -> xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                        FpContext c = begin(cpu);
                        int[] r = new int[4];
                        for (int i = 0; i < 4; i++) {
                            r[i] = SseFloat.int32ToFloat(c, lane(lo, hi, i));
                        }
                        end(cpu, c);
                        x[2 * dst] = pair(r[0], r[1]);
                        x[2 * dst + 1] = pair(r[2], r[3]);
                    });
                    case 0x66, 0xf3 -> {
                        boolean truncate = prefix == 0xf3;
                        yield xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                            FpContext c = begin(cpu);
                            int[] r = new int[4];
                            for (int i = 0; i < 4; i++) {
                                r[i] = (int) SseFloat.floatToInteger(c, lane(lo, hi, i), 32, truncate);
                            }
                            end(cpu, c);
                            x[2 * dst] = pair(r[0], r[1]);
                            x[2 * dst + 1] = pair(r[2], r[3]);
                        });
                    }
                    default -> null;
                };
            default:
                return null;
        }
    }

    /** 0F E6: cvttpd2dq (66), cvtdq2pd (F3), cvtpd2dq (F2). */
    private static FpuOnlyOp convertDoublesAndDwords(int prefix, X86Decoder d) {
        return switch (prefix) {
            case 0x66, 0xf2 -> {
                boolean truncate = prefix == 0x66;
                yield xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
                    FpContext c = begin(cpu);
                    long r0 = SseFloat.doubleToInteger(c, lo, 32, truncate);
                    long r1 = SseFloat.doubleToInteger(c, hi, 32, truncate);
                    end(cpu, c);
                    x[2 * dst] = pair((int) r0, (int) r1);
                    x[2 * dst + 1] = 0;
                });
            }
            case 0xf3 -> xmm(d, 8, false, false, (cpu, x, dst, lo, hi, imm) -> {
                x[2 * dst] = SseFloat.int32ToDouble((int) lo);
                x[2 * dst + 1] = SseFloat.int32ToDouble((int) (lo >>> 32));
            });
            default -> null;
        };
    }

    private static int regField(X86Decoder d) {
        d.readModrm();
        return d.reg();
    }

    interface MmxToXmm {
        void apply(X86Cpu cpu, long[] x, int dst, long value);
    }

    private static FpuOnlyOp mmxSourceToXmm(X86Decoder d, MmxToXmm op) {
        d.readModrm();
        int dst = d.reg();
        if (d.modrmIsRegister()) {
            int s = d.rm();
            return cpu -> op.apply(cpu, cpu.state.xmm, dst, cpu.state.fpu.mmxRead(s));
        }
        Operand.Memory m = memory(d);
        return cpu -> op.apply(cpu, cpu.state.xmm, dst, cpu.memory.read64(m.address(cpu)));
    }

    interface XmmToMmx {
        long apply(X86Cpu cpu, long lo, long hi);
    }

    private static FpuOnlyOp xmmToMmx(X86Decoder d, int bytes, XmmToMmx op) {
        return xmm(d, bytes, false, false, (cpu, x, dst, lo, hi, imm) -> cpu.state.fpu.mmxWrite(dst, op.apply(cpu, lo, hi)));
    }

    // ---------------------------------------------------------------- MXCSR, fxsave

    private static FpuOnlyOp stateManagement(X86Decoder d) {
        d.readModrm();
        if (d.modrmIsRegister() || d.mandatoryPrefix() != 0) {
            return null;
        }
        int reg = d.opcodeExtension();
        Operand.Memory m = memory(d);
        int xmmCount = d.longMode() ? 16 : 8; // 64-bit code saves and restores XMM8-15 too
        return switch (reg) {
            case 0 -> cpu -> {
                long a = m.address(cpu);
                checkAligned(a);
                cpu.memory.checkRange(a, 512, true);
                byte[] image = new byte[512];
                cpu.memory.read(a, image, 0, 512);
                cpu.state.fpu.fxsave(image, 0);
                X87Fpu.putInt(image, 24, cpu.state.mxcsr);
                X87Fpu.putInt(image, 28, MXCSR_MASK);
                for (int i = 0; i < xmmCount; i++) {
                    putLong(image, 160 + 16 * i, cpu.state.xmm[2 * i]);
                    putLong(image, 168 + 16 * i, cpu.state.xmm[2 * i + 1]);
                }
                cpu.memory.write(a, image, 0, 160 + 16 * xmmCount);
            };
            case 1 -> cpu -> {
                long a = m.address(cpu);
                checkAligned(a);
                byte[] image = new byte[512];
                cpu.memory.read(a, image, 0, 512);
                int mxcsr = X87Fpu.getInt(image, 24);
                if ((mxcsr & ~MXCSR_MASK) != 0) {
                    throw X86Trap.generalProtection(0);
                }
                cpu.state.fpu.fxrstor(image, 0);
                cpu.state.mxcsr = mxcsr;
                for (int i = 0; i < xmmCount; i++) {
                    cpu.state.xmm[2 * i] = getLong(image, 160 + 16 * i);
                    cpu.state.xmm[2 * i + 1] = getLong(image, 168 + 16 * i);
                }
            };
            case 2 -> cpu -> {
                int v = cpu.memory.read32(m.address(cpu));
                if ((v & ~MXCSR_MASK) != 0) {
                    throw X86Trap.generalProtection(0);
                }
                cpu.state.mxcsr = v;
            };
            case 3 -> cpu -> cpu.memory.write32(m.address(cpu), cpu.state.mxcsr);
            case 7 -> cpu -> { }; // clflush: memory is coherent already
            default -> null;
        };
    }

    /** The MXCSR bits this CPU implements (DAZ included), as fxsave reports them. */
    static final int MXCSR_MASK = 0xffff;

    private static void putLong(byte[] b, int off, long v) {
        X87Fpu.putInt(b, off, (int) v);
        X87Fpu.putInt(b, off + 4, (int) (v >>> 32));
    }

    private static long getLong(byte[] b, int off) {
        return (X87Fpu.getInt(b, off) & 0xffffffffL) | (long) X87Fpu.getInt(b, off + 4) << 32;
    }

    // ---------------------------------------------------------------- integer MMX / SSE2

    private static X86Op integer(int b, int prefix, X86Decoder d) {
        LongBinaryOperator laneOp = switch (b) {
            case 0x64 -> PackedInteger::compareGreaterBytes;
            case 0x65 -> PackedInteger::compareGreaterWords;
            case 0x66 -> PackedInteger::compareGreaterDwords;
            case 0x74 -> PackedInteger::compareEqualBytes;
            case 0x75 -> PackedInteger::compareEqualWords;
            case 0x76 -> PackedInteger::compareEqualDwords;
            case 0xd4 -> PackedInteger::addQword;
            case 0xd5 -> PackedInteger::multiplyLowWords;
            case 0xd8 -> PackedInteger::subUnsignedSaturateBytes;
            case 0xd9 -> PackedInteger::subUnsignedSaturateWords;
            case 0xda -> PackedInteger::minUnsignedBytes;
            case 0xdb -> PackedInteger::and;
            case 0xdc -> PackedInteger::addUnsignedSaturateBytes;
            case 0xdd -> PackedInteger::addUnsignedSaturateWords;
            case 0xde -> PackedInteger::maxUnsignedBytes;
            case 0xdf -> PackedInteger::andNot;
            case 0xe0 -> PackedInteger::averageBytes;
            case 0xe3 -> PackedInteger::averageWords;
            case 0xe4 -> PackedInteger::multiplyHighUnsignedWords;
            case 0xe5 -> PackedInteger::multiplyHighSignedWords;
            case 0xe8 -> PackedInteger::subSignedSaturateBytes;
            case 0xe9 -> PackedInteger::subSignedSaturateWords;
            case 0xea -> PackedInteger::minSignedWords;
            case 0xeb -> PackedInteger::or;
            case 0xec -> PackedInteger::addSignedSaturateBytes;
            case 0xed -> PackedInteger::addSignedSaturateWords;
            case 0xee -> PackedInteger::maxSignedWords;
            case 0xef -> PackedInteger::xor;
            case 0xf4 -> PackedInteger::multiplyUnsignedDword;
            case 0xf5 -> PackedInteger::multiplyAddWords;
            case 0xf6 -> PackedInteger::sumAbsoluteDifferences;
            case 0xf8 -> PackedInteger::subBytes;
            case 0xf9 -> PackedInteger::subWords;
            case 0xfa -> PackedInteger::subDwords;
            case 0xfb -> PackedInteger::subQword;
            case 0xfc -> PackedInteger::addBytes;
            case 0xfd -> PackedInteger::addWords;
            case 0xfe -> PackedInteger::addDwords;
            default -> null;
        };
        if (prefix == 0x66 && (b == 0xd4 || b == 0xfb)) {
            return XmmQwordLanes.arithmetic(b == 0xd4, XmmOperands.decode(d));
        }
        if (prefix == 0x66 && (b == 0xdb || b == 0xdf || b == 0xeb || b == 0xef)) {
            int kind = switch (b) {
                case 0xdb -> XmmLogic.AND;
                case 0xdf -> XmmLogic.AND_NOT;
                case 0xeb -> XmmLogic.OR;
                default -> XmmLogic.XOR;
            };
            return new XmmLogic(kind, XmmOperands.decode(d));
        }
        if (laneOp != null) {
            return packed(d, prefix, laneOp);
        }
        switch (b) {
            case 0x60, 0x61, 0x62: {
                int bits = 8 << (b - 0x60);
                return packedWide(d, prefix, (a, s) -> PackedInteger.interleave((int) a, (int) s, bits),
                        (cpu, x, dst, lo, hi, imm) -> {
                            long dv = x[2 * dst];
                            x[2 * dst] = PackedInteger.interleave((int) dv, (int) lo, bits);
                            x[2 * dst + 1] = PackedInteger.interleave((int) (dv >>> 32), (int) (lo >>> 32), bits);
                        });
            }
            case 0x68, 0x69, 0x6a: {
                int bits = 8 << (b - 0x68);
                return packedWide(d, prefix,
                        (a, s) -> PackedInteger.interleave((int) (a >>> 32), (int) (s >>> 32), bits),
                        (cpu, x, dst, lo, hi, imm) -> {
                            long dv = x[2 * dst + 1];
                            x[2 * dst] = PackedInteger.interleave((int) dv, (int) hi, bits);
                            x[2 * dst + 1] = PackedInteger.interleave((int) (dv >>> 32), (int) (hi >>> 32), bits);
                        });
            }
            case 0x6c, 0x6d:
                if (prefix != 0x66) {
                    return null;
                }
                return xmm(d, 16, false, false, b == 0x6c
                        ? (cpu, x, dst, lo, hi, imm) -> x[2 * dst + 1] = lo
                        : (cpu, x, dst, lo, hi, imm) -> {
                            x[2 * dst] = x[2 * dst + 1];
                            x[2 * dst + 1] = hi;
                        });
            case 0x63, 0x67, 0x6b: {
                java.util.function.LongToIntFunction narrow = switch (b) {
                    case 0x63 -> PackedInteger::packSignedWordsToBytes;
                    case 0x67 -> PackedInteger::packSignedWordsToUnsignedBytes;
                    default -> PackedInteger::packSignedDwordsToWords;
                };
                return packedWide(d, prefix, (a, s) -> pair(narrow.applyAsInt(a), narrow.applyAsInt(s)),
                        (cpu, x, dst, lo, hi, imm) -> {
                            long dlo = x[2 * dst];
                            long dhi = x[2 * dst + 1];
                            x[2 * dst] = pair(narrow.applyAsInt(dlo), narrow.applyAsInt(dhi));
                            x[2 * dst + 1] = pair(narrow.applyAsInt(lo), narrow.applyAsInt(hi));
                        });
            }
            case 0x6e:
                return moveDwordIn(prefix, d);
            case 0x7e:
                if (prefix == 0xf3) {
                    XmmOperands o = XmmOperands.decode(d);
                    return new XmmScalarLoad(true, true, o.destination(), o.sourceRegister(), o.sourceMemory());
                }
                return moveDwordOut(prefix, d);
            case 0x6f:
                return switch (prefix) {
                    case 0 -> mmx(d, false, (a, s) -> s);
                    case 0x66 -> new XmmMove(true, XmmOperands.decode(d));
                    case 0xf3 -> new XmmMove(false, XmmOperands.decode(d));
                    default -> null;
                };
            case 0x7f:
                return switch (prefix) {
                    case 0 -> mmxStore(d);
                    case 0x66 -> xmmStore(d, 16, false, false);
                    case 0xf3 -> xmmStore(d, 16, true, false);
                    default -> null;
                };
            case 0xe7: {
                d.readModrm();
                if (d.modrmIsRegister()) {
                    return null;
                }
                return prefix == 0 ? mmxStore(d) : prefix == 0x66 ? xmmStore(d, 16, false, false) : null;
            }
            case 0xd6:
                return switch (prefix) {
                    case 0x66 -> xmmStore(d, 8, false, true);
                    case 0xf3 -> { // movq2dq xmm, mm
                        d.readModrm();
                        if (!d.modrmIsRegister()) {
                            yield null;
                        }
                        int dst = d.reg();
                        int src = d.rm();
                        yield cpu -> {
                            cpu.state.xmm[2 * dst] = cpu.state.fpu.mmxRead(src);
                            cpu.state.xmm[2 * dst + 1] = 0;
                        };
                    }
                    case 0xf2 -> { // movdq2q mm, xmm
                        d.readModrm();
                        if (!d.modrmIsRegister()) {
                            yield null;
                        }
                        int dst = d.reg();
                        int src = d.rm();
                        yield cpu -> cpu.state.fpu.mmxWrite(dst, cpu.state.xmm[2 * src]);
                    }
                    default -> null;
                };
            case 0xd7:
                return moveByteMask(prefix, d);
            case 0xe6:
                return convertDoublesAndDwords(prefix, d);
            case 0x70:
                return shuffleInteger(prefix, d);
            case 0x71, 0x72, 0x73:
                return shiftImmediate(b, prefix, d);
            case 0xd1, 0xd2, 0xd3, 0xe1, 0xe2, 0xf1, 0xf2, 0xf3:
                return shiftByRegister(b, prefix, d);
            case 0xf7:
                return maskedMove(prefix, d);
            case 0x77:
                return prefix == 0 ? cpu -> cpu.state.fpu.emptyMmxState() : null;
            default:
                return null;
        }
    }

    private static FpuOnlyOp mmxStore(X86Decoder d) {
        d.readModrm();
        int src = d.reg();
        if (d.modrmIsRegister()) {
            int dst = d.rm();
            return cpu -> cpu.state.fpu.mmxWrite(dst, cpu.state.fpu.mmxRead(src));
        }
        Operand.Memory m = memory(d);
        return cpu -> {
            long a = m.address(cpu);
            cpu.memory.checkRange(a, 8, true);
            cpu.memory.write64(a, cpu.state.fpu.mmxRead(src));
        };
    }

    private static FpuOnlyOp moveDwordIn(int prefix, X86Decoder d) {
        int dst = regField(d);
        Operand src = rmInteger(d);
        if (prefix == 0) {
            return cpu -> cpu.state.fpu.mmxWrite(dst, src.getLong(cpu));
        }
        if (prefix == 0x66 && src.bits == 32) {
            return new XmmFromInteger(false, dst, src);
        }
        if (prefix == 0x66) {
            return cpu -> {
                cpu.state.xmm[2 * dst] = src.getLong(cpu);
                cpu.state.xmm[2 * dst + 1] = 0;
            };
        }
        return null;
    }

    private static X86Op moveDwordOut(int prefix, X86Decoder d) {
        int src = regField(d);
        Operand dst = rmInteger(d);
        if (prefix == 0) {
            return cpu -> dst.setLong(cpu, cpu.state.fpu.mmxRead(src));
        }
        if (prefix == 0x66 && dst.bits == 32) {
            return new XmmToInteger(src, dst);
        }
        if (prefix == 0x66) {
            return cpu -> dst.setLong(cpu, cpu.state.xmm[2 * src]);
        }
        return null;
    }

    private static X86Op moveByteMask(int prefix, X86Decoder d) {
        d.readModrm();
        if (!d.modrmIsRegister()) {
            return null;
        }
        int dst = d.reg();
        int src = d.rm();
        if (prefix == 0) {
            return cpu -> cpu.state.setReg32(dst, PackedInteger.byteSignMask(cpu.state.fpu.mmxRead(src)));
        }
        if (prefix == 0x66) {
            return cpu -> cpu.state.setReg32(dst, PackedInteger.byteSignMask(cpu.state.xmm[2 * src])
                    | PackedInteger.byteSignMask(cpu.state.xmm[2 * src + 1]) << 8);
        }
        return null;
    }

    private static long shuffleWords(long v, int imm) {
        long r = 0;
        for (int i = 0; i < 4; i++) {
            r |= ((v >>> (16 * ((imm >> (2 * i)) & 3))) & 0xffff) << (16 * i);
        }
        return r;
    }

    private static FpuOnlyOp shuffleInteger(int prefix, X86Decoder d) {
        return switch (prefix) {
            case 0 -> {
                d.readModrm();
                int dst = d.reg();
                if (d.modrmIsRegister()) {
                    int s = d.rm();
                    int imm = d.uimm8();
                    yield cpu -> cpu.state.fpu.mmxWrite(dst, shuffleWords(cpu.state.fpu.mmxRead(s), imm));
                }
                Operand.Memory m = memory(d);
                int imm = d.uimm8();
                yield cpu -> cpu.state.fpu.mmxWrite(dst, shuffleWords(cpu.memory.read64(m.address(cpu)), imm));
            }
            case 0x66 -> xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                int r0 = lane(lo, hi, imm & 3);
                int r1 = lane(lo, hi, (imm >> 2) & 3);
                int r2 = lane(lo, hi, (imm >> 4) & 3);
                int r3 = lane(lo, hi, (imm >> 6) & 3);
                x[2 * dst] = pair(r0, r1);
                x[2 * dst + 1] = pair(r2, r3);
            });
            case 0xf3 -> xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                x[2 * dst] = lo;
                x[2 * dst + 1] = shuffleWords(hi, imm);
            });
            default -> xmm(d, 16, false, true, (cpu, x, dst, lo, hi, imm) -> {
                x[2 * dst] = shuffleWords(lo, imm);
                x[2 * dst + 1] = hi;
            });
        };
    }

    private static long shift(int kind, int bits, long v, long count) {
        return switch (kind) {
            case 2 -> PackedInteger.shiftRightLogical(v, bits, count);
            case 4 -> PackedInteger.shiftRightArithmetic(v, bits, count);
            default -> PackedInteger.shiftLeftLogical(v, bits, count);
        };
    }

    /** 0F 71/72/73 groups: /2 psrl, /4 psra, /6 psll by imm8; 66 0F 73 /3 psrldq and /7 pslldq. */
    private static FpuOnlyOp shiftImmediate(int b, int prefix, X86Decoder d) {
        d.readModrm();
        if (!d.modrmIsRegister() || (prefix != 0 && prefix != 0x66)) {
            return null;
        }
        int kind = d.reg();
        int r = d.rm();
        int count = d.uimm8();
        int bits = b == 0x71 ? 16 : b == 0x72 ? 32 : 64;
        if (b == 0x73 && (kind == 3 || kind == 7)) {
            if (prefix != 0x66) {
                return null;
            }
            boolean left = kind == 7;
            return cpu -> byteShift(cpu.state.xmm, r, left, count);
        }
        if (kind != 2 && kind != 6 && !(kind == 4 && bits != 64)) {
            return null;
        }
        if (prefix == 0) {
            return cpu -> cpu.state.fpu.mmxWrite(r, shift(kind, bits, cpu.state.fpu.mmxRead(r), count));
        }
        if (bits == 64) {
            return XmmQwordLanes.shift(kind == 6, r, count);
        }
        return cpu -> {
            long[] x = cpu.state.xmm;
            x[2 * r] = shift(kind, bits, x[2 * r], count);
            x[2 * r + 1] = shift(kind, bits, x[2 * r + 1], count);
        };
    }

    private static void byteShift(long[] x, int r, boolean left, int count) {
        long lo = x[2 * r];
        long hi = x[2 * r + 1];
        if (count > 15) {
            x[2 * r] = 0;
            x[2 * r + 1] = 0;
            return;
        }
        int bitCount = count * 8;
        if (bitCount == 0) {
            return;
        }
        if (left) {
            if (bitCount >= 64) {
                x[2 * r + 1] = lo << (bitCount - 64);
                x[2 * r] = 0;
            } else {
                x[2 * r + 1] = (hi << bitCount) | (lo >>> (64 - bitCount));
                x[2 * r] = lo << bitCount;
            }
        } else {
            if (bitCount >= 64) {
                x[2 * r] = hi >>> (bitCount - 64);
                x[2 * r + 1] = 0;
            } else {
                x[2 * r] = (lo >>> bitCount) | (hi << (64 - bitCount));
                x[2 * r + 1] = hi >>> bitCount;
            }
        }
    }

    private static FpuOnlyOp shiftByRegister(int b, int prefix, X86Decoder d) {
        int kind = (b & 0xf0) == 0xd0 ? 2 : (b & 0xf0) == 0xe0 ? 4 : 6;
        int bits = switch (b & 0xf) {
            case 1 -> 16;
            case 2 -> 32;
            default -> 64;
        };
        if (prefix == 0) {
            return mmx(d, false, (v, count) -> shift(kind, bits, v, count));
        }
        if (prefix != 0x66) {
            return null;
        }
        return xmm(d, 16, false, false, (cpu, x, dst, lo, hi, imm) -> {
            x[2 * dst] = shift(kind, bits, x[2 * dst], lo);
            x[2 * dst + 1] = shift(kind, bits, x[2 * dst + 1], lo);
        });
    }

    private static X86Op wordInsertExtract(int b, int prefix, X86Decoder d) {
        if (prefix != 0 && prefix != 0x66) {
            return null;
        }
        boolean xmmForm = prefix == 0x66;
        if (b == 0xc5) {
            d.readModrm();
            if (!d.modrmIsRegister()) {
                return null;
            }
            int dst = d.reg();
            int src = d.rm();
            int imm = d.uimm8();
            if (xmmForm) {
                int index = imm & 7;
                return cpu -> cpu.state.setReg32(dst, (int) ((cpu.state.xmm[2 * src + (index >> 2)] >>> (16 * (index & 3))) & 0xffff));
            }
            int index = imm & 3;
            return cpu -> cpu.state.setReg32(dst, (int) ((cpu.state.fpu.mmxRead(src) >>> (16 * index)) & 0xffff));
        }
        int dst = regField(d);
        Operand src = d.modrmIsRegister() ? Operand.register(32, d.rm()) : Operand.memory(16, d.decodeModrmMemory());
        int imm = d.uimm8();
        if (xmmForm) {
            int index = imm & 7;
            return cpu -> {
                long v = src.get(cpu) & 0xffffL;
                int q = 2 * dst + (index >> 2);
                int shift = 16 * (index & 3);
                cpu.state.xmm[q] = (cpu.state.xmm[q] & ~(0xffffL << shift)) | (v << shift);
            };
        }
        int shift = 16 * (imm & 3);
        return cpu -> {
            long v = src.get(cpu) & 0xffffL;
            X87Fpu f = cpu.state.fpu;
            f.mmxWrite(dst, (f.mmxRead(dst) & ~(0xffffL << shift)) | (v << shift));
        };
    }

    /** maskmovq / maskmovdqu: bytes of reg whose mask byte has its top bit set go to [DS:EDI]. */
    private static FpuOnlyOp maskedMove(int prefix, X86Decoder d) {
        d.readModrm();
        if (!d.modrmIsRegister() || (prefix != 0 && prefix != 0x66)) {
            return null;
        }
        int data = d.reg();
        int mask = d.rm();
        int segment = d.segmentOverride() >= 0 ? d.segmentOverride() : X86CpuState.DS;
        boolean wide = prefix == 0x66;
        return cpu -> {
            X86CpuState s = cpu.state;
            long base = (s.reg32(X86CpuState.EDI) + s.segBase[segment]) & 0xffffffffL;
            int bytes = wide ? 16 : 8;
            for (int i = 0; i < bytes; i++) {
                long dataWord = wide ? s.xmm[2 * data + (i >> 3)] : s.fpu.mmxRead(data);
                long maskWord = wide ? s.xmm[2 * mask + (i >> 3)] : s.fpu.mmxRead(mask);
                int shift = 8 * (i & 7);
                if (((maskWord >>> shift) & 0x80) != 0) {
                    cpu.memory.write8((base + i) & 0xffffffffL, (int) (dataWord >>> shift));
                }
            }
        };
    }
}
