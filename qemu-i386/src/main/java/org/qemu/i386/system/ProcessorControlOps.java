package org.qemu.i386.system;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;
import org.qemu.i386.translate.Operand;

/** Control and debug registers, GDTR/IDTR, clts, MSRs: the registers only system code touches. */
final class ProcessorControlOps {
    static final int MSR_TSC = 0x10;
    static final int MSR_APIC_BASE = 0x1b;
    static final int MSR_EFER = 0xc0000080;
    static final int MSR_STAR = 0xc0000081;
    static final int MSR_LSTAR = 0xc0000082;
    static final int MSR_CSTAR = 0xc0000083;
    static final int MSR_FMASK = 0xc0000084;
    static final int MSR_FS_BASE = 0xc0000100;
    static final int MSR_GS_BASE = 0xc0000101;
    static final int MSR_KERNEL_GS_BASE = 0xc0000102;
    static final int CR0_WP = 1 << 16;
    static final int CR4_PSE = 1 << 4;
    static final int CR4_PAE = 1 << 5;
    static final int CR4_PGE = 1 << 7;
    static final long EFER_NXE = 1L << 11;
    /** CR4 bits a guest may set: VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT. */
    private static final int SUPPORTED_CR4 = 0x7ff;

    private ProcessorControlOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /**
     * mov r, CRn / mov CRn, r (the ModRM r/m field always names a register): 32-bit registers
     * outside 64-bit code, 64-bit ones in it ({@code wide}), where CR8 is the task priority.
     * CR0.PG set with EFER.LME (and CR4.PAE) activates long mode (EFER.LMA), cleared leaves it
     * (SDM vol. 3, 10.8.5).
     */
    static final class MoveControlRegister extends X86OpBase {
        private final boolean toControl;
        private final int control;
        private final int gpr;
        private final boolean wide;

        MoveControlRegister(boolean toControl, int control, int gpr) {
            this(toControl, control, gpr, false);
        }

        MoveControlRegister(boolean toControl, int control, int gpr, boolean wide) {
            this.toControl = toControl;
            this.control = control;
            this.gpr = gpr;
            this.wide = wide;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState r = cpu.state;
            if (!toControl) {
                long value = switch (control) {
                    case 0 -> sys.cr0 & 0xffffffffL;
                    case 2 -> sys.cr2;
                    case 3 -> sys.cr3 & 0xffffffffL;
                    case 8 -> sys.cr8;
                    default -> sys.cr4 & 0xffffffffL;
                };
                if (wide) {
                    r.regs[gpr] = value;
                } else {
                    r.setReg32(gpr, (int) value);
                }
                return;
            }
            long wideValue = wide ? r.regs[gpr] : r.reg32(gpr) & 0xffffffffL;
            int v = (int) wideValue;
            switch (control) {
                case 0 -> {
                    if ((wideValue >>> 32) != 0) {
                        throw X86Trap.generalProtection(0);
                    }
                    if ((v & SystemCpu.CR0_PE) == 0 && (sys.cr0 & SystemCpu.CR0_PE) != 0) {
                        throw new UnsupportedGuestFeature("returning to real mode (CR0.PE=0) is not supported under TCG in this build");
                    }
                    int old = sys.cr0;
                    boolean pagingOn = (v & SystemCpu.CR0_PG) != 0 && (old & SystemCpu.CR0_PG) == 0;
                    boolean pagingOff = (v & SystemCpu.CR0_PG) == 0 && (old & SystemCpu.CR0_PG) != 0;
                    if (pagingOn && (sys.efer & SystemCpu.EFER_LME) != 0) {
                        if ((sys.cr4 & CR4_PAE) == 0) {
                            throw X86Trap.generalProtection(0);
                        }
                        sys.efer |= SystemCpu.EFER_LMA;
                    }
                    if (pagingOff && (sys.efer & SystemCpu.EFER_LMA) != 0) {
                        if (X86Cpu.isLongMode(cpu.codeMode())) {
                            throw X86Trap.generalProtection(0); // 64-bit code cannot turn paging off under itself
                        }
                        sys.efer &= ~SystemCpu.EFER_LMA;
                    }
                    sys.cr0 = v | SystemCpu.CR0_ET;
                    if (((old ^ sys.cr0) & (SystemCpu.CR0_PG | CR0_WP)) != 0) {
                        sys.mmu.controlChanged();
                    }
                    if (((old ^ sys.cr0) & SystemCpu.CR0_PG) != 0) {
                        sys.pagingSwitched();
                    }
                }
                case 2 -> sys.cr2 = wide ? wideValue : v & 0xffffffffL;
                case 3 -> {
                    if ((wideValue >>> 32) != 0) {
                        throw new UnsupportedGuestFeature("CR3 0x" + Long.toHexString(wideValue)
                                + ": page tables above 4 GiB are not supported under TCG in this build");
                    }
                    sys.cr3 = v;
                    sys.mmu.addressSpaceChanged();
                }
                case 8 -> {
                    if ((wideValue & ~0xfL) != 0) {
                        throw X86Trap.generalProtection(0);
                    }
                    sys.cr8 = wideValue;
                }
                default -> {
                    if ((wideValue & ~SUPPORTED_CR4) != 0) {
                        throw X86Trap.generalProtection(0);
                    }
                    int old = sys.cr4;
                    if ((old & CR4_PAE) != 0 && (v & CR4_PAE) == 0 && (sys.efer & SystemCpu.EFER_LMA) != 0) {
                        throw X86Trap.generalProtection(0); // long mode needs PAE paging
                    }
                    sys.cr4 = v;
                    if (((old ^ v) & (CR4_PSE | CR4_PGE | CR4_PAE)) != 0) {
                        sys.mmu.controlChanged();
                    }
                }
            }
        }
    }

