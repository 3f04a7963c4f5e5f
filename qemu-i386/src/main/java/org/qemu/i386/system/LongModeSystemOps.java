package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.cpu.X86Trap;

/**
 * The system instructions of 64-bit code (Intel SDM vol. 2): iretq (and iretd there), far
 * returns, popf with the IF/IOPL rules, syscall/sysret with STAR, LSTAR and FMASK, and swapgs.
 * Each reads its whole frame and checks it before it changes anything.
 */
final class LongModeSystemOps {
    private static final int NT = 1 << 14;
    private static final int RF = 1 << 16;
    /** RFLAGS bits sysret restores from R11 (RF and VM stay clear; bit 1 is always set). */
    private static final int SYSRET_FLAGS = 0x3c7fd7;

    private LongModeSystemOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /** Values popped off RSP in {@code bytes}-wide slots, RSP untouched until {@link #rsp()} is committed. */
    private static final class Frame {
        private final GuestMemory memory;
        private final int bytes;
        private long rsp;

        Frame(X86Cpu cpu, int bits) {
            this.memory = cpu.memory;
            this.bytes = bits / 8;
            this.rsp = cpu.state.regs[X86CpuState.ESP];
        }

        long pop() {
            long v = switch (bytes) {
                case 8 -> memory.read64(rsp);
                case 4 -> memory.read32(rsp) & 0xffffffffL;
                default -> memory.read16(rsp);
            };
            rsp += bytes;
            return v;
        }

        long rsp() {
            return rsp;
        }
    }

    /**
     * iret in 64-bit code (iretq with REX.W): RIP, CS, RFLAGS, RSP and SS are always popped; to
     * the same or an outer ring, to 64-bit or compatibility-mode code. NT set is #GP(0): there
     * are no task switches in long mode.
     */
    static final class InterruptReturn extends X86OpBase {
        private final int bits;

