package org.qemu.i386.disas;

import static org.qemu.i386.disas.X86Disassembler.insn;

/**
 * The 0x0F opcode map: system and bit instructions, cmov/set/jcc, movzx/movsx, and the SSE and
 * SSE2 forms with their mandatory prefixes (none, 0x66, 0xF3, 0xF2 pick ps/pd/ss/sd forms).
 */
final class X86TwoByteText {
    private static final String[] XMM = {"%xmm0", "%xmm1", "%xmm2", "%xmm3", "%xmm4", "%xmm5", "%xmm6", "%xmm7",
        "%xmm8", "%xmm9", "%xmm10", "%xmm11", "%xmm12", "%xmm13", "%xmm14", "%xmm15"};

    private X86TwoByteText() {
    }

    static boolean consumedRep(X86Operands o) {
        return o.repConsumed;
    }

    private static String xmmRm(X86Operands o) {
        return o.rm(XMM);
    }

    private static String xmmReg(X86Operands o) {
        return XMM[o.regX()];
    }

    /** A general register of 32 bits, or 64 with REX.W (movq, cvtsi2sd ...). */
    private static String[] generalRegisters(X86Operands o) {
        return o.codeBits == 64 && o.rexW() ? X86Operands.REG64 : X86Operands.REG32;
    }

    /** Source r/m, destination reg (the load direction). */
    private static String load(X86Operands o, String name) {
        String source = xmmRm(o);
        return insn(name, source + "," + xmmReg(o));
    }

    private static String store(X86Operands o, String name) {
        String destination = xmmRm(o);
        return insn(name, xmmReg(o) + "," + destination);
    }

    /** An SSE op that exists only with the 0x66 prefix (the MMX form is not read). */
    private static String packed66(X86Operands o, String name) {
        return o.operandSize && o.rep == 0 ? load(o, name) : null;
    }

    private static String consumeRep(X86Operands o, String text) {
        o.repConsumed = true;
        return text;
    }

