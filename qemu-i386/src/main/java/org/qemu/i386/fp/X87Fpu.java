package org.qemu.i386.fp;

/**
 * The x87 floating-point unit of one guest CPU: eight 80-bit registers addressed as a stack,
 * the control, status and tag words. Every method is one instruction's effect on this state;
 * the translator loads memory operands, calls the method and stores what it returns.
 *
 * <p>Every instruction produces the masked response (the Linux default control word 0x037F
 * masks everything); an unmasked exception sets ES/B, and {@link #checkPendingException}, run
 * before the next waiting instruction, raises #MF.
 */
public final class X87Fpu {
    public static final int DEFAULT_CONTROL_WORD = 0x037f;

    // status word bits
    public static final int SW_STACK_FAULT = 0x40;
    public static final int SW_ERROR_SUMMARY = 0x80;
    public static final int SW_C0 = 0x100;
    public static final int SW_C1 = 0x200;
    public static final int SW_C2 = 0x400;
    public static final int SW_C3 = 0x4000;
    public static final int SW_BUSY = 0x8000;
    private static final int SW_CONDITION = SW_C0 | SW_C1 | SW_C2 | SW_C3;

    // EFLAGS bits written by fcomi/fucomi
    public static final int EFLAGS_CF = 0x01;
    public static final int EFLAGS_PF = 0x04;
    public static final int EFLAGS_ZF = 0x40;

    /** The arithmetic instruction family D8/DC/DE /0-/7 except the compares. */
    public enum Operation { ADD, MUL, SUB, SUBR, DIV, DIVR }

    /**
     * The eight physical registers as sign/exponent words and significands: primitive arrays,
     * so the fast paths ({@link X87FastPath}) never allocate; {@link Float80} values are made
     * only for the general path.
     */
    final int[] exponentWords = new int[8];
    final long[] significands = new long[8];
    private int emptyMask = 0xff; // bit per physical register
    private int top;
    int control = DEFAULT_CONTROL_WORD;
    int status; // without the TOP field
    private final FpContext ctx = new FpContext();

    /** Last-instruction pointers as fnstenv/fxsave report them (Linux programs do not use them). */
    private int lastOpcode;
    private int lastInstructionPointer;
    private int lastDataPointer;

    public X87Fpu() {
    }

    private Float80 register(int p) {
        return new Float80(exponentWords[p], significands[p]);
    }

    private void setRegister(int p, Float80 value) {
        exponentWords[p] = value.signExponent();
        significands[p] = value.significand();
    }

    /** Copies the whole architectural state (fork, clone, signal frames). */
    public void copyInto(X87Fpu other) {
        System.arraycopy(exponentWords, 0, other.exponentWords, 0, 8);
        System.arraycopy(significands, 0, other.significands, 0, 8);
        other.emptyMask = emptyMask;
        other.top = top;
        other.control = control;
        other.status = status;
        other.lastOpcode = lastOpcode;
        other.lastInstructionPointer = lastInstructionPointer;
        other.lastDataPointer = lastDataPointer;
    }

    /** Writes the whole architectural state (for a fork snapshot); {@link #readFrom} reads it back. */
    public void writeTo(java.io.DataOutput out) throws java.io.IOException {
        for (int p = 0; p < 8; p++) {
            out.writeShort(exponentWords[p]);
            out.writeLong(significands[p]);
        }
        out.writeInt(emptyMask);
        out.writeInt(top);
        out.writeInt(control);
        out.writeInt(status);
        out.writeInt(lastOpcode);
        out.writeInt(lastInstructionPointer);
        out.writeInt(lastDataPointer);
    }

    public void readFrom(java.io.DataInput in) throws java.io.IOException {
        for (int i = 0; i < 8; i++) {
            exponentWords[i] = in.readShort() & 0xffff;
            significands[i] = in.readLong();
        }
        emptyMask = in.readInt();
        top = in.readInt();
        control = in.readInt();
        status = in.readInt();
        lastOpcode = in.readInt();
        lastInstructionPointer = in.readInt();
        lastDataPointer = in.readInt();
    }

    // ---------------------------------------------------------------- register stack

    private int physical(int i) {
        return (top + i) & 7;
    }

    public boolean isEmpty(int i) {
        return (emptyMask & (1 << physical(i))) != 0;
    }

    /** ST(i) without stack checks (for tests and state dumps). */
    public Float80 peek(int i) {
        return register(physical(i));
    }