        InterruptReturn(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            if ((s.eflagsOther & NT) != 0) {
                throw X86Trap.generalProtection(0);
            }
            Frame frame = new Frame(cpu, bits);
            long rip = frame.pop();
            int cs = (int) frame.pop() & 0xffff;
            long popped = frame.pop();
            long rsp = frame.pop();
            int ss = (int) frame.pop() & 0xffff;
            int flags = bits == 16 ? (s.eflags() & ~0xffff) | (int) (popped & 0xffff) : (int) popped;
            int cpl = sys.cpl();
            long code = sys.loader.codeDescriptor(cs);
            int returnCpl = rpl(cs);
            if (returnCpl < cpl || (SegmentDescriptors.conforming(code) ? dpl(code) > returnCpl : dpl(code) != returnCpl)) {
                throw ProtectionFaults.badSelector(cs);
            }
            SegmentLoader.requirePresent(code, cs);
            boolean toLongMode = (code & SegmentDescriptors.LONG_MODE) != 0;
            long stack = 0;
            boolean nullStack = SegmentDescriptors.isNull(ss);
            if (nullStack) {
                // a null SS is allowed returning to 64-bit code outside ring 3 (SDM vol. 2, IRET)
                if (!toLongMode || returnCpl == 3) {
                    throw ProtectionFaults.generalProtection(0);
                }
            } else {
                stack = sys.loader.stackDescriptorFor(ss, returnCpl, false);
            }
            int newFlags = InterruptOps.mergeFlags(s.eflags(), flags, cpl);
            sys.loader.enterCode(cs, code, returnCpl);
            if (nullStack) {
                s.segSelector[X86CpuState.SS] = ss;
                s.segBase[X86CpuState.SS] = 0;
                sys.segmentDescriptor[X86CpuState.SS] = 0;
            } else {
                sys.loader.enterStack(ss, stack);
            }
            if (returnCpl > cpl) {
                sys.loader.nullInaccessibleDataSegments(returnCpl);
            }
            s.setEflags(newFlags);
            s.regs[X86CpuState.ESP] = toLongMode ? rsp : rsp & 0xffffffffL;
            s.rip = toLongMode ? rip : rip & 0xffffffffL;
            sys.checkPendingInterrupt();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /**
     * Far return in 64-bit code (lretq with REX.W, Linux's way of reloading CS): RIP and CS, plus
     * RSP and SS to an outer ring; {@code release} bytes of parameters dropped.
     */
    static final class FarReturn extends X86OpBase {
        private final int bits;
        private final int release;

        FarReturn(int bits, int release) {
            this.bits = bits;
            this.release = release;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            Frame frame = new Frame(cpu, bits);
            long rip = frame.pop();
            int cs = (int) frame.pop() & 0xffff;
            long code = sys.loader.codeDescriptor(cs);
            int cpl = sys.cpl();
            int returnCpl = rpl(cs);
            if (returnCpl < cpl || (SegmentDescriptors.conforming(code) ? dpl(code) > returnCpl : dpl(code) != returnCpl)) {
                throw ProtectionFaults.badSelector(cs);
            }
            SegmentLoader.requirePresent(code, cs);
            if (returnCpl != cpl) {
                throw new UnsupportedGuestFeature("far return to an outer ring from 64-bit code is not supported under TCG in this build");
            }
            boolean toLongMode = (code & SegmentDescriptors.LONG_MODE) != 0;
            sys.loader.enterCode(cs, code, cpl);
            s.regs[X86CpuState.ESP] = frame.rsp() + release;
            s.rip = toLongMode ? rip : rip & 0xffffffffL;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** popf in 64-bit code: 8 bytes (2 with 0x66); IF and IOPL as the privilege level allows; RF cleared. */
    static final class PopFlags extends X86OpBase {
        private final int bits;

        PopFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            Frame frame = new Frame(cpu, bits);
            int popped = (int) frame.pop();
            int old = s.eflags();
            int flags = bits == 16 ? (old & ~0xffff) | (popped & 0xffff) : popped;
            s.setEflags(InterruptOps.mergeFlags(old, flags, sys.cpl()) & ~RF);
            s.regs[X86CpuState.ESP] = frame.rsp();
            sys.checkPendingInterrupt();
        }
    }

    /**
     * syscall (SDM vol. 2): #UD unless EFER.SCE; RCX = the next RIP, R11 = RFLAGS, CS and SS
     * from STAR[47:32] as flat ring-0 segments, RIP = LSTAR, RFLAGS &= ~FMASK.
     */
    static final class SystemCall extends X86OpBase {
        private final long next;
        private final long address;

        SystemCall(long address, long next) {
            this.address = address;
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            if ((sys.efer & SystemCpu.EFER_SCE) == 0) {
                throw X86Trap.invalidOpcode(address);
            }
            int selector = (int) (sys.star >>> 32) & 0xfffc;
            s.regs[X86CpuState.ECX] = next;
            s.regs[11] = s.eflags() & ~RF & 0xffffffffL;
            s.setEflags(s.eflags() & ~(int) sys.syscallFlagMask & ~RF);
            sys.loader.enterFlat(selector, SegmentDescriptors.FLAT_KERNEL_CODE64, selector + 8, SegmentDescriptors.FLAT_KERNEL_DATA, 0);
            s.rip = sys.lstar;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /**
     * sysret (SDM vol. 2): #UD unless EFER.SCE, #GP(0) above CPL 0; to 64-bit code with REX.W
     * (CS = STAR[63:48] + 16, RIP = RCX), else to compatibility mode (CS = STAR[63:48], EIP = ECX);
     * SS = STAR[63:48] + 8; RFLAGS from R11; CPL 3. A non-canonical RCX is #GP(0) here.
     */
    static final class SystemReturn extends X86OpBase {
        private final boolean to64;
        private final long address;

        SystemReturn(boolean to64, long address) {
            this.to64 = to64;
            this.address = address;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            if ((sys.efer & SystemCpu.EFER_SCE) == 0) {
                throw X86Trap.invalidOpcode(address);
            }
            if (sys.cpl() != 0) {
                throw X86Trap.generalProtection(0);
            }
            long rip = s.regs[X86CpuState.ECX];
            if (to64 && (rip << 16) >> 16 != rip) {
                throw X86Trap.generalProtection(0);
            }
            int base = (int) (sys.star >>> 48) & 0xffff;
            int code = (to64 ? base + 16 : base) | 3;
            s.setEflags(((int) s.regs[11] & SYSRET_FLAGS) | 2);
            sys.loader.enterFlat(code, to64 ? SegmentDescriptors.FLAT_USER_CODE64 : SegmentDescriptors.FLAT_USER_CODE32,
                    (base + 8) | 3, SegmentDescriptors.FLAT_USER_DATA, 3);
            s.rip = to64 ? rip : rip & 0xffffffffL;
            sys.checkPendingInterrupt();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** swapgs (0F 01 F8): the GS base and KERNEL_GS_BASE trade places. */
    static final class SwapGs extends X86OpBase {
        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            long gs = s.segBase[X86CpuState.GS];
            s.segBase[X86CpuState.GS] = sys.kernelGsBase;
            sys.kernelGsBase = gs;
        }
    }
}