    static String decode(X86Operands o, int op) {
        if (op >= 0x40 && op < 0x50) {
            return insn("cmov" + X86Disassembler.CONDITIONS[op & 15], o.rmV() + "," + o.regV());
        }
        if (op >= 0x80 && op < 0x90) {
            return insn("j" + X86Disassembler.CONDITIONS[op & 15], o.relative(o.wide() ? 4 : 2));
        }
        if (op >= 0x90 && op < 0xa0) {
            return insn("set" + X86Disassembler.CONDITIONS[op & 15], o.rmB());
        }
        if (op >= 0xc8 && op < 0xd0) {
            return insn("bswap", o.vRegisters()[o.opcodeRegister(op)]);
        }
        boolean p66 = o.operandSize;
        int rep = o.rep;
        o.operandSizeUsed = true;
        return switch (op) {
            case 0x0b -> "ud2";
            case 0x05 -> "syscall";
            case 0x31 -> "rdtsc";
            case 0xa2 -> "cpuid";
            case 0xa0 -> insn(o.sized("push"), "%fs");
            case 0xa1 -> insn(o.sized("pop"), "%fs");
            case 0xa8 -> insn(o.sized("push"), "%gs");
            case 0xa9 -> insn(o.sized("pop"), "%gs");
            case 0x00 -> descriptorTable(o);
            case 0x01 -> systemGroup(o);
            case 0x06 -> "clts";
            case 0x08 -> "invd";
            case 0x09 -> "wbinvd";
            case 0x30 -> "wrmsr";
            case 0x32 -> "rdmsr";
            case 0x34 -> "sysenter";
            case 0x35 -> "sysexit";
            case 0x20, 0x22 -> controlMove(o, "%cr", op == 0x22);
            case 0x21, 0x23 -> controlMove(o, "%db", op == 0x23);
            case 0x18 -> {
                String[] hints = {"prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2"};
                o.readModrm();
                yield o.mod == 3 || o.reg > 3 ? null : insn(hints[o.reg], o.memory());
            }
            // objdump prints a segment override on a long nop as a prefix word ("cs nopw"), not in the operand
            case 0x1f -> { o.readModrm(); yield o.reg != 0 || o.segment != null ? null : insn("nop" + o.sizeSuffix(), o.rmV()); }
            case 0xa3 -> insn("bt", o.regV() + "," + o.rmV());
            case 0xab -> insn("bts", o.regV() + "," + o.rmV());
            case 0xb3 -> insn("btr", o.regV() + "," + o.rmV());
            case 0xbb -> insn("btc", o.regV() + "," + o.rmV());
            case 0xa4, 0xac -> { String dst = o.rmV(); String reg = o.regV(); yield insn(op == 0xa4 ? "shld" : "shrd", o.immediate8() + "," + reg + "," + dst); }
            case 0xa5, 0xad -> insn(op == 0xa5 ? "shld" : "shrd", "%cl," + o.regV() + "," + o.rmV());
            case 0xaf -> insn("imul", o.rmV() + "," + o.regV());
            case 0xb0 -> insn("cmpxchg", o.regB() + "," + o.rmB());
            case 0xb1 -> insn("cmpxchg", o.regV() + "," + o.rmV());
            case 0xc0 -> insn("xadd", o.regB() + "," + o.rmB());
            case 0xc1 -> insn("xadd", o.regV() + "," + o.rmV());
            case 0xb6 -> insn("movzb" + o.sizeSuffix(), o.rmB() + "," + o.regV());
            case 0xb7 -> insn("movzw" + o.sizeSuffix(), o.rm(X86Operands.REG16) + "," + o.regV());
            case 0xbe -> insn("movsb" + o.sizeSuffix(), o.rmB() + "," + o.regV());
            case 0xbf -> insn("movsw" + o.sizeSuffix(), o.rm(X86Operands.REG16) + "," + o.regV());
            case 0xba -> {
                String target = o.rmV();
                String[] names = {null, null, null, null, "bt", "bts", "btr", "btc"};
                String name = names[o.reg];
                yield name == null ? null : insn(o.registerForm() ? name : name + o.sizeSuffix(), o.immediate8() + "," + target);
            }
            case 0xb8 -> rep == 0xf3 ? consumeRep(o, insn("popcnt", o.rmV() + "," + o.regV())) : null;
            case 0xbc -> rep == 0xf3 ? consumeRep(o, insn("tzcnt", o.rmV() + "," + o.regV())) : insn("bsf", o.rmV() + "," + o.regV());
            case 0xbd -> rep == 0xf3 ? consumeRep(o, insn("lzcnt", o.rmV() + "," + o.regV())) : insn("bsr", o.rmV() + "," + o.regV());
            case 0xc7 -> { o.readModrm(); yield o.reg == 1 && o.mod != 3 ? insn(o.rexW() ? "cmpxchg16b" : "cmpxchg8b", o.memory()) : null; }
            case 0x1e -> rep == 0xf3 && (o.peek() == 0xfa || o.peek() == 0xfb) ? consumeRep(o, endbr(o)) : null;
            case 0xae -> fence(o);
            case 0x10 -> rep == 0xf3 ? consumeRep(o, load(o, "movss")) : rep == 0xf2 ? consumeRep(o, load(o, "movsd")) : load(o, p66 ? "movupd" : "movups");
            case 0x11 -> rep == 0xf3 ? consumeRep(o, store(o, "movss")) : rep == 0xf2 ? consumeRep(o, store(o, "movsd")) : store(o, p66 ? "movupd" : "movups");
            case 0x12 -> rep == 0xf2 ? consumeRep(o, load(o, "movddup")) : rep == 0xf3 ? consumeRep(o, load(o, "movsldup"))
                    : p66 && !o.registerForm() ? load(o, "movlpd") : null;
            case 0x13 -> p66 && !o.registerForm() ? store(o, "movlpd") : null;
            case 0x16 -> rep == 0xf3 ? consumeRep(o, load(o, "movshdup")) : p66 && !o.registerForm() ? load(o, "movhpd") : null;
            case 0x7c -> rep == 0xf2 ? consumeRep(o, load(o, "haddps")) : packed66(o, "haddpd");
            case 0x7d -> rep == 0xf2 ? consumeRep(o, load(o, "hsubps")) : packed66(o, "hsubpd");
            case 0xd0 -> rep == 0xf2 ? consumeRep(o, load(o, "addsubps")) : packed66(o, "addsubpd");
            case 0xf0 -> rep == 0xf2 && !o.registerForm() ? consumeRep(o, load(o, "lddqu")) : null;
            case 0x17 -> p66 && !o.registerForm() ? store(o, "movhpd") : null;
            case 0x28 -> rep != 0 ? null : load(o, p66 ? "movapd" : "movaps");
            case 0x29 -> rep != 0 ? null : store(o, p66 ? "movapd" : "movaps");
            case 0x2e -> rep != 0 ? null : load(o, p66 ? "ucomisd" : "ucomiss");
            case 0x2f -> rep != 0 ? null : load(o, p66 ? "comisd" : "comiss");
            case 0x54 -> rep != 0 ? null : load(o, p66 ? "andpd" : "andps");
            case 0x57 -> rep != 0 ? null : load(o, p66 ? "xorpd" : "xorps");
            case 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f -> scalarOrPacked(o, switch (op) {
                case 0x58 -> "add";
                case 0x59 -> "mul";
                case 0x5c -> "sub";
                case 0x5d -> "min";
                case 0x5e -> "div";
                default -> "max";
            });
            case 0x60 -> packed66(o, "punpcklbw");
            case 0x61 -> packed66(o, "punpcklwd");
            case 0x62 -> packed66(o, "punpckldq");
            case 0x64 -> packed66(o, "pcmpgtb");
            case 0x6c -> packed66(o, "punpcklqdq");
            case 0x6e -> p66 && rep == 0 ? insn(o.rexW() ? "movq" : "movd", o.rm(generalRegisters(o)) + "," + xmmReg(o)) : null;
            case 0x7e -> rep == 0xf3 ? consumeRep(o, load(o, "movq")) : p66 ? insn(o.rexW() ? "movq" : "movd", xmmReg(o) + "," + o.rm(generalRegisters(o))) : null;
            case 0xd6 -> p66 && rep == 0 ? store(o, "movq") : null;
            case 0x6f -> rep == 0xf3 ? consumeRep(o, load(o, "movdqu")) : p66 && rep == 0 ? load(o, "movdqa") : null;
            case 0x7f -> rep == 0xf3 ? consumeRep(o, store(o, "movdqu")) : p66 && rep == 0 ? store(o, "movdqa") : null;
            case 0x70 -> {
                if (!p66 || rep != 0) {
                    yield null;
                }
                String source = xmmRm(o);
                String destination = xmmReg(o);
                yield insn("pshufd", o.immediate8() + "," + source + "," + destination);
            }
            case 0x73 -> {
                o.readModrm();
                if (!p66 || rep != 0 || o.mod != 3 || (o.reg != 3 && o.reg != 7 && o.reg != 2 && o.reg != 6)) {
                    yield null;
                }
                String[] names = {null, null, "psrlq", "psrldq", null, null, "psllq", "pslldq"};
                yield insn(names[o.reg], o.immediate8() + "," + XMM[o.rmX()]);
            }
            case 0x74 -> packed66(o, "pcmpeqb");
            case 0x75 -> packed66(o, "pcmpeqw");
            case 0x76 -> packed66(o, "pcmpeqd");
            case 0xd4 -> packed66(o, "paddq");
            case 0xd7 -> p66 && rep == 0 && o.registerForm() ? insn("pmovmskb", XMM[o.rmX()] + "," + X86Operands.REG32[o.regX()]) : null;
            case 0xda -> packed66(o, "pminub");
            case 0xdb -> packed66(o, "pand");
            case 0xde -> packed66(o, "pmaxub");
            case 0xdf -> packed66(o, "pandn");
            case 0xe7 -> p66 && rep == 0 && !o.registerForm() ? store(o, "movntdq") : null;
            case 0xeb -> packed66(o, "por");
            case 0xef -> packed66(o, "pxor");
            case 0xf8 -> packed66(o, "psubb");
            case 0xfa -> packed66(o, "psubd");
            case 0xfe -> packed66(o, "paddd");
            case 0xfc -> packed66(o, "paddb");
            case 0x38 -> threeByte38(o, o.next());
            case 0x3a -> threeByte3a(o, o.next());
            case 0x2a -> rep == 0xf2 || rep == 0xf3 ? consumeRep(o, convertFromInteger(o, rep == 0xf2 ? "cvtsi2sd" : "cvtsi2ss")) : null;
            case 0x2c -> rep == 0xf2 || rep == 0xf3 ? consumeRep(o, insn(rep == 0xf2 ? "cvttsd2si" : "cvttss2si", xmmRm(o) + "," + generalRegisters(o)[o.regX()])) : null;
            case 0x5a -> rep == 0xf2 ? consumeRep(o, load(o, "cvtsd2ss")) : rep == 0xf3 ? consumeRep(o, load(o, "cvtss2sd")) : null;
            default -> null;
        };
    }

