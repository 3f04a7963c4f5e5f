package org.qemu.ppc.translate;

import org.qemu.ppc.cpu.FloatOps;
import org.qemu.ppc.cpu.FlowOps;
import org.qemu.ppc.cpu.IntegerOps;
import org.qemu.ppc.cpu.LoadStoreOps;

import static org.qemu.ppc.translate.Instruction.Kind.END_OF_BLOCK;
import static org.qemu.ppc.translate.Instruction.Kind.MAY_TRAP;
import static org.qemu.ppc.translate.Instruction.Kind.PLAIN;

/**
 * Decodes 32-bit PowerPC instruction words (UISA of a 32-bit 7xx-class core with FPU, no
 * AltiVec) into calls of the semantic helpers. Opcode and extended-opcode numbers are from
 * the Power ISA's opcode maps; anything else decodes to an illegal instruction (SIGILL).
 */
public final class PpcDecoder {
    private PpcDecoder() {
    }

    private static final class Fields {
        final int w;

        Fields(int w) {
            this.w = w;
        }

        int rt() { return (w >>> 21) & 31; }
        int ra() { return (w >>> 16) & 31; }
        int rb() { return (w >>> 11) & 31; }
        int rc() { return w & 1; }
        int frc() { return (w >>> 6) & 31; }
        int bf() { return (w >>> 23) & 7; }
        int bfa() { return (w >>> 18) & 7; }
        int simm() { return (short) w; }
        int uimm() { return w & 0xffff; }
        int mb() { return (w >>> 6) & 31; }
        int me() { return (w >>> 1) & 31; }
        int oe() { return (w >>> 10) & 1; }
        int xo10() { return (w >>> 1) & 0x3ff; }
        int xo9() { return (w >>> 1) & 0x1ff; }
        int xo5() { return (w >>> 1) & 31; }
        int lk() { return w & 1; }
        int aa() { return (w >>> 1) & 1; }
    }

    private static Instruction of(int address, int word, Instruction.Kind kind, Class<?> owner, String method, int... operands) {
        return new Instruction(address, word, kind, owner, method, operands);
    }

    public static Instruction decode(int address, int word) {
        Instruction i = decodeOrNull(address, word);
        return i != null ? i : illegal(address, word);
    }

    static Instruction illegal(int address, int word) {
        return of(address, word, MAY_TRAP, FlowOps.class, "illegal");
    }

