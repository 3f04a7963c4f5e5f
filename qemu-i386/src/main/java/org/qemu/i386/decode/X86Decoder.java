package org.qemu.i386.decode;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86CpuState;

/**
 * Reads one x86 instruction's bytes: prefixes, opcode (one byte, or 0x0F-escaped maps),
 * ModRM/SIB/displacement and immediates. The translator asks for each part as the opcode
 * requires it, so the decoder needs no opcode tables of its own.
 *
 * <p>Opcode numbering: one-byte opcodes 0x00-0xFF; 0x0F xx is 0x100 + xx; 0x0F 0x38 xx is
 * 0x200 + xx; 0x0F 0x3A xx is 0x300 + xx. The decoder is mode-aware: 16/32-bit code segments,
 * and 64-bit code (long mode), where {@link #readPrefixes} takes a REX prefix whose bits
 * {@link #reg()}, {@link #rm()}, {@link #opcodeRegister} and the SIB byte fold into register numbers
 * 0-15, {@link #operandBits()} can be 64 and {@link #decodeModrmMemory} knows RIP-relative
 * addressing.
 */
public final class X86Decoder {
    /** An instruction is at most 15 bytes; longer raises #UD (#GP on hardware; Linux sends SIGSEGV). */
    public static final int MAX_LENGTH = 15;

    private final GuestMemory memory;
    private int codeBits = 32;
    private long start;
    private long cursor;

    private boolean operandSizePrefix;
    private boolean addressSizePrefix;
    private int segmentOverride;
    private boolean lock;
    /** 0, 0xF3 (rep/repe) or 0xF2 (repne): the last of them wins, as on hardware. */
    private int repPrefix;
    private int opcode;
    /** The REX prefix byte (0x40-0x4F) in 64-bit code, or 0. */
    private int rex;
    /** Set when the instruction has a RIP-relative operand: completed by {@link #finishInstruction}. */
    private RipAnchor ripAnchor;

    private boolean modrmRead;
    private int mod;
    private int reg;
    private int rm;

    public X86Decoder(GuestMemory memory) {
        this.memory = memory;
    }

    /** Starts decoding the instruction at {@code pc} in a code segment of {@code codeBits} (16, 32 or 64). */
    public void start(long pc, int codeBits) {
        this.codeBits = codeBits;
        this.start = pc;
        this.cursor = pc;
        operandSizePrefix = false;
        addressSizePrefix = false;
        segmentOverride = -1;
        lock = false;
        repPrefix = 0;
        modrmRead = false;
        rex = 0;
        ripAnchor = null;
    }

    /**
     * Called once the whole instruction is decoded: RIP-relative operands count from the end
     * of the instruction, which is known only after its immediates.
     */
    public void finishInstruction() {
        if (ripAnchor != null) {
            ripAnchor.nextInstruction = cursor;
        }
    }

    /** True in a 64-bit code segment. */
    public boolean longMode() {
        return codeBits == 64;
    }

    /** The REX prefix (0x40-0x4F), or 0 when there is none (always 0 outside 64-bit code). */
    public int rex() {
        return rex;
    }

    /** REX.W: a 64-bit operand size. */
    public boolean rexW() {
        return (rex & 8) != 0;
    }

    private int next() {
        if (cursor - start >= MAX_LENGTH) {
            throw new InstructionTooLong();
        }
        return memory.fetch8(cursor++);
    }

    /** Thrown when an instruction exceeds 15 bytes. */
    public static final class InstructionTooLong extends RuntimeException {
        InstructionTooLong() {
            super(null, null, false, false);
        }
    }

