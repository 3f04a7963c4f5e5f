package org.qemu.i386.difftest;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Instruction forms whose encoding means the same in 32-bit and 64-bit mode (so the host CPU is
 * an oracle), each with a generator of random cases: random registers, flags and memory, with
 * the address registers pointing into the data buffer. Knows which flags each form leaves
 * undefined, from the instruction set reference.
 */
final class FormCatalogue {
    static final int CODE = 0x10000000;
    static final int DATA = 0x10001000;
    static final int DATA_SIZE = 512;

    static final int CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
    static final int ALL = CF | PF | AF | ZF | SF | OF | DF;

    private static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, EBP = 4, ESI = 5, EDI = 6;
    /** ModRM register number to index in the case's register array (esp is never used). */
    private static final int[] SLOT = {EAX, ECX, EDX, EBX, -1, EBP, ESI, EDI};

    record Form(String name, Function<Random, TestCase> generator) {
    }

    private final List<Form> forms = new ArrayList<>();

    List<Form> forms() {
        return forms;
    }

    /** A case under construction. */
    private static final class Builder {
        final Random rnd;
        final ByteArrayOutputStream code = new ByteArrayOutputStream();
        final int[] regs = new int[7];
        int eflags;
        final byte[] data = new byte[DATA_SIZE];
        int defined = ALL;
        /** The i386 harness runs the snippet on this stack, inside the compared data buffer. */
        int esp = DATA + 0x100;

        Builder(Random rnd) {
            this.rnd = rnd;
            for (int i = 0; i < 7; i++) {
                regs[i] = interesting(rnd);
            }
            rnd.nextBytes(data);
            eflags = 0x202 | (rnd.nextInt() & (CF | PF | AF | ZF | SF | OF));
        }

        Builder bytes(int... b) {
            for (int x : b) {
                code.write(x);
            }
            return this;
        }

        Builder imm(int bytes, int value) {
            for (int i = 0; i < bytes; i++) {
                code.write(value >>> (8 * i));
            }
            return this;
        }

        /**
         * ModRM with {@code regField} and either a register rm (never esp for 16/32-bit operands)
         * or one of four memory shapes whose address registers point into the data buffer.
         */
        Builder modrm(int regField, boolean memory, int bits) {
            if (!memory) {
                int rm = pickReg(bits);
                return bytes(0xc0 | regField << 3 | rm);
            }
            switch (rnd.nextInt(4)) {
                case 0 -> { // [ebx]
                    regs[EBX] = DATA + 128 + rnd.nextInt(128);
                    bytes(regField << 3 | 3);
                }
                case 1 -> { // [ebx + esi*scale + disp8]
                    regs[EBX] = DATA + 128 + rnd.nextInt(64);
                    regs[ESI] = rnd.nextInt(16);
                    bytes(0x44 | regField << 3, rnd.nextInt(4) << 6 | 6 << 3 | 3, rnd.nextInt(64));
                }
                case 2 -> { // [edi + disp32]
                    regs[EDI] = DATA + 128 + rnd.nextInt(64);
                    bytes(0x87 | regField << 3).imm(4, rnd.nextInt(128));
                }
                default -> { // [esi*4 + disp32], no base
                    regs[ESI] = rnd.nextInt(32);
                    bytes(0x04 | regField << 3, 2 << 6 | 6 << 3 | 5).imm(4, DATA + 128 + rnd.nextInt(128));
                }
            }
            return this;
        }

        int pickReg(int bits) {
            while (true) {
                int r = rnd.nextInt(8);
                if (bits == 8 || r != 4) {
                    return r;
                }
            }
        }

        Builder undefined(int flags) {
            defined &= ~flags;
            return this;
        }

        TestCase build(String name) {
            return new TestCase(name, code.toByteArray(), regs.clone(), esp, eflags, data.clone(), defined);
        }
    }