    public Float80 physicalRegister(int index) {
        return register(index & 7);
    }

    public int top() {
        return top;
    }

    /** ST(i), or null after recording a stack underflow. */
    private Float80 read(int i) {
        if (isEmpty(i)) {
            stackUnderflow();
            return null;
        }
        return register(physical(i));
    }

    private void write(int i, Float80 value) {
        int p = physical(i);
        setRegister(p, value);
        emptyMask &= ~(1 << p);
    }

    /** Writes physical register p (the fast paths' result). */
    void writePhysical(int p, int exponentWord, long significand) {
        exponentWords[p] = exponentWord;
        significands[p] = significand;
        emptyMask &= ~(1 << p);
    }

    private void stackUnderflow() {
        status = (status & ~SW_C1) | FpFlags.INVALID | SW_STACK_FAULT;
        summarize();
    }

    /** Pushes a value; on overflow the masked response pushes the default NaN. */
    private void push(Float80 value) {
        push(value.signExponent(), value.significand());
    }

    void push(int exponentWord, long significand) {
        int newTop = (top - 1) & 7;
        if ((emptyMask & (1 << newTop)) == 0) {
            status |= FpFlags.INVALID | SW_STACK_FAULT | SW_C1;
            summarize();
            exponentWord = Float80.DEFAULT_NAN.signExponent();
            significand = Float80.DEFAULT_NAN.significand();
        }
        top = newTop;
        exponentWords[newTop] = exponentWord;
        significands[newTop] = significand;
        emptyMask &= ~(1 << newTop);
    }

    public void pop() {
        emptyMask |= 1 << top;
        top = (top + 1) & 7;
    }

    /** Starts an arithmetic instruction: fresh flags, rounding from the control word. */
    private FpContext begin() {
        ctx.clearFlags();
        ctx.setRounding(control >>> 10);
        return ctx;
    }

    /** Ends an instruction: sticky flags into the status word, C1 from the rounding direction. */
    private void commit() {
        status = (status & ~SW_C1) | ctx.flags() | (ctx.roundedUp() ? SW_C1 : 0);
        summarize();
    }

    void summarize() {
        if ((status & ~control & FpFlags.ALL) != 0) {
            status |= SW_ERROR_SUMMARY | SW_BUSY;
        }
    }

    private Precision precision() {
        return Precision.ofX87PrecisionControl(control >>> 8);
    }

    private void clearConditionCodes() {
        status &= ~SW_CONDITION;
    }

    /**
     * Called before every waiting x87 instruction: a pending unmasked exception (ES set by an
     * earlier instruction) raises #MF now, as the hardware does. The earlier instruction
     * completed with the masked response; see docs/TRANSLATOR.md.
     */
    public void checkPendingException() {
        if ((status & SW_ERROR_SUMMARY) != 0) {
            int unmasked = status & ~control & FpFlags.ALL;
            throw FpExceptionTrap.of(unmasked | ((status & SW_STACK_FAULT) != 0 ? FpFlags.INVALID : 0),
                    FpExceptionTrap.X87_VECTOR);
        }
    }

    // ---------------------------------------------------------------- loads

    public void loadExtended(Float80 value) {
        clearC1();
        push(value);
    }

    public void loadExtended(int signExponent, long significand) {
        loadExtended(new Float80(signExponent, significand));
    }

    public void loadDouble(long bits) {
        int word = X87FastPath.wordOfDouble(bits);
        if (word >= 0) { // normal or zero: exact, no flags
            status &= ~SW_C1;
            push(word, X87FastPath.significandOfDouble(bits));
            return;
        }
        FpContext c = begin();
        Float80 value = SoftFloat.fromDouble(c, bits);
        commit();
        push(value);
    }

    public void loadFloat(int bits) {
        int word = X87FastPath.wordOfFloat(bits);
        if (word >= 0) {
            status &= ~SW_C1;
            push(word, X87FastPath.significandOfFloat(bits));
            return;
        }
        FpContext c = begin();
        Float80 value = SoftFloat.fromFloat(c, bits);
        commit();
        push(value);
    }

    /** fild m16/m32/m64: sign-extended integer, exact. */
    public void loadInteger(long value) {
        clearC1();
        if (value == 0) {
            push(0, 0);
            return;
        }
        long magnitude = value < 0 ? -value : value; // Long.MIN_VALUE stays 2^63 as unsigned
        int lz = Long.numberOfLeadingZeros(magnitude);
        push((value < 0 ? 0x8000 : 0) | (Float80.EXPONENT_BIAS + 63 - lz), magnitude << lz);
    }