    /** Reads the prefixes and the opcode; returns the opcode number (see class comment). */
    public int readPrefixes() {
        while (true) {
            int b = next();
            if (codeBits == 64 && (b & 0xf0) == 0x40) {
                rex = b; // only counts when the opcode follows it directly: any other prefix resets it
                continue;
            }
            if (b != 0x0f && isLegacyPrefix(b)) {
                rex = 0;
            }
            switch (b) {
                case 0x66 -> operandSizePrefix = true;
                case 0x67 -> addressSizePrefix = true;
                case 0x26 -> segmentOverride = X86CpuState.ES;
                case 0x2e -> segmentOverride = X86CpuState.CS;
                case 0x36 -> segmentOverride = X86CpuState.SS;
                case 0x3e -> segmentOverride = X86CpuState.DS;
                case 0x64 -> segmentOverride = X86CpuState.FS;
                case 0x65 -> segmentOverride = X86CpuState.GS;
                case 0xf0 -> lock = true;
                case 0xf2, 0xf3 -> repPrefix = b;
                case 0x0f -> {
                    int b2 = next();
                    if (b2 == 0x38) {
                        opcode = 0x200 + next();
                    } else if (b2 == 0x3a) {
                        opcode = 0x300 + next();
                    } else {
                        opcode = 0x100 + b2;
                    }
                    return opcode;
                }
                default -> {
                    opcode = b;
                    return opcode;
                }
            }
        }
    }

    private static boolean isLegacyPrefix(int b) {
        return switch (b) {
            case 0x66, 0x67, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xf0, 0xf2, 0xf3 -> true;
            default -> false;
        };
    }

    public int opcode() {
        return opcode;
    }

    public long pc() {
        return start;
    }

    /** Address of the next byte not yet decoded; after the last part, the next instruction's address. */
    public long cursor() {
        return cursor;
    }

    public int length() {
        return (int) (cursor - start);
    }

    /** Operand size: 16 or 32 (the 0x66 prefix flips the code segment default); 64 with REX.W in 64-bit code. */
    public int operandBits() {
        if (codeBits == 64) {
            return rexW() ? 64 : operandSizePrefix ? 16 : 32;
        }
        return (codeBits == 16) != operandSizePrefix ? 16 : 32;
    }

    /**
     * Operand size of the instructions that default to 64 bits in 64-bit code (push, pop, near
     * call/jmp/ret/jcc, leave, pushf/popf): 64 there unless 0x66 asks for 16; else {@link #operandBits()}.
     */
    public int stackOperandBits() {
        if (codeBits == 64) {
            return operandSizePrefix && !rexW() ? 16 : 64;
        }
        return operandBits();
    }

    /** Address size: 16 or 32; in 64-bit code 64, or 32 with the 0x67 prefix. */
    public int addressBits() {
        if (codeBits == 64) {
            return addressSizePrefix ? 32 : 64;
        }
        return (codeBits == 16) != addressSizePrefix ? 16 : 32;
    }

    /** A register number encoded in the low three opcode bits (push r, mov r, imm, bswap, xchg): REX.B adds 8. */
    public int opcodeRegister(int low3) {
        return low3 | (rex & 1) << 3;
    }

    /**
     * The operand number for an 8-bit register: with any REX prefix, 4-7 are SPL, BPL, SIL, DIL
     * (numbered 16 + n, see {@code Operand.Register}) instead of AH, CH, DH, BH.
     */
    public int byteRegister(int n) {
        return rex != 0 && n >= 4 && n < 8 ? 16 + n : n;
    }

    public boolean hasOperandSizePrefix() {
        return operandSizePrefix;
    }

    public int segmentOverride() {
        return segmentOverride;
    }

    public boolean lock() {
        return lock;
    }

    public int repPrefix() {
        return repPrefix;
    }

    /** SSE mandatory prefix: 0x66, 0xF3, 0xF2 or 0 (the last rep prefix wins over 0x66). */
    public int mandatoryPrefix() {
        if (repPrefix != 0) {
            return repPrefix;
        }
        return operandSizePrefix ? 0x66 : 0;
    }

    // ---- ModRM ---------------------------------------------------------------------

    /** Reads the ModRM byte (once). */
    public void readModrm() {
        if (!modrmRead) {
            int b = next();
            mod = b >> 6;
            reg = (b >> 3) & 7 | (rex & 4) << 1;
            rm = b & 7 | (rex & 1) << 3;
            modrmRead = true;
        }
    }

    public int mod() {
        return mod;
    }

    /** ModRM.reg, with REX.R as its fourth bit. */
    public int reg() {
        return reg;
    }

    /** ModRM.reg as an opcode extension (group opcodes): REX.R does not count. */
    public int opcodeExtension() {
        return reg & 7;
    }

    /** ModRM.rm, with REX.B as its fourth bit. */
    public int rm() {
        return rm;
    }

