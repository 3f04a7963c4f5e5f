package org.qemu.i386.translate;

import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/** Branches: jmp, jcc, call, ret, loop, jcxz, plus the plain fall-through that closes a block. */
final class ControlOps {
    private ControlOps() {
    }

    /** Sets eip to a fixed address: the end of a block that stops without a branch. */
    static final class Goto extends X86OpBase {
        final int target;

        Goto(int target) {
            this.target = target;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.setEip(target);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final class ConditionalJump extends X86OpBase {
        final int cc;
        final int target;
        final int fallThrough;

        ConditionalJump(int cc, int target, int fallThrough) {
            this.cc = cc;
            this.target = target;
            this.fallThrough = fallThrough;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.setEip(LazyFlags.condition(cpu.state, cc) ? target : fallThrough);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** jmp r/m. */
    static final class IndirectJump extends X86OpBase {
        final Operand target;

        IndirectJump(Operand target) {
            this.target = target;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.setEip(target.get(cpu));
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** call rel and call r/m: the target is read before the return address is pushed. */
    static final class Call extends X86OpBase {
        final Operand indirectTarget;
        final int target;
        final int returnAddress;
        final int bits;

        Call(Operand indirectTarget, int target, int returnAddress, int bits) {
            this.indirectTarget = indirectTarget;
            this.target = target;
            this.returnAddress = returnAddress;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int t = indirectTarget == null ? target : indirectTarget.get(cpu);
            StackOps.push(cpu, bits, returnAddress);
            cpu.state.setEip(t);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final class Return extends X86OpBase {
        final int release;
        final int bits;

        Return(int release, int bits) {
            this.release = release;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            int t = StackOps.peek(cpu, bits);
            s.setReg32(X86CpuState.ESP, s.reg32(X86CpuState.ESP) + bits / 8 + release);
            s.setEip(t);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final int LOOPNE = 0, LOOPE = 1, LOOP = 2, JCXZ = 3;

    /** loop/loope/loopne (decrement the count register, then test) and jcxz/jecxz. */
    static final class Loop extends X86OpBase {
        final int kind;
        final int target;
        final int fallThrough;
        final boolean count16;

        Loop(int kind, int target, int fallThrough, boolean count16) {
            this.kind = kind;
            this.target = target;
            this.fallThrough = fallThrough;
            this.count16 = count16;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            X86CpuState r = s;
            boolean taken;
            if (kind == JCXZ) {
                taken = (count16 ? r.reg32(X86CpuState.ECX) & 0xffff : r.reg32(X86CpuState.ECX)) == 0;
            } else {
                int c;
                if (count16) {
                    c = (r.reg32(X86CpuState.ECX) - 1) & 0xffff;
                    r.setReg32(X86CpuState.ECX, (r.reg32(X86CpuState.ECX) & ~0xffff) | c);
                } else {
                    c = r.reg32(X86CpuState.ECX) - 1;
                    r.setReg32(X86CpuState.ECX, c);
                }
                taken = c != 0;
                if (kind == LOOPE) {
                    taken &= LazyFlags.condition(s, 4);
                } else if (kind == LOOPNE) {
                    taken &= LazyFlags.condition(s, 5);
                }
            }
            s.setEip(taken ? target : fallThrough);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }
}
