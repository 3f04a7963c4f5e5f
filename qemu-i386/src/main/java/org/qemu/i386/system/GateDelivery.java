package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;

import org.qemu.i386.cpu.X86CpuState;

/**
 * Delivers an interrupt or exception (in long mode: {@link LongModeGateDelivery}) through a 32-bit interrupt or trap gate of the IDT (Intel
 * SDM vol. 3, 6.12.1), or through a task gate to a {@link TaskSwitch}: the gate's checks (IDT limit, type, DPL for software interrupts,
 * presence), the handler's code segment checks, and the stack switch to SS:ESP of the handler's
 * ring from the TSS when the handler is more privileged than the interrupted code, with the old
 * SS:ESP pushed before EFLAGS, CS, EIP and the error code. Nothing is committed until every
 * push has landed, so a fault on the way leaves the interrupted state for the double fault.
 */
final class GateDelivery {
    private static final int NT = 1 << 14;
    private static final int RF = 1 << 16;
    private static final int VM = 1 << 17;

    private final SystemCpu cpu;

    private final LongModeGateDelivery longMode;

    GateDelivery(SystemCpu cpu) {
        this.cpu = cpu;
        this.longMode = new LongModeGateDelivery(cpu);
    }

    /**
     * @param errorCode pushed unless negative
     * @param software  int n, int3, into: the gate's DPL must allow the current privilege level
     */
    void deliver(int vector, int errorCode, boolean software) {
        if (cpu.longModeActive()) {
            longMode.deliver(vector, errorCode, software);
            return;
        }
        X86CpuState s = cpu.cpu.state;
        int gateError = vector * 8 + 2;
        if (vector * 8 + 7 > cpu.idtLimit) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        long gate = cpu.readSystem64((cpu.idtBase + vector * 8L) & 0xffffffffL);
        int type = SegmentDescriptors.type(gate);
        if (SegmentDescriptors.isSegment(gate)
                || (type != SegmentDescriptors.TYPE_INTERRUPT_GATE32 && type != SegmentDescriptors.TYPE_TRAP_GATE32
                && type != SegmentDescriptors.TYPE_TASK_GATE && type != SegmentDescriptors.TYPE_INTERRUPT_GATE16
                && type != SegmentDescriptors.TYPE_TRAP_GATE16)) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        int cpl = cpu.cpl();
        if (software && dpl(gate) < cpl) {
            throw ProtectionFaults.generalProtection(gateError);
        }
        if (!SegmentDescriptors.present(gate)) {
            throw ProtectionFaults.notPresent(gateError);
        }
        if (type == SegmentDescriptors.TYPE_TASK_GATE) {
            cpu.taskSwitch.switchTo((int) (gate >>> 16) & 0xffff, TaskSwitch.Kind.INTERRUPT, errorCode);
            return;
        }
        if (type == SegmentDescriptors.TYPE_INTERRUPT_GATE16 || type == SegmentDescriptors.TYPE_TRAP_GATE16) {
            throw new UnsupportedGuestFeature("IDT vector " + vector + " is a 16-bit gate, not supported under TCG in this build");
        }
        int selector = (int) (gate >>> 16) & 0xffff;
        int offset = (int) (gate & 0xffff) | (int) ((gate >>> 48) & 0xffff) << 16;
        long code = cpu.loader.codeDescriptor(selector);
        int codeDpl = dpl(code);
        if (codeDpl > cpl) {
            throw ProtectionFaults.badSelector(selector);
        }
        SegmentLoader.requirePresent(code, selector);
        boolean inner = !SegmentDescriptors.conforming(code) && codeDpl < cpl;
        int newCpl = inner ? codeDpl : cpl;

        int flags = s.eflags() & ~RF;
        int oldSs = s.segSelector[X86CpuState.SS];
        int oldEsp = s.reg32(X86CpuState.ESP);
        int newSs = 0;
        long newSsDescriptor = 0;
        long stackBase = s.segBase[X86CpuState.SS];
        int esp = oldEsp;
        if (inner) {
            int[] stack = cpu.tss.innerStack(newCpl);
            newSs = stack[0];
            newSsDescriptor = cpu.loader.stackDescriptorFor(newSs, newCpl, true);
            stackBase = SegmentDescriptors.base(newSsDescriptor);
            esp = stack[1];
        }
        // the pushes are the handler's: supervisor accesses once the privilege level has changed
        StackWriter stack = new StackWriter(cpu.cpu, stackBase, esp, 32);
        cpu.setPrivilegeForAccess(newCpl);
        try {
            if (inner) {
                stack.push(oldSs);
                stack.push(oldEsp);
            }
            stack.push(flags);
            stack.push(s.segSelector[X86CpuState.CS]);
            stack.push(s.eip());
            if (errorCode >= 0) {
                stack.push(errorCode);
            }
        } finally {
            cpu.setPrivilegeForAccess(cpl);
        }
        if (inner) {
            cpu.loader.enterStack(newSs, newSsDescriptor);
        }
        cpu.loader.enterCode(selector, code, newCpl);
        s.setReg32(X86CpuState.ESP, stack.esp());
        int cleared = X86CpuState.TF | NT | RF | VM | (type == SegmentDescriptors.TYPE_INTERRUPT_GATE32 ? X86CpuState.IF : 0);
        s.eflagsOther &= ~cleared;
        s.setEip(offset);
    }
}