    /** 0F 00: the local descriptor table and task registers. */
    private static String descriptorTable(X86Operands o) {
        o.readModrm();
        String[] names = {"sldt", "str", "lldt", "ltr", "verr", "verw", null, null};
        String name = names[o.reg];
        if (name == null || o.mod == 3 && o.reg < 2) {
            return null;
        }
        return insn(name, o.rm(X86Operands.REG16));
    }

    /** 0F 01: descriptor table registers, the machine status word, invlpg, and a few register-form extensions. */
    private static String systemGroup(X86Operands o) {
        o.readModrm();
        if (o.mod == 3) {
            return switch (o.reg << 3 | o.rm) {
                case 0x10 -> "xgetbv";
                case 0x08 -> "monitor %eax,%ecx,%edx";
                case 0x09 -> "mwait  %eax,%ecx";
                default -> switch (o.reg) {
                    case 4 -> insn("smsw", o.vRegisters()[o.rm]);
                    case 6 -> insn("lmsw", X86Operands.REG16[o.rm]);
                    default -> null;
                };
            };
        }
        String[] names = {"sgdt", "sidt", "lgdt", "lidt", "smsw", null, "lmsw", "invlpg"};
        String name = names[o.reg];
        if (name == null) {
            return null;
        }
        return insn(o.reg < 4 ? name + o.sizeSuffix() : name, o.memory());
    }

