package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.decode.EffectiveAddress;

/**
 * A decoded operand of a given size: a register, a memory location or an immediate. Values are
 * ints holding the operand's bits (upper bits of 8/16-bit values are don't-care on input and
 * zero-extended on output of {@link #get}).
 */
public abstract sealed class Operand permits Operand.Register, Operand.Memory, Operand.Immediate {
    public final int bits;

    Operand(int bits) {
        this.bits = bits;
    }

    public abstract int get(X86Cpu cpu);

    public abstract void set(X86Cpu cpu, int value);

    public static Operand register(int bits, int reg) {
        return new Register(bits, reg);
    }

    public static Operand memory(int bits, EffectiveAddress ea) {
        return new Memory(bits, ea);
    }

    public static Operand immediate(int bits, int value) {
        return new Immediate(bits, value);
    }

    /** Writes the low 16 bits of a register (generated code calls this). */
    static void setRegister16(int[] regs, int reg, int value) {
        regs[reg] = (regs[reg] & ~0xffff) | (value & 0xffff);
    }

    /** Writes an 8-bit register: numbers 4-7 are AH, CH, DH, BH (generated code calls this). */
    static void setRegister8(int[] regs, int reg, int value) {
        if (reg < 4) {
            regs[reg] = (regs[reg] & ~0xff) | (value & 0xff);
        } else {
            regs[reg - 4] = (regs[reg - 4] & ~0xff00) | ((value & 0xff) << 8);
        }
    }

    /** Zero-extends {@code value} from {@code bits}. */
    static int zeroExtend(int bits, int value) {
        return switch (bits) {
            case 8 -> value & 0xff;
            case 16 -> value & 0xffff;
            default -> value;
        };
    }

    static int signExtend(int bits, int value) {
        return switch (bits) {
            case 8 -> (byte) value;
            case 16 -> (short) value;
            default -> value;
        };
    }

    /** A general register; 8-bit numbers 4-7 are AH, CH, DH, BH. */
    public static final class Register extends Operand {
        public final int reg;

        Register(int bits, int reg) {
            super(bits);
            this.reg = reg;
        }

        @Override
        public int get(X86Cpu cpu) {
            int[] r = cpu.state.regs;
            return switch (bits) {
                case 8 -> reg < 4 ? r[reg] & 0xff : (r[reg - 4] >>> 8) & 0xff;
                case 16 -> r[reg] & 0xffff;
                default -> r[reg];
            };
        }

        @Override
        public void set(X86Cpu cpu, int value) {
            int[] r = cpu.state.regs;
            switch (bits) {
                case 8 -> {
                    if (reg < 4) {
                        r[reg] = (r[reg] & ~0xff) | (value & 0xff);
                    } else {
                        r[reg - 4] = (r[reg - 4] & ~0xff00) | ((value & 0xff) << 8);
                    }
                }
                case 16 -> r[reg] = (r[reg] & ~0xffff) | (value & 0xffff);
                default -> r[reg] = value;
            }
        }
    }

    /** A memory location. */
    public static final class Memory extends Operand {
        public final EffectiveAddress ea;
        final int base;
        final int index;
        final int scale;
        final int displacement;
        final int segment;
        final boolean address16;

        Memory(int bits, EffectiveAddress ea) {
            super(bits);
            this.ea = ea;
            this.base = ea.base();
            this.index = ea.index();
            this.scale = ea.scale();
            this.displacement = ea.displacement();
            this.segment = ea.segment();
            this.address16 = ea.addressBits() == 16;
        }

        /** The offset within the segment (what lea yields). */
        public int offset(X86CpuState s) {
            int a = displacement;
            if (base >= 0) {
                a += s.regs[base];
            }
            if (index >= 0) {
                a += s.regs[index] << scale;
            }
            return address16 ? a & 0xffff : a;
        }

        /** The linear address. */
        public long address(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            return (offset(s) + s.segBase[segment]) & 0xffffffffL;
        }

        /** The linear address of {@code delta} bytes past the operand (wrapping in 32 bits). */
        public long address(X86Cpu cpu, int delta) {
            X86CpuState s = cpu.state;
            return (offset(s) + delta + s.segBase[segment]) & 0xffffffffL;
        }

        @Override
        public int get(X86Cpu cpu) {
            long a = address(cpu);
            return switch (bits) {
                case 8 -> cpu.memory.read8(a);
                case 16 -> cpu.memory.read16(a);
                default -> cpu.memory.read32(a);
            };
        }

        @Override
        public void set(X86Cpu cpu, int value) {
            long a = address(cpu);
            switch (bits) {
                case 8 -> cpu.memory.write8(a, value);
                case 16 -> cpu.memory.write16(a, value);
                default -> cpu.memory.write32(a, value);
            }
        }
    }

    /** An immediate (already sign- or zero-extended as the instruction defines). */
    public static final class Immediate extends Operand {
        public final int value;

        Immediate(int bits, int value) {
            super(bits);
            this.value = zeroExtend(bits, value);
        }

        @Override
        public int get(X86Cpu cpu) {
            return value;
        }

        @Override
        public void set(X86Cpu cpu, int value) {
            throw new IllegalStateException("write to an immediate");
        }
    }
}