    /** fld st(i). */
    public void loadStack(int i) {
        clearC1();
        int p = physical(i);
        if ((emptyMask & (1 << p)) == 0) {
            push(exponentWords[p], significands[p]);
            return;
        }
        Float80 value = read(i);
        push(value == null ? Float80.DEFAULT_NAN : value);
    }

    private void clearC1() {
        status &= ~SW_C1;
    }

    /** The seven constant loads (D9 E8-EE), rounded like the hardware from 66+ bit values. */
    public enum Constant {
        ONE(0x3fff, 0x8000000000000000L, 0),
        LOG2_10(0x4000, 0xd49a784bcd1b8afeL, 0x492bf6ff4dafdb4cL),
        LOG2_E(0x3fff, 0xb8aa3b295c17f0bbL, 0xbe87fed0691d3e88L),
        PI(0x4000, 0xc90fdaa22168c234L, 0xc4c6628b80dc1cd1L),
        LOG10_2(0x3ffd, 0x9a209a84fbcff798L, 0x8f8959ac0b7c9178L),
        LN_2(0x3ffe, 0xb17217f7d1cf79abL, 0xc9e3b39803f2f6afL),
        ZERO(0, 0, 0);

        final int signExponent;
        final long significand;
        final long lowerBits;

        Constant(int signExponent, long significand, long lowerBits) {
            this.signExponent = signExponent;
            this.significand = significand;
            this.lowerBits = lowerBits;
        }
    }

    public void loadConstant(Constant constant) {
        FpContext c = begin();
        Float80 value;
        if (constant == Constant.ZERO) {
            value = Float80.POSITIVE_ZERO;
        } else {
            value = SoftFloat.round(c, Precision.EXTENDED, false, constant.signExponent - Float80.EXPONENT_BIAS,
                    constant.significand, constant.lowerBits);
        }
        // the constants are not reported as inexact
        c.clearFlags();
        clearC1();
        push(value);
    }

    // ---------------------------------------------------------------- stores

    public Float80 storeExtended(boolean pop) {
        clearC1();
        Float80 value = read(0);
        if (value == null) {
            value = Float80.DEFAULT_NAN;
        }
        if (pop) {
            pop();
        }
        return value;
    }

    public long storeDouble(boolean pop) {
        if ((emptyMask & (1 << top)) == 0) {
            long bits = X87FastPath.storeDouble(this, exponentWords[top], significands[top]);
            if (bits != SseFastPath.SLOW) {
                if (pop) {
                    pop();
                }
                return bits;
            }
        }
        Float80 value = read(0);
        long bits;
        if (value == null) {
            bits = 0xfff8000000000000L;
        } else {
            FpContext c = begin();
            bits = SoftFloat.toDouble(c, value);
            commit();
        }
        if (pop) {
            pop();
        }
        return bits;
    }

    public int storeFloat(boolean pop) {
        if ((emptyMask & (1 << top)) == 0) {
            long bits = X87FastPath.storeFloat(this, exponentWords[top], significands[top]);
            if (bits != SseFastPath.SLOW_FLOAT) {
                if (pop) {
                    pop();
                }
                return (int) bits;
            }
        }
        Float80 value = read(0);
        int bits;
        if (value == null) {
            bits = 0xffc00000;
        } else {
            FpContext c = begin();
            bits = SoftFloat.toFloat(c, value);
            commit();
        }
        if (pop) {
            pop();
        }
        return bits;
    }

    /**
     * fist/fistp (rounding control) and fisttp ({@code truncate}) to 16, 32 or 64 bits; the
     * result is sign-extended to a long.
     */
    public long storeInteger(int bits, boolean truncate, boolean pop) {
        if ((emptyMask & (1 << top)) == 0) {
            long result = X87FastPath.storeInteger(this, exponentWords[top], significands[top], bits, truncate);
            if (result != Long.MIN_VALUE) {
                if (pop) {
                    pop();
                }
                return result;
            }
        }
        Float80 value = read(0);
        long result;
        if (value == null) {
            result = -1L << (bits - 1);
        } else {
            FpContext c = begin();
            result = SoftFloat.toInteger(c, value, bits, truncate ? FpContext.ROUND_ZERO : c.rounding());
            commit();
        }
        if (pop) {
            pop();
        }
        return result;
    }

