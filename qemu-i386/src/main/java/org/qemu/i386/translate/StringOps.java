package org.qemu.i386.translate;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * movs/cmps/stos/lods/scas with rep/repe/repne. Each iteration updates esi/edi/ecx only after
 * its memory accesses, so a fault mid-way leaves the registers at the failing element and eip
 * at the instruction: restarting it continues the copy, exactly as on hardware.
 */
final class StringOps {
    static final int MOVS = 0, CMPS = 1, STOS = 2, LODS = 3, SCAS = 4;

    private StringOps() {
    }

    /**
     * The op for one string instruction: rep movs and rep stos with 32-bit addresses get a class
     * of their own ({@link RepForward}) whose {@code exec} is only the bulk copy or fill.
     *
     * <p>Why: every string instruction shared {@link StringOp#exec}, so its profile held every
     * kind, and C2 compiled (and inlined into the calling block class) the element loop for all
     * of them: 8-22 ms of C2 for exec, ~13 ms for the block class that calls it, on sha256sum's
     * critical path (its one {@code rep movsb} per SHA block), while the hot block classes waited
     * in C2's one queue.
     */
    static StringOp of(int kind, int bits, int rep, int sourceSegment, boolean address16) {
        if (rep != 0 && !address16 && (kind == MOVS || kind == STOS)) {
            return new RepForward(kind, bits, rep, sourceSegment);
        }
        return new StringOp(kind, bits, rep, sourceSegment, address16);
    }

    /** rep movs / rep stos with 32-bit addresses: the bulk path, then (rarely) the element loop. */
    static final class RepForward extends StringOp {
        RepForward(int kind, int bits, int rep, int sourceSegment) {
            super(kind, bits, rep, sourceSegment, false);
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            if (s.direction() > 0) {
                bulk(cpu, s);
            }
            if (s.reg32(X86CpuState.ECX) != 0) {
                elementLoop(cpu, s);
            }
        }
    }

    static class StringOp extends X86OpBase {
        private final int kind;
        private final int bits;
        private final int rep;
        private final int sourceSegment;
        private final boolean address16;

        /** Through {@link StringOps#of}, which picks {@link RepForward} where the bulk path applies. */
        private StringOp(int kind, int bits, int rep, int sourceSegment, boolean address16) {
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
            // rep movs / rep stos with 32-bit addresses are RepForward (StringOps.of): no bulk path here
            elementLoop(cpu, s);
        }

        /** The rep loop one element at a time, from the registers as they are. */
        final void elementLoop(X86Cpu cpu, X86CpuState s) {
            X86CpuState r = s;
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

        /**
         * rep movs / rep stos upwards, a page at a time as one host copy or fill (memcpy and memset
         * are built on them): registers advance after each chunk, so a page the bulk path refuses
         * goes element by element (see below) and a copy onto its own source's tail or a stored
         * value whose bytes differ leaves the rest to the element loop, from an exact state.
         */
        final void bulk(X86Cpu cpu, X86CpuState s) {
            GuestMemory m = cpu.memory;
            int size = bits / 8;
            int v = s.reg32(X86CpuState.EAX);
            byte fill = (byte) v;
            if (kind == STOS && (bits == 16 ? ((v ^ (v >>> 8)) & 0xff) != 0 : bits == 32 && v != (v & 0xff) * 0x01010101)) {
                return;
            }
            // true while the chunk at hand is the rest of a page whose first element was just stored
            // because the bulk path refused the page: refused again, the page goes element by element
            boolean retried = false;
            while (true) {
                long count = Integer.toUnsignedLong(s.reg32(X86CpuState.ECX));
                long src = (s.reg32(X86CpuState.ESI) + s.segBase[sourceSegment]) & 0xffffffffL;
                long dst = (s.reg32(X86CpuState.EDI) + s.segBase[X86CpuState.ES]) & 0xffffffffL;
                long room = (GuestMemory.PAGE_SIZE - (dst & (GuestMemory.PAGE_SIZE - 1))) / size;
                if (kind == MOVS) {
                    room = Math.min(room, (GuestMemory.PAGE_SIZE - (src & (GuestMemory.PAGE_SIZE - 1))) / size);
                }
                int chunk = (int) Math.min(count, room);
                if (chunk == 0) {
                    return;
                }
                int length = chunk * size;
                if (kind == MOVS && dst > src && dst < src + length) {
                    return; // a forward copy onto its own source's tail repeats bytes: memmove would not
                }
                if (kind == MOVS ? m.copyWithinPages(dst, src, length) : m.fillWithinPage(dst, length, fill)) {
                    if (kind == MOVS) {
                        s.setReg32(X86CpuState.ESI, s.reg32(X86CpuState.ESI) + length);
                    }
                    s.setReg32(X86CpuState.EDI, s.reg32(X86CpuState.EDI) + length);
                    s.setReg32(X86CpuState.ECX, (int) (count - chunk));
                    retried = false;
                    continue;
                }
                // Refused: the first element the checked way, which fills a page a system MMU has not
                // mapped yet (it maps pages on first access, so every fresh page was refused and the
                // rest of the instruction went element by element: a kernel's BSS clear, its page
                // zeroing) or faults precisely; the next round tries the page's rest in bulk. Refused
                // again (a code page, device memory), the page's rest goes element by element.
                int elements = retried ? chunk : 1;
                for (int k = 0; k < elements; k++) {
                    once(cpu, s, s);
                    s.setReg32(X86CpuState.ECX, s.reg32(X86CpuState.ECX) - 1);
                }
                retried = !retried && chunk > 1;
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
