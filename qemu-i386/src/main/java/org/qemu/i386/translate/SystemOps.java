package org.qemu.i386.translate;

import static org.qemu.i386.cpu.X86CpuState.AF;
import static org.qemu.i386.cpu.X86CpuState.CF;
import static org.qemu.i386.cpu.X86CpuState.OF;
import static org.qemu.i386.cpu.X86CpuState.PF;
import static org.qemu.i386.cpu.X86CpuState.SF;
import static org.qemu.i386.cpu.X86CpuState.ZF;

import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.i386.cpu.CpuidTable;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;

/** Flag instructions, BCD adjusts, cpuid, rdtsc, int 0x80, traps, segment moves, nop. */
public final class SystemOps {
    private SystemOps() {
    }

    static final class Nop extends X86OpBase {
        static final Nop INSTANCE = new Nop();

        @Override
        public void exec(X86Cpu cpu) {
        }
    }

    /** Raises a fixed trap (ud2, undefined opcodes, privileged instructions, int3, int n). */
    public static final class Trap extends X86OpBase {
        private final X86Trap trap;

        public Trap(X86Trap trap) {
            this.trap = trap;
        }

        @Override
        public void exec(X86Cpu cpu) {
            throw trap;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** Raises the fault met while fetching an instruction, when (and only if) execution reaches it. */
    static final class FetchFault extends X86OpBase {
        private final GuestMemoryFault fault;

        FetchFault(GuestMemoryFault fault) {
            this.fault = fault;
        }

        /**
         * The fault was met when the block was translated, but the block may run again long
         * after, when the page its last instruction runs into is mapped (a page-fault handler
         * mapped it, or the block was kept across a flush or parked and revived in another
         * process): the fetch is tried again now. Still failing, it raises the fault of now (with
         * the MMU's error code for it); mapped now, the instruction is translated afresh from the
         * bytes there and run alone (the run loop's path for code overwritten under it).
         */
        @Override
        public void exec(X86Cpu cpu) {
            cpu.memory.fetch8(fault.address());
            throw org.qemu.common.tcg.RunningCodeOverwritten.INSTANCE;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** int 0x80: the Linux system call. eip moves past it, then the runtime takes over. */
    static final class SystemCall extends X86OpBase {
        private final int next;

        SystemCall(int next) {
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.setEip(next);
            cpu.requestSyscall();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** into: #OF when OF is set (Linux delivers SIGSEGV), else nothing. */
    static final class InterruptOnOverflow extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            if (LazyFlags.condition(cpu.state, 0)) {
                throw X86Trap.overflow();
            }
        }
    }

    /**
     * bound: the signed index must lie within the pair of limits in memory (lower, then upper,
     * each of the operand size), otherwise #BR, a fault at the instruction.
     */
    static final class CheckBounds extends X86OpBase {
        private final Operand index;
        private final Operand.Memory limits;

        CheckBounds(Operand index, Operand limits) {
            this.index = index;
            this.limits = (Operand.Memory) limits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int bits = index.bits;
            long lowerAddress = limits.address(cpu);
            long upperAddress = limits.address(cpu, bits / 8);
            int value = index.get(cpu);
            int lower = bits == 16 ? (short) cpu.memory.read16(lowerAddress) : cpu.memory.read32(lowerAddress);
            int upper = bits == 16 ? (short) cpu.memory.read16(upperAddress) : cpu.memory.read32(upperAddress);
            if (bits == 16) {
                value = (short) value;
            }
            if (value < lower || value > upper) {
                throw X86Trap.boundRangeExceeded();
            }
        }
    }

    static final int CLC = 0, STC = 1, CMC = 2, CLD = 3, STD = 4;

    static final class FlagOp extends X86OpBase {
        private final int kind;

        FlagOp(int kind) {
            this.kind = kind;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            switch (kind) {
                case CLC -> LazyFlags.modify(s, CF, 0);
                case STC -> LazyFlags.modify(s, CF, CF);
                case CMC -> LazyFlags.modify(s, CF, LazyFlags.carry(s) ^ 1);
                case CLD -> s.eflagsOther &= ~X86CpuState.DF;
                default -> s.eflagsOther |= X86CpuState.DF;
            }
        }
    }

    static final class LoadFlagsIntoAh extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            int f = LazyFlags.arithmetic(cpu.state) & (SF | ZF | AF | PF | CF) | 2;
            X86CpuState r = cpu.state;
            r.setReg8High(X86CpuState.EAX, f);
        }
    }

    static final class StoreAhIntoFlags extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            int ah = (cpu.state.reg32(X86CpuState.EAX) >> 8) & 0xff;
            LazyFlags.modify(cpu.state, SF | ZF | AF | PF | CF, ah);
        }
    }

