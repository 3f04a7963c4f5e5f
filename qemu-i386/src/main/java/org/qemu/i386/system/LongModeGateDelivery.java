package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;

import org.qemu.i386.cpu.X86CpuState;

/**
 * Interrupt and exception delivery in long mode (Intel SDM vol. 3, 6.14): 16-byte IDT gates
 * (64-bit interrupt and trap gates only), a handler in 64-bit code, the stack from the 64-bit
 * TSS (RSPn for an inner ring, or the gate's IST entry whatever the ring), aligned down to 16
 * bytes, and a frame of SS, RSP, RFLAGS, CS, RIP (and the error code) pushed in 8-byte slots
 * every time. An inner ring gets a null SS with the new CPL as its RPL. Nothing is committed
 * until every push has landed.
 */
final class LongModeGateDelivery {
    private static final int TYPE_INTERRUPT_GATE64 = 14;
    private static final int TYPE_TRAP_GATE64 = 15;
    private static final int NT = 1 << 14;
    private static final int RF = 1 << 16;
    private static final int VM = 1 << 17;

    private final SystemCpu cpu;

    LongModeGateDelivery(SystemCpu cpu) {
        this.cpu = cpu;
    }

    void deliver(int vector, int errorCode, boolean software) {
        X86CpuState s = cpu.cpu.state;
        int gateError = vector * 8 + 2;
        if (vector * 16 + 15 > cpu.idtLimit) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        long low = cpu.readSystem64(cpu.idtBase + vector * 16L);
        long high = cpu.readSystem64(cpu.idtBase + vector * 16L + 8);
        int type = SegmentDescriptors.type(low);
        if (SegmentDescriptors.isSegment(low) || (type != TYPE_INTERRUPT_GATE64 && type != TYPE_TRAP_GATE64)) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        int cpl = cpu.cpl();
        if (software && dpl(low) < cpl) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        if (!SegmentDescriptors.present(low)) {
            throw ProtectionFaults.notPresent(gateError);
        }
        int selector = (int) (low >>> 16) & 0xffff;
        long offset = (low & 0xffff) | ((low >>> 48) & 0xffff) << 16 | (high & 0xffffffffL) << 32;
        int ist = (int) (low >>> 32) & 7;
        long code = cpu.loader.codeDescriptor(selector);
        if ((code & SegmentDescriptors.LONG_MODE) == 0 || SegmentDescriptors.default32(code)) {
            throw ProtectionFaults.badSelector(selector); // the handler must be 64-bit code
        }
        int codeDpl = dpl(code);
        if (codeDpl > cpl) {
            throw ProtectionFaults.badSelector(selector);
        }
        SegmentLoader.requirePresent(code, selector);
        boolean inner = !SegmentDescriptors.conforming(code) && codeDpl < cpl;
        int newCpl = inner ? codeDpl : cpl;

        long oldRsp = s.regs[X86CpuState.ESP];
        long rsp = oldRsp;
        if (ist != 0) {
            rsp = cpu.tss.interruptStack(ist);
        } else if (inner) {
            rsp = cpu.tss.ringStack(newCpl);
        }
        rsp &= ~15L;
        long[] frame = errorCode >= 0
                ? new long[] {s.segSelector[X86CpuState.SS], oldRsp, s.eflags() & ~RF & 0xffffffffL, s.segSelector[X86CpuState.CS], s.rip, errorCode}
                : new long[] {s.segSelector[X86CpuState.SS], oldRsp, s.eflags() & ~RF & 0xffffffffL, s.segSelector[X86CpuState.CS], s.rip};
        cpu.setPrivilegeForAccess(newCpl);
        try {
            for (long value : frame) {
                rsp -= 8;
                cpu.cpu.memory.write64(rsp, value);
            }
        } finally {
            cpu.setPrivilegeForAccess(cpl);
        }
        if (inner) {
            s.segSelector[X86CpuState.SS] = newCpl;
            s.segBase[X86CpuState.SS] = 0;
            cpu.segmentDescriptor[X86CpuState.SS] = 0;
        }
        cpu.loader.enterCode(selector, code, newCpl);
        s.regs[X86CpuState.ESP] = rsp;
        int cleared = X86CpuState.TF | NT | RF | VM | (type == TYPE_INTERRUPT_GATE64 ? X86CpuState.IF : 0);
        s.eflagsOther &= ~cleared;
        s.rip = offset;
    }
}
