package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Trap;

/**
 * The hardware task switch between 32-bit TSSes (Intel SDM vol. 3, 7.3): through a task gate
 * of the IDT (Linux i386 takes its double fault that way), a far call or jmp to a TSS or task
 * gate, and iret with EFLAGS.NT set back to the linked task. The outgoing task's registers are
 * saved in its TSS, the incoming task's loaded from its own (CR3 when paging is on, LDT,
 * EFLAGS, EIP, the general registers, the segment registers with their checks as #TS), busy
 * bits, the back link and NT follow the kind of switch, and CR0.TS is set.
 */
final class TaskSwitch {
    enum Kind { CALL, JUMP, INTERRUPT, RETURN }

    private static final int MINIMUM_LIMIT = 0x67;
    private static final int NT = 1 << 14;
    private static final int CR0_TS = 8;
    private static final int[] SEGMENT_OFFSETS = {72, 76, 80, 84, 88, 92}; // ES CS SS DS FS GS

    private final SystemCpu cpu;

    TaskSwitch(SystemCpu cpu) {
        this.cpu = cpu;
    }

    /** Switches to the task whose TSS {@code selector} names; {@code errorCode} (unless negative) goes on the new task's stack. */
    void switchTo(int selector, Kind kind, int errorCode) {
        selector &= 0xffff;
        if ((selector & 4) != 0) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        long address = cpu.descriptors.address(selector);
        if (address < 0) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        long d = cpu.readSystem64(address);
        int type = SegmentDescriptors.type(d);
        boolean wantBusy = kind == Kind.RETURN;
        int expected = wantBusy ? SegmentDescriptors.TYPE_TSS32_BUSY : SegmentDescriptors.TYPE_TSS32_AVAILABLE;
        if (SegmentDescriptors.isSegment(d) || type != expected) {
            if (!SegmentDescriptors.isSegment(d) && (type == SegmentDescriptors.TYPE_TSS16_AVAILABLE || type == SegmentDescriptors.TYPE_TSS16_BUSY)) {
                throw new UnsupportedGuestFeature("a task switch to a 16-bit TSS is not supported under TCG in this build");
            }
            throw kind == Kind.RETURN ? ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector))
                    : ProtectionFaults.badSelector(selector);
        }
        SegmentLoader.requirePresent(d, selector);
        if (SegmentDescriptors.limit(d) < MINIMUM_LIMIT) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        long newBase = SegmentDescriptors.base(d);
        X86CpuState s = cpu.cpu.state;
        TaskStateSegment current = cpu.tss;
        int oldSelector = current.selector;

        // the outgoing task's dynamic state
        int flags = s.eflags();
        if (kind == Kind.JUMP || kind == Kind.RETURN) {
            flags &= ~NT;
        }
        long old = current.base;
        cpu.writeSystem32(old + 32, s.eip());
        cpu.writeSystem32(old + 36, flags);
        for (int r = 0; r < 8; r++) {
            cpu.writeSystem32(old + 40 + 4L * r, s.reg32(r));
        }
        for (int seg = 0; seg < 6; seg++) {
            cpu.writeSystem16(old + SEGMENT_OFFSETS[seg], s.segSelector[seg]);
        }
        if ((kind == Kind.JUMP || kind == Kind.RETURN) && !SegmentDescriptors.isNull(oldSelector)) {
            long oldAddress = cpu.descriptors.address(oldSelector);
            if (oldAddress >= 0) {
                cpu.writeSystem8(oldAddress + 5, (int) (cpu.readSystem64(oldAddress) >>> 40) & 0xff & ~2);
            }
        }
        if (kind == Kind.CALL || kind == Kind.INTERRUPT) {
            cpu.writeSystem16(newBase, oldSelector);
        }
        if (kind != Kind.RETURN) {
            cpu.descriptors.markBusy(selector, d);
        }
        current.selector = selector;
        current.base = newBase;
        current.limit = SegmentDescriptors.limit(d);
        current.descriptor = d | 2L << 40;
        cpu.cr0 |= CR0_TS;

        // the incoming task's state
        int newCr3 = cpu.readSystem32(newBase + 28);
        int eip = cpu.readSystem32(newBase + 32);
        int newFlags = cpu.readSystem32(newBase + 36);
        int[] regs = new int[8];
        for (int r = 0; r < 8; r++) {
            regs[r] = cpu.readSystem32(newBase + 40 + 4L * r);
        }
        int[] selectors = new int[6];
        for (int seg = 0; seg < 6; seg++) {
            selectors[seg] = cpu.readSystem16(newBase + SEGMENT_OFFSETS[seg]);
        }
        int ldt = cpu.readSystem16(newBase + 96);
        if ((cpu.cr0 & SystemCpu.CR0_PG) != 0 && newCr3 != cpu.cr3) {
            cpu.cr3 = newCr3;
            cpu.mmu.addressSpaceChanged();
        }
        if (kind == Kind.CALL || kind == Kind.INTERRUPT) {
            newFlags |= NT;
        }
        s.setEflags(newFlags & InterruptOps.WRITABLE_AT_CPL0);
        s.setEip(eip);
        for (int r = 0; r < 8; r++) {
            s.setReg32(r, regs[r]);
        }
        for (int seg = 0; seg < 6; seg++) {
            s.segSelector[seg] = selectors[seg];
        }
        loadLocalDescriptorTable(ldt);
        loadSegments(selectors);
        if (errorCode >= 0) {
            StackWriter stack = new StackWriter(cpu.cpu, s.segBase[X86CpuState.SS], s.reg32(X86CpuState.ESP), 32);
            stack.push(errorCode);
            s.setReg32(X86CpuState.ESP, stack.esp());
        }
    }

    private void loadLocalDescriptorTable(int selector) {
        if (SegmentDescriptors.isNull(selector)) {
            cpu.ldtSelector = selector;
            cpu.ldtBase = 0;
            cpu.ldtLimit = 0;
            cpu.ldtDescriptor = 0;
            return;
        }
        long a = (selector & 4) != 0 ? -1 : cpu.descriptors.address(selector);
        long d = a < 0 ? 0 : cpu.readSystem64(a);
        if (a < 0 || SegmentDescriptors.isSegment(d) || SegmentDescriptors.type(d) != SegmentDescriptors.TYPE_LDT) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector));
        }
        SegmentLoader.requirePresent(d, selector);
        cpu.ldtSelector = selector;
        cpu.ldtBase = SegmentDescriptors.base(d);
        cpu.ldtLimit = SegmentDescriptors.limit(d);
        cpu.ldtDescriptor = d;
    }

    /** CS first (it sets the CPL the other checks use), then SS and the data segments; a refused selector is #TS(selector). */
    private void loadSegments(int[] selectors) {
        X86CpuState s = cpu.cpu.state;
        int cs = selectors[X86CpuState.CS];
        long code;
        try {
            code = cpu.loader.codeDescriptor(cs);
        } catch (X86Trap refused) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(cs));
        }
        int newCpl = rpl(cs);
        if (SegmentDescriptors.conforming(code) ? dpl(code) > newCpl : dpl(code) != newCpl) {
            throw ProtectionFaults.invalidTss(ProtectionFaults.selectorError(cs));
        }
        SegmentLoader.requirePresent(code, cs);
        cpu.loader.enterCode(cs, code, newCpl);
        for (int seg : new int[] {X86CpuState.SS, X86CpuState.ES, X86CpuState.DS, X86CpuState.FS, X86CpuState.GS}) {
            try {
                s.segBase[seg] = cpu.loader.baseOf(seg, selectors[seg]);
            } catch (X86Trap refused) {
                if (refused.trap().trapNumber() == ProtectionFaults.GENERAL_PROTECTION) {
                    throw ProtectionFaults.invalidTss(refused.trap().errorCode());
                }
                throw refused;
            }
        }
    }
}
