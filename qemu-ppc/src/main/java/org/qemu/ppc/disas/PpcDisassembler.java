package org.qemu.ppc.disas;

/**
 * Turns one 32-bit PowerPC instruction word into the text GNU objdump prints for it (its default
 * dialect: simplified mnemonics such as {@code li}, {@code mr}, {@code slwi}, {@code beq cr7,...};
 * decimal immediates; branch targets as absolute addresses, written {@code 0x...}).
 *
 * <p>Covers the instructions the emulator's decoder executes (32-bit UISA integer, branch,
 * condition register, load/store, floating point, the cache hints and the privileged words it
 * recognises). A word outside that set, or one whose reserved fields are not zero, prints as
 * objdump prints data, {@code .long 0x...}: the log then never claims an instruction the emulator
 * does not run.
 */
public final class PpcDisassembler {
    private static final String[] TRUE_CONDITIONS = {"lt", "gt", "eq", "so"};
    private static final String[] FALSE_CONDITIONS = {"ge", "le", "ne", "ns"};

    private PpcDisassembler() {
    }

    /** The text for {@code word} found at {@code address} (needed for relative branch targets). */
    public static String disassemble(int address, int word) {
        String text = decode(new Word(address, word));
        return text != null ? text : dataWord(word);
    }

    /** True when {@link #disassemble} names an instruction rather than printing data. */
    public static boolean recognises(int address, int word) {
        return decode(new Word(address, word)) != null;
    }

    static String dataWord(int word) {
        return ".long 0x" + Integer.toHexString(word);
    }

    /** The fields of one instruction word, named as in the Power ISA. */
    private record Word(int address, int w) {
        int opcode() { return w >>> 26; }
        int rt() { return (w >>> 21) & 31; }
        int ra() { return (w >>> 16) & 31; }
        int rb() { return (w >>> 11) & 31; }
        int rc() { return (w >>> 6) & 31; }
        int crField() { return (w >>> 23) & 7; }
        int crFieldA() { return (w >>> 18) & 7; }
        int simm() { return (short) w; }
        int uimm() { return w & 0xffff; }
        boolean record() { return (w & 1) != 0; }
        boolean link() { return (w & 1) != 0; }
        boolean absolute() { return (w & 2) != 0; }
        int xo10() { return (w >>> 1) & 0x3ff; }
        int xo9() { return (w >>> 1) & 0x1ff; }
        int xo5() { return (w >>> 1) & 31; }
        boolean overflow() { return (w & 0x400) != 0; }
        String dot() { return record() ? "." : ""; }
    }

    private static String insn(String mnemonic, String operands) {
        return operands.isEmpty() ? mnemonic : String.format("%-7s %s", mnemonic, operands);
    }

    private static String r(int n) {
        return "r" + n;
    }

    private static String f(int n) {
        return "f" + n;
    }

    /** A base register that reads as zero when it is r0 (objdump writes {@code 0}). */
    private static String r0(int n) {
        return n == 0 ? "0" : "r" + n;
    }

    private static String cr(int field) {
        return "cr" + field;
    }

