package org.qemu.i386.system;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.Operand;

/** Control and debug registers, GDTR/IDTR, clts, MSRs: the registers only system code touches. */
final class ProcessorControlOps {
    static final int MSR_TSC = 0x10;
    static final int MSR_APIC_BASE = 0x1b;
    static final int MSR_EFER = 0xc0000080;
    static final int CR0_WP = 1 << 16;
    static final int CR4_PSE = 1 << 4;
    static final int CR4_PAE = 1 << 5;
    static final int CR4_PGE = 1 << 7;
    /** CR4 bits a guest may set: VME PVI TSD DE PSE PAE(refused when used) MCE PGE PCE OSFXSR OSXMMEXCPT. */
    private static final int SUPPORTED_CR4 = 0x7ff;

    private ProcessorControlOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /** mov r32, CRn / mov CRn, r32 (the ModRM r/m field always names a register). */
    static final class MoveControlRegister implements X86Op {
        private final boolean toControl;
        private final int control;
        private final int gpr;

        MoveControlRegister(boolean toControl, int control, int gpr) {
            this.toControl = toControl;
            this.control = control;
            this.gpr = gpr;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState r = cpu.state;
            if (!toControl) {
                r.setReg32(gpr, switch (control) {
                    case 0 -> sys.cr0;
                    case 2 -> sys.cr2;
                    case 3 -> sys.cr3;
                    default -> sys.cr4;
                });
                return;
            }
            int v = r.reg32(gpr);
            switch (control) {
                case 0 -> {
                    if ((v & SystemCpu.CR0_PG) != 0 && (sys.efer & 0x100) != 0) {
                        throw new UnsupportedGuestFeature("long mode (EFER.LME with CR0.PG) is not supported under TCG in this build");
                    }
                    if ((v & SystemCpu.CR0_PE) == 0 && (sys.cr0 & SystemCpu.CR0_PE) != 0) {
                        throw new UnsupportedGuestFeature("returning to real mode (CR0.PE=0) is not supported under TCG in this build");
                    }
                    int old = sys.cr0;
                    sys.cr0 = v | SystemCpu.CR0_ET;
                    if (((old ^ sys.cr0) & (SystemCpu.CR0_PG | CR0_WP)) != 0) {
                        sys.mmu.controlChanged();
                    }
                    if (((old ^ sys.cr0) & SystemCpu.CR0_PG) != 0) {
                        sys.pagingSwitched();
                    }
                }
                case 2 -> sys.cr2 = v;
                case 3 -> {
                    sys.cr3 = v;
                    sys.mmu.addressSpaceChanged();
                }
                default -> {
                    if ((v & ~SUPPORTED_CR4) != 0) {
                        throw X86Trap.generalProtection(0);
                    }
                    int old = sys.cr4;
                    sys.cr4 = v;
                    if (((old ^ v) & (CR4_PSE | CR4_PGE | CR4_PAE)) != 0) {
                        if ((v & CR4_PAE) != 0) {
                            throw new UnsupportedGuestFeature("PAE paging (CR4.PAE) is not supported under TCG in this build");
                        }
                        sys.mmu.controlChanged();
                    }
                }
            }
        }
    }

    /** invlpg m: the MMU forgets the page's translation. */
    static final class InvalidatePage implements X86Op {
        private final Operand.Memory operand;

        InvalidatePage(Operand.Memory operand) {
            this.operand = operand;
        }

        @Override
        public void exec(X86Cpu cpu) {
            system(cpu).mmu.invalidate(operand.address(cpu));
        }
    }

    static final class MoveDebugRegister implements X86Op {
        private final boolean toDebug;
        private final int debug;
        private final int gpr;

        MoveDebugRegister(boolean toDebug, int debug, int gpr) {
            this.toDebug = toDebug;
            this.debug = debug;
            this.gpr = gpr;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int[] dr = system(cpu).debugRegisters;
            if (toDebug) {
                dr[debug] = cpu.state.reg32(gpr);
            } else {
                cpu.state.setReg32(gpr, dr[debug]);
            }
        }
    }

    static final class ClearTaskSwitched implements X86Op {
        @Override
        public void exec(X86Cpu cpu) {
            system(cpu).cr0 &= ~8;
        }
    }

    /** lgdt, lidt, sgdt, sidt: a 16-bit limit and a 32-bit base (24 bits loaded with a 16-bit operand). */
    static final class DescriptorTableRegister implements X86Op {
        private final boolean load;
        private final boolean interruptTable;
        private final Operand.Memory operand;
        private final boolean operand16;

        DescriptorTableRegister(boolean load, boolean interruptTable, Operand.Memory operand, boolean operand16) {
            this.load = load;
            this.interruptTable = interruptTable;
            this.operand = operand;
            this.operand16 = operand16;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            GuestMemory m = cpu.memory;
            long a = operand.address(cpu);
            long a2 = operand.address(cpu, 2);
            if (load) {
                int limit = m.read16(a);
                long base = m.read32(a2) & (operand16 ? 0xffffffL : 0xffffffffL);
                if (interruptTable) {
                    sys.idtBase = base;
                    sys.idtLimit = limit;
                } else {
                    sys.gdtBase = base;
                    sys.gdtLimit = limit;
                }
            } else {
                m.write16(a, interruptTable ? sys.idtLimit : sys.gdtLimit);
                m.write32(a2, (int) (interruptTable ? sys.idtBase : sys.gdtBase));
            }
        }
    }

    /** rdmsr / wrmsr for the few MSRs a small kernel touches; any other index is #GP(0), as on hardware. */
    static final class ModelSpecificRegister implements X86Op {
        private final boolean write;

        ModelSpecificRegister(boolean write) {
            this.write = write;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState r = cpu.state;
            int index = r.reg32(X86CpuState.ECX);
            if (write) {
                long v = (r.reg32(X86CpuState.EAX) & 0xffffffffL) | (long) r.reg32(X86CpuState.EDX) << 32;
                switch (index) {
                    case MSR_TSC -> { }
                    case MSR_APIC_BASE -> sys.apicBase = (v & ~0xfffL) | (v & 0xc00) | (sys.apicBase & 0x100);
                    case MSR_EFER -> sys.efer = v & 0xd01;
                    default -> {
                        if (!known(index)) {
                            throw X86Trap.generalProtection(0);
                        }
                        sys.modelSpecificRegisters.put(index, v);
                    }
                }
                return;
            }
            long v = switch (index) {
                case MSR_TSC -> System.nanoTime();
                case MSR_APIC_BASE -> sys.apicBase;
                case MSR_EFER -> sys.efer;
                default -> {
                    if (!known(index)) {
                        throw X86Trap.generalProtection(0);
                    }
                    yield sys.modelSpecificRegisters.getOrDefault(index, 0L);
                }
            };
            r.setReg32(X86CpuState.EAX, (int) v);
            r.setReg32(X86CpuState.EDX, (int) (v >>> 32));
        }

        /** SYSENTER_CS/ESP/EIP, PAT, MTRR default type: stored and read back, no effect here. */
        private static boolean known(int index) {
            return index == 0x174 || index == 0x175 || index == 0x176 || index == 0x277 || index == 0x2ff;
        }
    }
}
