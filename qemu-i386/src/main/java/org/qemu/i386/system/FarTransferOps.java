package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.translate.Operand;

/** Far jmp, call and ret within CPL 0: CS comes from the GDT. */
final class FarTransferOps {
    private FarTransferOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /** ljmp/lcall ptr16:32 (or ptr16:16), or through a memory operand m16:32 when {@code pointer} is set. */
    static final class FarJump implements X86Op {
        private final int selector;
        private final int offset;
        private final Operand.Memory pointer;
        private final int bits;
        /** The return address for a far call; null for a jump. */
        private final Integer returnAddress;

        FarJump(int selector, int offset, Operand.Memory pointer, int bits, Integer returnAddress) {
            this.selector = selector;
            this.offset = offset;
            this.pointer = pointer;
            this.bits = bits;
            this.returnAddress = returnAddress;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            int sel = selector;
            int target = offset;
            if (pointer != null) {
                target = bits == 16 ? cpu.memory.read16(pointer.address(cpu)) : cpu.memory.read32(pointer.address(cpu));
                sel = cpu.memory.read16(pointer.address(cpu, bits / 8));
            }
            int oldCs = s.segSelector[X86CpuState.CS];
            sys.segments.loadCodeSegment(s, sel);
            if (returnAddress != null) {
                if (bits == 16) {
                    sys.push16(oldCs);
                    sys.push16(returnAddress);
                } else {
                    sys.push(oldCs);
                    sys.push(returnAddress);
                }
            }
            s.setEip(bits == 16 ? target & 0xffff : target);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** lret [imm16]. */
    static final class FarReturn implements X86Op {
        private final int release;
        private final int bits;

        FarReturn(int release, int bits) {
            this.release = release;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            int esp = s.reg32(X86CpuState.ESP);
            int eip = bits == 16 ? sys.pop16() : sys.pop();
            int cs = (bits == 16 ? sys.pop16() : sys.pop()) & 0xffff;
            try {
                sys.segments.loadCodeSegment(s, cs);
            } catch (RuntimeException e) {
                s.setReg32(X86CpuState.ESP, esp);
                throw e;
            }
            s.setReg32(X86CpuState.ESP, s.reg32(X86CpuState.ESP) + release);
            s.setEip(eip);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }
}