    /** fst/fstp st(i). */
    public void storeStack(int i, boolean pop) {
        clearC1();
        if ((emptyMask & (1 << top)) == 0) {
            writePhysical(physical(i), exponentWords[top], significands[top]);
            if (pop) {
                pop();
            }
            return;
        }
        Float80 value = read(0);
        if (value != null || isMaskedInvalid()) {
            write(i, value == null ? Float80.DEFAULT_NAN : value);
        }
        if (pop) {
            pop();
        }
    }

    private boolean isMaskedInvalid() {
        return (control & FpFlags.INVALID) != 0;
    }

    // ---------------------------------------------------------------- arithmetic

    private Float80 apply(Operation op, Float80 left, Float80 right) {
        FpContext c = ctx;
        Precision p = precision();
        return switch (op) {
            case ADD -> SoftFloat.add(c, p, left, right);
            case MUL -> SoftFloat.multiply(c, p, left, right);
            case SUB -> SoftFloat.subtract(c, p, left, right);
            case SUBR -> SoftFloat.subtract(c, p, right, left);
            case DIV -> SoftFloat.divide(c, p, left, right);
            case DIVR -> SoftFloat.divide(c, p, right, left);
        };
    }

    /** ST(0) = ST(0) op value, for the m32/m64/m16int/m32int forms. */
    public void arithmeticWithValue(Operation op, Float80 value) {
        begin();
        Float80 st0 = read(0);
        if (st0 != null) {
            Float80 result = apply(op, st0, value);
            commit();
            write(0, result);
        } else if (isMaskedInvalid()) {
            write(0, Float80.DEFAULT_NAN);
        }
    }

    public void arithmeticWithDouble(Operation op, long bits) {
        int word = X87FastPath.wordOfDouble(bits);
        if (word >= 0 && (emptyMask & (1 << top)) == 0 && X87FastPath.arithmetic(this, op, top, exponentWords[top],
                significands[top], word, X87FastPath.significandOfDouble(bits))) {
            return;
        }
        arithmeticWithMemoryValue(op, SoftFloat.widenDouble(bits), SoftFloat.isDenormalDouble(bits));
    }

    public void arithmeticWithFloat(Operation op, int bits) {
        int word = X87FastPath.wordOfFloat(bits);
        if (word >= 0 && (emptyMask & (1 << top)) == 0 && X87FastPath.arithmetic(this, op, top, exponentWords[top],
                significands[top], word, X87FastPath.significandOfFloat(bits))) {
            return;
        }
        arithmeticWithMemoryValue(op, SoftFloat.widenFloat(bits), SoftFloat.isDenormalFloat(bits));
    }

    /**
     * A binary32/binary64 memory operand is widened exactly (an SNaN stays signaling); its
     * denormal-operand flag is reported only if the operation gets past the NaN, invalid and
     * zero-divide checks, as the hardware orders them.
     */
    private void arithmeticWithMemoryValue(Operation op, Float80 value, boolean denormalSource) {
        Float80 st0 = isEmpty(0) ? null : peek(0);
        arithmeticWithValue(op, value);
        reportMemoryDenormal(st0, value, denormalSource);
    }

    private void reportMemoryDenormal(Float80 st0, Float80 value, boolean denormalSource) {
        if (denormalSource && st0 != null && !st0.isNaN() && !st0.isUnsupported()
                && (ctx.flags() & (FpFlags.INVALID | FpFlags.DIVIDE_BY_ZERO)) == 0) {
            status |= FpFlags.DENORMAL;
            summarize();
        }
    }

    public void arithmeticWithInteger(Operation op, long value) {
        arithmeticWithValue(op, SoftFloat.fromLong(value));
    }

    /**
     * Register forms: ST(dest) = ST(dest) op ST(src) where one of them is ST(0); pops afterwards
     * for the DE xx "p" forms.
     */
    public void arithmeticRegisters(Operation op, int dest, int src, boolean pop) {
        int pd = physical(dest);
        int ps = physical(src);
        if ((emptyMask & (1 << pd | 1 << ps)) == 0 && X87FastPath.arithmetic(this, op, pd, exponentWords[pd],
                significands[pd], exponentWords[ps], significands[ps])) {
            if (pop) {
                pop();
            }
            return;
        }
        begin();
        Float80 left = read(dest);
        Float80 right = left == null ? null : read(src);
        if (left != null && right != null) {
            Float80 result = apply(op, left, right);
            commit();
            write(dest, result);
        } else if (isMaskedInvalid()) {
            write(dest, Float80.DEFAULT_NAN);
        }
        if (pop) {
            pop();
        }
    }

