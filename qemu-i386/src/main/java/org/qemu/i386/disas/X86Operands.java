package org.qemu.i386.disas;

/**
 * The operand side of one x86 instruction in AT&T syntax as objdump writes it: prefixes seen,
 * the ModRM byte and its memory operand (SIB, displacement, segment override, 16- or 32-bit
 * addressing), immediates, and register names by size.
 */
final class X86Operands {
    static final String[] REG8 = {"%al", "%cl", "%dl", "%bl", "%ah", "%ch", "%dh", "%bh"};
    static final String[] REG16 = {"%ax", "%cx", "%dx", "%bx", "%sp", "%bp", "%si", "%di"};
    static final String[] REG32 = {"%eax", "%ecx", "%edx", "%ebx", "%esp", "%ebp", "%esi", "%edi"};
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

    /** 32-bit operands (the code size, flipped by 0x66). */
    boolean wide() {
        operandSizeUsed = true;
        return (codeBits == 32) != operandSize;
    }

    boolean wideAddress() {
        addressSizeUsed = true;
        return (codeBits == 32) != addressSize;
    }

    /** Whether the 0x66 / 0x67 prefixes meant anything (objdump shows unused ones as data32/addr32 words). */
    boolean operandSizeUsed;
    boolean addressSizeUsed;
    /** More than one segment override or more than one of F2/F3: objdump lists the extra ones as words. */
    boolean repeatedPrefix;

    /** 'l' or 'w': the AT&T suffix of the current operand size. */
    char sizeSuffix() {
        return wide() ? 'l' : 'w';
    }

    String[] vRegisters() {
        return wide() ? REG32 : REG16;
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
        return mod == 3 ? names[rm] : memory();
    }

    String rmV() {
        return rm(vRegisters());
    }

    String rmB() {
        return rm(REG8);
    }

    String regV() {
        readModrm();
        return vRegisters()[reg];
    }

    String regB() {
        readModrm();
        return REG8[reg];
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

    private String memory32() {
        if (mod == 0 && rm == 5) {
            return segmentText() + hex(read32());
        }
        boolean hasSib = rm == 4;
        int base = rm;
        int index = 4;
        int scale = 0;
        if (hasSib) {
            int sib = next();
            scale = sib >>> 6;
            index = (sib >>> 3) & 7;
            base = sib & 7;
        }
        boolean noBase = hasSib && base == 5 && mod == 0;
        String displacement;
        if (mod == 1) {
            displacement = signedHex((byte) next());
        } else if (mod == 2 || noBase) {
            int d = read32();
            displacement = signedHex(d);
        } else {
            displacement = "";
        }
        StringBuilder text = new StringBuilder(segmentText()).append(displacement).append('(');
        if (!noBase) {
            text.append(REG32[base]);
        }
        if (hasSib && (index != 4 || scale != 0 || base != 4 || noBase)) {
            text.append(',').append(index == 4 ? "%eiz" : REG32[index]).append(',').append(1 << scale);
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

    /** An immediate of the operand size (Iz). */
    String immediateV() {
        return "$" + hex(wide() ? read32() : read16());
    }

    String immediate8() {
        return "$" + hex(next());
    }

    /** An 8-bit immediate sign-extended to the operand size (Ib of 0x83, 0x6b, 0x6a). */
    String immediate8Extended() {
        int value = (byte) next();
        return "$" + hex(wide() ? value : value & 0xffff);
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
        return hex(size == 2 ? cursor & ~0xffffL | (cursor + offset) & 0xffff : cursor + offset);
    }
}
