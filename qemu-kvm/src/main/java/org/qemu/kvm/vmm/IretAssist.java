package org.qemu.kvm.vmm;

import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.hw.PhysicalMemory;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmIoctls;
import org.qemu.kvm.sys.KvmLayouts;
import org.qemu.kvm.sys.KvmVcpu;

/**
 * Completes an {@code IRET} that KVM gave back as an "emulation failure".
 *
 * <p>On a kvm-pvm host (a paravirtual nested KVM, as on the machines this project is built on)
 * the guest's supervisor code runs deprivileged, so KVM hands instructions such as {@code IRET} to
 * its instruction emulator, which implements {@code IRET} in real mode only: every interrupt
 * handler of a protected-mode or long-mode guest ended in {@code KVM_EXIT_INTERNAL_ERROR} (Debian's
 * QEMU stops there too). This class performs the instruction from the vCPU's registers as the
 * SDM's IRET description defines it: return to the same privilege level, to an outer one (SS:ESP
 * popped, data segments the new level may not use made null), and long mode's 64-bit and
 * compatibility forms. What it does not do (a task return through NT, a return to virtual-8086
 * mode, a selector that would raise #GP, #SS or #NP, a stack page that is not present) leaves the
 * instruction to the caller, which reports the original KVM error: those stay visible failures,
 * never a guessed state.
 */
final class IretAssist {
    private static final long CR0_PE = 1, CR0_PG = 1L << 31;
    private static final long CR4_PSE = 1 << 4, CR4_PAE = 1 << 5, CR4_LA57 = 1 << 12;
    private static final long EFER_LMA = 1 << 10;
    private static final long FLAG_IF = 1 << 9, FLAG_IOPL = 3 << 12, FLAG_NT = 1 << 14, FLAG_VM = 1 << 17;
    /** Flags any IRET may load: CF, PF, AF, ZF, SF, TF, DF, OF, NT. */
    private static final long FLAGS_ALWAYS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | FLAG_NT;
    /** Flags a 32-bit or 64-bit IRET loads as well: RF, AC, ID. */
    private static final long FLAGS_WIDE = 1 << 16 | 1 << 18 | 1 << 21;
    /** VIF and VIP: loaded only at CPL 0. */
    private static final long FLAGS_VIRTUAL = 1 << 19 | 1 << 20;

    private final PhysicalMemory memory;

    IretAssist(PhysicalMemory memory) {
        this.memory = memory;
    }

    /** Thrown inside when the instruction is one this class leaves alone. */
    private static final class NotHandled extends Exception {
        NotHandled() {
            super(null, null, false, false);
        }
    }