    public void changeSign() {
        clearC1();
        if (read(0) != null) {
            exponentWords[top] ^= 0x8000;
        }
    }

    public void absolute() {
        clearC1();
        if (read(0) != null) {
            exponentWords[top] &= 0x7fff;
        }
    }

    public void squareRoot() {
        if ((emptyMask & (1 << top)) == 0 && X87FastPath.squareRoot(this, top, exponentWords[top], significands[top])) {
            return;
        }
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 != null) {
            Float80 r = SoftFloat.sqrt(c, precision(), st0);
            commit();
            write(0, r);
        }
    }

    public void roundToInteger() {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 != null) {
            Float80 r = SoftFloat.roundToInteger(c, st0);
            commit();
            write(0, r);
        }
    }

    public void scale() {
        FpContext c = begin();
        Float80 st0 = read(0);
        Float80 st1 = st0 == null ? null : read(1);
        if (st0 != null && st1 != null) {
            Float80 r = X87Special.scale(c, st0, st1);
            commit();
            write(0, r);
        }
    }

    /** fxtract: ST(0) becomes its exponent and the significand is pushed. */
    public void extract() {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 == null) {
            return;
        }
        Float80[] parts = X87Special.extract(c, st0);
        commit();
        write(0, parts[0]);
        push(parts[1]);
    }

    /** fprem ({@code ieee} false) and fprem1 (true). */
    public void partialRemainder(boolean ieee) {
        FpContext c = begin();
        Float80 st0 = read(0);
        Float80 st1 = st0 == null ? null : read(1);
        if (st0 == null || st1 == null) {
            return;
        }
        X87Special.Remainder r = X87Special.remainder(c, st0, st1, ieee);
        commit();
        clearConditionCodes();
        status |= r.conditionBits();
        write(0, r.value());
    }

    // ---------------------------------------------------------------- transcendental

    public void sine() {
        unaryTranscendental(X87Transcendental.Function.SIN);
    }

    public void cosine() {
        unaryTranscendental(X87Transcendental.Function.COS);
    }

    public void twoToXMinusOne() {
        unaryTranscendental(X87Transcendental.Function.EXP2M1);
    }

    private void unaryTranscendental(X87Transcendental.Function f) {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 == null) {
            return;
        }
        Float80 r = X87Transcendental.apply(c, f, st0);
        commit();
        status &= ~SW_C2;
        if (r == null) { // out of range for fsin/fcos: C2 set, operand unchanged
            status |= SW_C2;
            return;
        }
        write(0, r);
    }

    /** fsincos: ST(0) = sin, push cos. */
    public void sineCosine() {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 == null) {
            return;
        }
        Float80 sin = X87Transcendental.apply(c, X87Transcendental.Function.SIN, st0);
        Float80 cos = X87Transcendental.apply(c, X87Transcendental.Function.COS, st0);
        commit();
        status &= ~SW_C2;
        if (sin == null) {
            status |= SW_C2;
            return;
        }
        write(0, sin);
        push(cos);
    }

    /** fptan: ST(0) = tan, push 1. */
    public void partialTangent() {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 == null) {
            return;
        }
        Float80 tan = X87Transcendental.apply(c, X87Transcendental.Function.TAN, st0);
        commit();
        status &= ~SW_C2;
        if (tan == null) {
            status |= SW_C2;
            return;
        }
        write(0, tan);
        push(tan.isNaN() ? tan : Float80.ONE);
    }

    /** fpatan: ST(1) = atan(ST(1)/ST(0)), pop. */
    public void partialArctangent() {
        binaryTranscendental(X87Transcendental.Function.ATAN2);
    }

    /** fyl2x: ST(1) = ST(1) * log2(ST(0)), pop. */
    public void yLog2X() {
        binaryTranscendental(X87Transcendental.Function.YLOG2X);
    }

    /** fyl2xp1: ST(1) = ST(1) * log2(ST(0) + 1), pop. */
    public void yLog2XPlusOne() {
        binaryTranscendental(X87Transcendental.Function.YLOG2XP1);
    }

    private void binaryTranscendental(X87Transcendental.Function f) {
        FpContext c = begin();
        Float80 st0 = read(0);
        Float80 st1 = st0 == null ? null : read(1);
        if (st0 != null && st1 != null) {
            Float80 r = X87Transcendental.apply2(c, f, st1, st0);
            commit();
            write(1, r);
        } else if (isMaskedInvalid()) {
            write(1, Float80.DEFAULT_NAN);
        }
        pop();
    }

    // ---------------------------------------------------------------- comparisons

    private void setConditionFromRelation(int relation) {
        clearConditionCodes();
        status |= switch (relation) {
            case SoftFloat.LESS -> SW_C0;
            case SoftFloat.EQUAL -> SW_C3;
            case SoftFloat.GREATER -> 0;
            default -> SW_C0 | SW_C2 | SW_C3;
        };
    }

    /** fcom/fucom with ST(i); pops {@code pops} times afterwards (fcomp, fcompp). */
    public void compareStack(int i, boolean unordered, int pops) {
        int relation = fastRelation(i);
        if (relation != -2) {
            status &= ~SW_C1;
            setConditionFromRelation(relation);
            for (int n = 0; n < pops; n++) {
                pop();
            }
            return;
        }
        FpContext c = begin();
        Float80 st0 = read(0);
        Float80 other = st0 == null ? null : read(i);
        if (st0 == null || other == null) {
            setConditionFromRelation(SoftFloat.UNORDERED);
        } else {
            relation = SoftFloat.compare(c, st0, other, !unordered);
            commit();
            setConditionFromRelation(relation);
        }
        for (int n = 0; n < pops; n++) {
            pop();
        }
    }

    /** ST(0) against ST(i) when both are normal or zero (nothing to raise), else -2. */
    private int fastRelation(int i) {
        int pi = physical(i);
        if ((emptyMask & (1 << top | 1 << pi)) != 0) {
            return -2;
        }
        return X87FastPath.relation(exponentWords[top], significands[top], exponentWords[pi], significands[pi]);
    }

    /** fcom/fcomp/ficom with a memory value. */
    public void compareValue(Float80 value, boolean pop) {
        FpContext c = begin();
        Float80 st0 = read(0);
        if (st0 == null) {
            setConditionFromRelation(SoftFloat.UNORDERED);
        } else {
            int relation = SoftFloat.compare(c, st0, value, true);
            commit();
            setConditionFromRelation(relation);
        }
        if (pop) {
            pop();
        }
    }

    public void compareDouble(long bits, boolean pop) {
        int word = X87FastPath.wordOfDouble(bits);
        if (word >= 0 && (emptyMask & (1 << top)) == 0) {
            int relation = X87FastPath.relation(exponentWords[top], significands[top], word,
                    X87FastPath.significandOfDouble(bits));
            if (relation != -2) {
                status &= ~SW_C1;
                setConditionFromRelation(relation);
                if (pop) {
                    pop();
                }
                return;
            }
        }
        Float80 st0 = isEmpty(0) ? null : peek(0);
        Float80 value = SoftFloat.widenDouble(bits);
        compareValue(value, pop);
        reportMemoryDenormal(st0, value, SoftFloat.isDenormalDouble(bits));
    }

    public void compareFloat(int bits, boolean pop) {
        Float80 st0 = isEmpty(0) ? null : peek(0);
        Float80 value = SoftFloat.widenFloat(bits);
        compareValue(value, pop);
        reportMemoryDenormal(st0, value, SoftFloat.isDenormalFloat(bits));
    }

    public void compareInteger(long value, boolean pop) {
        compareValue(SoftFloat.fromLong(value), pop);
    }

    /** ftst: compare ST(0) with +0. */
    public void test() {
        compareValue(Float80.POSITIVE_ZERO, false);
    }

    /**
     * fcomi/fucomi/fcomip/fucomip: compares ST(0) with ST(i) and returns ZF/PF/CF for EFLAGS
     * (the caller clears OF, SF and AF).
     */
    public int compareToEflags(int i, boolean unordered, boolean pop) {
        int relation = fastRelation(i);
        if (relation == -2) {
            FpContext c = begin();
            Float80 st0 = read(0);
            Float80 other = st0 == null ? null : read(i);
            if (st0 == null || other == null) {
                relation = SoftFloat.UNORDERED;
            } else {
                relation = SoftFloat.compare(c, st0, other, !unordered);
                commit();
            }
        }
        clearC1();
        if (pop) {
            pop();
        }
        return switch (relation) {
            case SoftFloat.LESS -> EFLAGS_CF;
            case SoftFloat.EQUAL -> EFLAGS_ZF;
            case SoftFloat.GREATER -> 0;
            default -> EFLAGS_ZF | EFLAGS_PF | EFLAGS_CF;
        };
    }

    /** fxam: classifies ST(0) into C3/C2/C0, sign into C1. */
    public void examine() {
        clearConditionCodes();
        status &= ~SW_C1;
        Float80 st0 = register(top);
        if (st0.negative()) {
            status |= SW_C1;
        }
        if (isEmpty(0)) {
            status |= SW_C3 | SW_C0;
        } else if (st0.isUnsupported()) {
            // unsupported: all zero
        } else if (st0.isNaN()) {
            status |= SW_C0;
        } else if (st0.isInfinity()) {
            status |= SW_C2 | SW_C0;
        } else if (st0.isZero()) {
            status |= SW_C3;
        } else if (st0.isDenormal()) {
            status |= SW_C3 | SW_C2;
        } else {
            status |= SW_C2;
        }
    }

    // ---------------------------------------------------------------- register moves

    public void exchange(int i) {
        clearC1();
        int pi = physical(i);
        if ((emptyMask & (1 << top | 1 << pi)) == 0) {
            int word = exponentWords[top];
            long significand = significands[top];
            exponentWords[top] = exponentWords[pi];
            significands[top] = significands[pi];
            exponentWords[pi] = word;
            significands[pi] = significand;
            return;
        }
        Float80 st0 = read(0);
        Float80 sti = st0 == null ? null : read(i);
        if (st0 == null || sti == null) {
            if (!isMaskedInvalid()) {
                return;
            }
            st0 = st0 == null ? Float80.DEFAULT_NAN : st0;
            sti = sti == null ? Float80.DEFAULT_NAN : sti;
        }
        write(0, sti);
        write(i, st0);
    }

    /** fcmovcc: the translator evaluates the condition and calls this only when it holds. */
    public void conditionalMove(int i) {
        clearC1();
        Float80 sti = read(i);
        if (sti != null) {
            write(0, sti);
        } else if (isMaskedInvalid()) {
            write(0, Float80.DEFAULT_NAN);
        }
    }

    /** fcmovcc whose condition does not hold: only C1 changes. */
    public void conditionalMoveNotTaken(int i) {
        clearC1();
    }

    public void free(int i) {
        emptyMask |= 1 << physical(i);
    }

    public void incrementStackPointer() {
        clearC1();
        top = (top + 1) & 7;
    }

    public void decrementStackPointer() {
        clearC1();
        top = (top - 1) & 7;
    }

    // ---------------------------------------------------------------- control

    public int controlWord() {
        return control;
    }

    public void setControlWord(int value) {
        control = (value & 0x1f3f) | 0x40;
        status &= ~(SW_ERROR_SUMMARY | SW_BUSY);
        summarize();
    }

    public int statusWord() {
        return (status & ~0x3800) | (top << 11);
    }

    public void setStatusWord(int value) {
        status = value & ~0x3800 & 0xffff;
        top = (value >>> 11) & 7;
    }

    public void clearExceptions() {
        status &= ~(FpFlags.ALL | SW_STACK_FAULT | SW_ERROR_SUMMARY | SW_BUSY);
    }

    public void initialize() {
        control = DEFAULT_CONTROL_WORD;
        status = 0;
        top = 0;
        emptyMask = 0xff;
        lastOpcode = 0;
        lastInstructionPointer = 0;
        lastDataPointer = 0;
    }

    /** The full tag word: 00 valid, 01 zero, 10 special, 11 empty, for physical registers 0-7. */
    public int tagWord() {
        int tags = 0;
        for (int p = 0; p < 8; p++) {
            int tag;
            Float80 r = register(p);
            if ((emptyMask & (1 << p)) != 0) {
                tag = 3;
            } else if (r.isZero()) {
                tag = 1;
            } else if (!r.isFinite() || r.isDenormal() || r.isUnsupported()) {
                tag = 2;
            } else {
                tag = 0;
            }
            tags |= tag << (2 * p);
        }
        return tags;
    }

    public void setTagWord(int tags) {
        emptyMask = 0;
        for (int p = 0; p < 8; p++) {
            if (((tags >>> (2 * p)) & 3) == 3) {
                emptyMask |= 1 << p;
            }
        }
    }

    /** The fxsave abridged tag byte: bit set for each non-empty physical register. */
    public int abridgedTagWord() {
        return ~emptyMask & 0xff;
    }

    public void setAbridgedTagWord(int tags) {
        emptyMask = ~tags & 0xff;
    }

    // ---------------------------------------------------------------- MMX aliasing

    /** MMX register i is the significand of physical register i; any MMX access empties no tag. */
    public long mmxRead(int i) {
        enterMmxMode();
        return significands[i & 7];
    }

    public void mmxWrite(int i, long value) {
        enterMmxMode();
        exponentWords[i & 7] = 0xffff;
        significands[i & 7] = value;
    }

    private void enterMmxMode() {
        top = 0;
        emptyMask = 0;
    }

    /** emms. */
    public void emptyMmxState() {
        emptyMask = 0xff;
    }

    // ---------------------------------------------------------------- environment images

    /** fnstenv in 32-bit protected mode: 28 bytes; masks all exceptions afterwards like hardware. */
    public byte[] storeEnvironment() {
        byte[] image = new byte[28];
        writeEnvironment(image, 0);
        control |= FpFlags.ALL;
        return image;
    }

    private void writeEnvironment(byte[] image, int offset) {
        putInt(image, offset, 0xffff0000 | control);
        putInt(image, offset + 4, 0xffff0000 | statusWord());
        putInt(image, offset + 8, 0xffff0000 | tagWord());
        putInt(image, offset + 12, lastInstructionPointer);
        putInt(image, offset + 16, lastOpcode << 16);
        putInt(image, offset + 20, lastDataPointer);
        putInt(image, offset + 24, 0xffff0000);
    }

    public void loadEnvironment(byte[] image, int offset) {
        setControlWord(getShort(image, offset));
        setStatusWord(getShort(image, offset + 4));
        setTagWord(getShort(image, offset + 8));
        lastInstructionPointer = getInt(image, offset + 12);
        lastOpcode = (getInt(image, offset + 16) >>> 16) & 0x7ff;
        lastDataPointer = getInt(image, offset + 20);
        summarize();
    }

    /** fnsave: 108 bytes (environment, then ST(0)..ST(7)); reinitializes the FPU. */
    public byte[] save() {
        byte[] image = new byte[108];
        writeEnvironment(image, 0);
        for (int i = 0; i < 8; i++) {
            System.arraycopy(register(physical(i)).toBytes(), 0, image, 28 + 10 * i, 10);
        }
        initialize();
        return image;
    }

    public void restore(byte[] image, int offset) {
        loadEnvironment(image, offset);
        for (int i = 0; i < 8; i++) {
            setRegister(physical(i), Float80.fromBytes(image, offset + 28 + 10 * i));
        }
    }

    /** The x87 part (bytes 0-23 and 32-159) of an fxsave image; MXCSR and XMM are the SSE unit's. */
    public void fxsave(byte[] image, int offset) {
        putShort(image, offset, control);
        putShort(image, offset + 2, statusWord());
        image[offset + 4] = (byte) abridgedTagWord();
        image[offset + 5] = 0;
        putShort(image, offset + 6, lastOpcode);
        putInt(image, offset + 8, lastInstructionPointer);
        putInt(image, offset + 12, 0);
        putInt(image, offset + 16, lastDataPointer);
        putInt(image, offset + 20, 0);
        for (int i = 0; i < 8; i++) {
            byte[] reg = register(physical(i)).toBytes();
            System.arraycopy(reg, 0, image, offset + 32 + 16 * i, 10);
            java.util.Arrays.fill(image, offset + 32 + 16 * i + 10, offset + 32 + 16 * i + 16, (byte) 0);
        }
    }

    public void fxrstor(byte[] image, int offset) {
        control = (getShort(image, offset) & 0x1f3f) | 0x40;
        setStatusWord(getShort(image, offset + 2));
        setAbridgedTagWord(image[offset + 4] & 0xff);
        lastOpcode = getShort(image, offset + 6) & 0x7ff;
        lastInstructionPointer = getInt(image, offset + 8);
        lastDataPointer = getInt(image, offset + 16);
        for (int i = 0; i < 8; i++) {
            setRegister(physical(i), Float80.fromBytes(image, offset + 32 + 16 * i));
        }
    }

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    static int getShort(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    static int getInt(byte[] b, int off) {
        return getShort(b, off) | getShort(b, off + 2) << 16;
    }
}