    static int interesting(Random rnd) {
        return switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 0x80000000;
            case 3 -> 0x7fffffff;
            case 4 -> rnd.nextInt(256);
            case 5 -> 0x80 + rnd.nextInt(3) - 1;
            case 6 -> 0x8000 + rnd.nextInt(3) - 1;
            case 7 -> 0xffff + rnd.nextInt(3) - 1;
            default -> rnd.nextInt();
        };
    }

    private void add(String name, Function<Random, TestCase> g) {
        forms.add(new Form(name, g));
    }

    private static int[] prefix(int bits) {
        return bits == 16 ? new int[] {0x66} : new int[0];
    }

    private static String size(int bits) {
        return String.valueOf(bits);
    }

    /** The forms both oracles can run; with {@code i386Only}, also those only a 32-bit CPU runs (qemu-i386 oracle). */
    FormCatalogue(boolean i386Only) {
        if (i386Only) {
            i386Only();
        }
        alu();
        unary();
        shifts();
        mulDiv();
        bits();
        moves();
        conditions();
        strings();
        bulkStrings();
        misc();
    }


    /** Forms that mean something else (or nothing) in 64-bit mode: only the qemu-i386 oracle runs them. */
    private void i386Only() {
        for (int bits : new int[] {16, 32}) {
            int b = bits;
            add("inc" + b + " r (40+r)", r -> {
                int reg = r.nextInt(8);
                return reg == 4 ? null : new Builder(r).bytes(prefix(b)).bytes(0x40 | reg).build("inc");
            });
            add("dec" + b + " r (48+r)", r -> {
                int reg = r.nextInt(8);
                return reg == 4 ? null : new Builder(r).bytes(prefix(b)).bytes(0x48 | reg).build("dec");
            });
            add("push" + b + " r", r -> {
                int reg = r.nextInt(8);
                return new Builder(r).bytes(prefix(b)).bytes(0x50 | reg).build("push");
            });
            add("pop" + b + " r", r -> {
                int reg = r.nextInt(8);
                return reg == 4 ? null : new Builder(r).bytes(prefix(b)).bytes(0x58 | reg).build("pop");
            });
            add("push" + b + " imm", r -> new Builder(r).bytes(prefix(b)).bytes(0x68).imm(b / 8, r.nextInt()).build("push"));
            add("push" + b + " imm8", r -> new Builder(r).bytes(prefix(b)).bytes(0x6a).imm(1, r.nextInt()).build("push"));
            add("push" + b + " m", r -> new Builder(r).bytes(prefix(b)).bytes(0xff).modrm(6, true, b).build("push"));
            add("pop" + b + " m", r -> new Builder(r).bytes(prefix(b)).bytes(0x8f).modrm(0, true, b).build("pop"));
            add("pusha" + b, r -> new Builder(r).bytes(prefix(b)).bytes(0x60).build("pusha"));
            add("popa" + b, r -> new Builder(r).bytes(prefix(b)).bytes(0x61).build("popa"));
            add("pushf" + b, r -> new Builder(r).bytes(prefix(b)).bytes(0x9c).build("pushf"));
            add("popf" + b, r -> {
                Builder x = new Builder(r).bytes(prefix(b)).bytes(0x9d);
                // TF would single-step the harness and AC would fault its unaligned accesses: keep them clear
                int flags = (r.nextInt() & (CF | PF | AF | ZF | SF | OF | DF)) | 0x2;
                int off = x.esp - DATA;
                x.data[off] = (byte) flags;
                x.data[off + 1] = (byte) (flags >> 8);
                x.data[off + 2] = 0;
                x.data[off + 3] = 0;
                return x.build("popf");
            });
            add("leave" + b, r -> {
                Builder x = new Builder(r).bytes(prefix(b)).bytes(0xc9);
                x.regs[EBP] = DATA + 0x100 + r.nextInt(64);
                return x.build("leave");
            });
        }
        for (int level : new int[] {0, 1, 2, 3}) {
            int l = level;
            add("enter level " + l, r -> {
                Builder x = new Builder(r).bytes(0xc8).imm(2, r.nextInt(32)).imm(1, l);
                x.regs[EBP] = DATA + 0x140 + r.nextInt(64);
                return x.build("enter");
            });
        }
        // call L; jmp over; L: ret  -- a call/ret round trip through the stack in the buffer
        add("call/ret", r -> new Builder(r).bytes(0xe8).imm(4, 2).bytes(0xeb, 0x01, 0xc3).build("call"));
        add("call/ret imm16", r -> new Builder(r).bytes(0xe8).imm(4, 2).bytes(0xeb, 0x03, 0xc2, 0x08, 0x00).build("call"));
        add("call r/m indirect", r -> {
            Builder x = new Builder(r).bytes(0xff, 0xd0 | 3, 0xeb, 0x01, 0xc3); // call ebx; jmp +1; ret
            x.regs[EBX] = CODE + 4;
            return x.build("call");
        });
        add("jmp r/m indirect", r -> {
            Builder x = new Builder(r).bytes(0xff, 0xe0 | 6, 0xb0, 0x11); // jmp esi; mov al, 0x11
            x.regs[ESI] = CODE + 4;
            return x.build("jmp");
        });
        String[] bcd = {"daa", "das", "aaa", "aas"};
        int[] bcdOps = {0x27, 0x2f, 0x37, 0x3f};
        for (int k = 0; k < 4; k++) {
            int kind = k;
            add(bcd[k], r -> new Builder(r).bytes(bcdOps[kind]).undefined(kind < 2 ? OF : OF | SF | ZF | PF).build(bcd[kind]));
        }
        add("aam", r -> new Builder(r).bytes(0xd4, r.nextBoolean() ? 10 : r.nextInt(256)).undefined(OF | AF | CF).build("aam"));
        add("aad", r -> new Builder(r).bytes(0xd5, r.nextBoolean() ? 10 : r.nextInt(256)).undefined(OF | AF | CF).build("aad"));
        add("jcxz", r -> {
            Builder x = new Builder(r).bytes(0x67, 0xe3, 2, 0xb0, 0x11);
            x.regs[ECX] = r.nextBoolean() ? r.nextInt() & 0xffff0000 : r.nextInt();
            return x.build("jcxz");
        });
        add("into", r -> new Builder(r).bytes(0xce).build("into"));
    }

    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};

    private void alu() {
        for (int kind = 0; kind < 8; kind++) {
            int k = kind;
            int undefined = (k == 1 || k == 4 || k == 6) ? AF : 0;
            for (int bits : new int[] {8, 16, 32}) {
                int b = bits;
                for (boolean mem : new boolean[] {false, true}) {
                    boolean m = mem;
                    String where = mem ? "m" : "r";
                    add(ALU[k] + b + " E" + where + ",G", r -> new Builder(r).bytes(prefix(b)).bytes(k << 3 | (b == 8 ? 0 : 1))
                            .modrm(new Builder(r).pickReg(b), m, b).undefined(undefined).build(ALU[k]));
                    add(ALU[k] + b + " G,E" + where, r -> new Builder(r).bytes(prefix(b)).bytes(k << 3 | (b == 8 ? 2 : 3))
                            .modrm(new Builder(r).pickReg(b), m, b).undefined(undefined).build(ALU[k]));
                    add(ALU[k] + b + " E" + where + ",imm", r -> {
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0x80 : 0x81).modrm(k, m, b);
                        return x.imm(b / 8, r.nextInt()).undefined(undefined).build(ALU[k]);
                    });
                    if (b != 8) {
                        add(ALU[k] + b + " E" + where + ",imm8", r -> new Builder(r).bytes(prefix(b)).bytes(0x83).modrm(k, m, b)
                                .imm(1, r.nextInt()).undefined(undefined).build(ALU[k]));
                    }
                }
                add(ALU[k] + b + " acc,imm", r -> new Builder(r).bytes(prefix(b)).bytes(k << 3 | (b == 8 ? 4 : 5))
                        .imm(b / 8, r.nextInt()).undefined(undefined).build(ALU[k]));
                // LOCK: taken with a memory destination (not by cmp), #UD with a register one or in the G,E direction.
                // Not lock xor/sub r, r: Debian's qemu-i386 runs "lock xor eax, eax" (its zeroing idiom) where
                // the host CPU raises #UD, as we do.
                for (boolean mem : new boolean[] {false, true}) {
                    boolean m = mem;
                    if (!m && (k == 5 || k == 6)) {
                        continue;
                    }
                    add("lock " + ALU[k] + b + " E" + (m ? "m" : "r") + ",G", r -> new Builder(r).bytes(0xf0).bytes(prefix(b))
                            .bytes(k << 3 | (b == 8 ? 0 : 1)).modrm(new Builder(r).pickReg(b), m, b).undefined(undefined).build("lock " + ALU[k]));
                }
                add("lock " + ALU[k] + b + " G,Em", r -> new Builder(r).bytes(0xf0).bytes(prefix(b)).bytes(k << 3 | (b == 8 ? 2 : 3))
                        .modrm(new Builder(r).pickReg(b), true, b).undefined(undefined).build("lock " + ALU[k]));
            }
        }
        for (int bits : new int[] {8, 16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                add("test" + b + (m ? " m" : " r") + ",G", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0x84 : 0x85)
                        .modrm(new Builder(r).pickReg(b), m, b).undefined(AF).build("test"));
                add("test" + b + (m ? " m" : " r") + ",imm", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xf6 : 0xf7)
                        .modrm(0, m, b).imm(b / 8, r.nextInt()).undefined(AF).build("test"));
            }
            add("test" + b + " acc,imm", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xa8 : 0xa9)
                    .imm(b / 8, r.nextInt()).undefined(AF).build("test"));
        }
    }

    private void unary() {
        String[] names = {"not", "neg"};
        for (int bits : new int[] {8, 16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                for (int sub = 2; sub <= 3; sub++) {
                    int s = sub;
                    add(names[s - 2] + b + (m ? " m" : " r"), r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xf6 : 0xf7)
                            .modrm(s, m, b).build(names[s - 2]));
                }
                for (int sub = 0; sub <= 1; sub++) {
                    int s = sub;
                    String n = s == 0 ? "inc" : "dec";
                    add(n + b + (m ? " m" : " r"), r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xfe : 0xff)
                            .modrm(s, m, b).build(n));
                }
            }
        }
    }

    private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};

    private static int shiftCount(Random r) {
        int[] common = {0, 1, 1, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33};
        return r.nextInt(4) == 0 ? r.nextInt(256) : common[r.nextInt(common.length)];
    }

    /** Flags a shift leaves undefined for this masked count, per the instruction set reference. */
    private static int shiftUndefined(int kind, int bits, int count) {
        int c = count & 31;
        if (c == 0) {
            return 0;
        }
        int u = c == 1 ? 0 : OF;
        if (kind >= 4) {
            u |= AF;
            if (kind != 7 && c >= bits) {
                u |= CF | OF;
            }
        }
        return u;
    }

    private void shifts() {
        for (int kind = 0; kind < 8; kind++) {
            int k = kind;
            for (int bits : new int[] {8, 16, 32}) {
                int b = bits;
                for (boolean mem : new boolean[] {false, true}) {
                    boolean m = mem;
                    String w = m ? " m" : " r";
                    add(SHIFT[k] + b + w + ",imm", r -> {
                        int count = shiftCount(r);
                        return new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xc0 : 0xc1).modrm(k, m, b).imm(1, count)
                                .undefined(shiftUndefined(k, b, count)).build(SHIFT[k]);
                    });
                    add(SHIFT[k] + b + w + ",1", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xd0 : 0xd1).modrm(k, m, b)
                            .undefined(shiftUndefined(k, b, 1)).build(SHIFT[k]));
                    add(SHIFT[k] + b + w + ",cl", r -> {
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xd2 : 0xd3);
                        // the count register must not double as the operand: pick rm until it is not ecx/cl/ch
                        x.modrm(k, m, b);
                        if (!m && ((x.code.toByteArray()[x.code.size() - 1] & 7) == 1 || (b == 8 && (x.code.toByteArray()[x.code.size() - 1] & 7) == 5))) {
                            return null;
                        }
                        int count = shiftCount(r);
                        x.regs[ECX] = (x.regs[ECX] & ~0xff) | count;
                        return x.undefined(shiftUndefined(k, b, count)).build(SHIFT[k]);
                    });
                }
            }
        }
        String[] names = {"shld", "shrd"};
        for (int bits : new int[] {16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                for (int left = 0; left < 2; left++) {
                    int l = left;
                    add(names[l] + b + (m ? " m" : " r") + ",imm", r -> {
                        int count = r.nextInt(b == 16 ? 17 : 32);
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(0x0f, l == 0 ? 0xa4 : 0xac).modrm(x0(r, b), m, b).imm(1, count);
                        return x.undefined(count == 0 ? 0 : AF | (count == 1 ? 0 : OF)).build(names[l]);
                    });
                    add(names[l] + b + (m ? " m" : " r") + ",cl", r -> {
                        int count = r.nextInt(b == 16 ? 17 : 32);
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(0x0f, l == 0 ? 0xa5 : 0xad);
                        int reg = x0(r, b);
                        if (reg == 1) {
                            return null;
                        }
                        x.modrm(reg, m, b);
                        if (!m && (x.code.toByteArray()[x.code.size() - 1] & 7) == 1) {
                            return null;
                        }
                        x.regs[ECX] = count;
                        return x.undefined(count == 0 ? 0 : AF | (count == 1 ? 0 : OF)).build(names[l]);
                    });
                }
            }
        }
    }

    private static int x0(Random r, int bits) {
        return new Builder(r).pickReg(bits);
    }

    private void mulDiv() {
        String[] names = {"mul", "imul", "div", "idiv"};
        for (int bits : new int[] {8, 16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                for (int sub = 4; sub < 8; sub++) {
                    int s = sub;
                    add(names[s - 4] + b + (m ? " m" : " r"), r -> {
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xf6 : 0xf7).modrm(s, m, b);
                        if (s >= 6 && r.nextInt(4) != 0) {
                            x.regs[EDX] = r.nextInt(4) - 2; // usually a quotient that fits
                            if (b == 8) {
                                x.regs[EAX] = (x.regs[EAX] & ~0xff00) | (r.nextInt(4) << 8);
                            }
                        }
                        return x.undefined(s >= 6 ? ALL & ~DF : SF | ZF | AF | PF).build(names[s - 4]);
                    });
                }
                add("imul" + b + " G,E" + (m ? "m" : "r"), r -> {
                    if (b == 8) {
                        return null;
                    }
                    return new Builder(r).bytes(prefix(b)).bytes(0x0f, 0xaf).modrm(x0(r, b), m, b).undefined(SF | ZF | AF | PF).build("imul2");
                });
                if (b != 8) {
                    add("imul" + b + " G,E" + (m ? "m" : "r") + ",imm", r -> new Builder(r).bytes(prefix(b)).bytes(0x69)
                            .modrm(x0(r, b), m, b).imm(b / 8, r.nextInt()).undefined(SF | ZF | AF | PF).build("imul3"));
                    add("imul" + b + " G,E" + (m ? "m" : "r") + ",imm8", r -> new Builder(r).bytes(prefix(b)).bytes(0x6b)
                            .modrm(x0(r, b), m, b).imm(1, r.nextInt()).undefined(SF | ZF | AF | PF).build("imul3"));
                }
            }
        }
    }

    private void bits() {
        String[] names = {"bt", "bts", "btr", "btc"};
        for (int bits : new int[] {16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                for (int k = 0; k < 4; k++) {
                    int kind = k;
                    add(names[k] + b + (m ? " m" : " r") + ",G", r -> {
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(0x0f, 0xa3 | kind << 3);
                        int reg = x.pickReg(b);
                        x.modrm(reg, m, b);
                        int slot = SLOT[reg];
                        int offset = m ? r.nextInt(768) - 256 : r.nextInt();
                        if (m && (slot == EBX || slot == ESI || slot == EDI)) {
                            return null; // the bit offset register doubles as an address register
                        }
                        x.regs[slot] = b == 16 ? (x.regs[slot] & ~0xffff) | (offset & 0xffff) : offset;
                        if (b == 16 && m) {
                            x.regs[slot] = (x.regs[slot] & ~0xffff) | ((short) offset & 0xffff);
                        }
                        return x.undefined(OF | SF | AF | PF).build(names[kind]);
                    });
                    add(names[k] + b + (m ? " m" : " r") + ",imm", r -> new Builder(r).bytes(prefix(b)).bytes(0x0f, 0xba)
                            .modrm(4 + kind, m, b).imm(1, r.nextInt(256)).undefined(OF | SF | AF | PF).build(names[kind]));
                }
                for (int rev = 0; rev < 2; rev++) {
                    int rv = rev;
                    String n = rv == 0 ? "bsf" : "bsr";
                    add(n + b + (m ? " m" : " r"), r -> {
                        Builder x = new Builder(r).bytes(prefix(b)).bytes(0x0f, 0xbc | rv).modrm(x0(r, b), m, b);
                        for (int i = 0; i < 7; i++) {
                            if ((x.regs[i] & 0xffff) == 0) {
                                x.regs[i] |= 1 << r.nextInt(16); // a zero source leaves the destination undefined
                            }
                        }
                        for (int i = 0; i < DATA_SIZE; i += 2) {
                            if (x.data[i] == 0 && x.data[i + 1] == 0) {
                                x.data[i] = 1;
                            }
                        }
                        return x.undefined(CF | OF | SF | AF | PF).build(n);
                    });
                }
                // popcnt (F3 0F B8, claimed by CPUID): every flag defined (ZF from the source)
                add("popcnt" + b + (m ? " m" : " r"), r -> {
                    Builder x = new Builder(r).bytes(0xf3).bytes(prefix(b)).bytes(0x0f, 0xb8).modrm(x0(r, b), m, b);
                    if (r.nextInt(4) == 0) {
                        java.util.Arrays.fill(x.data, (byte) 0); // a zero source: ZF
                    }
                    return x.build("popcnt");
                });
            }
        }
    }

    private void moves() {
        for (int bits : new int[] {8, 16, 32}) {
            int b = bits;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                add("mov" + b + " E" + (m ? "m" : "r") + ",G", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0x88 : 0x89)
                        .modrm(x0(r, b), m, b).build("mov"));
                add("mov" + b + " G,E" + (m ? "m" : "r"), r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0x8a : 0x8b)
                        .modrm(x0(r, b), m, b).build("mov"));
                add("mov" + b + " E" + (m ? "m" : "r") + ",imm", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0xc6 : 0xc7)
                        .modrm(0, m, b).imm(b / 8, r.nextInt()).build("mov"));
                add("xchg" + b + " E" + (m ? "m" : "r") + ",G", r -> new Builder(r).bytes(prefix(b)).bytes(b == 8 ? 0x86 : 0x87)
                        .modrm(x0(r, b), m, b).build("xchg"));
                add("cmpxchg" + b + (m ? " m" : " r"), r -> {
                    Builder x = new Builder(r).bytes(prefix(b)).bytes(0x0f, b == 8 ? 0xb0 : 0xb1).modrm(x0(r, b), m, b);
                    if (r.nextBoolean()) {
                        x.regs[EAX] = m ? x.data[0] : x.regs[r.nextInt(7)];
                    }
                    return x.build("cmpxchg");
                });
                add("xadd" + b + (m ? " m" : " r"), r -> new Builder(r).bytes(prefix(b)).bytes(0x0f, b == 8 ? 0xc0 : 0xc1)
                        .modrm(x0(r, b), m, b).build("xadd"));
                if (b != 8) {
                    for (int op : new int[] {0xb6, 0xb7, 0xbe, 0xbf}) {
                        int o = op;
                        String n = (o >= 0xbe ? "movsx" : "movzx") + b + ((o & 1) == 0 ? "b" : "w");
                        add(n + (m ? " m" : " r"), r -> new Builder(r).bytes(prefix(b)).bytes(0x0f, o)
                                .modrm(x0(r, b), m, (o & 1) == 0 ? 8 : 16).build(n));
                    }
                    for (int cc = 0; cc < 16; cc++) {
                        int c = cc;
                        add("cmov" + cc + "_" + b + (m ? " m" : " r"), r -> new Builder(r).bytes(prefix(b)).bytes(0x0f, 0x40 | c)
                                .modrm(x0(r, b), m, b).build("cmov"));
                    }
                }
            }
            if (b != 8) {
                add("lea" + b, r -> new Builder(r).bytes(prefix(b)).bytes(0x8d).modrm(x0(r, b), true, b).build("lea"));
                add("xchg" + b + " acc,r", r -> {
                    int reg = 1 + r.nextInt(7);
                    return reg == 4 ? null : new Builder(r).bytes(prefix(b)).bytes(0x90 | reg).build("xchg");
                });
                add("mov" + b + " r,imm", r -> {
                    int reg = r.nextInt(8);
                    return reg == 4 ? null : new Builder(r).bytes(prefix(b)).bytes(0xb8 | reg).imm(b / 8, r.nextInt()).build("mov");
                });
            } else {
                add("mov8 r,imm", r -> new Builder(r).bytes(0xb0 | r.nextInt(8)).imm(1, r.nextInt()).build("mov"));
            }
        }
        add("bswap32", r -> {
            int reg = r.nextInt(8);
            return reg == 4 ? null : new Builder(r).bytes(0x0f, 0xc8 | reg).build("bswap");
        });
        add("cmpxchg8b", r -> {
            Builder x = new Builder(r).bytes(0x0f, 0xc7).modrm(1, true, 32);
            return x.build("cmpxchg8b");
        });
        add("cbw", r -> new Builder(r).bytes(0x66, 0x98).build("cbw"));
        add("cwde", r -> new Builder(r).bytes(0x98).build("cwde"));
        add("cwd", r -> new Builder(r).bytes(0x66, 0x99).build("cwd"));
        add("cdq", r -> new Builder(r).bytes(0x99).build("cdq"));
        add("xlat", r -> {
            Builder x = new Builder(r).bytes(0xd7);
            x.regs[EBX] = DATA + r.nextInt(256);
            return x.build("xlat");
        });
    }

    private void conditions() {
        for (int cc = 0; cc < 16; cc++) {
            int c = cc;
            for (boolean mem : new boolean[] {false, true}) {
                boolean m = mem;
                add("set" + cc + (m ? " m" : " r"), r -> new Builder(r).bytes(0x0f, 0x90 | c).modrm(0, m, 8).build("setcc"));
            }
            // jcc over "mov al, 0x11": eax tells whether the branch was taken
            add("j" + cc + " rel8", r -> new Builder(r).bytes(0x70 | c, 2, 0xb0, 0x11).build("jcc8"));
            add("j" + cc + " rel32", r -> new Builder(r).bytes(0x0f, 0x80 | c).imm(4, 2).bytes(0xb0, 0x11).build("jcc32"));
        }
        String[] loops = {"loopne", "loope", "loop", "jecxz"};
        for (int k = 0; k < 4; k++) {
            int kind = k;
            add(loops[k], r -> {
                Builder x = new Builder(r).bytes(0xe0 | kind, 2, 0xb0, 0x11);
                x.regs[ECX] = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(3);
                return x.build(loops[kind]);
            });
        }
    }

    private void strings() {
        String[] names = {"movs", "cmps", "stos", "lods", "scas"};
        int[] ops = {0xa4, 0xa6, 0xaa, 0xac, 0xae};
        for (int k = 0; k < 5; k++) {
            int kind = k;
            for (int bits : new int[] {8, 16, 32}) {
                int b = bits;
                for (int rep : new int[] {0, 0xf3, 0xf2}) {
                    int rp = rep;
                    String n = (rp == 0 ? "" : rp == 0xf3 ? "rep " : "repne ") + names[k] + b;
                    add(n, r -> {
                        Builder x = new Builder(r);
                        if (rp != 0) {
                            x.bytes(rp);
                        }
                        x.bytes(prefix(b)).bytes(ops[kind] | (b == 8 ? 0 : 1));
                        x.regs[ESI] = DATA + 160 + r.nextInt(160);
                        x.regs[EDI] = DATA + 160 + r.nextInt(160);
                        x.regs[ECX] = r.nextInt(20);
                        if (r.nextBoolean()) {
                            x.eflags |= DF;
                        }
                        if (kind == 1 || kind == 4) {
                            // make repeated compares find equal runs sometimes
                            if (r.nextBoolean()) {
                                for (int i = 0; i < DATA_SIZE; i++) {
                                    x.data[i] = (byte) (i % 7);
                                }
                                x.regs[EAX] = 0;
                            }
                        }
                        return x.build(n);
                    });
                }
            }
        }
    }

    /**
     * rep movs/stos long enough for the chunked copy (64 bytes and more), forward and backward,
     * with source and destination overlapping either way (a forward copy onto the source ahead of
     * it must replicate the pattern element by element).
     */
    private void bulkStrings() {
        for (int kind : new int[] {0xa4, 0xaa}) {
            for (int bits : new int[] {8, 16, 32}) {
                int b = bits;
                String n = "rep " + (kind == 0xa4 ? "movs" : "stos") + b + " bulk";
                add(n, r -> {
                    Builder x = new Builder(r).bytes(0xf3).bytes(prefix(b)).bytes(kind | (b == 8 ? 0 : 1));
                    int size = b / 8;
                    int count = 64 / size + r.nextInt(128 / size);
                    x.regs[ECX] = count;
                    x.regs[ESI] = DATA + 8 + r.nextInt(200);
                    x.regs[EDI] = r.nextInt(3) == 0 ? x.regs[ESI] + size * (1 + r.nextInt(4)) : DATA + 8 + r.nextInt(200);
                    if (r.nextInt(4) == 0) {
                        x.eflags |= DF;
                        x.regs[ESI] += count * size;
                        x.regs[EDI] += count * size;
                    }
                    return x.build(n);
                });
            }
        }
    }

    private void misc() {
        add("lahf", r -> new Builder(r).bytes(0x9f).build("lahf"));
        add("sahf", r -> new Builder(r).bytes(0x9e).build("sahf"));
        add("clc", r -> new Builder(r).bytes(0xf8).build("clc"));
        add("stc", r -> new Builder(r).bytes(0xf9).build("stc"));
        add("cmc", r -> new Builder(r).bytes(0xf5).build("cmc"));
        add("std;cld", r -> new Builder(r).bytes(0xfd, 0xfc).build("cld"));
        // a short dependent sequence: flags flow between instructions inside one block
        add("adc chain", r -> new Builder(r).bytes(0x01, 0xd8, 0x11, 0xca, 0x19, 0xf7, 0x0f, 0x92, 0xc0).build("chain"));
        // rotates keep SF ZF AF PF of the operation before them: read them after a run of rotates
        add("add+rol+ror+setcc", r -> new Builder(r).bytes(0x01, 0xd8, 0xc1, 0xc1, 0x03, 0xd1, 0xca, 0x0f, 0x94, 0xc0, 0x0f, 0x98, 0xc4,
                0x0f, 0x92, 0xc3, 0x0f, 0x9a, 0xc7).build("chain"));
        // register forms whose flags a later instruction overwrites (sha256's round: rotates,
        // xor/and/not, mov; inc before dec): emitted without the flag record and scratch locals
        add("dead flags: mov+ror+xor+rol+add+not+and+inc+dec+neg+shl+sar+sub+or+cmp+setcc", r -> new Builder(r).bytes(
                0x89, 0xce, 0xc1, 0xce, 0x06, 0x89, 0xca, 0xc1, 0xca, 0x0b, 0x31, 0xf2, 0xc1, 0xc6, 0x07, 0x31, 0xf2, 0x01, 0xda,
                0xf7, 0xd6, 0x21, 0xfe, 0xff, 0xc1, 0xff, 0xcb, 0xf7, 0xd8, 0xc1, 0xe0, 0x03, 0xc1, 0xff, 0x05, 0x29, 0xd8, 0x09, 0xc1,
                0x39, 0xd0, 0x0f, 0x92, 0xc0, 0x0f, 0x9c, 0xc4).build("chain"));
        add("cmp+bt+setcc", r -> new Builder(r).bytes(0x39, 0xc8, 0x0f, 0xa3, 0xd3, 0x0f, 0x94, 0xc0, 0x0f, 0x92, 0xc4)
                .undefined(OF | SF | AF | PF).build("chain"));
        add("sub+rcl+adc", r -> new Builder(r).bytes(0x29, 0xd8, 0xd1, 0xd1, 0x11, 0xf2, 0x0f, 0x9c, 0xc3).undefined(OF | AF).build("chain"));
        add("cmp+sbb+setcc", r -> new Builder(r).bytes(0x39, 0xc8, 0x19, 0xd2, 0x0f, 0x9c, 0xc3, 0x0f, 0x47, 0xf7).build("chain"));
    }
}
