package org.qemu.i386.translate;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.decode.EffectiveAddress;

/**
 * A decoded operand of a given size: a register, a memory location or an immediate. Values are
 * ints holding the operand's bits (upper bits of 8/16-bit values are don't-care on input and
 * zero-extended on output of {@link #get}); 64-bit operands (long mode) use {@link #getLong} and
 * {@link #setLong}.
 */
public abstract sealed class Operand permits Operand.Register, Operand.Memory, Operand.Immediate {
    public final int bits;

    Operand(int bits) {
        this.bits = bits;
    }

    // The four accessors test the operand's class themselves instead of being overridden: an op's
    // operand call site sees all three classes, which HotSpot dispatches through the vtable (it
    // inlines at most two receiver types), and the interpreted tier makes two or three such calls
    // per op. Type tests on final classes are a compare each and let the accessor be inlined.

    public final int get(X86Cpu cpu) {
        if (this instanceof Register r) {
            return r.readInt(cpu);
        }
        if (this instanceof Immediate i) {
            return i.value;
        }
        return ((Memory) this).readInt(cpu);
    }

    public final void set(X86Cpu cpu, int value) {
        if (this instanceof Register r) {
            r.writeInt(cpu, value);
        } else if (this instanceof Memory m) {
            m.writeInt(cpu, value);
        } else {
            throw new IllegalStateException("write to an immediate");
        }
    }

    /** The value as a long: a 64-bit operand whole, smaller ones zero-extended (immediates: see {@link Immediate}). */
    public final long getLong(X86Cpu cpu) {
        if (this instanceof Register r) {
            return r.readLong(cpu);
        }
        if (this instanceof Immediate i) {
            return i.longValue;
        }
        return ((Memory) this).readLong(cpu);
    }

    /** Writes a 64-bit operand; smaller ones take the low bits as {@link #set} does. */
    public final void setLong(X86Cpu cpu, long value) {
        if (this instanceof Register r) {
            r.writeLong(cpu, value);
        } else if (this instanceof Memory m) {
            m.writeLong(cpu, value);
        } else {
            throw new IllegalStateException("write to an immediate");
        }
    }

    public static Operand register(int bits, int reg) {
        return new Register(bits, reg);
    }

    public static Operand memory(int bits, EffectiveAddress ea) {
        return new Memory(bits, ea);
    }

    public static Operand immediate(int bits, int value) {
        return new Immediate(bits, value);
    }

