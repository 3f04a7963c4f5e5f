package org.qemu.i386.translate;

import static org.qemu.i386.translate.X86Translator.atomicIf;
import static org.qemu.i386.translate.X86Translator.invalid;
import static org.qemu.i386.translate.X86Translator.privileged;
import static org.qemu.i386.translate.X86Translator.reg;
import static org.qemu.i386.translate.X86Translator.rm;

import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.EffectiveAddress;
import org.qemu.i386.decode.X86Decoder;

/**
 * The opcodes whose meaning in 64-bit code differs from 32-bit code beyond register numbers and
 * operand size: invalid ones, those that default to 64 bits (stack, near branches), the ones
 * with 64-bit addresses or immediates, and the ones that name a register in the opcode byte.
 * Everything else goes through the common opcode switch of {@link X86Translator}.
 */
final class LongModeTranslation {
    private LongModeTranslation() {
    }

    /** The op for {@code op} in 64-bit code, or null when the common translation applies. */
    static X86Op translate(X86Decoder d, int op, int v) {
        int sv = d.stackOperandBits();
        if (op >= 0x50 && op <= 0x57) {
            return new LongModeOps.Push(Operand.register(sv, d.opcodeRegister(op & 7)), sv);
        }
        if (op >= 0x58 && op <= 0x5f) {
            return new LongModeOps.Pop(Operand.register(sv, d.opcodeRegister(op & 7)), sv);
        }
        if (op >= 0x70 && op <= 0x7f) {
            int rel = d.imm8();
            long next = d.cursor();
            return new LongModeOps.ConditionalJump(op & 15, next + rel, next);
        }
        if (op >= 0x91 && op <= 0x97) {
            return X86Translator.exchange(Operand.register(v, d.opcodeRegister(op & 7)), Operand.register(v, X86CpuState.EAX));
        }
        if (op >= 0xb0 && op <= 0xb7) {
            return X86Translator.move(Operand.register(8, d.byteRegister(d.opcodeRegister(op & 7))), Operand.immediate(8, d.uimm8()));
        }
        if (op >= 0xb8 && op <= 0xbf) {
            int r = d.opcodeRegister(op & 7);
            if (v == 64) {
                return new QuadwordOps.Move(Operand.register(64, r), Operand.immediate64(d.imm64()));
            }
            return X86Translator.move(Operand.register(v, r), X86Translator.imm(d, v));
        }
        if (op >= 0x180 && op <= 0x18f) {
            int rel = d.imm32();
            long next = d.cursor();
            return new LongModeOps.ConditionalJump(op & 15, next + rel, next);
        }
        if (op >= 0x1c8 && op <= 0x1cf) {
            int r = d.opcodeRegister(op & 7);
            return v == 64 ? new QuadwordOps.ByteSwap(r) : new MoveOps.ByteSwap(r, v);
        }
        switch (op) {
            // gone in 64-bit code (0xC4/0xC5 are VEX prefixes there, which this CPU does not claim)
            case 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62, 0x82, 0x9a,
                    0xc4, 0xc5, 0xce, 0xd4, 0xd5, 0xd6, 0xea:
                return invalid(d);
            case 0x1a0, 0x1a8:
                return new StackOps.PushSegment(op == 0x1a0 ? X86CpuState.FS : X86CpuState.GS, sv, true);
            case 0x1a1, 0x1a9:
                return new StackOps.PopSegment(op == 0x1a1 ? X86CpuState.FS : X86CpuState.GS, sv, true);
            case 0x63: { // movsxd; without REX.W a plain 32-bit move
                Operand dst = reg(d, v);
                Operand src = rm(d, v == 64 ? 32 : v);
                return v == 64 ? new QuadwordOps.MoveExtend(dst, src, true) : X86Translator.move(dst, src);
            }
            case 0x68:
                return new LongModeOps.Push(Operand.immediate(sv == 16 ? 16 : 64, sv == 16 ? d.imm16() : d.imm32()), sv);
            case 0x6a:
                return new LongModeOps.Push(Operand.immediate(sv == 16 ? 16 : 64, d.imm8()), sv);
            case 0x8f: {
                Operand dst = rm(d, sv);
                return d.opcodeExtension() == 0 ? new LongModeOps.Pop(dst, sv) : invalid(d);
            }
            case 0x90:
                if ((d.rex() & 1) != 0) { // xchg r8, rax
                    return X86Translator.exchange(Operand.register(v, 8), Operand.register(v, X86CpuState.EAX));
                }
                return SystemOps.Nop.INSTANCE; // nop, pause
            case 0x98:
                return v == 64 ? new QuadwordOps.SignExtendAccumulator(false) : null;
            case 0x99:
                return v == 64 ? new QuadwordOps.SignExtendAccumulator(true) : null;
            case 0x9c:
                return new LongModeOps.PushFlags(sv);
            case 0x9d:
                return new LongModeOps.PopFlags(sv);
            case 0xa0, 0xa1, 0xa2, 0xa3: {
                int bits = (op & 1) == 0 ? 8 : v;
                long address = d.addressBits() == 32 ? d.imm32() & 0xffffffffL : d.imm64();
                if (address != (int) address) {
                    return new LongModeOps.MoveAbsolute(d.dataSegment(), bits, address, op < 0xa2);
                }
                Operand m = Operand.memory(bits, new EffectiveAddress(d.dataSegment(), -1, -1, 0, (int) address, 64, true, null));
                Operand acc = Operand.register(bits, X86CpuState.EAX);
                return op < 0xa2 ? X86Translator.move(acc, m) : X86Translator.move(m, acc);
            }
            case 0xd7:
                return new MoveOps.Translate(d.dataSegment(), d.addressBits(), true);
            case 0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf: {
                int bits = (op & 1) == 0 ? 8 : v;
                int kind = switch (op & ~1) {
                    case 0xa4 -> StringOps.MOVS;
                    case 0xa6 -> StringOps.CMPS;
                    case 0xaa -> StringOps.STOS;
                    case 0xac -> StringOps.LODS;
                    default -> StringOps.SCAS;
                };
                return new LongModeOps.StringOp(kind, bits, d.repPrefix(), d.dataSegment(), d.addressBits() == 32);
            }
            case 0xc2:
                return new LongModeOps.Return(d.imm16());
            case 0xc3:
                return new LongModeOps.Return(0);
            case 0xc8: {
                int size = d.imm16();
                return new LongModeOps.Enter(size, d.uimm8(), sv);
            }
            case 0xc9:
                return new LongModeOps.Leave(sv);
            case 0xcd: {
                int vector = d.uimm8();
                // int 0x80 too: this host's kernel has no IA-32 system calls for 64-bit code (its
                // gate is closed: #GP, err 0x402), and running it through the 64-bit table would
                // make a different call (i386's exit is x86-64's write)
                return X86Translator.softwareInterrupt(vector);
            }
            case 0xe0, 0xe1, 0xe2, 0xe3: {
                int rel = d.imm8();
                long next = d.cursor();
                return new LongModeOps.Loop(op & 3, next + rel, next, d.addressBits() == 32);
            }
            case 0xe8: {
                int rel = d.imm32();
                long next = d.cursor();
                return new LongModeOps.Call(null, next + rel, next);
            }
            case 0xe9: {
                int rel = d.imm32();
                return new LongModeOps.Goto(d.cursor() + rel);
            }
            case 0xeb: {
                int rel = d.imm8();
                return new LongModeOps.Goto(d.cursor() + rel);
            }
            case 0xff:
                return group5(d, v, sv);
            case 0x105:
                return new LongModeOps.SystemCall(d.cursor());
            case 0x1c7:
                return compareExchangeGroup(d);
            default:
                return null;
        }
    }

