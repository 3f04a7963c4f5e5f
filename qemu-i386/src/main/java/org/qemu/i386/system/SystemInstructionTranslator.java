package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.decode.X86Decoder;
import org.qemu.i386.translate.Operand;
import org.qemu.i386.translate.SystemTranslator;

/**
 * Translates the instructions user mode leaves as #GP (the opcode map of Intel SDM vol. 2,
 * appendix A). Blocks are translated for one privilege level: above CPL 0 the instructions
 * reserved to it become #GP(0) here; the rules that depend on IOPL, the TSS or CR4 are checked
 * when the op runs. Everything else goes back to the user-mode translator.
 */
final class SystemInstructionTranslator implements SystemTranslator {
    @Override
    public X86Op translate(int opcode, X86Decoder d, int v, int privilegeLevel) {
        if (privilegeLevel > 0 && reservedToRing0(opcode)) {
            return PrivilegeChecks.privilegedInstruction();
        }
        switch (opcode) {
            case 0xe4, 0xe5:
                return new PortIoOps.In(opcode == 0xe4 ? 8 : v, d.uimm8());
            case 0xe6, 0xe7:
                return new PortIoOps.Out(opcode == 0xe6 ? 8 : v, d.uimm8());
            case 0xec, 0xed:
                return new PortIoOps.In(opcode == 0xec ? 8 : v, -1);
            case 0xee, 0xef:
                return new PortIoOps.Out(opcode == 0xee ? 8 : v, -1);
            case 0x6c, 0x6d, 0x6e, 0x6f:
                return new PortIoOps.StringIo(opcode < 0x6e, (opcode & 1) == 0 ? 8 : v, d.repPrefix() != 0,
                        d.dataSegment(), d.addressBits() == 16);
            case 0xfa:
                return new InterruptOps.ClearInterruptFlag();
            case 0xfb:
                return new InterruptOps.SetInterruptFlag();
            case 0xf4:
                return new InterruptOps.Halt(d.cursor());
            case 0xcd:
                return InterruptOps.softwareInterrupt(d.uimm8(), d.pc());
            case 0xcf:
                return new InterruptOps.InterruptReturn(v, (int) d.cursor());
            case 0x9d:
                return new InterruptOps.PopFlags(v);
            case 0xea, 0x9a: {
                int offset = v == 16 ? d.imm16() : d.imm32();
                int selector = d.imm16();
                return new FarTransferOps.FarJump(selector, offset, null, v, opcode == 0x9a, (int) d.cursor());
            }
            case 0xca:
                return new FarTransferOps.FarReturn(d.imm16(), v);
            case 0xcb:
                return new FarTransferOps.FarReturn(0, v);
            case 0xff: {
                d.readModrm(); // read once: the user-mode translator reuses it when this returns null
                if ((d.reg() != 3 && d.reg() != 5) || d.modrmIsRegister()) {
                    return null;
                }
                Operand.Memory pointer = (Operand.Memory) Operand.memory(v, d.decodeModrmMemory());
                return new FarTransferOps.FarJump(0, 0, pointer, v, d.reg() == 3, (int) d.cursor());
            }
            case 0xce:
                return new InterruptOps.InterruptOnOverflow();
            case 0x100:
                return group6(d, v, privilegeLevel);
            case 0x101:
                return group7(d, privilegeLevel);
            case 0x102, 0x103: {
                Operand selector = selectorOperand(d);
                return new DescriptorTableOps.Probe(opcode == 0x102 ? DescriptorTableOps.LAR : DescriptorTableOps.LSL,
                        selector, Operand.register(v, d.reg()));
            }
            case 0xc4, 0xc5, 0x1b2, 0x1b4, 0x1b5: {
                d.readModrm(); // read once: the user-mode translator reuses it when this returns null
                if (d.modrmIsRegister()) {
                    return null;
                }
                int segment = switch (opcode) {
                    case 0xc4 -> X86CpuState.ES;
                    case 0xc5 -> X86CpuState.DS;
                    case 0x1b2 -> X86CpuState.SS;
                    case 0x1b4 -> X86CpuState.FS;
                    default -> X86CpuState.GS;
                };
                Operand.Memory pointer = (Operand.Memory) Operand.memory(v, d.decodeModrmMemory());
                return new LoadFarPointer(segment, d.reg(), pointer, v);
            }
            case 0x131:
                return new PrivilegeChecks.ReadTimeStampCounter();
            case 0x134:
                return new FastSystemCallOps.SystemEnter();
            case 0x135:
                return new FastSystemCallOps.SystemExit();
            case 0x106:
                return new ProcessorControlOps.ClearTaskSwitched();
            case 0x108, 0x109:
                return new Nop(); // invd, wbinvd: there are no caches to write back
            case 0x120, 0x122: {
                d.readModrm();
                int control = d.reg();
                if (control == 1 || control > 4) {
                    return invalid(d);
                }
                return new ProcessorControlOps.MoveControlRegister(opcode == 0x122, control, d.rm());
            }
            case 0x121, 0x123: {
                d.readModrm();
                return new ProcessorControlOps.MoveDebugRegister(opcode == 0x123, d.reg(), d.rm());
            }
            case 0x1a2:
                return new SystemCpuid();
            case 0x130:
                return new ProcessorControlOps.ModelSpecificRegister(true);
            case 0x132:
                return new ProcessorControlOps.ModelSpecificRegister(false);
            default:
                return null;
        }
    }