    /** The immediate of mov r64, imm64. */
    public static Operand immediate64(long value) {
        return new Immediate(value);
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

    /**
     * A general register (0-15); 8-bit numbers 4-7 are AH, CH, DH, BH, and 20-23 SPL, BPL, SIL,
     * DIL (the low bytes of registers 4-7 that a REX prefix selects).
     */
    public static final class Register extends Operand {
        public final int reg;

        Register(int bits, int reg) {
            super(bits);
            this.reg = reg;
        }

        int readInt(X86Cpu cpu) {
            X86CpuState r = cpu.state;
            return switch (bits) {
                case 8 -> reg < 4 || reg >= 8 ? r.reg32(reg & 15) & 0xff : (r.reg32(reg - 4) >>> 8) & 0xff;
                case 16 -> r.reg32(reg) & 0xffff;
                default -> r.reg32(reg);
            };
        }

        void writeInt(X86Cpu cpu, int value) {
            X86CpuState r = cpu.state;
            switch (bits) {
                case 8 -> {
                    if (reg < 4 || reg >= 8) {
                        r.setReg8Low(reg & 15, value);
                    } else {
                        r.setReg8High(reg - 4, value);
                    }
                }
                case 16 -> r.setReg16(reg, value);
                default -> r.setReg32(reg, value);
            }
        }

        long readLong(X86Cpu cpu) {
            return bits == 64 ? cpu.state.regs[reg] : readInt(cpu) & 0xffffffffL;
        }

        void writeLong(X86Cpu cpu, long value) {
            if (bits == 64) {
                cpu.state.regs[reg] = value;
            } else {
                writeInt(cpu, (int) value);
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
        /** 64-bit code: the offset is 64-bit (or 32-bit zero-extended with 0x67) and not wrapped after the segment base. */
        final boolean longMode;
        final boolean address32InLongMode;
        final org.qemu.i386.decode.X86Decoder.RipAnchor ripAnchor;

        Memory(int bits, EffectiveAddress ea) {
            super(bits);
            this.ea = ea;
            this.base = ea.base();
            this.index = ea.index();
            this.scale = ea.scale();
            this.displacement = ea.displacement();
            this.segment = ea.segment();
            this.address16 = ea.addressBits() == 16;
            this.longMode = ea.longMode();
            this.address32InLongMode = ea.longMode() && ea.addressBits() == 32;
            this.ripAnchor = ea.ripAnchor();
        }

        /** 64-bit code: the offset (what lea yields), 64-bit or zero-extended from 32 bits. */
        public long offset64(X86CpuState s) {
            long a = displacement;
            if (ripAnchor != null) {
                a += ripAnchor.nextInstruction;
            } else {
                if (base >= 0) {
                    a += s.regs[base];
                }
                if (index >= 0) {
                    a += s.regs[index] << scale;
                }
            }
            return address32InLongMode ? a & 0xffffffffL : a;
        }

        /** 64-bit code: the linear address (only FS and GS bases count; user mode keeps the others at 0). */
        private long address64(X86CpuState s, long delta) {
            return offset64(s) + delta + s.segBase[segment];
        }

        /** The offset within the segment (what lea yields); in 64-bit code its low 32 bits. */
        public int offset(X86CpuState s) {
            if (longMode) {
                return (int) offset64(s);
            }
            int a = displacement;
            if (base >= 0) {
                a += s.reg32(base);
            }
            if (index >= 0) {
                a += s.reg32(index) << scale;
            }
            return address16 ? a & 0xffff : a;
        }

        /** The linear address. */
        public long address(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            if (longMode) {
                return address64(s, 0);
            }
            return (offset(s) + s.segBase[segment]) & 0xffffffffL;
        }

        /** The linear address of {@code delta} bytes past the operand (wrapping in 32 bits). */
        public long address(X86Cpu cpu, int delta) {
            X86CpuState s = cpu.state;
            if (longMode) {
                return address64(s, delta);
            }
            return (offset(s) + delta + s.segBase[segment]) & 0xffffffffL;
        }

        int readInt(X86Cpu cpu) {
            long a = address(cpu);
            return switch (bits) {
                case 8 -> cpu.memory.read8(a);
                case 16 -> cpu.memory.read16(a);
                default -> cpu.memory.read32(a);
            };
        }

        void writeInt(X86Cpu cpu, int value) {
            long a = address(cpu);
            switch (bits) {
                case 8 -> cpu.memory.write8(a, value);
                case 16 -> cpu.memory.write16(a, value);
                default -> cpu.memory.write32(a, value);
            }
        }

        long readLong(X86Cpu cpu) {
            return bits == 64 ? cpu.memory.read64(address(cpu)) : readInt(cpu) & 0xffffffffL;
        }

        void writeLong(X86Cpu cpu, long value) {
            if (bits == 64) {
                cpu.memory.write64(address(cpu), value);
            } else {
                writeInt(cpu, (int) value);
            }
        }
    }

    /**
     * An immediate (already sign- or zero-extended as the instruction defines). A 64-bit
     * operand's immediate is a 32-bit one sign-extended ({@link #longValue}), except mov r64, imm64.
     */
    public static final class Immediate extends Operand {
        public final int value;
        public final long longValue;

        Immediate(int bits, int value) {
            super(bits);
            this.value = zeroExtend(bits, value);
            this.longValue = bits == 64 ? value : this.value & 0xffffffffL;
        }

        Immediate(long value) {
            super(64);
            this.value = (int) value;
            this.longValue = value;
        }
    }
}
