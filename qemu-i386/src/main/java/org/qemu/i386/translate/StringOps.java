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
            if ((kind == MOVS || kind == STOS) && !address16 && s.direction() > 0) {
                bulk(cpu, s);
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

        /** Chunks of a bulk rep movs/stos: large enough to amortise the page checks, small enough to stay in cache. */
        private static final int CHUNK = 4096;

        /**
         * rep movs/stos forward with 32-bit addresses, a chunk at a time (memcpy and memset of
         * glibc's i386 string functions): each chunk is read and written with one page check
         * instead of one accessor call per element, and the registers advance after it. A chunk
         * that would fault, a copy whose destination overlaps the source ahead of it (the
         * element-wise copy then replicates a pattern, which a block copy would not) or
         * addresses that wrap around 4 GiB leave the rest to the element loop, which faults at
         * exactly the right element.
         */
        private void bulk(X86Cpu cpu, X86CpuState s) {
            GuestMemory m = cpu.memory;
            int size = bits / 8;
            long remaining = Integer.toUnsignedLong(s.reg32(X86CpuState.ECX));
            if (remaining * size < 64) {
                return;
            }
            byte[] chunk = null;
            while (remaining > 0) {
                int elements = (int) Math.min(remaining, CHUNK / size);
                int length = elements * size;
                long dst = Integer.toUnsignedLong(s.reg32(X86CpuState.EDI)) + s.segBase[X86CpuState.ES];
                if (dst + length > 1L << 32) {
                    return;
                }
                try {
                    if (kind == MOVS) {
                        long src = Integer.toUnsignedLong(s.reg32(X86CpuState.ESI)) + s.segBase[sourceSegment];
                        if (src + length > 1L << 32 || (dst > src && dst < src + remaining * size)) {
                            return;
                        }
                        if (chunk == null) {
                            chunk = new byte[(int) Math.min(remaining * size, CHUNK)];
                        }
                        m.read(src, chunk, 0, length);
                        m.write(dst, chunk, 0, length);
                        s.setReg32(X86CpuState.ESI, s.reg32(X86CpuState.ESI) + length);
                    } else {
                        if (chunk == null) {
                            chunk = new byte[(int) Math.min(remaining * size, CHUNK)];
                            fill(chunk, s.reg32(X86CpuState.EAX), size);
                        }
                        m.write(dst, chunk, 0, length);
                    }
                } catch (org.qemu.common.memory.GuestMemoryFault f) {
                    return;
                }
                s.setReg32(X86CpuState.EDI, s.reg32(X86CpuState.EDI) + length);
                remaining -= elements;
                s.setReg32(X86CpuState.ECX, (int) remaining);
            }
        }

        /** The little-endian pattern of stos's eax/ax/al repeated over the whole chunk. */
        private static void fill(byte[] chunk, int value, int size) {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) (value >>> (8 * (i % size)));
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