    /** A condition register bit: {@code eq}, or {@code 4*cr7+so} outside cr0. */
    private static String crBit(int bit) {
        String name = TRUE_CONDITIONS[bit & 3];
        return bit >>> 2 == 0 ? name : "4*cr" + (bit >>> 2) + "+" + name;
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value & 0xffffffffL);
    }

    private static String decode(Word i) {
        return switch (i.opcode()) {
            case 3 -> trapImmediate(i);
            case 7 -> insn("mulli", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 8 -> insn("subfic", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 10 -> (i.w & (1 << 22)) != 0 || (i.w & (1 << 21)) != 0 ? null : compare("cmplwi", i, Integer.toString(i.uimm()));
            case 11 -> (i.w & (1 << 22)) != 0 || (i.w & (1 << 21)) != 0 ? null : compare("cmpwi", i, Integer.toString(i.simm()));
            case 12 -> insn("addic", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 13 -> insn("addic.", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 14 -> i.ra() == 0 ? insn("li", r(i.rt()) + "," + i.simm()) : insn("addi", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 15 -> i.ra() == 0 ? insn("lis", r(i.rt()) + "," + i.simm()) : insn("addis", r(i.rt()) + "," + r(i.ra()) + "," + i.simm());
            case 16 -> BranchText.conditional(i.address(), i.w);
            case 17 -> (i.w & 0x03fff01f) == 2 ? "sc" : null;
            case 18 -> {
                int offset = (i.w << 6) >> 6 & ~3;
                long target = i.absolute() ? offset : i.address() + offset;
                yield insn("b" + (i.link() ? "l" : "") + (i.absolute() ? "a" : ""), hex(target));
            }
            case 19 -> opcode19(i);
            case 20 -> insn("rlwimi" + i.dot(), r(i.ra()) + "," + r(i.rt()) + "," + i.rb() + "," + i.rc() + "," + i.xo5());
            case 21 -> rotateImmediate(i);
            case 23 -> i.rc() == 0 && i.xo5() == 31
                    ? insn("rotlw" + i.dot(), r(i.ra()) + "," + r(i.rt()) + "," + r(i.rb()))
                    : insn("rlwnm" + i.dot(), r(i.ra()) + "," + r(i.rt()) + "," + r(i.rb()) + "," + i.rc() + "," + i.xo5());
            case 24 -> i.w == 0x60000000 ? "nop" : logicalImmediate("ori", i);
            case 25 -> logicalImmediate("oris", i);
            case 26 -> i.w == 0x68000000 ? "xnop" : logicalImmediate("xori", i);
            case 27 -> logicalImmediate("xoris", i);
            case 28 -> logicalImmediate("andi.", i);
            case 29 -> logicalImmediate("andis.", i);
            case 31 -> opcode31(i);
            case 32 -> load("lwz", i, false);
            case 33 -> load("lwzu", i, false);
            case 34 -> load("lbz", i, false);
            case 35 -> load("lbzu", i, false);
            case 36 -> load("stw", i, false);
            case 37 -> load("stwu", i, false);
            case 38 -> load("stb", i, false);
            case 39 -> load("stbu", i, false);
            case 40 -> load("lhz", i, false);
            case 41 -> load("lhzu", i, false);
            case 42 -> load("lha", i, false);
            case 43 -> load("lhau", i, false);
            case 44 -> load("sth", i, false);
            case 45 -> load("sthu", i, false);
            case 46 -> load("lmw", i, false);
            case 47 -> load("stmw", i, false);
            case 48 -> load("lfs", i, true);
            case 49 -> load("lfsu", i, true);
            case 50 -> load("lfd", i, true);
            case 51 -> load("lfdu", i, true);
            case 52 -> load("stfs", i, true);
            case 53 -> load("stfsu", i, true);
            case 54 -> load("stfd", i, true);
            case 55 -> load("stfdu", i, true);
            case 59 -> floatArithmetic(i, "s");
            case 63 -> opcode63(i);
            default -> null;
        };
    }

    private static String compare(String mnemonic, Word i, String last) {
        String field = i.crField() == 0 ? "" : cr(i.crField()) + ",";
        return insn(mnemonic, field + r(i.ra()) + "," + last);
    }

    private static String logicalImmediate(String mnemonic, Word i) {
        return insn(mnemonic, r(i.ra()) + "," + r(i.rt()) + "," + i.uimm());
    }

    private static String load(String mnemonic, Word i, boolean floating) {
        boolean update = mnemonic.endsWith("u");
        boolean isLoad = mnemonic.startsWith("l");
        // Invalid forms the ISA leaves undefined: objdump falls back to POWER names or data for them.
        if (update && (i.ra() == 0 || isLoad && !floating && i.ra() == i.rt())) {
            return null;
        }
        if (mnemonic.equals("lmw") && i.ra() >= i.rt() && i.ra() != 0) {
            return null;
        }
        String base = update ? r(i.ra()) : r0(i.ra());
        return insn(mnemonic, (floating ? f(i.rt()) : r(i.rt())) + "," + i.simm() + "(" + base + ")");
    }

    private static final String[] TRAP_CONDITIONS = new String[32];

    static {
        TRAP_CONDITIONS[1] = "lgt";
        TRAP_CONDITIONS[2] = "llt";
        TRAP_CONDITIONS[4] = "eq";
        TRAP_CONDITIONS[5] = "lge";
        TRAP_CONDITIONS[6] = "lle";
        TRAP_CONDITIONS[8] = "gt";
        TRAP_CONDITIONS[12] = "ge";
        TRAP_CONDITIONS[16] = "lt";
        TRAP_CONDITIONS[20] = "le";
        TRAP_CONDITIONS[24] = "ne";
        TRAP_CONDITIONS[31] = "u";
    }

    private static String trapImmediate(Word i) {
        String condition = TRAP_CONDITIONS[i.rt()];
        return condition != null
                ? insn("tw" + condition + "i", r(i.ra()) + "," + i.simm())
                : insn("twi", i.rt() + "," + r(i.ra()) + "," + i.simm());
    }

    private static String trap(Word i) {
        if (i.w == 0x7fe00008) {
            return "trap";
        }
        String condition = TRAP_CONDITIONS[i.rt()];
        return condition != null
                ? insn("tw" + condition, r(i.ra()) + "," + r(i.rb()))
                : insn("tw", i.rt() + "," + r(i.ra()) + "," + r(i.rb()));
    }

    /** rlwinm and the shifts, rotates and masks objdump names after it. */
    private static String rotateImmediate(Word i) {
        int sh = i.rb();
        int mb = i.rc();
        int me = i.xo5();
        String regs = r(i.ra()) + "," + r(i.rt()) + ",";
        String dot = i.dot();
        if (mb == 0 && me == 31) {
            return insn("rotlwi" + dot, regs + sh);
        }
        if (sh == 0 && me == 31) {
            return insn("clrlwi" + dot, regs + mb);
        }
        if (mb == 0 && sh == 0) {
            return insn("clrrwi" + dot, regs + (31 - me));
        }
        if (mb == 0 && sh + me == 31) {
            return insn("slwi" + dot, regs + sh);
        }
        if (me == 31 && sh + mb == 32) {
            return insn("srwi" + dot, regs + mb);
        }
        return insn("rlwinm" + dot, regs + sh + "," + mb + "," + me);
    }

    private static String opcode19(Word i) {
        return switch (i.xo10()) {
            case 0 -> (i.w & 0x0063f801) == 0 ? insn("mcrf", cr(i.crField()) + "," + cr(i.crFieldA())) : null;
            case 16 -> (i.w & 0xf800) == 0 ? BranchText.toRegister(i.w, "lr") : null;
            case 528 -> (i.w & 0xf800) == 0 ? BranchText.toRegister(i.w, "ctr") : null;
            case 33 -> conditionLogic(i, "crnor", "crnot");
            case 129 -> conditionLogic(i, "crandc", null);
            case 193 -> i.rt() == i.ra() && i.ra() == i.rb() && !i.record() ? insn("crclr", crBit(i.rt())) : conditionLogic(i, "crxor", null);
            case 225 -> conditionLogic(i, "crnand", null);
            case 257 -> conditionLogic(i, "crand", null);
            case 289 -> i.rt() == i.ra() && i.ra() == i.rb() && !i.record() ? insn("crset", crBit(i.rt())) : conditionLogic(i, "creqv", null);
            case 417 -> conditionLogic(i, "crorc", null);
            case 449 -> conditionLogic(i, "cror", "crmove");
            case 150 -> (i.w & 0x03fff801) == 0 ? "isync" : null;
            case 50 -> (i.w & 0x03fff801) == 0 ? "rfi" : null;
            default -> null;
        };
    }

    /** A condition-register operation; {@code sameSources} names the two-operand form when bA == bB. */
    private static String conditionLogic(Word i, String mnemonic, String sameSources) {
        if (i.record()) {
            return null;
        }
        if (sameSources != null && i.ra() == i.rb()) {
            return insn(sameSources, crBit(i.rt()) + "," + crBit(i.ra()));
        }
        return insn(mnemonic, crBit(i.rt()) + "," + crBit(i.ra()) + "," + crBit(i.rb()));
    }

    private static String opcode31(Word i) {
        String arithmetic = arithmetic(i);
        if (arithmetic != null) {
            return arithmetic;
        }
        int rt = i.rt();
        int ra = i.ra();
        int rb = i.rb();
        String xform = r(rt) + "," + r0(ra) + "," + r(rb);
        String xformFloat = f(rt) + "," + r0(ra) + "," + r(rb);
        // Update forms with rA = 0 (or a load's rA = rT) are invalid: objdump shows data or POWER names.
        String updateForm = ra == 0 ? null : r(rt) + "," + r(ra) + "," + r(rb);
        String loadUpdateForm = ra == rt ? null : updateForm;
        String updateFloat = ra == 0 ? null : f(rt) + "," + r(ra) + "," + r(rb);
        boolean rc = i.record();
        return switch (i.xo10()) {
            case 0 -> rc || (i.w & (3 << 21)) != 0 ? null : compareRegisters("cmpw", i);
            case 32 -> rc || (i.w & (3 << 21)) != 0 ? null : compareRegisters("cmplw", i);
            case 4 -> rc ? null : trap(i);
            case 19 -> rc || (i.w & 0x001ff800) != 0 ? null : insn("mfcr", r(rt));
            case 144 -> rc || (i.w & 0x00100800) != 0 ? null : mtcrf(i);
            case 512 -> rc || (i.w & 0x007ff800) != 0 ? null : insn("mcrxr", cr(i.crField()));
            case 20 -> rc ? null : insn("lwarx", xform);
            case 150 -> rc ? insn("stwcx.", xform) : null;
            case 23 -> rc ? null : insn("lwzx", xform);
            case 55 -> rc ? null : indexedUpdate("lwzux", loadUpdateForm);
            case 87 -> rc ? null : insn("lbzx", xform);
            case 119 -> rc ? null : indexedUpdate("lbzux", loadUpdateForm);
            case 279 -> rc ? null : insn("lhzx", xform);
            case 311 -> rc ? null : indexedUpdate("lhzux", loadUpdateForm);
            case 343 -> rc ? null : insn("lhax", xform);
            case 375 -> rc ? null : indexedUpdate("lhaux", loadUpdateForm);
            case 151 -> rc ? null : insn("stwx", xform);
            case 183 -> rc ? null : indexedUpdate("stwux", updateForm);
            case 215 -> rc ? null : insn("stbx", xform);
            case 247 -> rc ? null : indexedUpdate("stbux", updateForm);
            case 407 -> rc ? null : insn("sthx", xform);
            case 439 -> rc ? null : indexedUpdate("sthux", updateForm);
            case 535 -> rc ? null : insn("lfsx", xformFloat);
            case 567 -> rc ? null : indexedUpdate("lfsux", updateFloat);
            case 599 -> rc ? null : insn("lfdx", xformFloat);
            case 631 -> rc ? null : indexedUpdate("lfdux", updateFloat);
            case 663 -> rc ? null : insn("stfsx", xformFloat);
            case 695 -> rc ? null : indexedUpdate("stfsux", updateFloat);
            case 727 -> rc ? null : insn("stfdx", xformFloat);
            case 759 -> rc ? null : indexedUpdate("stfdux", updateFloat);
            case 983 -> rc ? null : insn("stfiwx", xformFloat);
            case 534 -> rc ? null : insn("lwbrx", xform);
            case 662 -> rc ? null : insn("stwbrx", xform);
            case 790 -> rc ? null : insn("lhbrx", xform);
            case 918 -> rc ? null : insn("sthbrx", xform);
            case 533 -> rc ? null : insn("lswx", xform);
            case 661 -> rc ? null : insn("stswx", xform);
            case 597 -> rc ? null : insn("lswi", r(rt) + "," + r0(ra) + "," + (rb == 0 ? 32 : rb));
            case 725 -> rc ? null : insn("stswi", r(rt) + "," + r0(ra) + "," + (rb == 0 ? 32 : rb));
            case 1014 -> cacheHint("dcbz", i);
            case 54 -> cacheHint("dcbst", i);
            case 86 -> cacheHint("dcbf", i);
            case 982 -> cacheHint("icbi", i);
            case 758 -> cacheHint("dcba", i);
            case 278 -> rc ? null : insn("dcbtct", r0(ra) + "," + r(rb) + (rt == 0 ? "" : "," + rt));
            case 246 -> rc ? null : insn("dcbtstct", r0(ra) + "," + r(rb) + (rt == 0 ? "" : "," + rt));
            case 598 -> sync(i);
            case 854 -> rc || (i.w & 0x001ff800) != 0 ? null : rt == 0 ? "eieio" : insn("mbar", Integer.toString(rt));
            case 28 -> logical("and", i);
            case 60 -> logical("andc", i);
            case 124 -> rt == rb ? insn("not" + i.dot(), r(ra) + "," + r(rt)) : logical("nor", i);
            case 284 -> logical("eqv", i);
            case 316 -> logical("xor", i);
            case 412 -> logical("orc", i);
            case 444 -> rt == rb ? insn("mr" + i.dot(), r(ra) + "," + r(rt)) : logical("or", i);
            case 476 -> logical("nand", i);
            case 24 -> logical("slw", i);
            case 536 -> logical("srw", i);
            case 792 -> logical("sraw", i);
            case 824 -> insn("srawi" + i.dot(), r(ra) + "," + r(rt) + "," + rb);
            case 26 -> rb != 0 ? null : insn("cntlzw" + i.dot(), r(ra) + "," + r(rt));
            case 922 -> rb != 0 ? null : insn("extsh" + i.dot(), r(ra) + "," + r(rt));
            case 954 -> rb != 0 ? null : insn("extsb" + i.dot(), r(ra) + "," + r(rt));
            case 339 -> rc ? null : SpecialRegisterText.move(i.w, true);
            case 467 -> rc ? null : SpecialRegisterText.move(i.w, false);
            case 371 -> rc ? null : SpecialRegisterText.timeBase(i.w);
            case 83 -> rc || (i.w & 0x001ff800) != 0 ? null : insn("mfmsr", r(rt));
            default -> null;
        };
    }

    private static String indexedUpdate(String mnemonic, String operands) {
        return operands == null ? null : insn(mnemonic, operands);
    }

    private static String compareRegisters(String mnemonic, Word i) {
        String field = i.crField() == 0 ? "" : cr(i.crField()) + ",";
        return insn(mnemonic, field + r(i.ra()) + "," + r(i.rb()));
    }

    private static String mtcrf(Word i) {
        int mask = (i.w >>> 12) & 0xff;
        return mask == 0xff ? insn("mtcr", r(i.rt())) : insn("mtcrf", mask + "," + r(i.rt()));
    }

    private static String cacheHint(String mnemonic, Word i) {
        return i.record() || i.rt() != 0 ? null : insn(mnemonic, r0(i.ra()) + "," + r(i.rb()));
    }

    private static String sync(Word i) {
        if (i.record() || (i.w & 0x039ff800) != 0) {
            return null;
        }
        return switch ((i.w >>> 21) & 3) {
            case 0 -> "hwsync";
            case 1 -> "lwsync";
            case 2 -> "ptesync";
            default -> null;
        };
    }

    private static String logical(String mnemonic, Word i) {
        return insn(mnemonic + i.dot(), r(i.ra()) + "," + r(i.rt()) + "," + r(i.rb()));
    }

    /** XO-form arithmetic: {@code o} when OE is set, {@code .} when Rc is. */
    private static String arithmetic(Word i) {
        String mnemonic;
        boolean oneSource = false;
        boolean noOverflowForm = false;
        switch (i.xo9()) {
            case 8 -> mnemonic = "subfc";
            case 10 -> mnemonic = "addc";
            case 11 -> { mnemonic = "mulhwu"; noOverflowForm = true; }
            case 40 -> mnemonic = "subf";
            case 75 -> { mnemonic = "mulhw"; noOverflowForm = true; }
            case 104 -> { mnemonic = "neg"; oneSource = true; }
            case 136 -> mnemonic = "subfe";
            case 138 -> mnemonic = "adde";
            case 200 -> { mnemonic = "subfze"; oneSource = true; }
            case 202 -> { mnemonic = "addze"; oneSource = true; }
            case 232 -> { mnemonic = "subfme"; oneSource = true; }
            case 234 -> { mnemonic = "addme"; oneSource = true; }
            case 235 -> mnemonic = "mullw";
            case 266 -> mnemonic = "add";
            case 459 -> mnemonic = "divwu";
            case 491 -> mnemonic = "divw";
            default -> {
                return null;
            }
        }
        if (noOverflowForm && i.overflow() || oneSource && i.rb() != 0) {
            return null;
        }
        String name = mnemonic + (i.overflow() ? "o" : "") + i.dot();
        return oneSource
                ? insn(name, r(i.rt()) + "," + r(i.ra()))
                : insn(name, r(i.rt()) + "," + r(i.ra()) + "," + r(i.rb()));
    }

    /** A-form arithmetic of opcode 59 (single precision, suffix s) and 63 (double). */
    private static String floatArithmetic(Word i, String single) {
        int t = i.rt();
        int a = i.ra();
        int b = i.rb();
        int c = i.rc();
        String dot = i.dot();
        boolean isSingle = !single.isEmpty();
        return switch (i.xo5()) {
            case 18 -> c != 0 ? null : insn("fdiv" + single + dot, f(t) + "," + f(a) + "," + f(b));
            case 20 -> c != 0 ? null : insn("fsub" + single + dot, f(t) + "," + f(a) + "," + f(b));
            case 21 -> c != 0 ? null : insn("fadd" + single + dot, f(t) + "," + f(a) + "," + f(b));
            case 22 -> a != 0 || c != 0 ? null : insn("fsqrt" + single + dot, f(t) + "," + f(b));
            case 23 -> isSingle ? null : insn("fsel" + dot, f(t) + "," + f(a) + "," + f(c) + "," + f(b));
            case 24 -> !isSingle || a != 0 || c != 0 ? null : insn("fres" + dot, f(t) + "," + f(b));
            case 25 -> b != 0 ? null : insn("fmul" + single + dot, f(t) + "," + f(a) + "," + f(c));
            case 26 -> isSingle || a != 0 || c != 0 ? null : insn("frsqrte" + dot, f(t) + "," + f(b));
            case 28 -> insn("fmsub" + single + dot, f(t) + "," + f(a) + "," + f(c) + "," + f(b));
            case 29 -> insn("fmadd" + single + dot, f(t) + "," + f(a) + "," + f(c) + "," + f(b));
            case 30 -> insn("fnmsub" + single + dot, f(t) + "," + f(a) + "," + f(c) + "," + f(b));
            case 31 -> insn("fnmadd" + single + dot, f(t) + "," + f(a) + "," + f(c) + "," + f(b));
            default -> null;
        };
    }

    private static String opcode63(Word i) {
        if ((i.xo5() & 0x10) != 0) {
            return floatArithmetic(i, "");
        }
        int t = i.rt();
        int a = i.ra();
        int b = i.rb();
        String dot = i.dot();
        String unary = a != 0 ? null : f(t) + "," + f(b);
        return switch (i.xo10()) {
            case 0 -> i.record() || (i.w & (3 << 21)) != 0 ? null : insn("fcmpu", cr(i.crField()) + "," + f(a) + "," + f(b));
            case 32 -> i.record() || (i.w & (3 << 21)) != 0 ? null : insn("fcmpo", cr(i.crField()) + "," + f(a) + "," + f(b));
            case 12 -> unary == null ? null : insn("frsp" + dot, unary);
            case 14 -> unary == null ? null : insn("fctiw" + dot, unary);
            case 15 -> unary == null ? null : insn("fctiwz" + dot, unary);
            case 40 -> unary == null ? null : insn("fneg" + dot, unary);
            case 72 -> unary == null ? null : insn("fmr" + dot, unary);
            case 136 -> unary == null ? null : insn("fnabs" + dot, unary);
            case 264 -> unary == null ? null : insn("fabs" + dot, unary);
            case 392 -> unary == null ? null : insn("frin" + dot, unary);
            case 424 -> unary == null ? null : insn("friz" + dot, unary);
            case 456 -> unary == null ? null : insn("frip" + dot, unary);
            case 488 -> unary == null ? null : insn("frim" + dot, unary);
            case 38 -> (i.w & 0x001ff800) != 0 ? null : insn("mtfsb1" + dot, Integer.toString(t));
            case 70 -> (i.w & 0x001ff800) != 0 ? null : insn("mtfsb0" + dot, Integer.toString(t));
            case 64 -> i.record() || (i.w & 0x0063f800) != 0 ? null : insn("mcrfs", cr(i.crField()) + "," + cr(i.crFieldA()));
            case 134 -> (i.w & 0x007e0800) != 0 ? null
                    : insn("mtfsfi" + dot, i.crField() + "," + ((i.w >>> 12) & 0xf) + ((i.w & 0x10000) != 0 ? ",1" : ""));
            case 583 -> (i.w & 0x001ff800) != 0 ? null : insn("mffs" + dot, f(t));
            case 711 -> (i.w & 0x02010000) != 0 ? null : insn("mtfsf" + dot, ((i.w >>> 17) & 0xff) + "," + f(b));
            default -> null;
        };
    }
}
