package org.qemu.i386.fp;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.decode.X86Decoder;
import org.qemu.i386.fp.X87Fpu.Operation;
import org.qemu.i386.translate.ComparisonToFlagsOp;
import org.qemu.i386.translate.FpuOnlyOp;
import org.qemu.i386.translate.Operand;

/**
 * Decodes the x87 escape opcodes D8-DF into ops over {@link X87Fpu}. Stores probe their
 * destination first, so a faulting store leaves the FPU untouched (precise exceptions).
 */
final class X87Translator {
    /** D8/DC/DA/DE memory and D8 register forms: reg field 0-7 (2 and 3 are the compares). */
    private static final Operation[] BY_REG = {
        Operation.ADD, Operation.MUL, null, null, Operation.SUB, Operation.SUBR, Operation.DIV, Operation.DIVR,
    };
    /** DC/DE register forms, where the destination is ST(i) and sub/div swap with their reverses. */
    private static final Operation[] BY_REG_TO_STI = {
        Operation.ADD, Operation.MUL, null, null, Operation.SUBR, Operation.SUB, Operation.DIVR, Operation.DIV,
    };

    private X87Translator() {
    }

    static X86Op translate(int opcode, X86Decoder d) {
        d.readModrm();
        X86Op op;
        if (d.modrmIsRegister()) {
            op = registerForm(opcode, d.opcodeExtension(), d.rm() & 7); // REX.R and REX.B do not apply to x87
        } else {
            if (d.hasOperandSizePrefix() && (opcode == 0xd9 || opcode == 0xdd) && (d.opcodeExtension() == 4 || d.opcodeExtension() == 6)) {
                return null; // 16-bit environment layouts are not implemented
            }
            Operand.Memory m = (Operand.Memory) Operand.memory(32, d.decodeModrmMemory());
            op = memoryForm(opcode, d.opcodeExtension(), m);
        }
        return op;
    }

    /**
     * The unit, for a waiting x87 instruction: a pending unmasked exception raises #MF first.
     * Every op calls this itself (instead of a shared wrapper op) so that each op stays one
     * class with a direct call the compiled block can inline. The "fn" control forms (fnstenv,
     * fldenv, fnstcw, fldcw, fnsave, frstor, fnstsw, fnclex, fninit) use {@code cpu.state.fpu}.
     */
    private static X87Fpu checked(X86Cpu cpu) {
        X87Fpu fpu = cpu.state.fpu;
        fpu.checkPendingException();
        return fpu;
    }

    // ---------------------------------------------------------------- memory operands

