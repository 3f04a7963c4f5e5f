package org.qemu.i386.fp;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.fp.SseFloat.Arithmetic;

/**
 * The scalar SSE operations that compiled blocks call with XMM values held in locals
 * ({@code translate.SseEmitter}): each one is the default-MXCSR fast path ({@link SseFastPath})
 * with the exact general path behind it, small enough for HotSpot to inline into the block, so
 * an {@code addsd} compiles to a {@code dadd} plus the operand checks. The op classes' own
 * {@code exec} calls the same methods, so interpreted and compiled code cannot drift apart.
 * Results come back as bit patterns; the general path may set MXCSR flags and raise #XM
 * before anything is written.
 */
public final class SseInline {
    private SseInline() {
    }

    public static long addDouble(X86Cpu cpu, long a, long b) {
        long r = SseFastPath.addDouble(cpu.state, a, b);
        return r != SseFastPath.SLOW ? r : ScalarArithmetic.generalDouble(cpu, Arithmetic.ADD, a, b);
    }

    public static long subtractDouble(X86Cpu cpu, long a, long b) {
        long r = SseFastPath.addDouble(cpu.state, a, b ^ Long.MIN_VALUE);
        return r != SseFastPath.SLOW ? r : ScalarArithmetic.generalDouble(cpu, Arithmetic.SUB, a, b);
    }

    public static long multiplyDouble(X86Cpu cpu, long a, long b) {
        long r = SseFastPath.multiplyDouble(cpu.state, a, b);
        return r != SseFastPath.SLOW ? r : ScalarArithmetic.generalDouble(cpu, Arithmetic.MUL, a, b);
    }

    public static long divideDouble(X86Cpu cpu, long a, long b) {
        long r = SseFastPath.divideDouble(cpu.state, a, b);
        return r != SseFastPath.SLOW ? r : ScalarArithmetic.generalDouble(cpu, Arithmetic.DIV, a, b);
    }

    /** The single-precision forms take and return the whole low quadword (the upper 32 bits stay). */
    public static long addFloat(X86Cpu cpu, long low, int b) {
        long r = SseFastPath.addFloat(cpu.state, (int) low, b);
        return ScalarArithmetic.lowFloat(low, r != SseFastPath.SLOW_FLOAT ? r : ScalarArithmetic.generalFloat(cpu, Arithmetic.ADD, (int) low, b));
    }

    public static long subtractFloat(X86Cpu cpu, long low, int b) {
        long r = SseFastPath.addFloat(cpu.state, (int) low, b ^ Integer.MIN_VALUE);
        return ScalarArithmetic.lowFloat(low, r != SseFastPath.SLOW_FLOAT ? r : ScalarArithmetic.generalFloat(cpu, Arithmetic.SUB, (int) low, b));
    }

    public static long multiplyFloat(X86Cpu cpu, long low, int b) {
        long r = SseFastPath.arithmeticFloat(cpu.state, SseFastPath.MUL, (int) low, b);
        return ScalarArithmetic.lowFloat(low, r != SseFastPath.SLOW_FLOAT ? r : ScalarArithmetic.generalFloat(cpu, Arithmetic.MUL, (int) low, b));
    }

    public static long divideFloat(X86Cpu cpu, long low, int b) {
        long r = SseFastPath.arithmeticFloat(cpu.state, SseFastPath.DIV, (int) low, b);
        return ScalarArithmetic.lowFloat(low, r != SseFastPath.SLOW_FLOAT ? r : ScalarArithmetic.generalFloat(cpu, Arithmetic.DIV, (int) low, b));
    }

    public static long sqrtDouble(X86Cpu cpu, long b) {
        X86CpuState s = cpu.state;
        long r = SseFastPath.sqrtDouble(s, b);
        if (r == SseFastPath.SLOW) {
            FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
            r = SseFloat.sqrtDouble(c, b);
            SseTranslator.end(cpu, c);
        }
        return r;
    }

    /** cvt(t)sd2si to 32 bits: out-of-range and NaN give 0x80000000 (and IE). */
    public static int doubleToInt32(X86Cpu cpu, long b, boolean truncate) {
        X86CpuState s = cpu.state;
        long r = SseFastPath.doubleToInt32(s, b, truncate);
        if (r == SseFastPath.SLOW) {
            FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
            r = SseFloat.doubleToInteger(c, b, 32, truncate);
            SseTranslator.end(cpu, c);
        }
        return (int) r;
    }

