package org.qemu.kvm.vmm;

import org.qemu.common.board.PcBoard;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmExit;
import org.qemu.kvm.sys.KvmVcpu;
import org.qemu.kvm.sys.ThreadKick;

/** One vCPU thread: enter the guest, handle the exit, repeat until the machine ends. */
final class VcpuLoop implements Runnable {
    private final KvmVcpu vcpu;
    private final KvmMachine machine;
    private final ExitHandler exits;
    /** Completes the IRETs a kvm-pvm host's KVM cannot emulate. */
    private final IretAssist iret;
    /** Null unless a gdbstub was asked for (-s/-gdb). */
    private final org.qemu.kvm.gdb.KvmDebugSupport debug;

    VcpuLoop(KvmVcpu vcpu, PcBoard board, KvmMachine machine, org.qemu.kvm.gdb.KvmDebugSupport debug) {
        this.vcpu = vcpu;
        this.debug = debug;
        this.machine = machine;
        this.exits = new ExitHandler(board.ioBus(), board.mmioBus());
        this.iret = new IretAssist(board.memory());
    }

    @Override
    public void run() {
        machine.vcpuThreadStarted(vcpu);
        try {
            ThreadKick kick = vcpu.enableKicks();
            machine.kickable(kick);
            while (!machine.finished()) {
                machine.pausePoint();
                if (debug != null) {
                    debug.beforeRun(vcpu);
                }
                int reason = vcpu.run();
                switch (reason) {
                    case KvmExit.IO -> exits.portIo(vcpu.runArea());
                    case KvmExit.MMIO -> exits.mmio(vcpu.runArea());
                    // A kick stays pending while the thread blocks its signal; left there it would
                    // end every later KVM_RUN at once and the guest would never run again. Real-time
                    // signals queue: a pause that kicked more than once left several.
                    case KvmExit.INTR -> {
                        while (kick.consumePending()) {
                            // one queued copy taken per call
                        }
                    }
                    case KvmExit.IRQ_WINDOW_OPEN -> { }
                    case KvmExit.DEBUG -> { } // a single step under the gdbstub: beforeRun reports it
                    case KvmExit.HLT -> Thread.onSpinWait(); // only without an in-kernel APIC; keep polling
                    case KvmExit.SHUTDOWN -> machine.requestReset("vCPU " + vcpu.id() + " shut down (triple fault)");
                    case KvmExit.SYSTEM_EVENT -> systemEvent();
                    case KvmExit.INTERNAL_ERROR -> {
                        if (vcpu.runArea().internalSuberror() != KvmExit.INTERNAL_ERROR_EMULATION || !iret.complete(vcpu)) {
                            machine.fail(internalError());
                        }
                    }
                    case KvmExit.FAIL_ENTRY -> machine.fail(String.format(
                            "KVM: entry failed, hardware error 0x%x%n%s", vcpu.runArea().failEntryReason(), VcpuReport.registers(vcpu)));
                    default -> machine.fail("KVM: unexpected exit " + KvmExit.name(reason) + " on vCPU " + vcpu.id()
                            + "\n" + VcpuReport.registers(vcpu));
                }
            }
        } catch (ErrnoException e) {
            machine.fail("vCPU " + vcpu.id() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            machine.fail("vCPU " + vcpu.id() + ": device error: " + e.getMessage());
        } finally {
            machine.vcpuThreadStopped();
        }
    }

    private void systemEvent() {
        switch (vcpu.runArea().systemEventType()) {
            case KvmExit.SYSTEM_EVENT_RESET -> machine.requestReset("guest requested a reset");
            case KvmExit.SYSTEM_EVENT_SHUTDOWN -> machine.powerOff();
            case KvmExit.SYSTEM_EVENT_CRASH -> machine.fail("guest reported a crash\n" + VcpuReport.registers(vcpu));
            default -> machine.fail("KVM: unknown system event " + vcpu.runArea().systemEventType());
        }
    }

    private String internalError() {
        StringBuilder s = new StringBuilder("KVM internal error. Suberror: " + vcpu.runArea().internalSuberror() + "\n");
        if (vcpu.runArea().internalSuberror() == KvmExit.INTERNAL_ERROR_EMULATION) {
            s.append("emulation failure\n");
        }
        long[] extra = vcpu.runArea().internalData();
        for (int i = 0; i < extra.length; i++) {
            s.append(String.format("extra data[%d]: 0x%016x%n", i, extra[i]));
        }
        return s.append(VcpuReport.registers(vcpu)).toString();
    }
}
