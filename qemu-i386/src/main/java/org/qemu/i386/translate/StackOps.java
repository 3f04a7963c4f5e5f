package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * push/pop and friends. The stack is 32-bit (a flat SS), esp changes only after the memory
 * access succeeded, so a fault on the stack leaves esp as it was.
 */
final class StackOps {
    private StackOps() {
    }

    private static long linear(X86Cpu cpu, int offset) {
        return (offset + cpu.state.segBase[X86CpuState.SS]) & 0xffffffffL;
    }

    static void push(X86Cpu cpu, int bits, int value) {
        X86CpuState r = cpu.state;
        int esp = r.reg32(X86CpuState.ESP) - bits / 8;
        if (bits == 16) {
            cpu.memory.write16(linear(cpu, esp), value);
        } else {
            cpu.memory.write32(linear(cpu, esp), value);
        }
        r.setReg32(X86CpuState.ESP, esp);
    }

    /** The value on top of the stack (zero-extended when 16-bit), without popping it. */
    static int peek(X86Cpu cpu, int bits) {
        int esp = cpu.state.reg32(X86CpuState.ESP);
        return bits == 16 ? cpu.memory.read16(linear(cpu, esp)) : cpu.memory.read32(linear(cpu, esp));
    }

    static int pop(X86Cpu cpu, int bits) {
        int v = peek(cpu, bits);
        cpu.state.setReg32(X86CpuState.ESP, cpu.state.reg32(X86CpuState.ESP) + bits / 8);
        return v;
    }

    static final class Push extends X86OpBase {
        final Operand src;
        final int bits;

        Push(Operand src, int bits) {
            this.src = src;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            push(cpu, bits, src.get(cpu));
        }
    }

    /** pop r/m; a memory destination addressed through esp sees esp after the pop, as on hardware. */
    static final class Pop extends X86OpBase {
        final Operand dst;
        final int bits;

        Pop(Operand dst, int bits) {
            this.dst = dst;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int oldEsp = r.reg32(X86CpuState.ESP);
            int v = peek(cpu, bits);
            r.setReg32(X86CpuState.ESP, oldEsp + bits / 8);
            try {
                dst.set(cpu, v);
            } catch (RuntimeException e) {
                r.setReg32(X86CpuState.ESP, oldEsp);
                throw e;
            }
        }
    }

    static final class PushAll extends X86OpBase {
        final int bits;

        PushAll(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int esp = r.reg32(X86CpuState.ESP);
            int size = bits / 8;
            cpu.memory.checkRange(linear(cpu, esp - 8 * size), 8L * size, true);
            for (int i = 0; i < 8; i++) {
                int v = i == X86CpuState.ESP ? esp : r.reg32(i);
                long a = linear(cpu, esp - (i + 1) * size);
                if (bits == 16) {
                    cpu.memory.write16(a, v);
                } else {
                    cpu.memory.write32(a, v);
                }
            }
            r.setReg32(X86CpuState.ESP, esp - 8 * size);
        }
    }

    static final class PopAll extends X86OpBase {
        final int bits;

        PopAll(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int esp = r.reg32(X86CpuState.ESP);
            int size = bits / 8;
            int[] values = new int[8];
            for (int i = 0; i < 8; i++) {
                long a = linear(cpu, esp + (7 - i) * size);
                values[i] = bits == 16 ? cpu.memory.read16(a) : cpu.memory.read32(a);
            }
            for (int i = 0; i < 8; i++) {
                if (i != X86CpuState.ESP) {
                    r.setReg32(i, bits == 16 ? (r.reg32(i) & ~0xffff) | values[i] : values[i]);
                }
            }
            r.setReg32(X86CpuState.ESP, esp + 8 * size);
        }
    }

    static final class PushFlags extends X86OpBase {
        final int bits;

        PushFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            // VM and RF read as 0 in the pushed image
            push(cpu, bits, cpu.state.eflags() & ~0x30000);
        }
    }

    static final class PopFlags extends X86OpBase {
        final int bits;

        PopFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            int v = pop(cpu, bits);
            int writable = X86CpuState.USER_WRITABLE_FLAGS & (bits == 16 ? 0xffff : -1);
            int old = s.eflags();
            s.setEflags((old & ~writable) | (v & writable));
        }
    }

    /** enter size, level. */
    static final class Enter extends X86OpBase {
        final int size;
        final int level;
        final int bits;

        Enter(int size, int level, int bits) {
            this.size = size;
            this.level = level & 31;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int oldEsp = r.reg32(X86CpuState.ESP);
            int oldEbp = r.reg32(X86CpuState.EBP);
            int step = bits / 8;
            try {
                push(cpu, bits, oldEbp);
                int frame = r.reg32(X86CpuState.ESP);
                int ebp = oldEbp;
                for (int i = 1; i < level; i++) {
                    ebp -= step;
                    push(cpu, bits, bits == 16 ? cpu.memory.read16(linear(cpu, ebp)) : cpu.memory.read32(linear(cpu, ebp)));
                }
                if (level > 0) {
                    push(cpu, bits, frame);
                }
                if (bits == 16) {
                    r.setReg32(X86CpuState.EBP, (oldEbp & ~0xffff) | (frame & 0xffff));
                } else {
                    r.setReg32(X86CpuState.EBP, frame);
                }
                r.setReg32(X86CpuState.ESP, r.reg32(X86CpuState.ESP) - size);
            } catch (RuntimeException e) {
                r.setReg32(X86CpuState.ESP, oldEsp);
                r.setReg32(X86CpuState.EBP, oldEbp);
                throw e;
            }
        }
    }

    static final class Leave extends X86OpBase {
        final int bits;

        Leave(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            int ebp = r.reg32(X86CpuState.EBP);
            int v = bits == 16 ? cpu.memory.read16(linear(cpu, ebp)) : cpu.memory.read32(linear(cpu, ebp));
            r.setReg32(X86CpuState.ESP, ebp + bits / 8);
            r.setReg32(X86CpuState.EBP, bits == 16 ? (r.reg32(X86CpuState.EBP) & ~0xffff) | v : v);
        }
    }

    /**
     * push of a segment register: the selector zero-extended to the operand size. In 64-bit code
     * ({@code longMode}: push fs/gs) the stack is rsp's, 64 bits a slot (16 with 0x66); some Intel
     * processors write only the low 16 bits of such a slot, AMD's (this project's reference host)
     * and QEMU's the whole zero-extended selector, as this does.
     */
    static final class PushSegment extends X86OpBase {
        final int segment;
        final int bits;
        final boolean longMode;

        PushSegment(int segment, int bits) {
            this(segment, bits, false);
        }

        PushSegment(int segment, int bits, boolean longMode) {
            this.segment = segment;
            this.bits = bits;
            this.longMode = longMode;
        }

        @Override
        public void exec(X86Cpu cpu) {
            int selector = cpu.state.segSelector[segment];
            if (longMode) {
                LongModeOps.push(cpu, bits, selector);
            } else {
                push(cpu, bits, selector);
            }
        }
    }

    /**
     * pop of a segment register: loads the popped selector (in 64-bit code a null one clears the
     * FS/GS base, as on this host), and moves the stack pointer only once the load succeeded, so
     * an invalid selector's #GP leaves the stack as it was.
     */
    static final class PopSegment extends X86OpBase {
        final int segment;
        final int bits;
        final boolean longMode;

        PopSegment(int segment, int bits) {
            this(segment, bits, false);
        }

        PopSegment(int segment, int bits, boolean longMode) {
            this.segment = segment;
            this.bits = bits;
            this.longMode = longMode;
        }

        @Override
        public void exec(X86Cpu cpu) {
            if (longMode) {
                cpu.loadSegment(segment, (int) LongModeOps.peek(cpu, bits) & 0xffff);
                cpu.state.regs[X86CpuState.ESP] += bits / 8;
            } else {
                cpu.loadSegment(segment, peek(cpu, bits));
                cpu.state.setReg32(X86CpuState.ESP, cpu.state.reg32(X86CpuState.ESP) + bits / 8);
            }
        }
    }

}
