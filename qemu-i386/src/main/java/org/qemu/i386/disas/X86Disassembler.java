package org.qemu.i386.disas;

/**
 * Reads one x86 instruction (16- or 32-bit code) as GNU objdump prints it in its default AT&T
 * syntax: source before destination, {@code %} registers, {@code $} immediates in hex, a size
 * suffix only where no register operand gives the size ({@code movl $0x0,(%eax)}), branch
 * targets as absolute addresses (written {@code 0x...}).
 *
 * <p>Covers the integer instruction set, the x87 and the SSE/SSE2 forms compilers emit
 * most; anything else is {@code null} (unknown), so a log never shows a guess.
 */
public final class X86Disassembler {
    private static final String[] ARITHMETIC = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] SHIFTS = {"rol", "ror", "rcl", "rcr", "shl", "shr", "shl", "sar"};
    static final String[] CONDITIONS = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    /** One disassembled instruction: its length in bytes and its text. */
    public record Disassembled(int length, String text) {
    }

    /** Reads instruction bytes at guest addresses. */
    @FunctionalInterface
    public interface ByteSource {
        int byteAt(long address);
    }

    private X86Disassembler() {
    }

    /** The instruction at {@code address} in {@code codeBits} (16, 32 or 64) code, or null when it is not one we read. */
    public static Disassembled disassemble(ByteSource bytes, long address, int codeBits) {
        X86Operands o = new X86Operands(bytes::byteAt, address, codeBits);
        try {
            String text = decode(o);
            return text == null ? null : new Disassembled(o.length(), text);
        } catch (IllegalStateException tooLong) {
            return null;
        }
    }

    private static boolean isLegacyPrefix(int b) {
        return switch (b) {
            case 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3 -> true;
            default -> false;
        };
    }

    /** Opcodes that do not exist in 64-bit code (objdump prints "(bad)"). */
    private static boolean invalidIn64(int op) {
        return switch (op) {
            case 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62,
                 0x82, 0x9a, 0xc4, 0xc5, 0xce, 0xd4, 0xd5, 0xd6, 0xea -> true;
            default -> false;
        };
    }

    static String insn(String mnemonic, String operands) {
        return operands.isEmpty() ? mnemonic : String.format("%-6s %s", mnemonic, operands);
    }

    private static String decode(X86Operands o) {
        while (true) {
            int b = o.peek();
            switch (b) {
                case 0x66 -> {
                    o.repeatedPrefix |= o.operandSize;
                    o.operandSize = true;
                }
                case 0x67 -> o.addressSize = true;
                case 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 -> {
                    o.repeatedPrefix |= o.segment != null;
                    o.segment = X86Operands.SEGMENTS[switch (b) {
                    case 0x26 -> 0;
                    case 0x2e -> 1;
                    case 0x36 -> 2;
                    case 0x3e -> 3;
                    case 0x64 -> 4;
                    default -> 5;
                    }];
                }
                case 0xf0 -> o.lock = true;
                case 0xf2, 0xf3 -> {
                    o.repeatedPrefix |= o.rep != 0;
                    o.rep = b;
                }
                default -> {
                    o.next();
                    if (o.codeBits == 64 && b >= 0x40 && b <= 0x4f) {
                        // REX counts only right before the opcode; objdump shows a misplaced one as a word
                        o.rex = b;
                        int opcode = o.next();
                        if (isLegacyPrefix(opcode) || opcode >= 0x40 && opcode <= 0x4f) {
                            return null;
                        }
                        return withPrefixes(o, opcode);
                    }
                    return withPrefixes(o, b);
                }
            }
            o.next();
        }
    }

    private static String withPrefixes(X86Operands o, int opcode) {
        String text = opcode == 0x0f ? X86TwoByteText.decode(o, o.next()) : oneByte(o, opcode);
        if (text == null || o.segment != null && !o.segmentUsed || o.repeatedPrefix
                || o.operandSize && !o.operandSizeUsed || o.addressSize && !o.addressSizeUsed) {
            return null;
        }
        String prefix = "";
        if (o.lock) {
            prefix = "lock ";
        }
        if (o.rep != 0 && !X86TwoByteText.consumedRep(o)) {
            boolean compare = opcode == 0xa6 || opcode == 0xa7 || opcode == 0xae || opcode == 0xaf;
            boolean string = opcode >= 0xa4 && opcode <= 0xaf && opcode != 0xa8 && opcode != 0xa9 || opcode >= 0x6c && opcode <= 0x6f;
            if (o.rep == 0xf3) {
                prefix += compare ? "repz " : string ? "rep " : "repz ";
            } else {
                prefix += "repnz ";
            }
            if (!string && opcode != 0xc3) {
                return null;
            }
        }
        if (prefix.isEmpty()) {
            return text;
        }
        int space = text.indexOf(' ');
        String mnemonic = space < 0 ? text : text.substring(0, space);
        String operands = space < 0 ? "" : text.substring(space).strip();
        return insn(prefix + mnemonic, operands);
    }

    /** An operand-size suffix for forms whose size no register operand shows. */
    private static String suffixed(X86Operands o, String mnemonic, boolean byteSize) {
        return o.registerForm() ? mnemonic : mnemonic + (byteSize ? 'b' : o.sizeSuffix());
    }

    private static String oneByte(X86Operands o, int op) {
        boolean long64 = o.codeBits == 64;
        if (long64 && invalidIn64(op)) {
            return null;
        }
        if (long64 && op >= 0x50 && op < 0x60) {
            String[] names = o.operandSize ? X86Operands.REG16 : X86Operands.REG64;
            return insn(op < 0x58 ? "push" : "pop", names[o.opcodeRegister(op)]);
        }
        if (long64 && op == 0x63) {
            if (!o.rexW()) {
                return null;
            }
            String source = o.rm(X86Operands.REG32);
            return insn("movslq", source + "," + o.regV());
        }
        if (long64 && op >= 0xb8 && op < 0xc0 && o.rexW()) {
            long low = o.read32() & 0xffffffffL;
            long value = low | (long) o.read32() << 32;
            return insn("movabs", "$0x" + Long.toHexString(value) + "," + X86Operands.REG64[o.opcodeRegister(op)]);
        }
        if (long64 && op >= 0xa0 && op <= 0xa3) {
            return movabsOffset(o, op);
        }
        if (long64 && (op == 0x90 && (o.rex & 1) != 0 || op == 0x8f || op == 0xff && isStackOrBranch(o))) {
            return longModeStackOrBranch(o, op);
        }
        if (op < 0x40 && (op & 7) < 6) {
            String name = ARITHMETIC[op >>> 3];
            return switch (op & 7) {
                case 0 -> insn(name, o.regB() + "," + o.rmB());
                case 1 -> insn(name, o.regV() + "," + o.rmV());
                case 2 -> insn(name, o.rmB() + "," + o.regB());
                case 3 -> insn(name, o.rmV() + "," + o.regV());
                case 4 -> insn(name, o.immediate8() + ",%al");
                default -> insn(name, o.immediateV() + "," + o.vRegisters()[0]);
            };
        }
        if (op >= 0x40 && op < 0x60) {
            String[] names = {"inc", "dec", "push", "pop"};
            return insn(names[(op - 0x40) >>> 3], o.vRegisters()[op & 7]);
        }
        if (op >= 0x70 && op < 0x80) {
            return insn("j" + CONDITIONS[op & 15], o.relative(1));
        }
        if (op >= 0x91 && op < 0x98) {
            return insn("xchg", o.vRegisters()[0] + "," + o.vRegisters()[o.opcodeRegister(op)]);
        }
        if (op >= 0xb0 && op < 0xb8) {
            return insn("mov", o.immediate8() + "," + o.byteRegisters()[o.opcodeRegister(op)]);
        }
        if (op >= 0xb8 && op < 0xc0) {
            return insn("mov", o.immediateV() + "," + o.vRegisters()[o.opcodeRegister(op)]);
        }
        if (op >= 0xd8 && op <= 0xdf) {
            return X87Text.decode(o, op);
        }
        return switch (op) {
            case 0x06 -> insn(o.sized("push"), "%es");
            case 0x07 -> insn(o.sized("pop"), "%es");
            case 0x0e -> insn(o.sized("push"), "%cs");
            case 0x16 -> insn(o.sized("push"), "%ss");
            case 0x17 -> insn(o.sized("pop"), "%ss");
            case 0x1e -> insn(o.sized("push"), "%ds");
            case 0x1f -> insn(o.sized("pop"), "%ds");
            case 0x27 -> "daa";
            case 0x2f -> "das";
            case 0x37 -> "aaa";
            case 0x3f -> "aas";
            case 0x60 -> o.sized("pusha");
            case 0x61 -> o.sized("popa");
            case 0x68 -> insn("push", o.immediateV());
            case 0x69 -> { String src = o.rmV(); yield insn("imul", o.immediateV() + "," + src + "," + o.regV()); }
            case 0x6a -> insn("push", o.immediate8Extended());
            case 0x6b -> { String src = o.rmV(); yield insn("imul", o.immediate8Extended() + "," + src + "," + o.regV()); }
            case 0x80, 0x82 -> { String dst = o.rmB(); yield insn(suffixed(o, ARITHMETIC[o.reg], true), o.immediate8() + "," + dst); }
            case 0x81 -> { String dst = o.rmV(); yield insn(suffixed(o, ARITHMETIC[o.reg], false), o.immediateV() + "," + dst); }
            case 0x83 -> { String dst = o.rmV(); yield insn(suffixed(o, ARITHMETIC[o.reg], false), o.immediate8Extended() + "," + dst); }
            case 0x84 -> insn("test", o.regB() + "," + o.rmB());
            case 0x85 -> insn("test", o.regV() + "," + o.rmV());
            case 0x86 -> insn("xchg", o.regB() + "," + o.rmB());
            case 0x87 -> insn("xchg", o.regV() + "," + o.rmV());
            case 0x88 -> insn("mov", o.regB() + "," + o.rmB());
            case 0x89 -> insn("mov", o.regV() + "," + o.rmV());
            case 0x8a -> insn("mov", o.rmB() + "," + o.regB());
            case 0x8b -> insn("mov", o.rmV() + "," + o.regV());
            case 0x8c -> { o.readModrm(); yield o.reg > 5 ? null : insn("mov", X86Operands.SEGMENTS[o.reg] + "," + o.rmV()); }
            case 0x8d -> o.registerForm() ? null : insn("lea", o.memory() + "," + o.regV());
            case 0x8e -> { o.readModrm(); yield o.reg > 5 || o.reg == 1 ? null : insn("mov", o.rmV() + "," + X86Operands.SEGMENTS[o.reg]); }
            case 0x8f -> { o.readModrm(); yield o.reg != 0 ? null : insn(o.sized("pop"), o.rmV()); }
            case 0x90 -> o.rep == 0xf3 ? pause(o) : o.operandSize ? insn("xchg", o.vRegisters()[0] + "," + o.vRegisters()[0]) : "nop";
            case 0x98 -> switch (o.operandBits()) { case 64 -> "cltq"; case 32 -> "cwtl"; default -> "cbtw"; };
            case 0x99 -> switch (o.operandBits()) { case 64 -> "cqto"; case 32 -> "cltd"; default -> "cwtd"; };
            case 0x9b -> x87Follows(o) ? null : "fwait";
            case 0x9c -> o.sized("pushf");
            case 0x9d -> o.sized("popf");
            case 0x9e -> "sahf";
            case 0x9f -> "lahf";
            case 0xa0 -> insn("mov", moffs(o) + ",%al");
            case 0xa1 -> insn("mov", moffs(o) + "," + o.vRegisters()[0]);
            case 0xa2 -> insn("mov", "%al," + moffs(o));
            case 0xa3 -> insn("mov", o.vRegisters()[0] + "," + moffs(o));
            case 0xa4 -> insn("movsb", source(o) + "," + destination(o));
            case 0xa5 -> insn("movs" + o.sizeSuffix(), source(o) + "," + destination(o));
            case 0xa6 -> insn("cmpsb", destination(o) + "," + source(o));
            case 0xa7 -> insn("cmps" + o.sizeSuffix(), destination(o) + "," + source(o));
            case 0xa8 -> insn("test", o.immediate8() + ",%al");
            case 0xa9 -> insn("test", o.immediateV() + "," + o.vRegisters()[0]);
            case 0xaa -> insn("stos", "%al," + destination(o));
            case 0xab -> insn("stos", o.vRegisters()[0] + "," + destination(o));
            case 0xac -> insn("lods", source(o) + ",%al");
            case 0xad -> insn("lods", source(o) + "," + o.vRegisters()[0]);
            case 0xae -> insn("scas", destination(o) + ",%al");
            case 0xaf -> insn("scas", destination(o) + "," + o.vRegisters()[0]);
            case 0xc0 -> shift(o, true, IMMEDIATE_COUNT);
            case 0xc1 -> shift(o, false, IMMEDIATE_COUNT);
            case 0xc2 -> insn("ret", "$" + X86Operands.hex(o.read16()));
            case 0xc3 -> "ret";
            case 0xc6 -> { String dst = o.rmB(); yield o.reg != 0 ? null : insn(suffixed(o, "mov", true), o.immediate8() + "," + dst); }
            case 0xc7 -> { String dst = o.rmV(); yield o.reg != 0 ? null : insn(suffixed(o, "mov", false), o.immediateV() + "," + dst); }
            case 0xc8 -> { int size = o.read16(); yield insn("enter", "$" + X86Operands.hex(size) + ",$" + X86Operands.hex(o.next())); }
            case 0xc9 -> "leave";
            case 0xca -> insn("lret", "$" + X86Operands.hex(o.read16()));
            case 0xcb -> "lret";
            case 0xcc -> "int3";
            case 0xcd -> insn("int", o.immediate8());
            case 0xce -> "into";
            case 0xcf -> o.codeBits == 64 && o.rexW() ? "iretq" : o.sized("iret");
            case 0xd0 -> shift(o, true, null);
            case 0xd1 -> shift(o, false, null);
            case 0xd2 -> shift(o, true, "%cl");
            case 0xd3 -> shift(o, false, "%cl");
            case 0xd7 -> insn("xlat", (o.segment == null ? "%ds" : o.segmentText().replace(":", "")) + ":(" + addressRegister(o, 3) + ")");
            case 0xe0 -> insn("loopne", o.relative(1));
            case 0xe1 -> insn("loope", o.relative(1));
            case 0xe2 -> insn("loop", o.relative(1));
            case 0xe3 -> insn(long64 ? (o.addressSize ? "jecxz" : "jrcxz") : o.wideAddress() ? "jecxz" : "jcxz", o.relative(1));
            case 0xe4 -> insn("in", o.immediate8() + ",%al");
            case 0xe5 -> insn("in", o.immediate8() + "," + o.vRegisters()[0]);
            case 0xe6 -> insn("out", "%al," + o.immediate8());
            case 0xe7 -> insn("out", o.vRegisters()[0] + "," + o.immediate8());
            case 0xe8 -> insn("call", o.relative(o.wide() ? 4 : 2));
            case 0xe9 -> insn("jmp", o.relative(o.wide() ? 4 : 2));
            case 0xeb -> insn("jmp", o.relative(1));
            case 0xea, 0x9a -> farPointer(o, op == 0xea ? "ljmp" : "lcall");
            case 0xec -> "in     (%dx),%al";
            case 0xed -> insn("in", "(%dx)," + o.vRegisters()[0]);
            case 0xee -> "out    %al,(%dx)";
            case 0xef -> insn("out", o.vRegisters()[0] + ",(%dx)");
            case 0xf4 -> "hlt";
            case 0xf5 -> "cmc";
            case 0xf6 -> unary(o, true);
            case 0xf7 -> unary(o, false);
            case 0xf8 -> "clc";
            case 0xf9 -> "stc";
            case 0xfa -> "cli";
            case 0xfb -> "sti";
            case 0xfc -> "cld";
            case 0xfd -> "std";
            case 0xfe -> { String dst = o.rmB(); yield o.reg > 1 ? null : insn(suffixed(o, o.reg == 0 ? "inc" : "dec", true), dst); }
            case 0xff -> group5(o);
            default -> null;
        };
    }

    /** An implicit address register (rsi/esi/si, ...) of the address size. */
    private static String addressRegister(X86Operands o, int n) {
        if (o.codeBits == 64) {
            return (o.addressSize ? X86Operands.REG32 : X86Operands.REG64)[n];
        }
        return (o.wideAddress() ? X86Operands.REG32 : X86Operands.REG16)[n];
    }

    private static String movabsOffset(X86Operands o, int op) {
        if (o.addressSize) {
            return null;
        }
        long low = o.read32() & 0xffffffffL;
        long address = low | (long) o.read32() << 32;
        String memory = o.segmentText() + "0x" + Long.toHexString(address);
        String register = (op & 1) == 0 ? "%al" : o.vRegisters()[0];
        return insn("movabs", op < 0xa2 ? memory + "," + register : register + "," + memory);
    }

    private static boolean isStackOrBranch(X86Operands o) {
        o.readModrm();
        return o.reg == 2 || o.reg == 4 || o.reg == 6;
    }

    /** push/pop/call/jmp through r/m in 64-bit code: 64-bit operands without REX.W, so no suffix. */
    private static String longModeStackOrBranch(X86Operands o, int op) {
        if (op == 0x90) {
            return insn("xchg", o.vRegisters()[o.opcodeRegister(op)] + "," + o.vRegisters()[0]);
        }
        o.readModrm();
        if (o.operandSize) {
            return null;
        }
        String target = o.rm(X86Operands.REG64);
        return switch (op == 0x8f ? 8 : o.reg) {
            case 8 -> o.reg == 0 ? insn("pop", target) : null;
            case 2 -> insn("call", "*" + target);
            case 4 -> insn("jmp", "*" + target);
            default -> insn("push", target);
        };
    }

    /** objdump reads fwait and a following x87 instruction as one (fstsw = fwait + fnstsw). */
    private static boolean x87Follows(X86Operands o) {
        try {
            int next = o.peek();
            return next >= 0xd8 && next <= 0xdf;
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    private static String pause(X86Operands o) {
        o.rep = 0;
        return "pause";
    }

    /** ljmp/lcall with the selector:offset in the instruction (offset first in memory). */
    private static String farPointer(X86Operands o, String name) {
        long offset = o.wide() ? o.read32() & 0xffffffffL : o.read16();
        int selector = o.read16();
        return insn(name, "$" + X86Operands.hex(selector) + ",$" + X86Operands.hex(offset));
    }

    private static String moffs(X86Operands o) {
        return o.segmentText() + X86Operands.hex(o.wideAddress() ? o.read32() : o.read16());
    }

    private static String source(X86Operands o) {
        return (o.segment == null ? "%ds:" : o.segmentText()) + "(" + addressRegister(o, 6) + ")";
    }

    private static String destination(X86Operands o) {
        return "%es:(" + addressRegister(o, 7) + ")";
    }

    /** Marks a shift whose count is the immediate after the ModRM operand. */
    private static final String IMMEDIATE_COUNT = new String("imm8");

    /** Shift group: {@code count} is "%cl", an immediate, or null for the by-one forms. */
    private static String shift(X86Operands o, boolean byteSize, String count) {
        String target = byteSize ? o.rmB() : o.rmV();
        String name = suffixed(o, SHIFTS[o.reg], byteSize);
        if (count == IMMEDIATE_COUNT) {
            count = o.immediate8();
        }
        return insn(name, count == null ? target : count + "," + target);
    }

    private static String unary(X86Operands o, boolean byteSize) {
        String target = byteSize ? o.rmB() : o.rmV();
        return switch (o.reg) {
            case 0, 1 -> insn(suffixed(o, "test", byteSize), (byteSize ? o.immediate8() : o.immediateV()) + "," + target);
            default -> insn(suffixed(o, new String[] {"", "", "not", "neg", "mul", "imul", "div", "idiv"}[o.reg], byteSize), target);
        };
    }

    private static String group5(X86Operands o) {
        String target = o.rmV();
        return switch (o.reg) {
            case 0 -> insn(suffixed(o, "inc", false), target);
            case 1 -> insn(suffixed(o, "dec", false), target);
            case 2 -> insn(o.sized("call"), "*" + target);
            case 3 -> o.registerForm() ? null : insn(o.sized("lcall"), "*" + target);
            case 4 -> insn(o.sized("jmp"), "*" + target);
            case 5 -> o.registerForm() ? null : insn(o.sized("ljmp"), "*" + target);
            case 6 -> insn(o.sized("push"), target);
            default -> null;
        };
    }
}