    /**
     * 64-bit code: the instructions whose long-mode meaning differs from both user mode's and
     * 32-bit system code's (SDM vol. 2): iretq, far returns, popf, int n (through 64-bit gates
     * at run time), syscall, sysret, swapgs, 64-bit control registers (CR8 too) and 10-byte
     * descriptor-table operands. Everything else falls through to {@link #translate}.
     */
    @Override
    public X86Op translateLongMode(int opcode, X86Decoder d, int v, int privilegeLevel) {
        switch (opcode) {
            case 0xcf:
                return new LongModeSystemOps.InterruptReturn(v);
            case 0xca:
                return new LongModeSystemOps.FarReturn(v, d.imm16() & 0xffff);
            case 0xcb:
                return new LongModeSystemOps.FarReturn(v, 0);
            case 0x9d:
                return new LongModeSystemOps.PopFlags(d.stackOperandBits());
            case 0xcd:
                return InterruptOps.softwareInterrupt(d.uimm8(), d.pc());
            case 0x105:
                return new LongModeSystemOps.SystemCall(d.pc(), d.cursor());
            case 0x107:
                return new LongModeSystemOps.SystemReturn(d.rexW(), d.pc());
            case 0x120, 0x122: {
                if (privilegeLevel > 0) {
                    return PrivilegeChecks.privilegedInstruction();
                }
                d.readModrm();
                int control = d.reg();
                if (control != 0 && control != 2 && control != 3 && control != 4 && control != 8) {
                    return invalid(d);
                }
                return new ProcessorControlOps.MoveControlRegister(opcode == 0x122, control, d.rm(), true);
            }
            case 0x101:
                return longModeGroup7(d, privilegeLevel);
            case 0x121, 0x123: {
                if (privilegeLevel > 0) {
                    return PrivilegeChecks.privilegedInstruction();
                }
                d.readModrm();
                if (d.reg() > 7) {
                    return invalid(d); // DR8-DR15 do not exist (REX.R is #UD here)
                }
                return new ProcessorControlOps.MoveDebugRegister(opcode == 0x123, d.reg(), d.rm());
            }
            default:
                return null;
        }
    }