    /** True when ModRM names a register (mod = 3) rather than memory. */
    public boolean modrmIsRegister() {
        return mod == 3;
    }

    /** Reads SIB and displacement for a memory ModRM. */
    public EffectiveAddress decodeModrmMemory() {
        if (addressBits() == 16) {
            return decode16();
        }
        int base;
        int index = -1;
        int scale = 0;
        boolean ripRelative = false;
        int rmLow = rm & 7;
        if (rmLow == 4) {
            int sib = next();
            scale = sib >> 6;
            index = (sib >> 3) & 7 | (rex & 2) << 2;
            if (index == 4) {
                index = -1; // no index; with REX.X, 12 is r12
            }
            base = sib & 7;
            if (base == 5 && mod == 0) {
                base = -1;
            } else {
                base |= (rex & 1) << 3;
            }
        } else if (rmLow == 5 && mod == 0) {
            base = -1;
            ripRelative = codeBits == 64;
        } else {
            base = rm;
        }
        int disp = switch (mod) {
            case 1 -> (byte) next();
            case 2 -> imm32();
            default -> base == -1 ? imm32() : 0;
        };
        int segment = segmentFor(base == X86CpuState.ESP || base == X86CpuState.EBP);
        if (codeBits != 64) {
            return new EffectiveAddress(segment, base, index, scale, disp, 32);
        }
        if (ripRelative) {
            ripAnchor = new RipAnchor();
            return new EffectiveAddress(segment, EffectiveAddress.RIP, -1, 0, disp, addressBits(), true, ripAnchor);
        }
        return new EffectiveAddress(segment, base, index, scale, disp, addressBits(), true, null);
    }

    private EffectiveAddress decode16() {
        int base;
        int index;
        switch (rm) {
            case 0 -> { base = X86CpuState.EBX; index = X86CpuState.ESI; }
            case 1 -> { base = X86CpuState.EBX; index = X86CpuState.EDI; }
            case 2 -> { base = X86CpuState.EBP; index = X86CpuState.ESI; }
            case 3 -> { base = X86CpuState.EBP; index = X86CpuState.EDI; }
            case 4 -> { base = X86CpuState.ESI; index = -1; }
            case 5 -> { base = X86CpuState.EDI; index = -1; }
            case 6 -> { base = mod == 0 ? -1 : X86CpuState.EBP; index = -1; }
            default -> { base = X86CpuState.EBX; index = -1; }
        }
        int disp = switch (mod) {
            case 1 -> (byte) next();
            case 2 -> (short) imm16();
            default -> base == -1 ? imm16() : 0;
        };
        return new EffectiveAddress(segmentFor(base == X86CpuState.EBP), base, index, 0, disp, 16);
    }

    private int segmentFor(boolean stackBased) {
        if (segmentOverride >= 0) {
            return segmentOverride;
        }
        return stackBased ? X86CpuState.SS : X86CpuState.DS;
    }

    /** The default data segment (DS) unless overridden: for moffs and string sources. */
    public int dataSegment() {
        return segmentOverride >= 0 ? segmentOverride : X86CpuState.DS;
    }

    // ---- immediates ------------------------------------------------------------------

    /** Sign-extended 8-bit immediate. */
    public int imm8() {
        return (byte) next();
    }

    public int uimm8() {
        return next();
    }

    public int imm16() {
        int lo = next();
        return lo | next() << 8;
    }

    public int imm32() {
        int b0 = next();
        int b1 = next();
        int b2 = next();
        return b0 | b1 << 8 | b2 << 16 | next() << 24;
    }

    /** The 64-bit immediate of mov r64, imm64 (and 64-bit moffs). */
    public long imm64() {
        long lo = imm32() & 0xffffffffL;
        return lo | (long) imm32() << 32;
    }

    /** An immediate of the operand size (16 or 32; x86_64's 64-bit operands still take 32, sign-extended). */
    public int immediate(int bits) {
        return switch (bits) {
            case 8 -> uimm8();
            case 16 -> imm16();
            default -> imm32();
        };
    }

    /** Where a RIP-relative operand's instruction ends: the base its displacement counts from. */
    public static final class RipAnchor {
        /** Set by {@link #finishInstruction}. */
        public long nextInstruction;
    }
}
