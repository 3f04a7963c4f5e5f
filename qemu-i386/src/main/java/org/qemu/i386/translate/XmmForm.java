package org.qemu.i386.translate;

/**
 * What an SSE instruction does, in the terms {@link SseEmitter} emits inline: the kind (one of
 * SseEmitter's constants), the XMM destination (or the general register a conversion writes),
 * the source (an XMM register or a memory operand), the general-register or memory operand of
 * the integer forms (movd, cvtsi2sd) and the immediate (shift counts).
 */
public record XmmForm(int kind, int destination, int sourceRegister, Operand.Memory sourceMemory, Operand integer, int immediate) {
    /** movaps/movapd/movdqa/movups/movupd/movdqu xmm, xmm/m128 (immediate 1: aligned). */
    public static final int MOVE = 1;
    /** movsd/movq xmm, m64 (high quadword zeroed); movq xmm, xmm (F3 0F 7E: also zeroes it). */
    public static final int LOAD_LOW_ZERO = 2;
    /** movsd xmm, xmm: the low quadword only. */
    public static final int MOVE_LOW = 3;
    /** movss xmm, m32 (the rest zeroed); movss xmm, xmm (the low dword only). */
    public static final int LOAD_SINGLE = 4;
    /** movsd/movq m64, xmm (destination in sourceMemory, source register in sourceRegister). */
    public static final int STORE_LOW = 5;
    /** movss m32, xmm. */
    public static final int STORE_SINGLE = 6;
    /** movaps/movapd/movdqa m128, xmm (immediate 1: aligned). */
    public static final int STORE = 7;
    public static final int ADD_DOUBLE = 10, SUB_DOUBLE = 11, MUL_DOUBLE = 12, DIV_DOUBLE = 13, SQRT_DOUBLE = 14;
    public static final int ADD_FLOAT = 15, SUB_FLOAT = 16, MUL_FLOAT = 17, DIV_FLOAT = 18;
    /** cvtsi2sd xmm, r/m32 (the integer operand). */
    public static final int INT_TO_DOUBLE = 20;
    /** cvt(t)sd2si r32 (destination), xmm/m64; immediate 1: truncate. */
    public static final int DOUBLE_TO_INT = 21;
    /** cvt(t)ss2si r32, xmm/m32; immediate 1: truncate. */
    public static final int FLOAT_TO_INT = 22;
    /** (u)comisd/(u)comiss; immediate 1: signaling (comi). */
    public static final int COMPARE_DOUBLE = 23, COMPARE_FLOAT = 24;
    /** andps/andpd/pand, andnps/andnpd/pandn, orps/orpd/por, xorps/xorpd/pxor (memory: aligned m128). */
    public static final int AND = 30, AND_NOT = 31, OR = 32, XOR = 33;
    /** paddq/psubq xmm, xmm/m128. */
    public static final int ADD_QWORDS = 34, SUB_QWORDS = 35;
    /** psllq/psrlq xmm, imm8 (immediate: the count). */
    public static final int SHIFT_LEFT_QWORDS = 36, SHIFT_RIGHT_QWORDS = 37;
    /** movd xmm, r/m32 (the integer operand; the rest zeroed). */
    public static final int DWORD_IN = 40;
    /** movd r/m32, xmm. */
    public static final int DWORD_OUT = 41;


    /** True for the arithmetic kinds: add, sub, mul, div and sqrt of doubles, add, sub, mul and div of floats. */
    public boolean arithmetic() {
        return kind >= ADD_DOUBLE && kind <= DIV_FLOAT;
    }

    public static XmmForm of(int kind, int destination, int sourceRegister, Operand.Memory sourceMemory) {
        return new XmmForm(kind, destination, sourceRegister, sourceMemory, null, 0);
    }

    public static XmmForm of(int kind, int destination, int sourceRegister, Operand.Memory sourceMemory, int immediate) {
        return new XmmForm(kind, destination, sourceRegister, sourceMemory, null, immediate);
    }
}