    private static FpuOnlyOp memoryForm(int opcode, int reg, Operand.Memory m) {
        switch (opcode) {
            case 0xd8: {
                if (reg == 2 || reg == 3) {
                    boolean pop = reg == 3;
                    return cpu -> checked(cpu).compareFloat(cpu.memory.read32(m.address(cpu)), pop);
                }
                Operation op = BY_REG[reg];
                return cpu -> checked(cpu).arithmeticWithFloat(op, cpu.memory.read32(m.address(cpu)));
            }
            case 0xdc: {
                if (reg == 2 || reg == 3) {
                    boolean pop = reg == 3;
                    return cpu -> checked(cpu).compareDouble(cpu.memory.read64(m.address(cpu)), pop);
                }
                Operation op = BY_REG[reg];
                return cpu -> checked(cpu).arithmeticWithDouble(op, cpu.memory.read64(m.address(cpu)));
            }
            case 0xda:
            case 0xde: {
                boolean word = opcode == 0xde;
                if (reg == 2 || reg == 3) {
                    boolean pop = reg == 3;
                    return word ? cpu -> checked(cpu).compareInteger((short) cpu.memory.read16(m.address(cpu)), pop)
                            : cpu -> checked(cpu).compareInteger(cpu.memory.read32(m.address(cpu)), pop);
                }
                Operation op = BY_REG[reg];
                return word ? cpu -> checked(cpu).arithmeticWithInteger(op, (short) cpu.memory.read16(m.address(cpu)))
                        : cpu -> checked(cpu).arithmeticWithInteger(op, cpu.memory.read32(m.address(cpu)));
            }
            case 0xd9:
                return switch (reg) {
                    case 0 -> cpu -> checked(cpu).loadFloat(cpu.memory.read32(m.address(cpu)));
                    case 2 -> storeFloat(m, false);
                    case 3 -> storeFloat(m, true);
                    case 4 -> cpu -> cpu.state.fpu.loadEnvironment(readBytes(cpu, m, 28), 0);
                    case 5 -> cpu -> cpu.state.fpu.setControlWord(cpu.memory.read16(m.address(cpu)));
                    case 6 -> cpu -> {
                        long a = m.address(cpu);
                        cpu.memory.checkRange(a, 28, true);
                        byte[] image = cpu.state.fpu.storeEnvironment();
                        cpu.memory.write(a, image, 0, image.length);
                    };
                    case 7 -> cpu -> cpu.memory.write16(m.address(cpu), cpu.state.fpu.controlWord());
                    default -> null;
                };
            case 0xdb:
                return switch (reg) {
                    case 0 -> cpu -> checked(cpu).loadInteger(cpu.memory.read32(m.address(cpu)));
                    case 1 -> storeInteger(m, 32, true, true);
                    case 2 -> storeInteger(m, 32, false, false);
                    case 3 -> storeInteger(m, 32, false, true);
                    case 5 -> cpu -> {
                        X87Fpu fpu = checked(cpu);
                        long a = m.address(cpu);
                        long significand = cpu.memory.read64(a);
                        int signExponent = cpu.memory.read16(a + 8);
                        fpu.loadExtended(signExponent, significand);
                    };
                    case 7 -> cpu -> {
                        X87Fpu fpu = checked(cpu);
                        long a = m.address(cpu);
                        cpu.memory.checkRange(a, 10, true);
                        Float80 v = fpu.storeExtended(true);
                        cpu.memory.write64(a, v.significand());
                        cpu.memory.write16(a + 8, v.signExponent());
                    };
                    default -> null;
                };
            case 0xdd:
                return switch (reg) {
                    case 0 -> cpu -> checked(cpu).loadDouble(cpu.memory.read64(m.address(cpu)));
                    case 1 -> storeInteger(m, 64, true, true);
                    case 2 -> storeDouble(m, false);
                    case 3 -> storeDouble(m, true);
                    case 4 -> cpu -> cpu.state.fpu.restore(readBytes(cpu, m, 108), 0);
                    case 6 -> cpu -> {
                        long a = m.address(cpu);
                        cpu.memory.checkRange(a, 108, true);
                        byte[] image = cpu.state.fpu.save();
                        cpu.memory.write(a, image, 0, image.length);
                    };
                    case 7 -> cpu -> cpu.memory.write16(m.address(cpu), cpu.state.fpu.statusWord());
                    default -> null;
                };
            case 0xdf:
                return switch (reg) {
                    case 0 -> cpu -> checked(cpu).loadInteger((short) cpu.memory.read16(m.address(cpu)));
                    case 1 -> storeInteger(m, 16, true, true);
                    case 2 -> storeInteger(m, 16, false, false);
                    case 3 -> storeInteger(m, 16, false, true);
                    case 5 -> cpu -> checked(cpu).loadInteger(cpu.memory.read64(m.address(cpu)));
                    case 7 -> storeInteger(m, 64, false, true);
                    default -> null; // fbld/fbstp (packed BCD) are not implemented
                };
            default:
                return null;
        }
    }

    private static byte[] readBytes(X86Cpu cpu, Operand.Memory m, int length) {
        byte[] image = new byte[length];
        cpu.memory.read(m.address(cpu), image, 0, length);
        return image;
    }

    private static FpuOnlyOp storeFloat(Operand.Memory m, boolean pop) {
        return cpu -> {
            X87Fpu fpu = checked(cpu);
            long a = m.address(cpu);
            cpu.memory.checkRange(a, 4, true);
            cpu.memory.write32(a, fpu.storeFloat(pop));
        };
    }

