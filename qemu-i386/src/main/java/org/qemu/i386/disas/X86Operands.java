package org.qemu.i386.disas;

/**
 * The operand side of one x86 instruction in AT&T syntax as objdump writes it: prefixes seen,
 * the ModRM byte and its memory operand (SIB, displacement, segment override, 16- or 32-bit
 * addressing), immediates, and register names by size.
 */
final class X86Operands {
    static final String[] REG8 = {"%al", "%cl", "%dl", "%bl", "%ah", "%ch", "%dh", "%bh"};
    /** Byte registers when a REX prefix is present: spl..dil replace ah..bh, r8b..r15b follow. */
    static final String[] REG8_REX = {"%al", "%cl", "%dl", "%bl", "%spl", "%bpl", "%sil", "%dil",
        "%r8b", "%r9b", "%r10b", "%r11b", "%r12b", "%r13b", "%r14b", "%r15b"};
    static final String[] REG16 = {"%ax", "%cx", "%dx", "%bx", "%sp", "%bp", "%si", "%di",
        "%r8w", "%r9w", "%r10w", "%r11w", "%r12w", "%r13w", "%r14w", "%r15w"};
    static final String[] REG32 = {"%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi",
        "%r8d", "%r9d", "%r10d", "%r11d", "%r12d", "%r13d", "%r14d", "%r15d"};
    static final String[] REG64 = {"%rax", "%rcx", "%rdx", "%rbx", "%rsp", "%rbp", "%rsi", "%rdi",
        "%r8", "%r9", "%r10", "%r11", "%r12", "%r13", "%r14", "%r15"};
    static final String[] SEGMENTS = {"%es", "%cs", "%ss", "%ds", "%fs", "%gs", "%?", "%?"};
    private static final String[] ADDRESS16 = {"%bx,%si", "%bx,%di", "%bp,%si", "%bp,%di", "%si", "%di", "%bp", "%bx"};

    /** Reads instruction bytes; a read outside guest memory throws. */
    @FunctionalInterface
    interface ByteSource {
        int byteAt(long address);
    }

    private final ByteSource bytes;
    final long start;
    long cursor;
    final int codeBits;

    boolean operandSize;
    boolean addressSize;
    String segment;
    int rep;
    /** The REX prefix byte (0x40-0x4F) of 64-bit code, 0 without one. */
    int rex;
    /** The F2/F3 byte selected an SSE form (movss, tzcnt, ...) instead of being a rep prefix. */
    boolean repConsumed;
    boolean lock;

    private boolean modrmRead;
    int mod;
    int reg;
    int rm;

    X86Operands(ByteSource bytes, long start, int codeBits) {
        this.bytes = bytes;
        this.start = start;
        this.cursor = start;
        this.codeBits = codeBits;
    }

    int next() {
        if (cursor - start >= 15) {
            throw new IllegalStateException("longer than 15 bytes");
        }
        return bytes.byteAt(cursor++) & 0xff;
    }

    int peek() {
        return bytes.byteAt(cursor) & 0xff;
    }

    int length() {
        return (int) (cursor - start);
    }

    /** 32- or 64-bit operands (not 16): the code's default, flipped by 0x66, widened by REX.W. */
    boolean wide() {
        operandSizeUsed = true;
        return operandBits() != 16;
    }

    /** The operand size: 16, 32 or 64 (REX.W in 64-bit code). */
    int operandBits() {
        operandSizeUsed = true;
        if (codeBits == 64) {
            return rexW() ? 64 : operandSize ? 16 : 32;
        }
        return (codeBits == 32) != operandSize ? 32 : 16;
    }

    boolean wideAddress() {
        addressSizeUsed = true;
        return codeBits == 64 || (codeBits == 32) != addressSize;
    }

    boolean rexW() {
        return (rex & 8) != 0;
    }

    /** ModRM reg with REX.R. */
    int regX() {
        readModrm();
        return reg | (rex & 4) << 1;
    }

    /** ModRM rm (register form) with REX.B. */
    int rmX() {
        readModrm();
        return rm | (rex & 1) << 3;
    }

    /** A register operand number from the opcode's low bits, with REX.B. */
    int opcodeRegister(int op) {
        return op & 7 | (rex & 1) << 3;
    }

    String[] byteRegisters() {
        return rex != 0 ? REG8_REX : REG8;
    }

    /** Registers of the given operand size in bits. */
    static String[] registers(int bits) {
        return switch (bits) {
            case 64 -> REG64;
            case 16 -> REG16;
            default -> REG32;
        };
    }

    /** Whether the 0x66 / 0x67 prefixes meant anything (objdump shows unused ones as data32/addr32 words). */
    boolean operandSizeUsed;
    boolean addressSizeUsed;
    /** More than one segment override or more than one of F2/F3: objdump lists the extra ones as words. */
    boolean repeatedPrefix;

    /** 'l' or 'w': the AT&T suffix of the current operand size. */
    char sizeSuffix() {
        return switch (operandBits()) {
            case 64 -> 'q';
            case 32 -> 'l';
            default -> 'w';
        };
    }

    String[] vRegisters() {
        return registers(operandBits());
    }

