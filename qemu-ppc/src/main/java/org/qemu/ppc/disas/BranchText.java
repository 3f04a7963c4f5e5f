package org.qemu.ppc.disas;

/**
 * The conditional branches (bc, bclr, bcctr) as objdump names them. The BO field picks a
 * simplified mnemonic (bdnz, beq, bnelr, ...) with its hint suffix; objdump's table is not
 * regular (bclr reads the old "y" bit as a + hint where bc ignores it, bcctr has no
 * decrementing forms), so each of the three keeps its own list, indexed by BO.
 */
final class BranchText {
    private BranchText() {
    }

    /** A BO value's meaning: a mnemonic stem, or a raw {@code bc} form, or nothing (data). */
    private record Form(String stem, String hint, boolean takesCondition, boolean rawUnlessBiZero, boolean rawAlways) {
        static Form cond(String stem, String hint) {
            return new Form(stem, hint, true, false, false);
        }

        static Form counter(String stem, String hint) {
            return new Form(stem, hint, false, true, false);
        }

        static Form raw(String hint) {
            return new Form(null, hint, false, false, true);
        }
    }

    private static final Form INVALID = null;

    /** Decrement-and-test-condition forms take the CR bit operand (bdnzf eq, ...). */
    private static Form testBit(String stem, String hint) {
        return new Form(stem, hint, false, false, false);
    }

    private static final Form[] BC = new Form[32];
    private static final Form[] BCLR = new Form[32];
    private static final Form[] BCCTR = new Form[32];

    static {
        for (int bo = 0; bo < 32; bo++) {
            BC[bo] = bcForm(bo);
            BCLR[bo] = bclrForm(bo);
            BCCTR[bo] = bcctrForm(bo);
        }
    }

    private static String conditionHint(int bo) {
        return switch (bo & 3) {
            case 2 -> "-";
            case 3 -> "+";
            default -> "";
        };
    }

    private static Form bcForm(int bo) {
        return switch (bo) {
            case 0, 1 -> testBit("bdnzf", "");
            case 2, 3 -> testBit("bdzf", "");
            case 8, 9 -> testBit("bdnzt", "");
            case 10, 11 -> testBit("bdzt", "");
            case 4, 5, 6, 7 -> Form.cond("f", conditionHint(bo));
            case 12, 13, 14, 15 -> Form.cond("t", conditionHint(bo));
            case 16, 17 -> Form.counter("bdnz", "");
            case 18, 19 -> Form.counter("bdz", "");
            case 20 -> Form.raw("");
            case 24 -> Form.counter("bdnz", "-");
            case 25 -> Form.counter("bdnz", "+");
            case 26 -> Form.counter("bdz", "-");
            case 27 -> Form.counter("bdz", "+");
            default -> INVALID;
        };
    }

    private static Form bclrForm(int bo) {
        String y = (bo & 1) != 0 ? "+" : "";
        return switch (bo) {
            case 0, 1 -> testBit("bdnzf", y);
            case 2, 3 -> testBit("bdzf", y);
            case 8, 9 -> testBit("bdnzt", y);
            case 10, 11 -> testBit("bdzt", y);
            case 4, 5, 6, 7 -> Form.cond("f", bo == 5 ? "+" : conditionHint(bo));
            case 12, 13, 14, 15 -> Form.cond("t", bo == 13 ? "+" : conditionHint(bo));
            case 16, 17 -> Form.counter("bdnz", y);
            case 18, 19 -> Form.counter("bdz", y);
            case 20 -> Form.counter("b", "");
            case 24 -> Form.counter("bdnz", "-");
            case 25 -> Form.counter("bdnz", "+");
            case 26 -> Form.counter("bdz", "-");
            case 27 -> Form.counter("bdz", "+");
            default -> INVALID;
        };
    }

    private static Form bcctrForm(int bo) {
        return switch (bo) {
            case 0, 2, 8, 10, 16, 18 -> Form.raw("");
            case 4, 5, 6, 7 -> Form.cond("f", bo == 5 ? "+" : conditionHint(bo));
            case 12, 13, 14, 15 -> Form.cond("t", bo == 13 ? "+" : conditionHint(bo));
            case 20 -> Form.counter("b", "");
            case 24, 26 -> Form.raw("-");
            case 25, 27 -> Form.raw("+");
            default -> INVALID;
        };
    }

    private static String insn(String mnemonic, String operands) {
        return operands.isEmpty() ? mnemonic : String.format("%-7s %s", mnemonic, operands);
    }

    private static String crBit(int bit) {
        String[] names = {"lt", "gt", "eq", "so"};
        return bit >>> 2 == 0 ? names[bit & 3] : "4*cr" + (bit >>> 2) + "+" + names[bit & 3];
    }

    /** beq, bne, ...: the condition's name and its CR field operand ({@code cr7,}; none for cr0). */
    private static String conditionName(Form form, int bi) {
        String[] names = form.stem().equals("t")
                ? new String[] {"lt", "gt", "eq", "so"}
                : new String[] {"ge", "le", "ne", "ns"};
        return "b" + names[bi & 3];
    }

    private static String crField(int bi) {
        return bi >>> 2 == 0 ? "" : "cr" + (bi >>> 2);
    }

    static String conditional(int address, int w) {
        int bo = (w >>> 21) & 31;
        int bi = (w >>> 16) & 31;
        boolean link = (w & 1) != 0;
        boolean absolute = (w & 2) != 0;
        int displacement = (short) (w & 0xfffc);
        long target = (absolute ? displacement : address + displacement) & 0xffffffffL;
        String targetText = "0x" + Long.toHexString(target);
        String suffix = (link ? "l" : "") + (absolute ? "a" : "");
        Form form = BC[bo];
        if (form == INVALID) {
            return null;
        }
        if (form.rawAlways()) {
            return insn("bc" + suffix + form.hint(), bo + "," + crBit(bi) + "," + targetText);
        }
        if (form.rawUnlessBiZero()) {
            if (bi == 0) {
                return insn(form.stem() + suffix + form.hint(), targetText);
            }
            return (bo & 1) != 0 && bo < 20 ? null : insn("bc" + suffix + form.hint(), bo + "," + crBit(bi) + "," + targetText);
        }
        if (form.takesCondition()) {
            String field = crField(bi);
            return insn(conditionName(form, bi) + suffix + form.hint(), field.isEmpty() ? targetText : field + "," + targetText);
        }
        return insn(form.stem() + suffix + form.hint(), crBit(bi) + "," + targetText);
    }

    /** bclr/bcctr ({@code register} = "lr" or "ctr"); the BH field must be zero. */
    static String toRegister(int w, String register) {
        int bo = (w >>> 21) & 31;
        int bi = (w >>> 16) & 31;
        if (((w >>> 11) & 3) != 0) {
            return null;
        }
        boolean link = (w & 1) != 0;
        String l = link ? "l" : "";
        Form form = (register.equals("lr") ? BCLR : BCCTR)[bo];
        String raw = "bc" + register;
        if (form == INVALID) {
            return null;
        }
        if (form.rawAlways()) {
            return insn(raw + l + form.hint(), bo + "," + crBit(bi));
        }
        if (form.rawUnlessBiZero()) {
            if (bi == 0) {
                return insn(form.stem() + register + l + form.hint(), "");
            }
            return (bo & 1) != 0 && bo < 20 ? null : insn(raw + l + form.hint(), bo + "," + crBit(bi));
        }
        if (form.takesCondition()) {
            return insn(conditionName(form, bi) + register + l + form.hint(), crField(bi));
        }
        return insn(form.stem() + register + l + form.hint(), crBit(bi));
    }
}