    private static FpuOnlyOp storeDouble(Operand.Memory m, boolean pop) {
        return cpu -> {
            X87Fpu fpu = checked(cpu);
            long a = m.address(cpu);
            cpu.memory.checkRange(a, 8, true);
            cpu.memory.write64(a, fpu.storeDouble(pop));
        };
    }

    private static FpuOnlyOp storeInteger(Operand.Memory m, int bits, boolean truncate, boolean pop) {
        return cpu -> {
            X87Fpu fpu = checked(cpu);
            long a = m.address(cpu);
            GuestMemory memory = cpu.memory;
            memory.checkRange(a, bits / 8, true);
            long v = fpu.storeInteger(bits, truncate, pop);
            switch (bits) {
                case 16 -> memory.write16(a, (int) v);
                case 32 -> memory.write32(a, (int) v);
                default -> memory.write64(a, v);
            }
        };
    }

    // ---------------------------------------------------------------- register operands

    private static X86Op registerForm(int opcode, int reg, int i) {
        switch (opcode) {
            case 0xd8: {
                if (reg == 2 || reg == 3) {
                    int pops = reg == 3 ? 1 : 0;
                    return (FpuOnlyOp) cpu -> checked(cpu).compareStack(i, false, pops);
                }
                Operation op = BY_REG[reg];
                return (FpuOnlyOp) cpu -> checked(cpu).arithmeticRegisters(op, 0, i, false);
            }
            case 0xdc:
            case 0xde: {
                boolean pop = opcode == 0xde;
                if (reg == 2 || reg == 3) {
                    if (opcode == 0xde && reg == 3 && i == 1) {
                        return (FpuOnlyOp) cpu -> checked(cpu).compareStack(1, false, 2); // fcompp
                    }
                    int pops = reg == 3 || pop ? 1 : 0;
                    return (FpuOnlyOp) cpu -> checked(cpu).compareStack(i, false, pops);
                }
                Operation op = BY_REG_TO_STI[reg];
                return (FpuOnlyOp) cpu -> checked(cpu).arithmeticRegisters(op, i, 0, pop);
            }
            case 0xd9:
                return d9Register(reg, i);
            case 0xda:
                if (reg < 4) {
                    return conditionalMove(reg, false, i);
                }
                if (reg == 5 && i == 1) {
                    return (FpuOnlyOp) cpu -> checked(cpu).compareStack(1, true, 2); // fucompp
                }
                return null;
            case 0xdb:
                if (reg < 4) {
                    return conditionalMove(reg, true, i);
                }
                if (reg == 4) {
                    return switch (i) {
                        case 2 -> (FpuOnlyOp) cpu -> cpu.state.fpu.clearExceptions();
                        case 3 -> (FpuOnlyOp) cpu -> cpu.state.fpu.initialize();
                        case 0, 1, 4 -> (FpuOnlyOp) cpu -> { }; // feni/fdisi/fsetpm: no-ops since the 387
                        default -> null;
                    };
                }
                if (reg == 5 || reg == 6) {
                    boolean unordered = reg == 5;
                    return (ComparisonToFlagsOp) cpu -> checked(cpu).compareToEflags(i, unordered, false);
                }
                return null;
            case 0xdd:
                return switch (reg) {
                    case 0 -> (FpuOnlyOp) cpu -> checked(cpu).free(i);
                    case 1 -> (FpuOnlyOp) cpu -> checked(cpu).exchange(i);
                    case 2 -> (FpuOnlyOp) cpu -> checked(cpu).storeStack(i, false);
                    case 3 -> (FpuOnlyOp) cpu -> checked(cpu).storeStack(i, true);
                    case 4 -> (FpuOnlyOp) cpu -> checked(cpu).compareStack(i, true, 0);
                    case 5 -> (FpuOnlyOp) cpu -> checked(cpu).compareStack(i, true, 1);
                    default -> null;
                };
            case 0xdf:
                if (reg == 4 && i == 0) {
                    return (X86Op) cpu -> {
                        X86CpuState regs = cpu.state;
                        regs.setReg16(X86CpuState.EAX, cpu.state.fpu.statusWord());
                    };
                }
                if (reg == 5 || reg == 6) {
                    boolean unordered = reg == 5;
                    return (ComparisonToFlagsOp) cpu -> checked(cpu).compareToEflags(i, unordered, true);
                }
                if (reg == 0) {
                    return (FpuOnlyOp) cpu -> {
                        X87Fpu fpu = checked(cpu);
                        fpu.free(i);
                        fpu.pop();
                    };
                }
                if (reg == 1) {
                    return (FpuOnlyOp) cpu -> checked(cpu).exchange(i);
                }
                if (reg == 2 || reg == 3) {
                    return (FpuOnlyOp) cpu -> checked(cpu).storeStack(i, true);
                }
                return null;
            default:
                return null;
        }
    }