    private static Instruction decodeOrNull(int a, int w) {
        Fields f = new Fields(w);
        Class<?> io = IntegerOps.class;
        Class<?> ls = LoadStoreOps.class;
        return switch (w >>> 26) {
            case 3 -> of(a, w, MAY_TRAP, FlowOps.class, "twi", f.rt(), f.ra(), f.simm());
            case 7 -> of(a, w, PLAIN, io, "mulli", f.rt(), f.ra(), f.simm());
            case 8 -> of(a, w, PLAIN, io, "subfic", f.rt(), f.ra(), f.simm());
            case 10 -> (w & (1 << 21)) != 0 ? null : of(a, w, PLAIN, io, "cmpli", f.bf(), f.ra(), f.uimm());
            case 11 -> (w & (1 << 21)) != 0 ? null : of(a, w, PLAIN, io, "cmpi", f.bf(), f.ra(), f.simm());
            case 12 -> of(a, w, PLAIN, io, "addic", f.rt(), f.ra(), f.simm(), 0);
            case 13 -> of(a, w, PLAIN, io, "addic", f.rt(), f.ra(), f.simm(), 1);
            case 14 -> of(a, w, PLAIN, io, "addi", f.rt(), f.ra(), f.simm());
            case 15 -> of(a, w, PLAIN, io, "addis", f.rt(), f.ra(), f.simm());
            case 16 -> {
                int bd = (short) (w & 0xfffc);
                int target = f.aa() != 0 ? bd : a + bd;
                yield of(a, w, END_OF_BLOCK, FlowOps.class, "bc", f.rt(), f.ra(), target, a + 4, f.lk());
            }
            case 17 -> (w & 2) != 0 ? of(a, w, END_OF_BLOCK, FlowOps.class, "sc", a + 4) : null;
            case 18 -> {
                int li = (w << 6) >> 6 & ~3;
                int target = f.aa() != 0 ? li : a + li;
                yield of(a, w, END_OF_BLOCK, FlowOps.class, "branch", target, a + 4, f.lk());
            }
            case 19 -> opcode19(a, w, f);
            case 20 -> of(a, w, PLAIN, io, "rlwimi", f.rt(), f.ra(), f.rb(), f.mb(), f.me(), f.rc());
            case 21 -> of(a, w, PLAIN, io, "rlwinm", f.rt(), f.ra(), f.rb(), f.mb(), f.me(), f.rc());
            case 23 -> of(a, w, PLAIN, io, "rlwnm", f.rt(), f.ra(), f.rb(), f.mb(), f.me(), f.rc());
            case 24 -> of(a, w, PLAIN, io, "ori", f.rt(), f.ra(), f.uimm());
            case 25 -> of(a, w, PLAIN, io, "oris", f.rt(), f.ra(), f.uimm());
            case 26 -> of(a, w, PLAIN, io, "xori", f.rt(), f.ra(), f.uimm());
            case 27 -> of(a, w, PLAIN, io, "xoris", f.rt(), f.ra(), f.uimm());
            case 28 -> of(a, w, PLAIN, io, "andiDot", f.rt(), f.ra(), f.uimm());
            case 29 -> of(a, w, PLAIN, io, "andisDot", f.rt(), f.ra(), f.uimm());
            case 31 -> opcode31(a, w, f);
            case 32, 33 -> of(a, w, MAY_TRAP, ls, "lwz", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 34, 35 -> of(a, w, MAY_TRAP, ls, "lbz", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 36, 37 -> of(a, w, MAY_TRAP, ls, "stw", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 38, 39 -> of(a, w, MAY_TRAP, ls, "stb", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 40, 41 -> of(a, w, MAY_TRAP, ls, "lhz", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 42, 43 -> of(a, w, MAY_TRAP, ls, "lha", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 44, 45 -> of(a, w, MAY_TRAP, ls, "sth", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 46 -> of(a, w, MAY_TRAP, ls, "lmw", f.rt(), f.ra(), f.simm());
            case 47 -> of(a, w, MAY_TRAP, ls, "stmw", f.rt(), f.ra(), f.simm());
            case 48, 49 -> of(a, w, MAY_TRAP, ls, "lfs", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 50, 51 -> of(a, w, MAY_TRAP, ls, "lfd", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 52, 53 -> of(a, w, MAY_TRAP, ls, "stfs", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 54, 55 -> of(a, w, MAY_TRAP, ls, "stfd", f.rt(), f.ra(), f.simm(), w >>> 26 & 1);
            case 59 -> floatArithmetic(a, w, f, 1);
            case 63 -> opcode63(a, w, f);
            default -> null;
        };
    }

    private static Instruction opcode19(int a, int w, Fields f) {
        Class<?> io = IntegerOps.class;
        return switch (f.xo10()) {
            case 0 -> of(a, w, PLAIN, io, "mcrf", f.bf(), f.bfa());
            case 16 -> of(a, w, END_OF_BLOCK, FlowOps.class, "bclr", f.rt(), f.ra(), a + 4, f.lk());
            case 528 -> of(a, w, END_OF_BLOCK, FlowOps.class, "bcctr", f.rt(), f.ra(), a + 4, f.lk());
            case 33 -> of(a, w, PLAIN, io, "crnor", f.rt(), f.ra(), f.rb());
            case 129 -> of(a, w, PLAIN, io, "crandc", f.rt(), f.ra(), f.rb());
            case 193 -> of(a, w, PLAIN, io, "crxor", f.rt(), f.ra(), f.rb());
            case 225 -> of(a, w, PLAIN, io, "crnand", f.rt(), f.ra(), f.rb());
            case 257 -> of(a, w, PLAIN, io, "crand", f.rt(), f.ra(), f.rb());
            case 289 -> of(a, w, PLAIN, io, "creqv", f.rt(), f.ra(), f.rb());
            case 417 -> of(a, w, PLAIN, io, "crorc", f.rt(), f.ra(), f.rb());
            case 449 -> of(a, w, PLAIN, io, "cror", f.rt(), f.ra(), f.rb());
            // isync: our translated code never runs stale instructions (code pages are tracked), so it ends the block only.
            case 150 -> of(a, w, END_OF_BLOCK, FlowOps.class, "branch", a + 4, a + 4, 0);
            case 50, 18, 82 -> of(a, w, MAY_TRAP, FlowOps.class, "privileged"); // rfi, rfid, rfsvc
            default -> null;
        };
    }

    private static Instruction opcode31(int a, int w, Fields f) {
        Class<?> io = IntegerOps.class;
        Class<?> ls = LoadStoreOps.class;
        Class<?> fl = FlowOps.class;
        Instruction arithmetic = switch (f.xo9()) {
            case 8 -> xo(a, w, f, "subfc");
            case 10 -> xo(a, w, f, "addc");
            case 11 -> xo(a, w, f, "mulhwu");
            case 40 -> xo(a, w, f, "subf");
            case 75 -> xo(a, w, f, "mulhw");
            case 104 -> xo(a, w, f, "neg");
            case 136 -> xo(a, w, f, "subfe");
            case 138 -> xo(a, w, f, "adde");
            case 200 -> xo(a, w, f, "subfze");
            case 202 -> xo(a, w, f, "addze");
            case 232 -> xo(a, w, f, "subfme");
            case 234 -> xo(a, w, f, "addme");
            case 235 -> xo(a, w, f, "mullw");
            case 266 -> xo(a, w, f, "add");
            case 459 -> xo(a, w, f, "divwu");
            case 491 -> xo(a, w, f, "divw");
            default -> null;
        };
        if (arithmetic != null) {
            return arithmetic;
        }
        return switch (f.xo10()) {
            case 0 -> (w & (1 << 21)) != 0 ? null : of(a, w, PLAIN, io, "cmp", f.bf(), f.ra(), f.rb());
            case 32 -> (w & (1 << 21)) != 0 ? null : of(a, w, PLAIN, io, "cmpl", f.bf(), f.ra(), f.rb());
            case 4 -> of(a, w, MAY_TRAP, fl, "tw", f.rt(), f.ra(), f.rb());
            case 19 -> of(a, w, PLAIN, io, "mfcr", f.rt());
            case 144 -> of(a, w, PLAIN, io, "mtcrf", (w >>> 12) & 0xff, f.rt());
            case 512 -> of(a, w, PLAIN, io, "mcrxr", f.bf());
            case 20 -> of(a, w, MAY_TRAP, ls, "lwarx", f.rt(), f.ra(), f.rb());
            case 150 -> of(a, w, MAY_TRAP, ls, "stwcxDot", f.rt(), f.ra(), f.rb());
            case 23, 55 -> of(a, w, MAY_TRAP, ls, "lwzx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 87, 119 -> of(a, w, MAY_TRAP, ls, "lbzx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 279, 311 -> of(a, w, MAY_TRAP, ls, "lhzx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 343, 375 -> of(a, w, MAY_TRAP, ls, "lhax", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 151, 183 -> of(a, w, MAY_TRAP, ls, "stwx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 215, 247 -> of(a, w, MAY_TRAP, ls, "stbx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 407, 439 -> of(a, w, MAY_TRAP, ls, "sthx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 535, 567 -> of(a, w, MAY_TRAP, ls, "lfsx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 599, 631 -> of(a, w, MAY_TRAP, ls, "lfdx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 663, 695 -> of(a, w, MAY_TRAP, ls, "stfsx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 727, 759 -> of(a, w, MAY_TRAP, ls, "stfdx", f.rt(), f.ra(), f.rb(), f.xo10() >>> 5 & 1);
            case 983 -> of(a, w, MAY_TRAP, ls, "stfiwx", f.rt(), f.ra(), f.rb());
            case 534 -> of(a, w, MAY_TRAP, ls, "lwbrx", f.rt(), f.ra(), f.rb());
            case 662 -> of(a, w, MAY_TRAP, ls, "stwbrx", f.rt(), f.ra(), f.rb());
            case 790 -> of(a, w, MAY_TRAP, ls, "lhbrx", f.rt(), f.ra(), f.rb());
            case 918 -> of(a, w, MAY_TRAP, ls, "sthbrx", f.rt(), f.ra(), f.rb());
            case 533 -> of(a, w, MAY_TRAP, ls, "lswx", f.rt(), f.ra(), f.rb());
            case 597 -> of(a, w, MAY_TRAP, ls, "lswi", f.rt(), f.ra(), f.rb());
            case 661 -> of(a, w, MAY_TRAP, ls, "stswx", f.rt(), f.ra(), f.rb());
            case 725 -> of(a, w, MAY_TRAP, ls, "stswi", f.rt(), f.ra(), f.rb());
            case 1014 -> of(a, w, MAY_TRAP, ls, "dcbz", f.ra(), f.rb());
            case 28 -> logical(a, w, f, "and");
            case 60 -> logical(a, w, f, "andc");
            case 124 -> logical(a, w, f, "nor");
            case 284 -> logical(a, w, f, "eqv");
            case 316 -> logical(a, w, f, "xor");
            case 412 -> logical(a, w, f, "orc");
            case 444 -> logical(a, w, f, "or");
            case 476 -> logical(a, w, f, "nand");
            case 24 -> logical(a, w, f, "slw");
            case 536 -> logical(a, w, f, "srw");
            case 792 -> logical(a, w, f, "sraw");
            case 824 -> of(a, w, PLAIN, io, "srawi", f.rt(), f.ra(), f.rb(), f.rc());
            case 26 -> logical(a, w, f, "cntlzw");
            case 922 -> logical(a, w, f, "extsh");
            case 954 -> logical(a, w, f, "extsb");
            case 339 -> mfspr(a, w, f);
            case 467 -> mtspr(a, w, f);
            case 371 -> switch (spr(w)) {
                case FlowOps.SPR_TBL_READ -> of(a, w, PLAIN, fl, "mftb", f.rt(), 0);
                case FlowOps.SPR_TBU_READ -> of(a, w, PLAIN, fl, "mftb", f.rt(), 1);
                default -> null;
            };
            // Cache and ordering hints: dcbst, dcbf, dcbt, dcbtst, dcba, icbi, sync, eieio. Guest
            // memory is coherent and translations track code pages, so they only need to decode.
            case 54, 86, 278, 246, 758, 982, 598, 854 -> of(a, w, PLAIN, fl, "noOperation");
            case 83, 146, 210, 242, 306, 370, 470, 566, 595, 659, 978 ->
                    of(a, w, MAY_TRAP, fl, "privileged"); // mfmsr mtmsr mtsr mtsrin tlbie tlbia dcbi tlbsync mfsr mfsrin tlbld
            default -> null;
        };
    }

    private static int spr(int w) {
        return ((w >>> 16) & 31) | ((w >>> 11) & 31) << 5;
    }

    private static Instruction mfspr(int a, int w, Fields f) {
        Class<?> fl = FlowOps.class;
        return switch (spr(w)) {
            case FlowOps.SPR_XER -> of(a, w, PLAIN, fl, "mfxer", f.rt());
            case FlowOps.SPR_LR -> of(a, w, PLAIN, fl, "mflr", f.rt());
            case FlowOps.SPR_CTR -> of(a, w, PLAIN, fl, "mfctr", f.rt());
            case FlowOps.SPR_VRSAVE -> of(a, w, PLAIN, fl, "mfvrsave", f.rt());
            case FlowOps.SPR_TBL_READ -> of(a, w, PLAIN, fl, "mftb", f.rt(), 0);
            case FlowOps.SPR_TBU_READ -> of(a, w, PLAIN, fl, "mftb", f.rt(), 1);
            case FlowOps.SPR_PVR -> of(a, w, PLAIN, fl, "mfpvr", f.rt());
            default -> (spr(w) & 0x10) != 0 ? of(a, w, MAY_TRAP, fl, "privileged") : null;
        };
    }

    private static Instruction mtspr(int a, int w, Fields f) {
        Class<?> fl = FlowOps.class;
        return switch (spr(w)) {
            case FlowOps.SPR_XER -> of(a, w, PLAIN, fl, "mtxer", f.rt());
            case FlowOps.SPR_LR -> of(a, w, PLAIN, fl, "mtlr", f.rt());
            case FlowOps.SPR_CTR -> of(a, w, PLAIN, fl, "mtctr", f.rt());
            case FlowOps.SPR_VRSAVE -> of(a, w, PLAIN, fl, "mtvrsave", f.rt());
            default -> (spr(w) & 0x10) != 0 ? of(a, w, MAY_TRAP, fl, "privileged") : null;
        };
    }

    private static Instruction xo(int a, int w, Fields f, String method) {
        return of(a, w, PLAIN, IntegerOps.class, method, f.rt(), f.ra(), f.rb(), f.oe(), f.rc());
    }

    private static Instruction logical(int a, int w, Fields f, String method) {
        return of(a, w, PLAIN, IntegerOps.class, method, f.rt(), f.ra(), f.rb(), f.rc());
    }

    /** A-form arithmetic shared by opcode 59 (single) and 63 (double). */
    private static Instruction floatArithmetic(int a, int w, Fields f, int single) {
        Class<?> fo = FloatOps.class;
        int rc = f.rc();
        return switch (f.xo5()) {
            case 18 -> of(a, w, PLAIN, fo, "fdiv", f.rt(), f.ra(), f.rb(), single, rc);
            case 20 -> of(a, w, PLAIN, fo, "fsub", f.rt(), f.ra(), f.rb(), single, rc);
            case 21 -> of(a, w, PLAIN, fo, "fadd", f.rt(), f.ra(), f.rb(), single, rc);
            case 22 -> of(a, w, PLAIN, fo, "fsqrt", f.rt(), f.rb(), single, rc);
            case 23 -> single != 0 ? null : of(a, w, PLAIN, fo, "fsel", f.rt(), f.ra(), f.frc(), f.rb(), rc);
            case 24 -> single != 0 ? of(a, w, PLAIN, fo, "fres", f.rt(), f.rb(), rc) : null;
            case 25 -> of(a, w, PLAIN, fo, "fmul", f.rt(), f.ra(), f.frc(), single, rc);
            case 26 -> single != 0 ? null : of(a, w, PLAIN, fo, "frsqrte", f.rt(), f.rb(), rc);
            case 28 -> of(a, w, PLAIN, fo, "fmadd", f.rt(), f.ra(), f.frc(), f.rb(), 1, 0, single, rc);
            case 29 -> of(a, w, PLAIN, fo, "fmadd", f.rt(), f.ra(), f.frc(), f.rb(), 0, 0, single, rc);
            case 30 -> of(a, w, PLAIN, fo, "fmadd", f.rt(), f.ra(), f.frc(), f.rb(), 1, 1, single, rc);
            case 31 -> of(a, w, PLAIN, fo, "fmadd", f.rt(), f.ra(), f.frc(), f.rb(), 0, 1, single, rc);
            default -> null;
        };
    }

    private static Instruction opcode63(int a, int w, Fields f) {
        if ((f.xo5() & 0x10) != 0) {
            return floatArithmetic(a, w, f, 0);
        }
        Class<?> fo = FloatOps.class;
        int rc = f.rc();
        return switch (f.xo10()) {
            case 0 -> of(a, w, PLAIN, fo, "fcmp", f.bf(), f.ra(), f.rb(), 0);
            case 32 -> of(a, w, PLAIN, fo, "fcmp", f.bf(), f.ra(), f.rb(), 1);
            case 12 -> of(a, w, PLAIN, fo, "frsp", f.rt(), f.rb(), rc);
            case 14 -> of(a, w, PLAIN, fo, "fctiw", f.rt(), f.rb(), 0, rc);
            case 15 -> of(a, w, PLAIN, fo, "fctiw", f.rt(), f.rb(), 1, rc);
            case 38 -> of(a, w, PLAIN, fo, "mtfsb", f.rt(), 1, rc);
            case 70 -> of(a, w, PLAIN, fo, "mtfsb", f.rt(), 0, rc);
            case 40 -> of(a, w, PLAIN, fo, "fneg", f.rt(), f.rb(), rc);
            case 64 -> of(a, w, PLAIN, fo, "mcrfs", f.bf(), f.bfa());
            case 72 -> of(a, w, PLAIN, fo, "fmr", f.rt(), f.rb(), rc);
            case 134 -> of(a, w, PLAIN, fo, "mtfsfi", f.bf(), (w >>> 12) & 0xf, rc);
            case 136 -> of(a, w, PLAIN, fo, "fnabs", f.rt(), f.rb(), rc);
            case 264 -> of(a, w, PLAIN, fo, "fabs", f.rt(), f.rb(), rc);
            case 392 -> of(a, w, PLAIN, fo, "fri", f.rt(), f.rb(), 0, rc);
            case 424 -> of(a, w, PLAIN, fo, "fri", f.rt(), f.rb(), 1, rc);
            case 456 -> of(a, w, PLAIN, fo, "fri", f.rt(), f.rb(), 2, rc);
            case 488 -> of(a, w, PLAIN, fo, "fri", f.rt(), f.rb(), 3, rc);
            case 583 -> of(a, w, PLAIN, fo, "mffs", f.rt(), f.ra(), f.rb(), rc);
            case 711 -> of(a, w, PLAIN, fo, "mtfsf", (w >>> 17) & 0xff, f.rb(), rc);
            default -> null;
        };
    }
}