    void readModrm() {
        if (!modrmRead) {
            int b = next();
            mod = b >>> 6;
            reg = (b >>> 3) & 7;
            rm = b & 7;
            modrmRead = true;
        }
    }

    boolean registerForm() {
        readModrm();
        return mod == 3;
    }

    /** The r/m operand: a register of {@code names} or the memory operand. */
    String rm(String[] names) {
        readModrm();
        return mod == 3 ? names[names.length > 8 ? rmX() : rm] : memory();
    }

    String rmV() {
        return rm(vRegisters());
    }

    String rmB() {
        return rm(byteRegisters());
    }

    String regV() {
        return vRegisters()[regX()];
    }

    String regB() {
        return byteRegisters()[regX()];
    }

    /** True once an operand printed the segment override (objdump shows an unused one as a prefix word). */
    boolean segmentUsed;

    String segmentText() {
        segmentUsed = true;
        return segment == null ? "" : segment + ":";
    }

    /** {@code base}, with the size suffix when a 0x66 prefix changed the operand size. */
    String sized(String base) {
        return operandSize ? base + sizeSuffix() : base;
    }

    /** The memory operand of the ModRM byte already read. */
    String memory() {
        return wideAddress() ? memory32() : memory16();
    }

    /** 32-bit addressing, or 64-bit in 64-bit code (0x67 there gives 32-bit registers). */
    private String memory32() {
        boolean long64 = codeBits == 64;
        String[] bases = long64 && !addressSize ? REG64 : REG32;
        if (mod == 0 && rm == 5) {
            int d = read32();
            return long64 ? segmentText() + signedHex(d) + (addressSize ? "(%eip)" : "(%rip)") : segmentText() + hex(d);
        }
        boolean hasSib = rm == 4;
        int base = rm | (rex & 1) << 3;
        int index = 4;
        int scale = 0;
        if (hasSib) {
            int sib = next();
            scale = sib >>> 6;
            index = (sib >>> 3) & 7 | (rex & 2) << 2;
            base = sib & 7 | (rex & 1) << 3;
        }
        boolean noBase = hasSib && (base & 7) == 5 && mod == 0;
        String displacement;
        int value = 0;
        if (mod == 1) {
            value = (byte) next();
            displacement = signedHex(value);
        } else if (mod == 2 || noBase) {
            value = read32();
            displacement = signedHex(value);
        } else {
            displacement = "";
        }
        if (long64 && noBase && index == 4 && scale == 0) {
            // disp32 through a SIB with neither base nor index: an absolute address, sign-extended
            return segmentText() + "0x" + Long.toHexString(value);
        }
        StringBuilder text = new StringBuilder(segmentText()).append(displacement).append('(');
        if (!noBase) {
            text.append(bases[base]);
        }
        if (hasSib && (index != 4 || scale != 0 || (base & 7) != 4 || noBase)) {
            text.append(',').append(index == 4 ? (bases == REG64 ? "%riz" : "%eiz") : bases[index]).append(',').append(1 << scale);
        }
        return text.append(')').toString();
    }

    private String memory16() {
        if (mod == 0 && rm == 6) {
            return segmentText() + signedHex((short) read16());
        }
        String displacement = switch (mod) {
            case 1 -> signedHex((byte) next());
            case 2 -> signedHex((short) read16());
            default -> "";
        };
        return segmentText() + displacement + "(" + ADDRESS16[rm] + ")";
    }

    int read16() {
        int lo = next();
        return lo | next() << 8;
    }

    int read32() {
        int b0 = next();
        int b1 = next();
        int b2 = next();
        return b0 | b1 << 8 | b2 << 16 | next() << 24;
    }

    /** An immediate of the operand size (Iz: 32 bits sign-extended for 64-bit operands). */
    String immediateV() {
        return switch (operandBits()) {
            case 64 -> "$0x" + Long.toHexString(read32());
            case 32 -> "$" + hex(read32());
            default -> "$" + hex(read16());
        };
    }

    String immediate8() {
        return "$" + hex(next());
    }

    /** An 8-bit immediate sign-extended to the operand size (Ib of 0x83, 0x6b, 0x6a). */
    String immediate8Extended() {
        long value = (byte) next();
        return switch (operandBits()) {
            case 64 -> "$0x" + Long.toHexString(value);
            case 32 -> "$" + hex(value);
            default -> "$" + hex(value & 0xffff);
        };
    }

    static String hex(long value) {
        return "0x" + Long.toHexString(value & 0xffffffffL);
    }

    static String signedHex(int value) {
        return value < 0 ? "-0x" + Integer.toHexString(-value) : "0x" + Integer.toHexString(value);
    }

    /** A relative branch target of {@code size} bytes, wrapped to the address size. */
    String relative(int size) {
        int offset = switch (size) {
            case 1 -> (byte) next();
            case 2 -> (short) read16();
            default -> read32();
        };
        // objdump keeps a 16-bit displacement's sum within the 64 KiB around the instruction
        // (the IP wraps); a short jump's target it leaves unwrapped.
        if (codeBits == 64) {
            return "0x" + Long.toHexString(cursor + offset);
        }
        return hex(size == 2 ? cursor & ~0xffffL | (cursor + offset) & 0xffff : cursor + offset);
    }
}