    /** fcmovcc: B/E/BE/U and their negations (DB). */
    private static X86Op conditionalMove(int condition, boolean negate, int i) {
        return cpu -> {
            int flags = cpu.state.eflags();
            boolean holds = switch (condition) {
                case 0 -> (flags & X86CpuState.CF) != 0;
                case 1 -> (flags & X86CpuState.ZF) != 0;
                case 2 -> (flags & (X86CpuState.CF | X86CpuState.ZF)) != 0;
                default -> (flags & X86CpuState.PF) != 0;
            };
            X87Fpu fpu = checked(cpu);
            if (holds != negate) {
                fpu.conditionalMove(i);
            } else {
                fpu.conditionalMoveNotTaken(i);
            }
        };
    }

    private static FpuOnlyOp d9Register(int reg, int i) {
        switch (reg) {
            case 0:
                return cpu -> checked(cpu).loadStack(i);
            case 1:
                return cpu -> checked(cpu).exchange(i);
            case 2:
                return i == 0 ? cpu -> checked(cpu) : null; // fnop (a waiting instruction)
            case 3:
                return cpu -> checked(cpu).storeStack(i, true);
            default:
                break;
        }
        int code = (reg << 3) | i;
        return switch (code) {
            case 0x20 -> cpu -> checked(cpu).changeSign();
            case 0x21 -> cpu -> checked(cpu).absolute();
            case 0x24 -> cpu -> checked(cpu).test();
            case 0x25 -> cpu -> checked(cpu).examine();
            case 0x28 -> constant(X87Fpu.Constant.ONE);
            case 0x29 -> constant(X87Fpu.Constant.LOG2_10);
            case 0x2a -> constant(X87Fpu.Constant.LOG2_E);
            case 0x2b -> constant(X87Fpu.Constant.PI);
            case 0x2c -> constant(X87Fpu.Constant.LOG10_2);
            case 0x2d -> constant(X87Fpu.Constant.LN_2);
            case 0x2e -> constant(X87Fpu.Constant.ZERO);
            case 0x30 -> cpu -> checked(cpu).twoToXMinusOne();
            case 0x31 -> cpu -> checked(cpu).yLog2X();
            case 0x32 -> cpu -> checked(cpu).partialTangent();
            case 0x33 -> cpu -> checked(cpu).partialArctangent();
            case 0x34 -> cpu -> checked(cpu).extract();
            case 0x35 -> cpu -> checked(cpu).partialRemainder(true);
            case 0x36 -> cpu -> checked(cpu).decrementStackPointer();
            case 0x37 -> cpu -> checked(cpu).incrementStackPointer();
            case 0x38 -> cpu -> checked(cpu).partialRemainder(false);
            case 0x39 -> cpu -> checked(cpu).yLog2XPlusOne();
            case 0x3a -> cpu -> checked(cpu).squareRoot();
            case 0x3b -> cpu -> checked(cpu).sineCosine();
            case 0x3c -> cpu -> checked(cpu).roundToInteger();
            case 0x3d -> cpu -> checked(cpu).scale();
            case 0x3e -> cpu -> checked(cpu).sine();
            case 0x3f -> cpu -> checked(cpu).cosine();
            default -> null;
        };
    }

    private static FpuOnlyOp constant(X87Fpu.Constant c) {
        return cpu -> checked(cpu).loadConstant(c);
    }
}
