package org.qemu.i386.disas;

/**
 * The x87 escape opcodes 0xD8-0xDF in objdump's AT&T spelling: memory forms carry the operand
 * type in the mnemonic ({@code flds}, {@code fldl}, {@code fldt}, {@code fildll}); register forms
 * follow the System V assembler, whose fsub/fsubr and fdiv/fdivr with a {@code %st(i)}
 * destination are named the other way round from Intel's manual.
 */
final class X87Text {
    private static final String[][] MEMORY = {
        {"fadds", "fmuls", "fcoms", "fcomps", "fsubs", "fsubrs", "fdivs", "fdivrs"},
        {"flds", null, "fsts", "fstps", "fldenv", "fldcw", "fnstenv", "fnstcw"},
        {"fiaddl", "fimull", "ficoml", "ficompl", "fisubl", "fisubrl", "fidivl", "fidivrl"},
        {"fildl", "fisttpl", "fistl", "fistpl", null, "fldt", null, "fstpt"},
        {"faddl", "fmull", "fcoml", "fcompl", "fsubl", "fsubrl", "fdivl", "fdivrl"},
        {"fldl", "fisttpll", "fstl", "fstpl", "frstor", null, "fnsave", "fnstsw"},
        {"fiadds", "fimuls", "ficoms", "ficomps", "fisubs", "fisubrs", "fidivs", "fidivrs"},
        {"filds", "fisttps", "fists", "fistps", "fbld", "fildll", "fbstp", "fistpll"},
    };
    private static final String[] ARITHMETIC = {"fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr"};
    private static final String[] D9_CONSTANTS = {
        "fchs", "fabs", null, null, "ftst", "fxam", null, null,
        "fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz", null,
        "f2xm1", "fyl2x", "fptan", "fpatan", "fxtract", "fprem1", "fdecstp", "fincstp",
        "fprem", "fyl2xp1", "fsqrt", "fsincos", "frndint", "fscale", "fsin", "fcos",
    };

    private X87Text() {
    }

    static String decode(X86Operands o, int opcode) {
        int escape = opcode - 0xd8;
        if (!o.registerForm()) {
            String name = MEMORY[escape][o.reg];
            return name == null ? null : X86Disassembler.insn(name, o.memory());
        }
        String st = "%st(" + o.rm + ")";
        return switch (escape) {
            case 0 -> o.reg == 2 || o.reg == 3 ? X86Disassembler.insn(ARITHMETIC[o.reg], st)
                    : X86Disassembler.insn(ARITHMETIC[o.reg], st + ",%st");
            case 1 -> switch (o.reg) {
                case 0 -> X86Disassembler.insn("fld", st);
                case 1 -> X86Disassembler.insn("fxch", st);
                case 2 -> o.rm == 0 ? "fnop" : null;
                case 3 -> null;
                default -> D9_CONSTANTS[(o.reg - 4) * 8 + o.rm];
            };
            case 2 -> switch (o.reg) {
                case 0 -> X86Disassembler.insn("fcmovb", st + ",%st");
                case 1 -> X86Disassembler.insn("fcmove", st + ",%st");
                case 2 -> X86Disassembler.insn("fcmovbe", st + ",%st");
                case 3 -> X86Disassembler.insn("fcmovu", st + ",%st");
                case 5 -> o.rm == 1 ? "fucompp" : null;
                default -> null;
            };
            case 3 -> switch (o.reg) {
                case 0 -> X86Disassembler.insn("fcmovnb", st + ",%st");
                case 1 -> X86Disassembler.insn("fcmovne", st + ",%st");
                case 2 -> X86Disassembler.insn("fcmovnbe", st + ",%st");
                case 3 -> X86Disassembler.insn("fcmovnu", st + ",%st");
                case 4 -> o.rm == 2 ? "fnclex" : o.rm == 3 ? "fninit" : null;
                case 5 -> X86Disassembler.insn("fucomi", st + ",%st");
                case 6 -> X86Disassembler.insn("fcomi", st + ",%st");
                default -> null;
            };
            case 4 -> o.reg == 2 || o.reg == 3 ? null : X86Disassembler.insn(ARITHMETIC[o.reg], "%st," + st);
            case 5 -> switch (o.reg) {
                case 0 -> X86Disassembler.insn("ffree", st);
                case 2 -> X86Disassembler.insn("fst", st);
                case 3 -> X86Disassembler.insn("fstp", st);
                case 4 -> X86Disassembler.insn("fucom", st);
                case 5 -> X86Disassembler.insn("fucomp", st);
                default -> null;
            };
            case 6 -> o.reg == 3 ? (o.rm == 1 ? "fcompp" : null)
                    : o.reg == 2 ? null
                    : X86Disassembler.insn(ARITHMETIC[o.reg] + "p", "%st," + st);
            default -> switch (o.reg) {
                case 4 -> o.rm == 0 ? "fnstsw %ax" : null;
                case 5 -> X86Disassembler.insn("fucomip", st + ",%st");
                case 6 -> X86Disassembler.insn("fcomip", st + ",%st");
                default -> null;
            };
        };
    }
}
