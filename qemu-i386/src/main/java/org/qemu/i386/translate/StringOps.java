package org.qemu.i386.translate;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;

/**
 * movs/cmps/stos/lods/scas with rep/repe/repne. Each iteration updates esi/edi/ecx only after
 * its memory accesses, so a fault mid-way leaves the registers at the failing element and eip
 * at the instruction: restarting it continues the copy, exactly as on hardware.
 */
final class StringOps {
    static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4;

    private StringOps() {
    }

    static final class StringOp implements X86Op {
        private final int kind;
        private final int bits;
        private final int rep;
        private final int sourceSegment;
        private final boolean address16;

        StringOp(int kind, int bits, int rep, int sourceSegment, boolean address16) {
            this.kind = kind;
            this.bits = bits;
            this.rep = rep;
            this.sourceSegment = sourceSegment;
            this.address16 = address16;
        }

        private int read(GuestMemory m, long a) {
            return switch (bits) {
                case 8 -> m.read8(a);
                case 16 -> m.read16(a);
                default -> m.read32(a);
            };
        }

        private void write(GuestMemory m, long a, int v) {
            switch (bits) {
                case 8 -> m.write8(a, v);
                case 16 -> m.write16(a, v);
                default -> m.write32(a, v);
            }
        }

        private int mask(int v) {
            return address16 ? v & 0xffff : v;
        }

        private int advance(int reg, int delta) {
            return address16 ? (reg & ~0xffff) | ((reg + delta) & 0xffff) : reg + delta;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            X86CpuState r = s;
            if (rep == 0) {
                once(cpu, s, r);
                return;
            }
            while (mask(r.reg32(X86CpuState.ECX)) != 0) {
                once(cpu, s, r);
                r.setReg32(X86CpuState.ECX, advance(r.reg32(X86CpuState.ECX), -1));
                if (kind == CMPS || kind == SCAS) {
                    boolean zf = LazyFlags.condition(s, 4);
                    if (rep == 0xf3 ? !zf : zf) {
                        break;
                    }
                }
            }
        }

        private void once(X86Cpu cpu, X86CpuState s, X86CpuState r) {
            GuestMemory m = cpu.memory;
            int delta = s.direction() * (bits / 8);
            long src = (mask(r.reg32(X86CpuState.ESI)) + s.segBase[sourceSegment]) & 0xffffffffL;
            long dst = (mask(r.reg32(X86CpuState.EDI)) + s.segBase[X86CpuState.ES]) & 0xffffffffL;
            switch (kind) {
                case MOVS -> {
                    write(m, dst, read(m, src));
                    r.setReg32(X86CpuState.ESI, advance(r.reg32(X86CpuState.ESI), delta));
                    r.setReg32(X86CpuState.EDI, advance(r.reg32(X86CpuState.EDI), delta));
                }
                case STOS -> {
                    write(m, dst, r.reg32(X86CpuState.EAX));
                    r.setReg32(X86CpuState.EDI, advance(r.reg32(X86CpuState.EDI), delta));
                }
                case LODS -> {
                    int v = read(m, src);
                    Operand.register(bits, X86CpuState.EAX).set(cpu, v);
                    r.setReg32(X86CpuState.ESI, advance(r.reg32(X86CpuState.ESI), delta));
                }
                case CMPS -> {
                    int a = read(m, src);
                    int b = read(m, dst);
                    r.setReg32(X86CpuState.ESI, advance(r.reg32(X86CpuState.ESI), delta));
                    r.setReg32(X86CpuState.EDI, advance(r.reg32(X86CpuState.EDI), delta));
                    LazyFlags.setSub(s, bits, a, b, 0, a - b);
                }
                default -> { // SCAS
                    int b = read(m, dst);
                    int a = Operand.zeroExtend(bits, r.reg32(X86CpuState.EAX));
                    r.setReg32(X86CpuState.EDI, advance(r.reg32(X86CpuState.EDI), delta));
                    LazyFlags.setSub(s, bits, a, b, 0, a - b);
                }
            }
        }
    }
}
