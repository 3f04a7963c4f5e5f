package org.qemu.i386.translate;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.LazyFlags;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;

/**
 * What 64-bit code does differently from 32-bit code beyond operand sizes: 64-bit instruction
 * addresses (branches, calls, returns), a 64-bit stack pointer with 64-bit pushes and pops
 * (16-bit with 0x66), string instructions over rsi/rdi/rcx, and {@code syscall}.
 */
final class LongModeOps {
    private LongModeOps() {
    }

    // ---- the stack ---------------------------------------------------------------------------

    /** Pushes {@code bits} (64 or 16) of {@code value}: the store first, rsp only once it succeeded. */
    static void push(X86Cpu cpu, int bits, long value) {
        long[] r = cpu.state.regs;
        long rsp = r[X86CpuState.ESP] - bits / 8;
        if (bits == 16) {
            cpu.memory.write16(rsp, (int) value);
        } else {
            cpu.memory.write64(rsp, value);
        }
        r[X86CpuState.ESP] = rsp;
    }

    static long peek(X86Cpu cpu, int bits) {
        long rsp = cpu.state.regs[X86CpuState.ESP];
        return bits == 16 ? cpu.memory.read16(rsp) : cpu.memory.read64(rsp);
    }

    /** push r/m, imm (sign-extended), in 64-bit code. */
    static final class Push extends X86OpBase {
        final Operand src;
        final int bits;

        Push(Operand src, int bits) {
            this.src = src;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            push(cpu, bits, bits == 16 ? src.get(cpu) : src.getLong(cpu));
        }
    }

    /** pop r/m: rsp moves before the store (pop [rsp] addresses with the new rsp), back if it faults. */
    static final class Pop extends X86OpBase {
        final Operand dst;
        final int bits;

        Pop(Operand dst, int bits) {
            this.dst = dst;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long old = r[X86CpuState.ESP];
            long v = peek(cpu, bits);
            r[X86CpuState.ESP] = old + bits / 8;
            try {
                dst.setLong(cpu, v);
            } catch (RuntimeException e) {
                r[X86CpuState.ESP] = old;
                throw e;
            }
        }
    }

    /**
     * mov between the accumulator and a moffs address that does not fit 32 signed bits (movabs
     * al/ax/eax/rax, [imm64] and back): the full 64-bit offset plus the segment's base (FS and GS
     * have one). Nearer addresses go through the ordinary memory operand.
     */
    static final class MoveAbsolute extends X86OpBase {
        final int segment;
        final int bits;
        final long offset;
        final boolean load;

        MoveAbsolute(int segment, int bits, long offset, boolean load) {
            this.segment = segment;
            this.bits = bits;
            this.offset = offset;
            this.load = load;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long a = offset + s.segBase[segment];
            GuestMemory m = cpu.memory;
            int rax = X86CpuState.EAX;
            if (load) {
                switch (bits) {
                    case 8 -> s.setReg8Low(rax, m.read8(a));
                    case 16 -> s.setReg16(rax, m.read16(a));
                    case 32 -> s.setReg32(rax, m.read32(a));
                    default -> s.regs[rax] = m.read64(a);
                }
            } else {
                long v = s.regs[rax];
                switch (bits) {
                    case 8 -> m.write8(a, (int) v);
                    case 16 -> m.write16(a, (int) v);
                    case 32 -> m.write32(a, (int) v);
                    default -> m.write64(a, v);
                }
            }
        }
    }

    static final class PushFlags extends X86OpBase {
        final int bits;

        PushFlags(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            push(cpu, bits, cpu.state.eflags() & ~0x30000 & 0xffffffffL); // VM and RF read as 0
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
            int v = (int) peek(cpu, bits);
            s.regs[X86CpuState.ESP] += bits / 8;
            int writable = X86CpuState.USER_WRITABLE_FLAGS & (bits == 16 ? 0xffff : -1);
            s.setEflags((s.eflags() & ~writable) | (v & writable));
        }
    }