    /** mov to or from a control ({@code %cr}) or debug ({@code %db}) register: always a 32-bit general register. */
    private static String controlMove(X86Operands o, String prefix, boolean toControl) {
        String control = prefix + o.regX();
        String general = (o.codeBits == 64 ? X86Operands.REG64 : X86Operands.REG32)[o.rmX()];
        return insn("mov", toControl ? general + "," + control : control + "," + general);
    }

    private static String convertFromInteger(X86Operands o, String name) {
        String source = o.rm(generalRegisters(o));
        return insn(o.registerForm() ? name : name + (o.rexW() ? "q" : "l"), source + "," + xmmReg(o));
    }

    private static String endbr(X86Operands o) {
        return o.next() == 0xfa ? "endbr64" : "endbr32";
    }

    private static String scalarOrPacked(X86Operands o, String stem) {
        return switch (o.rep) {
            case 0xf3 -> consumeRep(o, load(o, stem + "ss"));
            case 0xf2 -> consumeRep(o, load(o, stem + "sd"));
            default -> load(o, stem + (o.operandSize ? "pd" : "ps"));
        };
    }

    private static String fence(X86Operands o) {
        o.readModrm();
        if (o.mod == 3) {
            return switch (o.reg) {
                case 5 -> o.rm == 0 ? "lfence" : null;
                case 6 -> o.rm == 0 ? "mfence" : null;
                case 7 -> o.rm == 0 ? "sfence" : null;
                default -> null;
            };
        }
        String[] names = {"fxsave", "fxrstor", "ldmxcsr", "stmxcsr", null, null, null, "clflush"};
        String name = names[o.reg];
        return name == null ? null : insn(name, o.memory());
    }

    private static String threeByte38(X86Operands o, int op) {
        if (!o.operandSize || o.rep != 0) {
            return null;
        }
        return switch (op) {
            case 0x00 -> load(o, "pshufb");
            case 0x17 -> load(o, "ptest");
            default -> null;
        };
    }

    private static String threeByte3a(X86Operands o, int op) {
        if (!o.operandSize || o.rep != 0) {
            return null;
        }
        String name = switch (op) {
            case 0x0f -> "palignr";
            case 0x63 -> "pcmpistri";
            case 0x62 -> "pcmpistrm";
            case 0x61 -> "pcmpestri";
            default -> null;
        };
        if (name == null) {
            return null;
        }
        String source = xmmRm(o);
        String destination = xmmReg(o);
        return insn(name, o.immediate8() + "," + source + "," + destination);
    }
}