    public static int floatToInt32(X86Cpu cpu, int b, boolean truncate) {
        X86CpuState s = cpu.state;
        long r = SseFastPath.floatToInt32(s, b, truncate);
        if (r == SseFastPath.SLOW) {
            FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
            r = SseFloat.floatToInteger(c, b, 32, truncate);
            SseTranslator.end(cpu, c);
        }
        return (int) r;
    }

    /**
     * cvt(t)sd2si to 64 bits (REX.W): an ordinary double in the default mode whose whole part
     * fits is Java's conversion of that whole part (inexact when a fraction was dropped); the
     * rest (NaN, infinities, denormals, overflow, other modes) takes the general path, which
     * gives the integer indefinite 0x8000000000000000 and IE.
     */
    public static long doubleToInt64(X86Cpu cpu, long b, boolean truncate) {
        X86CpuState s = cpu.state;
        if (SseFastPath.isDefaultMode(s.mxcsr) && SseFastPath.ordinaryDouble(b)) {
            double x = Double.longBitsToDouble(b);
            double whole = truncate ? (x < 0 ? Math.ceil(x) : Math.floor(x)) : Math.rint(x);
            if (whole >= -0x1p63 && whole < 0x1p63) {
                if (whole != x && (s.mxcsr & FpFlags.PRECISION) == 0) {
                    SseFastPath.raiseInexact(s);
                }
                return (long) whole;
            }
        }
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        long r = SseFloat.doubleToInteger(c, b, 64, truncate);
        SseTranslator.end(cpu, c);
        return r;
    }

    /** cvt(t)ss2si to 64 bits: an ordinary float widens exactly to a double, which converts as above. */
    public static long floatToInt64(X86Cpu cpu, int b, boolean truncate) {
        X86CpuState s = cpu.state;
        if (SseFastPath.ordinaryFloat(b)) {
            return doubleToInt64(cpu, Double.doubleToRawLongBits(Float.intBitsToFloat(b)), truncate);
        }
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        long r = SseFloat.floatToInteger(c, b, 64, truncate);
        SseTranslator.end(cpu, c);
        return r;
    }

    /**
     * cvtsi2sd from 64 bits: exact (no flag, any rounding mode) when the integer has at most 53
     * significant bits; wider ones are rounded by the general path, which sets PE.
     */
    public static long int64ToDouble(X86Cpu cpu, long v) {
        if (v >= -(1L << 53) && v <= (1L << 53)) {
            return Double.doubleToRawLongBits((double) v);
        }
        X86CpuState s = cpu.state;
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        long r = SseFloat.int64ToDouble(c, v);
        SseTranslator.end(cpu, c);
        return r;
    }

    /**
     * (u)comisd: ZF, PF and CF as EFLAGS bits. The comparisons and their fast paths stay under
     * C2's 35-byte limit for inlining a call site whatever its profile says (see
     * SseFastPath.orderedFlags): the general path is a method of its own.
     */
    public static int compareDouble(X86Cpu cpu, long a, long b, boolean signaling) {
        int flags = SseFastPath.compareDoubleToFlags(a, b);
        return flags >= 0 ? flags : compareGeneral(cpu, a, b, signaling, true);
    }

    public static int compareFloat(X86Cpu cpu, int a, int b, boolean signaling) {
        int flags = SseFastPath.compareFloatToFlags(a, b);
        return flags >= 0 ? flags : compareGeneral(cpu, a, b, signaling, false);
    }

    /** (u)comisd and (u)comiss on the general path: NaNs, denormals, MXCSR's flags and #XM. */
    private static int compareGeneral(X86Cpu cpu, long a, long b, boolean signaling, boolean isDouble) {
        X86CpuState s = cpu.state;
        FpContext c = SseFloat.begin(s.sseContext, s.mxcsr);
        int flags = isDouble ? SseFloat.compareDoubleToFlags(c, a, b, signaling)
                : SseFloat.compareFloatToFlags(c, (int) a, (int) b, signaling);
        SseTranslator.end(cpu, c);
        return flags;
    }

    /** The 16-byte alignment movaps/movdqa and the packed memory forms demand: #GP(0) otherwise. */
    public static void requireAligned(long address) {
        if ((address & 15) != 0) {
            throw X86Trap.generalProtection(0);
        }
    }
}