    static final class Cpuid extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            CpuidTable.query(cpu.state, X86Cpu.isLongMode(cpu.codeMode()));
        }
    }

    /** rdtsc: a monotonic nanosecond count stands for the time stamp counter. */
    static final class ReadTimeStampCounter extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            long t = System.nanoTime();
            cpu.state.setReg32(X86CpuState.EAX, (int) t);
            cpu.state.setReg32(X86CpuState.EDX, (int) (t >>> 32));
        }
    }

    /** mov Sreg, r/m16. */
    static final class LoadSegment extends X86OpBase {
        private final int segment;
        private final Operand src;

        LoadSegment(int segment, Operand src) {
            this.segment = segment;
            this.src = src;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.loadSegment(segment, src.get(cpu) & 0xffff);
        }
    }

    /** mov r/m, Sreg: a register destination of 32 bits gets the selector zero-extended. */
    static final class StoreSegment extends X86OpBase {
        private final int segment;
        private final Operand dst;

        StoreSegment(int segment, Operand dst) {
            this.segment = segment;
            this.dst = dst;
        }

        @Override
        public void exec(X86Cpu cpu) {
            dst.set(cpu, cpu.state.segSelector[segment]);
        }
    }

    static final int DAA = 0, DAS = 1, AAA = 2, AAS = 3;

    /** Decimal adjust after addition/subtraction (packed and unpacked BCD). */
    static final class DecimalAdjust extends X86OpBase {
        private final int kind;

        DecimalAdjust(int kind) {
            this.kind = kind;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            X86CpuState r = s;
            int eax = r.reg32(X86CpuState.EAX);
            int al = eax & 0xff;
            int f = LazyFlags.arithmetic(s);
            boolean cf = (f & CF) != 0;
            boolean af = (f & AF) != 0;
            switch (kind) {
                case DAA, DAS -> {
                    int oldAl = al;
                    boolean oldCf = cf;
                    boolean newCf = false;
                    boolean newAf = false;
                    if ((al & 0x0f) > 9 || af) {
                        al = kind == DAA ? al + 6 : al - 6;
                        newCf = oldCf || (kind == DAA ? al > 0xff : al < 0);
                        al &= 0xff;
                        newAf = true;
                    }
                    if (oldAl > 0x99 || oldCf) {
                        al = (kind == DAA ? al + 0x60 : al - 0x60) & 0xff;
                        newCf = true;
                    }
                    r.setReg32(X86CpuState.EAX, (eax & ~0xff) | al);
                    int flags = (newCf ? CF : 0) | (newAf ? AF : 0) | (al == 0 ? ZF : 0) | ((al & 0x80) != 0 ? SF : 0)
                            | ((Integer.bitCount(al) & 1) == 0 ? PF : 0) | (f & OF);
                    LazyFlags.setFlags(s, flags);
                }
                default -> {
                    int ax = eax & 0xffff;
                    if ((al & 0x0f) > 9 || af) {
                        if (kind == AAA) {
                            ax = ax + 0x106;
                        } else {
                            ax = (ax - 6) & 0xffff; // as the SDM says: the borrow of AL - 6 reaches AH, then AH - 1
                            ax = (ax & 0xff) | (((ax >> 8) - 1) & 0xff) << 8;
                        }
                        cf = true;
                        af = true;
                    } else {
                        cf = false;
                        af = false;
                    }
                    ax = ax & 0xff0f;
                    r.setReg32(X86CpuState.EAX, (eax & ~0xffff) | (ax & 0xffff));
                    LazyFlags.modify(s, CF | AF, (cf ? CF : 0) | (af ? AF : 0));
                }
            }
        }
    }

    /** aam base / aad base. */
    static final class AsciiAdjustMultiplyDivide extends X86OpBase {
        private final boolean multiply;
        private final int base;

        AsciiAdjustMultiplyDivide(boolean multiply, int base) {
            this.multiply = multiply;
            this.base = base;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int eax = r.reg32(X86CpuState.EAX);
            int al = eax & 0xff;
            int ah = (eax >> 8) & 0xff;
            int result;
            if (multiply) {
                if (base == 0) {
                    throw X86Trap.divideError(0);
                }
                ah = al / base;
                al = al % base;
            } else {
                al = (al + ah * base) & 0xff;
                ah = 0;
            }
            result = al;
            r.setReg32(X86CpuState.EAX, (eax & ~0xffff) | ah << 8 | al);
            LazyFlags.setLogic(cpu.state, 8, result);
        }
    }
}