    /** invlpg m: the MMU forgets the page's translation. */
    static final class InvalidatePage extends X86OpBase {
        private final Operand.Memory operand;

        InvalidatePage(Operand.Memory operand) {
            this.operand = operand;
        }

        @Override
        public void exec(X86Cpu cpu) {
            system(cpu).mmu.invalidate(operand.address(cpu));
        }
    }

    static final class MoveDebugRegister extends X86OpBase {
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

    static final class ClearTaskSwitched extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            system(cpu).cr0 &= ~8;
        }
    }

    /** lgdt, lidt, sgdt, sidt: a 16-bit limit and a 32-bit base (24 bits loaded with a 16-bit operand). */
    static final class DescriptorTableRegister extends X86OpBase {
        private final boolean load;
        private final boolean interruptTable;
        private final Operand.Memory operand;
        private final boolean operand16;

        /** 64-bit code: the base is 8 bytes whatever the operand size. */
        private final boolean wide;

        DescriptorTableRegister(boolean load, boolean interruptTable, Operand.Memory operand, boolean operand16) {
            this(load, interruptTable, operand, operand16, false);
        }

        DescriptorTableRegister(boolean load, boolean interruptTable, Operand.Memory operand, boolean operand16, boolean wide) {
            this.load = load;
            this.interruptTable = interruptTable;
            this.operand = operand;
            this.operand16 = operand16;
            this.wide = wide;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            GuestMemory m = cpu.memory;
            long a = operand.address(cpu);
            long a2 = operand.address(cpu, 2);
            if (load) {
                int limit = m.read16(a);
                long base = wide ? m.read64(a2) : m.read32(a2) & (operand16 ? 0xffffffL : 0xffffffffL);
                if (interruptTable) {
                    sys.idtBase = base;
                    sys.idtLimit = limit;
                } else {
                    sys.gdtBase = base;
                    sys.gdtLimit = limit;
                }
            } else {
                m.write16(a, interruptTable ? sys.idtLimit : sys.gdtLimit);
                long base = interruptTable ? sys.idtBase : sys.gdtBase;
                if (wide) {
                    m.write64(a2, base);
                } else {
                    m.write32(a2, (int) base);
                }
            }
        }
    }

    /** rdmsr / wrmsr for the few MSRs a small kernel touches; any other index is #GP(0), as on hardware. */
    static final class ModelSpecificRegister extends X86OpBase {
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
                    case MSR_FS_BASE -> r.segBase[X86CpuState.FS] = canonical(v);
                    case MSR_GS_BASE -> r.segBase[X86CpuState.GS] = canonical(v);
                    case MSR_KERNEL_GS_BASE -> sys.kernelGsBase = canonical(v);
                    case MSR_STAR -> sys.star = v;
                    case MSR_LSTAR -> sys.lstar = canonical(v);
                    case MSR_CSTAR -> sys.cstar = canonical(v);
                    case MSR_FMASK -> sys.syscallFlagMask = v & 0xffffffffL;
                    case MSR_EFER -> {
                        if (((v ^ sys.efer) & SystemCpu.EFER_LME) != 0 && (sys.cr0 & SystemCpu.CR0_PG) != 0) {
                            throw X86Trap.generalProtection(0); // LME changes only while paging is off
                        }
                        if ((v & ~0xd01L) != 0 || ((v & 0x101) != 0 && !sys.longModeCapable())) {
                            throw X86Trap.generalProtection(0);
                        }
                        long old = sys.efer;
                        // LMA is the processor's to set (CR0.PG with LME); NXE changes what the walk allows
                        sys.efer = (v & 0x901) | (old & SystemCpu.EFER_LMA);
                        if (((old ^ sys.efer) & EFER_NXE) != 0) {
                            sys.mmu.controlChanged();
                        }
                    }
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
                case MSR_FS_BASE -> r.segBase[X86CpuState.FS];
                case MSR_GS_BASE -> r.segBase[X86CpuState.GS];
                case MSR_KERNEL_GS_BASE -> sys.kernelGsBase;
                case MSR_STAR -> sys.star;
                case MSR_LSTAR -> sys.lstar;
                case MSR_CSTAR -> sys.cstar;
                case MSR_FMASK -> sys.syscallFlagMask;
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

        /**
         * BIOS_SIGN_ID (the microcode revision Linux asks Intel CPUs for), SYSENTER_CS/ESP/EIP,
         * MISC_ENABLE, PAT, MTRR default type: stored and read back, no
         * effect here.
         */
        private static boolean known(int index) {
            return index == 0x8b || index == 0x174 || index == 0x175 || index == 0x176 || index == 0x1a0 || index == 0x277 || index == 0x2ff;
        }

        /** A base or entry point MSR takes only canonical addresses (#GP(0) otherwise, as on hardware). */
        private static long canonical(long v) {
            if ((v << 16) >> 16 != v) {
                throw X86Trap.generalProtection(0);
            }
            return v;
        }
    }
}