    private static X86Op group5(X86Decoder d, int v, int sv) {
        d.readModrm();
        int sub = d.opcodeExtension();
        return switch (sub) {
            case 0, 1 -> {
                Operand m = rm(d, v);
                yield atomicIf(d.lock() && m instanceof Operand.Memory,
                        X86Translator.unary(sub == 0 ? ArithmeticOps.INC : ArithmeticOps.DEC, m));
            }
            case 2 -> {
                Operand m = rm(d, 64);
                yield new LongModeOps.Call(m, 0, d.cursor());
            }
            case 4 -> new LongModeOps.IndirectJump(rm(d, 64));
            case 6 -> new LongModeOps.Push(rm(d, sv), sv);
            case 3, 5 -> {
                rm(d, v);
                yield privileged(); // far call/jmp through memory: no user code segments to go to
            }
            default -> invalid(d);
        };
    }

    /** 0F C7 /1: cmpxchg8b, or cmpxchg16b with REX.W (both atomic between guest threads). */
    private static X86Op compareExchangeGroup(X86Decoder d) {
        d.readModrm();
        if (d.opcodeExtension() != 1 || d.modrmIsRegister()) {
            return null; // the common path reports #UD
        }
        if (d.rexW()) {
            Operand.Memory m = (Operand.Memory) Operand.memory(128, d.decodeModrmMemory());
            return atomicIf(true, new QuadwordOps.CompareExchange16Bytes(m));
        }
        Operand.Memory m = (Operand.Memory) Operand.memory(64, d.decodeModrmMemory());
        return atomicIf(true, new MoveOps.CompareExchange8Bytes(m));
    }
}