    /** 0F 01 in 64-bit code: sgdt/sidt/lgdt/lidt with an 8-byte base, invlpg, swapgs. */
    private static X86Op longModeGroup7(X86Decoder d, int privilegeLevel) {
        d.readModrm();
        int sub = d.opcodeExtension();
        if (d.modrmIsRegister()) {
            if (sub == 7 && (d.rm() & 7) == 0) {
                return privilegeLevel > 0 ? PrivilegeChecks.privilegedInstruction() : new LongModeSystemOps.SwapGs();
            }
            return invalid(d);
        }
        if (sub == 4 || sub == 5 || sub == 6) {
            return invalid(d);
        }
        if ((sub == 2 || sub == 3 || sub == 7) && privilegeLevel > 0) {
            return PrivilegeChecks.privilegedInstruction();
        }
        Operand.Memory m = (Operand.Memory) Operand.memory(16, d.decodeModrmMemory());
        if (sub == 7) {
            return new ProcessorControlOps.InvalidatePage(m);
        }
        return new ProcessorControlOps.DescriptorTableRegister(sub >= 2, (sub & 1) != 0, m, false, true);
    }

    /**
     * hlt, clts, invd, wbinvd, mov to and from control and debug registers, wrmsr, rdmsr,
     * sysexit: #GP(0) above CPL 0 whatever their operands (lgdt, lidt, invlpg, lldt, ltr are
     * decided in their groups, whose other members are open to every ring).
     */
    private static boolean reservedToRing0(int opcode) {
        return switch (opcode) {
            case 0xf4, 0x106, 0x108, 0x109, 0x120, 0x121, 0x122, 0x123, 0x130, 0x132, 0x135 -> true;
            default -> false;
        };
    }

    /** A selector operand: r/m16 (a register names its low 16 bits). */
    private static Operand selectorOperand(X86Decoder d) {
        d.readModrm();
        return d.modrmIsRegister() ? Operand.register(16, d.rm()) : Operand.memory(16, d.decodeModrmMemory());
    }

    /** 0F 00: sldt, str, lldt, ltr, verr, verw. */
    private static X86Op group6(X86Decoder d, int v, int privilegeLevel) {
        d.readModrm();
        int sub = d.opcodeExtension();
        if (sub > 5) {
            return invalid(d);
        }
        if ((sub == 2 || sub == 3) && privilegeLevel > 0) {
            return PrivilegeChecks.privilegedInstruction();
        }
        Operand operand = d.modrmIsRegister() ? Operand.register(sub < 2 ? v : 16, d.rm()) : Operand.memory(16, d.decodeModrmMemory());
        return switch (sub) {
            case 0, 1 -> new DescriptorTableOps.StoreSelector(sub == 1, operand);
            case 2 -> new DescriptorTableOps.LoadLocalDescriptorTable(operand);
            case 3 -> new DescriptorTableOps.LoadTaskRegister(operand);
            default -> new DescriptorTableOps.Probe(sub == 4 ? DescriptorTableOps.VERR : DescriptorTableOps.VERW, operand, null);
        };
    }

    /** 0F 01: sgdt, sidt, lgdt, lidt, invlpg (memory forms); the register forms are not built (#UD). */
    private static X86Op group7(X86Decoder d, int privilegeLevel) {
        d.readModrm();
        int sub = d.reg();
        if (d.modrmIsRegister() || sub == 4 || sub == 5 || sub == 6) {
            return invalid(d);
        }
        if ((sub == 2 || sub == 3 || sub == 7) && privilegeLevel > 0) {
            return PrivilegeChecks.privilegedInstruction();
        }
        Operand.Memory m = (Operand.Memory) Operand.memory(16, d.decodeModrmMemory());
        if (sub == 7) {
            return new ProcessorControlOps.InvalidatePage(m);
        }
        return new ProcessorControlOps.DescriptorTableRegister(sub >= 2, (sub & 1) != 0, m, d.operandBits() == 16);
    }

    private static X86Op invalid(X86Decoder d) {
        X86Trap trap = X86Trap.invalidOpcode(d.pc());
        return new X86Op() {
            @Override
            public void exec(X86Cpu cpu) {
                throw trap;
            }

            @Override
            public boolean endsBlock() {
                return true;
            }
        };
    }

    private static final class Nop extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
        }
    }
}
