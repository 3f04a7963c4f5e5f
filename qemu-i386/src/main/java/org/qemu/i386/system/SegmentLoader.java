package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.isNull;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.i386.cpu.SegmentResolver;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * Segment register loads with the protected-mode checks of Intel SDM vol. 3, 5.5-5.8 and the
 * MOV/POP (vol. 2) pseudo-code: which descriptor each register accepts at which privilege, and
 * which exception (#GP, #NP, #SS with the selector as error code) a refusal raises. The
 * translator runs code at linear address = eip, so a code segment must be flat 32-bit (base 0,
 * D=1); anything else stops the machine with one line.
 */
final class SegmentLoader implements SegmentResolver {
    private final SystemCpu cpu;
    private final SegmentDescriptors table;

    SegmentLoader(SystemCpu cpu, SegmentDescriptors table) {
        this.cpu = cpu;
        this.table = table;
    }

    @Override
    public long baseOf(int selector) {
        return baseOf(X86CpuState.DS, selector);
    }

    /** mov/pop to ES, SS, DS, FS, GS (and lds-style loads): checks, marks the descriptor accessed, returns the base. */
    @Override
    public long baseOf(int segment, int selector) {
        selector &= 0xffff;
        if (!cpu.protectedMode()) {
            cpu.segmentDescriptor[segment] = 0;
            return (long) selector << 4;
        }
        boolean code64 = X86Cpu.isLongMode(cpu.cpu.codeMode());
        if (code64 && segment == X86CpuState.SS && isNull(selector) && cpu.cpl() < 3 && rpl(selector) == cpu.cpl()) {
            cpu.segmentDescriptor[segment] = 0; // 64-bit code may run with a null SS outside ring 3 (SDM vol. 2, MOV)
            return 0;
        }
        long d = segment == X86CpuState.SS ? checkStack(selector) : checkData(selector);
        cpu.segmentDescriptor[segment] = d;
        if (code64 && segment != X86CpuState.FS && segment != X86CpuState.GS) {
            return 0; // 64-bit mode ignores the bases of ES, SS and DS
        }
        return d == 0 ? 0 : SegmentDescriptors.base(d);
    }

    /** SDM MOV: a null selector is allowed (and unusable); otherwise readable, and DPL >= max(CPL, RPL) unless conforming code. */
    private long checkData(int selector) {
        if (isNull(selector)) {
            return 0;
        }
        long d = table.read(selector);
        if (!SegmentDescriptors.isSegment(d) || !SegmentDescriptors.readable(d)) {
            throw ProtectionFaults.badSelector(selector);
        }
        if (!SegmentDescriptors.conforming(d) && (rpl(selector) > dpl(d) || cpu.cpl() > dpl(d))) {
            throw ProtectionFaults.badSelector(selector);
        }
        if (!SegmentDescriptors.present(d)) {
            throw ProtectionFaults.notPresent(ProtectionFaults.selectorError(selector));
        }
        table.markAccessed(selector, d);
        return d | SegmentDescriptors.ACCESSED;
    }

    /** SDM MOV to SS: not null, RPL = CPL, writable data with DPL = CPL, present (#SS otherwise). */
    private long checkStack(int selector) {
        if (isNull(selector)) {
            throw ProtectionFaults.generalProtection(0);
        }
        long d = table.read(selector);
        if (rpl(selector) != cpu.cpl() || !SegmentDescriptors.writableData(d) || dpl(d) != cpu.cpl()) {
            throw ProtectionFaults.badSelector(selector);
        }
        if (!SegmentDescriptors.present(d)) {
            throw ProtectionFaults.stackFault(ProtectionFaults.selectorError(selector));
        }
        table.markAccessed(selector, d);
        return d | SegmentDescriptors.ACCESSED;
    }

    /**
     * The code segment descriptor a far transfer names: #GP(0) for a null selector, #GP(selector)
     * outside the table or for anything but a code segment. Privilege and presence are the
     * caller's to check: their order and rules differ between jmp, call, ret, iret and gates.
     */
    long codeDescriptor(int selector) {
        if (isNull(selector)) {
            throw ProtectionFaults.generalProtection(0);
        }
        long d = table.read(selector);
        if (!SegmentDescriptors.isCode(d)) {
            throw ProtectionFaults.badSelector(selector);
        }
        return d;
    }

    /** #NP(selector) unless present. */
    static void requirePresent(long descriptor, int selector) {
        if (!SegmentDescriptors.present(descriptor)) {
            throw ProtectionFaults.notPresent(ProtectionFaults.selectorError(selector));
        }
    }

    /**
     * The stack segment an outer return (ret, iret) or an inner call lands on: not null, RPL and
     * DPL equal to the new CPL, writable data, present. {@code fromTss} picks #TS (a stack from
     * the TSS) over #GP (returns) for a refused selector. An absent stack is #SS from the TSS and
     * #NP on a return: the SDM's IRET exception list and QEMU say #NP there, though its RET and
     * IRET pseudo-code say #SS.
     */
    long stackDescriptorFor(int selector, int newCpl, boolean fromTss) {
        if (isNull(selector)) {
            throw fromTss ? ProtectionFaults.invalidTss(0) : ProtectionFaults.generalProtection(0);
        }
        long a = table.address(selector);
        if (a == SegmentDescriptors.OUTSIDE) {
            throw fromTss ? ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector)) : ProtectionFaults.badSelector(selector);
        }
        long d = cpu.readSystem64(a);
        if (rpl(selector) != newCpl || dpl(d) != newCpl || !SegmentDescriptors.writableData(d)) {
            throw fromTss ? ProtectionFaults.invalidTss(ProtectionFaults.selectorError(selector)) : ProtectionFaults.badSelector(selector);
        }
        if (!SegmentDescriptors.present(d)) {
            throw fromTss ? ProtectionFaults.stackFault(ProtectionFaults.selectorError(selector))
                    : ProtectionFaults.notPresent(ProtectionFaults.selectorError(selector));
        }
        return d;
    }

    /** Makes a checked code segment current: CS = selector with RPL = {@code newCpl}, which becomes the CPL. */
    void enterCode(int selector, long descriptor, int newCpl) {
        if ((descriptor & SegmentDescriptors.LONG_MODE) != 0 && (cpu.efer & SystemCpu.EFER_LMA) != 0) {
            if (SegmentDescriptors.default32(descriptor)) {
                throw ProtectionFaults.badSelector(selector); // L and D both set is reserved (SDM vol. 3, 5.2.1)
            }
            // 64-bit mode: the base and limit do not apply (SDM vol. 3, 5.2.1)
            X86CpuState s = cpu.cpu.state;
            s.segSelector[X86CpuState.CS] = (selector & 0xfffc) | newCpl;
            s.segBase[X86CpuState.CS] = 0;
            cpu.segmentDescriptor[X86CpuState.CS] = descriptor;
            cpu.setPrivilege(newCpl, X86Cpu.MODE_64);
            return;
        }
        if (!SegmentDescriptors.default32(descriptor)) {
            throw new UnsupportedGuestFeature("16-bit code segment (selector 0x" + Integer.toHexString(selector)
                    + "): only flat 32-bit protected mode is supported under TCG in this build");
        }
        if (SegmentDescriptors.base(descriptor) != 0) {
            throw new UnsupportedGuestFeature("code segment base 0x" + Long.toHexString(SegmentDescriptors.base(descriptor))
                    + ": only flat code segments are supported under TCG in this build");
        }
        X86CpuState s = cpu.cpu.state;
        s.segSelector[X86CpuState.CS] = (selector & 0xfffc) | newCpl;
        s.segBase[X86CpuState.CS] = 0;
        cpu.segmentDescriptor[X86CpuState.CS] = descriptor;
        cpu.setPrivilege(newCpl, X86Cpu.MODE_32);
    }

    /** CS and SS as the flat segments a fast system call assumes; {@code newCpl} becomes the CPL. */
    void enterFlat(int codeSelector, long code, int stackSelector, long stack, int newCpl) {
        enterCode(codeSelector, code, newCpl);
        X86CpuState s = cpu.cpu.state;
        s.segSelector[X86CpuState.SS] = stackSelector;
        s.segBase[X86CpuState.SS] = 0;
        cpu.segmentDescriptor[X86CpuState.SS] = stack;
    }

    /** Makes a checked stack segment current (no accessed-bit write: the checks already ran). */
    void enterStack(int selector, long descriptor) {
        X86CpuState s = cpu.cpu.state;
        s.segSelector[X86CpuState.SS] = selector & 0xffff;
        s.segBase[X86CpuState.SS] = SegmentDescriptors.base(descriptor);
        cpu.segmentDescriptor[X86CpuState.SS] = descriptor;
    }

    /**
     * After a return to an outer ring (ret, iret): a data segment register whose segment the
     * new CPL may not use (data or non-conforming code with DPL below the CPL) becomes null, so
     * kernel segments do not leak to user code (SDM vol. 2, RET and IRET).
     */
    void nullInaccessibleDataSegments(int newCpl) {
        X86CpuState s = cpu.cpu.state;
        for (int seg : new int[] {X86CpuState.ES, X86CpuState.DS, X86CpuState.FS, X86CpuState.GS}) {
            long d = cpu.segmentDescriptor[seg];
            boolean dataOrNonConforming = SegmentDescriptors.isData(d) || (SegmentDescriptors.isCode(d) && !SegmentDescriptors.conforming(d));
            if (d != 0 && dataOrNonConforming && dpl(d) < newCpl) {
                s.segSelector[seg] = 0;
                s.segBase[seg] = 0;
                cpu.segmentDescriptor[seg] = 0;
            }
        }
    }
}