    /** Performs the IRET at the vCPU's RIP; false (registers untouched) when it is not one this class completes. */
    boolean complete(KvmVcpu vcpu) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment regs = vcpu.getRegs(arena);
            MemorySegment sregs = vcpu.getSregs(arena);
            if (!perform(regs, sregs)) {
                return false;
            }
            vcpu.set(KvmIoctls.SET_SREGS, sregs, "KVM_SET_SREGS");
            vcpu.set(KvmIoctls.SET_REGS, regs, "KVM_SET_REGS");
            return true;
        }
    }

    /** Performs the IRET on {@code kvm_regs} and {@code kvm_sregs} images; false (both untouched) when not handled. */
    boolean perform(MemorySegment regs, MemorySegment sregs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment newRegs = arena.allocate(regs.byteSize(), 8).copyFrom(regs);
            MemorySegment newSregs = arena.allocate(sregs.byteSize(), 8).copyFrom(sregs);
            try {
                iret(newRegs, newSregs);
            } catch (NotHandled e) {
                return false;
            }
            regs.copyFrom(newRegs);
            sregs.copyFrom(newSregs);
            return true;
        }
    }

    private void iret(MemorySegment regs, MemorySegment sregs) throws NotHandled {
        long cr0 = sreg(sregs, "cr0");
        if ((cr0 & CR0_PE) == 0) {
            throw new NotHandled(); // real mode: KVM's own emulator does that one
        }
        Paging paging = new Paging(memory, cr0, sreg(sregs, "cr3"), sreg(sregs, "cr4"), sreg(sregs, "efer"));
        boolean longMode = (sreg(sregs, "efer") & EFER_LMA) != 0;
        Segment cs = Segment.read(sregs, "cs");
        boolean code64 = longMode && cs.l;
        long rip = reg(regs, "rip");
        long rflags = reg(regs, "rflags");
        if ((rflags & FLAG_VM) != 0 || (!longMode && (rflags & FLAG_NT) != 0)) {
            throw new NotHandled(); // virtual-8086 mode, or a nested-task return through the TSS
        }

        // decode: prefixes, then 0xCF
        int operandSize = code64 ? 4 : cs.db ? 4 : 2;
        long at = cs.base + rip;
        int length = 0;
        while (true) {
            int b = (int) paging.read(truncate(at + length, code64), 1);
            length++;
            if (b == 0x66) {
                operandSize = code64 ? 2 : operandSize == 4 ? 2 : 4;
            } else if (code64 && (b & 0xf0) == 0x40) {
                if ((b & 0x08) != 0) {
                    operandSize = 8;
                }
                b = (int) paging.read(truncate(at + length, code64), 1);
                length++;
                if (b != 0xcf) {
                    throw new NotHandled();
                }
                break;
            } else if (b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || b == 0x64 || b == 0x65 || b == 0xf2 || b == 0xf3) {
                // segment overrides and rep prefixes change nothing for IRET
            } else if (b == 0xcf) {
                break;
            } else {
                throw new NotHandled();
            }
            if (length >= 15) {
                throw new NotHandled();
            }
        }

        // pop the return frame
        Segment ss = Segment.read(sregs, "ss");
        long rsp = reg(regs, "rsp");
        long stackMask = code64 ? -1L : ss.db ? 0xffffffffL : 0xffffL;
        int cpl = cs.selector & 3;
        long sp = rsp;
        long newIp = pop(paging, ss, sp, operandSize, stackMask, code64);
        sp += operandSize;
        int newCsSelector = (int) pop(paging, ss, sp, operandSize, stackMask, code64) & 0xffff;
        sp += operandSize;
        long newFlags = pop(paging, ss, sp, operandSize, stackMask, code64);
        sp += operandSize;
        int newCpl = newCsSelector & 3;
        if (newCpl < cpl) {
            throw new NotHandled(); // #GP
        }
        if (!longMode && operandSize == 4 && (newFlags & FLAG_VM) != 0 && cpl == 0) {
            throw new NotHandled(); // a return to virtual-8086 mode
        }
        boolean popsStack = code64 || newCpl > cpl;
        long newSp = 0;
        int newSsSelector = 0;
        if (popsStack) {
            newSp = pop(paging, ss, sp, operandSize, stackMask, code64);
            sp += operandSize;
            newSsSelector = (int) pop(paging, ss, sp, operandSize, stackMask, code64) & 0xffff;
            sp += operandSize;
        }

        // the new code segment
        DescriptorTables tables = new DescriptorTables(sregs, paging, code64);
        long csDescriptor = tables.descriptor(newCsSelector);
        Segment newCs = Segment.fromDescriptor(newCsSelector, csDescriptor);
        boolean conforming = (newCs.type & 0x4) != 0;
        if (!newCs.s || (newCs.type & 0x8) == 0 || !newCs.present
                || (conforming ? newCs.dpl > newCpl : newCs.dpl != newCpl)) {
            throw new NotHandled();
        }
        boolean returnsTo64 = longMode && newCs.l;
        if (longMode && newCs.l && newCs.db) {
            throw new NotHandled(); // L and D both set: #GP
        }

        // the new stack segment, when the frame has one
        Segment newSs = null;
        if (popsStack) {
            if ((newSsSelector & ~3) == 0) {
                if (!(returnsTo64 && newCpl < 3)) {
                    throw new NotHandled(); // a null SS is allowed only for 64-bit code below ring 3
                }
                newSs = Segment.nullSelector(newSsSelector, newCpl);
            } else {
                newSs = Segment.fromDescriptor(newSsSelector, tables.descriptor(newSsSelector));
                if ((newSsSelector & 3) != newCpl || !newSs.s || (newSs.type & 0xa) != 0x2 || newSs.dpl != newCpl
                        || !newSs.present) {
                    throw new NotHandled();
                }
                tables.markAccessed(newSsSelector);
            }
        }
        tables.markAccessed(newCsSelector);

        // flags: what the old privilege level allows the frame to change
        long loadable = FLAGS_ALWAYS;
        if (operandSize >= 4) {
            loadable |= FLAGS_WIDE;
            if (cpl == 0) {
                loadable |= FLAGS_VIRTUAL;
            }
        }
        if (cpl == 0) {
            loadable |= FLAG_IOPL;
        }
        if (cpl <= (rflags & FLAG_IOPL) >>> 12) {
            loadable |= FLAG_IF;
        }
        long flagMask = operandSize == 2 ? loadable & 0xffff : loadable;
        long flags = (rflags & ~flagMask) | (newFlags & flagMask) | 0x2;

        // commit
        setReg(regs, "rip", operandSize == 2 ? newIp & 0xffff : returnsTo64 ? newIp : newIp & 0xffffffffL);
        setReg(regs, "rflags", flags);
        newCs.write(sregs, "cs");
        if (popsStack) {
            setReg(regs, "rsp", returnsTo64 ? newSp
                    : newSs.db ? newSp & 0xffffffffL : (rsp & ~0xffffL) | (newSp & 0xffff));
            newSs.write(sregs, "ss");
        } else {
            setReg(regs, "rsp", (rsp & ~stackMask) | (sp & stackMask));
        }
        if (newCpl > cpl) {
            for (String data : new String[] {"es", "ds", "fs", "gs"}) {
                Segment s = Segment.read(sregs, data);
                boolean conformingCode = (s.type & 0xc) == 0xc;
                if (!s.unusable && s.s && !conformingCode && s.dpl < newCpl) {
                    Segment.nullSelector(0, 0).write(sregs, data);
                }
            }
        }
    }

    private long pop(Paging paging, Segment ss, long sp, int size, long stackMask, boolean code64) throws NotHandled {
        long address = code64 ? sp : ss.base + (sp & stackMask);
        return paging.read(truncate(address, code64), size);
    }

    private static long truncate(long linear, boolean code64) {
        return code64 ? linear : linear & 0xffffffffL;
    }

    private static long reg(MemorySegment regs, String name) {
        return regs.get(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, name));
    }

    private static void setReg(MemorySegment regs, String name, long value) {
        regs.set(ValueLayout.JAVA_LONG, offset(KvmLayouts.REGS, name), value);
    }

    private static long sreg(MemorySegment sregs, String name) {
        return sregs.get(ValueLayout.JAVA_LONG, offset(KvmLayouts.SREGS, name));
    }

    /** A {@code kvm_segment}: the descriptor cache KVM keeps for one segment register. */
    record Segment(long base, int limit, int selector, int type, boolean present, int dpl, boolean db, boolean s,
            boolean l, boolean g, boolean avl, boolean unusable) {

        static Segment read(MemorySegment sregs, String name) {
            long at = offset(KvmLayouts.SREGS, name);
            return new Segment(sregs.get(ValueLayout.JAVA_LONG, at + field("base")),
                    sregs.get(ValueLayout.JAVA_INT, at + field("limit")),
                    sregs.get(ValueLayout.JAVA_SHORT, at + field("selector")) & 0xffff,
                    sregs.get(ValueLayout.JAVA_BYTE, at + field("type")), flag(sregs, at, "present"),
                    sregs.get(ValueLayout.JAVA_BYTE, at + field("dpl")), flag(sregs, at, "db"), flag(sregs, at, "s"),
                    flag(sregs, at, "l"), flag(sregs, at, "g"), flag(sregs, at, "avl"), flag(sregs, at, "unusable"));
        }

        /** The cache a segment load fills from an 8-byte descriptor (SDM 3.4.5). */
        static Segment fromDescriptor(int selector, long d) {
            long base = (d >>> 16 & 0xffffff) | (d >>> 56 & 0xff) << 24;
            int rawLimit = (int) ((d & 0xffff) | (d >>> 48 & 0xf) << 16);
            boolean g = (d >>> 55 & 1) != 0;
            int limit = g ? rawLimit << 12 | 0xfff : rawLimit;
            boolean present = (d >>> 47 & 1) != 0;
            return new Segment(base, limit, selector, (int) (d >>> 40 & 0xf), present, (int) (d >>> 45 & 3),
                    (d >>> 54 & 1) != 0, (d >>> 44 & 1) != 0, (d >>> 53 & 1) != 0, g, (d >>> 52 & 1) != 0, !present);
        }

        static Segment nullSelector(int selector, int dpl) {
            return new Segment(0, 0, selector, 0, false, dpl, false, false, false, false, false, true);
        }

        void write(MemorySegment sregs, String name) {
            long at = offset(KvmLayouts.SREGS, name);
            sregs.set(ValueLayout.JAVA_LONG, at + field("base"), base);
            sregs.set(ValueLayout.JAVA_INT, at + field("limit"), limit);
            sregs.set(ValueLayout.JAVA_SHORT, at + field("selector"), (short) selector);
            sregs.set(ValueLayout.JAVA_BYTE, at + field("type"), (byte) type);
            put(sregs, at, "present", present);
            sregs.set(ValueLayout.JAVA_BYTE, at + field("dpl"), (byte) dpl);
            put(sregs, at, "db", db);
            put(sregs, at, "s", s);
            put(sregs, at, "l", l);
            put(sregs, at, "g", g);
            put(sregs, at, "avl", avl);
            put(sregs, at, "unusable", unusable);
        }

        private static long field(String name) {
            return offset(KvmLayouts.SEGMENT, name);
        }

        private static boolean flag(MemorySegment sregs, long at, String name) {
            return sregs.get(ValueLayout.JAVA_BYTE, at + field(name)) != 0;
        }

        private static void put(MemorySegment sregs, long at, String name, boolean value) {
            sregs.set(ValueLayout.JAVA_BYTE, at + field(name), (byte) (value ? 1 : 0));
        }
    }

    /** The GDT and LDT as the vCPU's descriptor-table registers locate them. */
    private static final class DescriptorTables {
        private final long gdtBase;
        private final int gdtLimit;
        private final Segment ldt;
        private final Paging paging;
        private final boolean code64;

        DescriptorTables(MemorySegment sregs, Paging paging, boolean code64) {
            long gdt = offset(KvmLayouts.SREGS, "gdt");
            this.gdtBase = sregs.get(ValueLayout.JAVA_LONG, gdt + offset(KvmLayouts.DTABLE, "base"));
            this.gdtLimit = sregs.get(ValueLayout.JAVA_SHORT, gdt + offset(KvmLayouts.DTABLE, "limit")) & 0xffff;
            this.ldt = Segment.read(sregs, "ldt");
            this.paging = paging;
            this.code64 = code64;
        }

        private long address(int selector) throws NotHandled {
            if ((selector & ~3) == 0) {
                throw new NotHandled(); // a null selector: #GP
            }
            int index = selector & ~7;
            boolean local = (selector & 4) != 0;
            if (local && (ldt.unusable || !ldt.present)) {
                throw new NotHandled();
            }
            long limit = local ? ldt.limit & 0xffffffffL : gdtLimit;
            if (index + 7L > limit) {
                throw new NotHandled();
            }
            return truncate((local ? ldt.base : gdtBase) + index, code64);
        }

        long descriptor(int selector) throws NotHandled {
            return paging.read(address(selector), 8);
        }

        /** Sets the descriptor's accessed bit, as a segment load does. */
        void markAccessed(int selector) throws NotHandled {
            long typeByte = address(selector) + 5;
            int type = (int) paging.read(typeByte, 1);
            if ((type & 1) == 0) {
                paging.memory().write8(paging.physical(typeByte), type | 1);
            }
        }
    }

    /** Linear to physical through the guest's page tables (32-bit, PAE, 4-level), present bits only. */
    private record Paging(PhysicalMemory memory, long cr0, long cr3, long cr4, long efer) {
        long physical(long linear) throws NotHandled {
            if ((cr0 & CR0_PG) == 0) {
                return checked(linear & 0xffffffffL);
            }
            if ((efer & EFER_LMA) != 0) {
                if ((cr4 & CR4_LA57) != 0) {
                    throw new NotHandled();
                }
                long table = cr3 & 0x000ffffffffff000L;
                for (int shift = 39; ; shift -= 9) {
                    long entry = entry(table + ((linear >>> shift & 0x1ff) << 3));
                    if (shift == 12 || (shift <= 30 && (entry & 0x80) != 0)) {
                        long pageMask = (1L << shift) - 1;
                        return checked((entry & 0x000ffffffffff000L & ~pageMask) | (linear & pageMask));
                    }
                    table = entry & 0x000ffffffffff000L;
                }
            }
            if ((cr4 & CR4_PAE) != 0) {
                long pdpte = entry((cr3 & 0xffffffe0L) + ((linear >>> 30 & 3) << 3));
                long pde = entry((pdpte & 0x000ffffffffff000L) + ((linear >>> 21 & 0x1ff) << 3));
                if ((pde & 0x80) != 0) {
                    return checked((pde & 0x000fffffffe00000L) | (linear & 0x1fffff));
                }
                long pte = entry((pde & 0x000ffffffffff000L) + ((linear >>> 12 & 0x1ff) << 3));
                return checked((pte & 0x000ffffffffff000L) | (linear & 0xfff));
            }
            long pde = entry32((cr3 & 0xfffff000L) + ((linear >>> 22 & 0x3ff) << 2));
            if ((pde & 0x80) != 0 && (cr4 & CR4_PSE) != 0) {
                return checked((pde & 0xffc00000L) | (pde >>> 13 & 0xff) << 32 | (linear & 0x3fffff));
            }
            long pte = entry32((pde & 0xfffff000L) + ((linear >>> 12 & 0x3ff) << 2));
            return checked((pte & 0xfffff000L) | (linear & 0xfff));
        }

        private long entry(long address) throws NotHandled {
            long e = memory.read64(checked(address));
            if ((e & 1) == 0) {
                throw new NotHandled();
            }
            return e;
        }

        private long entry32(long address) throws NotHandled {
            long e = memory.read32(checked(address)) & 0xffffffffL;
            if ((e & 1) == 0) {
                throw new NotHandled();
            }
            return e;
        }

        private long checked(long physical) throws NotHandled {
            if (!memory.contains(physical, 1)) {
                throw new NotHandled(); // device memory or nothing: not a stack or a table this class reads
            }
            return physical;
        }

        /** Reads a little-endian value of {@code size} bytes, byte by byte so that it may cross a page. */
        long read(long linear, int size) throws NotHandled {
            long value = 0;
            for (int i = 0; i < size; i++) {
                value |= (long) memory.read8(physical(linear + i)) << (8 * i);
            }
            return value;
        }
    }
}
