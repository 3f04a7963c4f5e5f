package org.qemu.i386.system;

import static org.qemu.i386.system.SegmentDescriptors.dpl;
import static org.qemu.i386.system.SegmentDescriptors.rpl;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Op;
import org.qemu.i386.cpu.X86OpBase;
import org.qemu.i386.translate.Operand;

/**
 * Far jmp, call and ret in protected mode with the privilege rules of Intel SDM vol. 3, 5.8:
 * direct transfers to code segments at the same privilege (conforming ones from an outer
 * ring), 32-bit call gates (with the stack switch and parameter copy of a call to an inner
 * ring), task switches through a TSS descriptor or a task gate ({@link TaskSwitch}), and
 * returns to the same or an outer ring.
 */
final class FarTransferOps {
    private FarTransferOps() {
    }

    private static SystemCpu system(X86Cpu cpu) {
        return (SystemCpu) cpu.systemContext();
    }

    /** ljmp/lcall ptr16:32 (or ptr16:16), or through a memory operand m16:32 when {@code pointer} is set. */
    static final class FarJump extends X86OpBase {
        private final int selector;
        private final int offset;
        private final Operand.Memory pointer;
        private final int bits;
        /** The return address for a far call; null for a jump. */
        private final Integer returnAddress;
        /** The address after the instruction: what a task switch saves as the old task's EIP. */
        private final int next;

        FarJump(int selector, int offset, Operand.Memory pointer, int bits, boolean call, int next) {
            this.selector = selector;
            this.offset = offset;
            this.pointer = pointer;
            this.bits = bits;
            this.returnAddress = call ? next : null;
            this.next = next;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            int sel = selector;
            int target = offset;
            if (pointer != null) {
                target = bits == 16 ? cpu.memory.read16(pointer.address(cpu)) : cpu.memory.read32(pointer.address(cpu));
                sel = cpu.memory.read16(pointer.address(cpu, bits / 8));
            }
            sel &= 0xffff;
            if (!sys.protectedMode()) {
                throw new UnsupportedGuestFeature("far transfer in real mode: only the switch to protected mode is supported under TCG in this build");
            }
            if (SegmentDescriptors.isNull(sel)) {
                throw ProtectionFaults.generalProtection(0);
            }
            long d = sys.descriptors.read(sel);
            if (SegmentDescriptors.isCode(d)) {
                toCodeSegment(cpu, sys, sel, d, target);
                return;
            }
            int type = SegmentDescriptors.type(d);
            if (SegmentDescriptors.isSegment(d)) {
                throw ProtectionFaults.badSelector(sel);
            }
            switch (type) {
                case SegmentDescriptors.TYPE_CALL_GATE32 -> throughCallGate(cpu, sys, sel, d);
                case SegmentDescriptors.TYPE_TSS32_AVAILABLE, SegmentDescriptors.TYPE_TSS16_AVAILABLE, SegmentDescriptors.TYPE_TASK_GATE -> {
                    // SDM vol. 3, 7.3: a TSS or task gate the caller's CPL and RPL may use
                    if (dpl(d) < sys.cpl() || dpl(d) < rpl(sel)) {
                        throw ProtectionFaults.badSelector(sel);
                    }
                    SegmentLoader.requirePresent(d, sel);
                    int tssSelector = type == SegmentDescriptors.TYPE_TASK_GATE ? (int) (d >>> 16) & 0xffff : sel;
                    cpu.state.setEip(next);
                    sys.taskSwitch.switchTo(tssSelector, returnAddress != null ? TaskSwitch.Kind.CALL : TaskSwitch.Kind.JUMP, -1);
                }
                case SegmentDescriptors.TYPE_CALL_GATE16 -> throw new UnsupportedGuestFeature("far "
                        + (returnAddress != null ? "call" : "jmp") + " through a 16-bit call gate is not supported under TCG in this build");
                default -> throw ProtectionFaults.badSelector(sel);
            }
        }

        private void toCodeSegment(X86Cpu cpu, SystemCpu sys, int sel, long d, int target) {
            int cpl = sys.cpl();
            if (SegmentDescriptors.conforming(d) ? dpl(d) > cpl : rpl(sel) > cpl || dpl(d) != cpl) {
                throw ProtectionFaults.badSelector(sel);
            }
            SegmentLoader.requirePresent(d, sel);
            X86CpuState s = cpu.state;
            if (returnAddress != null) {
                StackWriter stack = new StackWriter(cpu, s.segBase[X86CpuState.SS], s.reg32(X86CpuState.ESP), bits);
                stack.push(s.segSelector[X86CpuState.CS]);
                stack.push(returnAddress);
                s.setReg32(X86CpuState.ESP, stack.esp());
            }
            sys.loader.enterCode(sel, d, cpl);
            s.setEip(bits == 16 ? target & 0xffff : target);
        }