    /**
     * enter imm16, imm8 in 64-bit code: pushes rbp, at nesting level n copies n - 1 frame pointers
     * from the old frame and pushes the new one, points rbp at the new frame and reserves imm16
     * bytes; frame pointers are 64-bit (16-bit with 0x66). A fault leaves rsp and rbp as they were.
     */
    record Enter(int size, int level, int bits) implements X86Op {
        Enter {
            level &= 31;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long oldRsp = r[X86CpuState.ESP];
            long oldRbp = r[X86CpuState.EBP];
            try {
                push(cpu, bits, oldRbp);
                long frame = r[X86CpuState.ESP];
                long rbp = oldRbp;
                for (int i = 1; i < level; i++) {
                    rbp -= bits / 8;
                    push(cpu, bits, bits == 16 ? cpu.memory.read16(rbp) : cpu.memory.read64(rbp));
                }
                if (level > 0) {
                    push(cpu, bits, frame);
                }
                if (bits == 16) {
                    cpu.state.setReg16(X86CpuState.EBP, (int) frame);
                } else {
                    r[X86CpuState.EBP] = frame;
                }
                r[X86CpuState.ESP] -= size;
            } catch (RuntimeException e) {
                r[X86CpuState.ESP] = oldRsp;
                r[X86CpuState.EBP] = oldRbp;
                throw e;
            }
        }
    }

    /** leave: rsp = rbp, pop rbp. */
    static final class Leave extends X86OpBase {
        final int bits;

        Leave(int bits) {
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long[] r = cpu.state.regs;
            long rbp = r[X86CpuState.EBP];
            long v = bits == 16 ? cpu.memory.read16(rbp) : cpu.memory.read64(rbp);
            r[X86CpuState.ESP] = rbp + bits / 8;
            if (bits == 16) {
                cpu.state.setReg16(X86CpuState.EBP, (int) v);
            } else {
                r[X86CpuState.EBP] = v;
            }
        }
    }

    // ---- control transfer ----------------------------------------------------------------------

    /** jmp to a fixed address, and the end of a block that stops without a branch. */
    static final class Goto extends X86OpBase {
        final long target;

        Goto(long target) {
            this.target = target;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.rip = target;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    static final class ConditionalJump extends X86OpBase {
        final int cc;
        final long target;
        final long fallThrough;

        ConditionalJump(int cc, long target, long fallThrough) {
            this.cc = cc;
            this.target = target;
            this.fallThrough = fallThrough;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.rip = LazyFlags.condition(cpu.state, cc) ? target : fallThrough;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** jmp r/m64. */
    static final class IndirectJump extends X86OpBase {
        final Operand target;

        IndirectJump(Operand target) {
            this.target = target;
        }

        @Override
        public void exec(X86Cpu cpu) {
            cpu.state.rip = target.getLong(cpu);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** call rel32 / call r/m64: the target is read before the push (call [rsp] uses the old rsp). */
    static final class Call extends X86OpBase {
        final Operand indirectTarget;
        final long target;
        final long returnAddress;

        Call(Operand indirectTarget, long target, long returnAddress) {
            this.indirectTarget = indirectTarget;
            this.target = target;
            this.returnAddress = returnAddress;
        }

        @Override
        public void exec(X86Cpu cpu) {
            long t = indirectTarget == null ? target : indirectTarget.getLong(cpu);
            push(cpu, 64, returnAddress);
            cpu.state.rip = t;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** ret / ret imm16. */
    static final class Return extends X86OpBase {
        final int release;

        Return(int release) {
            this.release = release;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long t = peek(cpu, 64);
            s.regs[X86CpuState.ESP] += 8 + release;
            s.rip = t;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** loop / loope / loopne / jrcxz over rcx (ecx with 0x67). */
    static final class Loop extends X86OpBase {
        final int kind;
        final long target;
        final long fallThrough;
        final boolean count32;

        Loop(int kind, long target, long fallThrough, boolean count32) {
            this.kind = kind;
            this.target = target;
            this.fallThrough = fallThrough;
            this.count32 = count32;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            boolean taken;
            if (kind == ControlOps.JCXZ) {
                taken = (count32 ? s.reg32(X86CpuState.ECX) : s.regs[X86CpuState.ECX]) == 0;
            } else {
                long c;
                if (count32) {
                    c = s.reg32(X86CpuState.ECX) - 1;
                    s.setReg32(X86CpuState.ECX, (int) c);
                    c = (int) c;
                } else {
                    c = --s.regs[X86CpuState.ECX];
                }
                taken = c != 0;
                if (kind == ControlOps.LOOPE) {
                    taken &= LazyFlags.condition(s, 4);
                } else if (kind == ControlOps.LOOPNE) {
                    taken &= LazyFlags.condition(s, 5);
                }
            }
            s.rip = taken ? target : fallThrough;
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /**
     * syscall: rcx = the next instruction, r11 = rflags (RF cleared), then the run ends with
     * {@code CpuExit.SYSCALL}; the runtime takes the number from rax and the arguments from rdi,
     * rsi, rdx, r10, r8, r9. (The kernel's RFLAGS mask is applied to the user flags only while the
     * kernel runs, so the guest sees its flags unchanged afterwards.)
     */
    static final class SystemCall extends X86OpBase {
        private final long next;

        SystemCall(long next) {
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            s.regs[X86CpuState.ECX] = next;
            s.regs[X86CpuState.R11] = (s.eflags() & ~0x10000) & 0xffffffffL;
            s.rip = next;
            cpu.requestSyscall();
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    // ---- string instructions ---------------------------------------------------------------------

    /**
     * movs/cmps/stos/lods/scas of 8/16/32/64-bit elements with 64-bit (or, with 0x67, 32-bit)
     * rsi/rdi/rcx. Registers advance element by element, so a fault leaves them at the failing
     * element, as on hardware.
     */
    static final class StringOp extends X86OpBase {
        final int kind;
        final int bits;
        final int rep;
        final int sourceSegment;
        final boolean address32;

        StringOp(int kind, int bits, int rep, int sourceSegment, boolean address32) {
            this.kind = kind;
            this.bits = bits;
            this.rep = rep;
            this.sourceSegment = sourceSegment;
            this.address32 = address32;
        }

        private long index(long[] r, int reg) {
            return address32 ? r[reg] & 0xffffffffL : r[reg];
        }

        private void advance(long[] r, int reg, long delta) {
            r[reg] = address32 ? (r[reg] + delta) & 0xffffffffL : r[reg] + delta;
        }

        private long read(GuestMemory m, long a) {
            return switch (bits) {
                case 8 -> m.read8(a);
                case 16 -> m.read16(a);
                case 32 -> m.read32(a) & 0xffffffffL;
                default -> m.read64(a);
            };
        }

        private void write(GuestMemory m, long a, long v) {
            switch (bits) {
                case 8 -> m.write8(a, (int) v);
                case 16 -> m.write16(a, (int) v);
                case 32 -> m.write32(a, (int) v);
                default -> m.write64(a, v);
            }
        }

        @Override
        public void exec(X86Cpu cpu) {
            X86CpuState s = cpu.state;
            long[] r = s.regs;
            if (rep == 0) {
                once(cpu, s, r);
                return;
            }
            if (!address32 && s.direction() > 0 && (kind == StringOps.MOVS || kind == StringOps.STOS)) {
                inPageRuns(cpu, cpu.memory, s, r);
            }
            while (index(r, X86CpuState.ECX) != 0) {
                once(cpu, s, r);
                advance(r, X86CpuState.ECX, -1);
                if (kind == StringOps.CMPS || kind == StringOps.SCAS) {
                    boolean zf = LazyFlags.condition(s, 4);
                    if (rep == 0xf3 ? !zf : zf) {
                        break;
                    }
                }
            }
        }

        /**
         * rep movs / rep stos upwards with 64-bit addresses, as one host copy or fill per run of
         * elements that stays inside one page of the source and one of the destination (memcpy,
         * memset and calloc end in them). rsi, rdi and rcx advance after each run, so a page the
         * bulk path refuses goes element by element (see below) and a copy onto its own source's
         * tail or a stored value whose bytes differ leaves the rest to the element loop, from an
         * exact state.
         */
        private void inPageRuns(X86Cpu cpu, GuestMemory m, X86CpuState s, long[] r) {
            int size = bits / 8;
            long value = r[X86CpuState.EAX];
            long lowBytes = (value & 0xff) * 0x0101010101010101L;
            if (kind == StringOps.STOS && (bits == 64 ? value != lowBytes : (value ^ lowBytes) << (64 - bits) != 0)) {
                return;
            }
            long pageMask = GuestMemory.PAGE_SIZE - 1;
            // true while the run at hand is the rest of a page whose first element was just stored
            // because the bulk path refused the page: refused again, the page goes element by element
            boolean retried = false;
            while (r[X86CpuState.ECX] != 0) {
                long target = r[X86CpuState.EDI] + s.segBase[X86CpuState.ES];
                long source = r[X86CpuState.ESI] + s.segBase[sourceSegment];
                long fit = (GuestMemory.PAGE_SIZE - (target & pageMask)) / size;
                if (kind == StringOps.MOVS) {
                    fit = Math.min(fit, (GuestMemory.PAGE_SIZE - (source & pageMask)) / size);
                }
                long elements = Long.compareUnsigned(r[X86CpuState.ECX], fit) < 0 ? r[X86CpuState.ECX] : fit;
                if (elements == 0) {
                    return;
                }
                int bytes = (int) elements * size;
                // x86 copying forward onto its source's tail repeats bytes; a host memmove would not
                if (kind == StringOps.MOVS && Long.compareUnsigned(target - source, bytes) < 0 && target != source) {
                    return;
                }
                if (kind == StringOps.MOVS ? m.copyWithinPages(target, source, bytes) : m.fillWithinPage(target, bytes, (byte) value)) {
                    if (kind == StringOps.MOVS) {
                        r[X86CpuState.ESI] += bytes;
                    }
                    r[X86CpuState.EDI] += bytes;
                    r[X86CpuState.ECX] -= elements;
                    retried = false;
                    continue;
                }
                // Refused: the first element the checked way, which fills a page a system MMU has not
                // mapped yet (it maps pages on first access, so every fresh page was refused and the
                // rest of the instruction went element by element: a kernel's BSS clear, its page
                // zeroing) or faults precisely; the next round tries the page's rest in bulk. Refused
                // again (a code page, device memory), the page's rest goes element by element.
                long stored = retried ? elements : 1;
                for (long k = 0; k < stored; k++) {
                    once(cpu, s, r);
                    advance(r, X86CpuState.ECX, -1);
                }
                retried = !retried && elements > 1;
            }
        }

        private void once(X86Cpu cpu, X86CpuState s, long[] r) {
            GuestMemory m = cpu.memory;
            long delta = (long) s.direction() * (bits / 8);
            long src = index(r, X86CpuState.ESI) + s.segBase[sourceSegment];
            long dst = index(r, X86CpuState.EDI) + s.segBase[X86CpuState.ES];
            Operand acc = Operand.register(bits, X86CpuState.EAX);
            switch (kind) {
                case StringOps.MOVS -> {
                    write(m, dst, read(m, src));
                    advance(r, X86CpuState.ESI, delta);
                    advance(r, X86CpuState.EDI, delta);
                }
                case StringOps.STOS -> {
                    write(m, dst, r[X86CpuState.EAX]);
                    advance(r, X86CpuState.EDI, delta);
                }
                case StringOps.LODS -> {
                    acc.setLong(cpu, read(m, src));
                    advance(r, X86CpuState.ESI, delta);
                }
                case StringOps.CMPS -> {
                    long a = read(m, src);
                    long b = read(m, dst);
                    advance(r, X86CpuState.ESI, delta);
                    advance(r, X86CpuState.EDI, delta);
                    compare(s, a, b);
                }
                default -> { // SCAS
                    long b = read(m, dst);
                    long a = acc.getLong(cpu);
                    advance(r, X86CpuState.EDI, delta);
                    compare(s, a, b);
                }
            }
        }

        private void compare(X86CpuState s, long a, long b) {
            if (bits == 64) {
                org.qemu.i386.cpu.Flags64.setSub(s, a, b, 0, a - b);
            } else {
                LazyFlags.setSub(s, bits, (int) a, (int) b, 0, (int) (a - b));
            }
        }
    }
}