        /** SDM vol. 2, CALL and JMP: through a call gate, to the same ring or (call only) to an inner one on the TSS stack. */
        private void throughCallGate(X86Cpu cpu, SystemCpu sys, int gateSelector, long gate) {
            int cpl = sys.cpl();
            if (dpl(gate) < cpl || dpl(gate) < rpl(gateSelector)) {
                throw ProtectionFaults.badSelector(gateSelector);
            }
            SegmentLoader.requirePresent(gate, gateSelector);
            int sel = (int) (gate >>> 16) & 0xffff;
            int target = (int) (gate & 0xffff) | (int) ((gate >>> 48) & 0xffff) << 16;
            int parameters = (int) (gate >>> 32) & 0x1f;
            long code = sys.loader.codeDescriptor(sel);
            if (dpl(code) > cpl || (returnAddress == null && !SegmentDescriptors.conforming(code) && dpl(code) != cpl)) {
                throw ProtectionFaults.badSelector(sel);
            }
            SegmentLoader.requirePresent(code, sel);
            X86CpuState s = cpu.state;
            boolean inner = returnAddress != null && !SegmentDescriptors.conforming(code) && dpl(code) < cpl;
            if (!inner) {
                if (returnAddress != null) {
                    StackWriter stack = new StackWriter(cpu, s.segBase[X86CpuState.SS], s.reg32(X86CpuState.ESP), 32);
                    stack.push(s.segSelector[X86CpuState.CS]);
                    stack.push(returnAddress);
                    s.setReg32(X86CpuState.ESP, stack.esp());
                }
                sys.loader.enterCode(sel, code, cpl);
                s.setEip(target);
                return;
            }
            int newCpl = dpl(code);
            int[] innerStack = sys.tss.innerStack(newCpl);
            long ssDescriptor = sys.loader.stackDescriptorFor(innerStack[0], newCpl, true);
            int oldEsp = s.reg32(X86CpuState.ESP);
            long oldStackBase = s.segBase[X86CpuState.SS];
            int[] copied = new int[parameters];
            for (int i = 0; i < parameters; i++) {
                copied[i] = cpu.memory.read32((oldStackBase + ((oldEsp + 4L * i) & 0xffffffffL)) & 0xffffffffL);
            }
            sys.setPrivilegeForAccess(newCpl);
            StackWriter stack = new StackWriter(cpu, SegmentDescriptors.base(ssDescriptor), innerStack[1], 32);
            try {
                stack.push(s.segSelector[X86CpuState.SS]);
                stack.push(oldEsp);
                for (int i = parameters - 1; i >= 0; i--) {
                    stack.push(copied[i]);
                }
                stack.push(s.segSelector[X86CpuState.CS]);
                stack.push(returnAddress);
            } finally {
                sys.setPrivilegeForAccess(cpl);
            }
            sys.loader.enterStack(innerStack[0], ssDescriptor);
            sys.loader.enterCode(sel, code, newCpl);
            s.setReg32(X86CpuState.ESP, stack.esp());
            s.setEip(target);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }

    /** lret [imm16]: to the same ring, or to an outer one with SS:ESP popped after the released bytes. */
    static final class FarReturn extends X86OpBase {
        private final int release;
        private final int bits;

        FarReturn(int release, int bits) {
            this.release = release;
            this.bits = bits;
        }

        @Override
        public void exec(X86Cpu cpu) {
            SystemCpu sys = system(cpu);
            X86CpuState s = cpu.state;
            if (!sys.protectedMode()) {
                throw new UnsupportedGuestFeature("far transfer in real mode: only the switch to protected mode is supported under TCG in this build");
            }
            StackReader stack = new StackReader(cpu, bits);
            int eip = stack.pop();
            int cs = stack.pop() & 0xffff;
            long code = sys.loader.codeDescriptor(cs);
            int cpl = sys.cpl();
            int returnCpl = rpl(cs);
            if (returnCpl < cpl || (SegmentDescriptors.conforming(code) ? dpl(code) > returnCpl : dpl(code) != returnCpl)) {
                throw ProtectionFaults.badSelector(cs);
            }
            SegmentLoader.requirePresent(code, cs);
            stack.skip(release);
            if (returnCpl == cpl) {
                sys.loader.enterCode(cs, code, cpl);
                s.setReg32(X86CpuState.ESP, stack.esp());
            } else {
                int esp = stack.pop();
                int ss = stack.pop() & 0xffff;
                long stackDescriptor = sys.loader.stackDescriptorFor(ss, returnCpl, false);
                sys.loader.enterCode(cs, code, returnCpl);
                sys.loader.enterStack(ss, stackDescriptor);
                s.setReg32(X86CpuState.ESP, esp + release);
                sys.loader.nullInaccessibleDataSegments(returnCpl);
            }
            s.setEip(bits == 16 ? eip & 0xffff : eip);
        }

        @Override
        public boolean endsBlock() {
            return true;
        }
    }
}
