package org.qemu.kvm.vmm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.qemu.common.board.PcBoard;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.KvmExit;
import org.qemu.kvm.sys.KvmVcpu;

/** One vCPU thread: enter the guest, handle the exit, repeat until the machine ends. */
final class VcpuLoop implements Runnable {
    private final KvmVcpu vcpu;
    private final PcBoard board;
    private final KvmMachine machine;
    private final long[] mmioValue = new long[1];
    private long ioExits;

    VcpuLoop(KvmVcpu vcpu, PcBoard board, KvmMachine machine) {
        this.vcpu = vcpu;
        this.board = board;
        this.machine = machine;
    }

    long ioExits() {
        return ioExits;
    }

    @Override
    public void run() {
        try {
            while (!machine.finished()) {
                int reason = vcpu.run();
                switch (reason) {
                    case KvmExit.IO -> portIo();
                    case KvmExit.MMIO -> mmio();
                    case KvmExit.INTR, KvmExit.IRQ_WINDOW_OPEN -> { }
                    case KvmExit.HLT -> Thread.onSpinWait(); // only without an in-kernel APIC; keep polling
                    case KvmExit.SHUTDOWN -> machine.guestReset("vCPU " + vcpu.id() + " shut down (triple fault)");
                    case KvmExit.SYSTEM_EVENT -> systemEvent();
                    case KvmExit.INTERNAL_ERROR -> machine.fail(internalError());
                    case KvmExit.FAIL_ENTRY -> machine.fail(String.format(
                            "KVM: entry failed, hardware error 0x%x%n%s", vcpu.failEntryReason(), VcpuReport.registers(vcpu)));
                    default -> machine.fail("KVM: unexpected exit " + KvmExit.name(reason) + " on vCPU " + vcpu.id()
                            + "\n" + VcpuReport.registers(vcpu));
                }
            }
        } catch (ErrnoException e) {
            machine.fail("vCPU " + vcpu.id() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            machine.fail("vCPU " + vcpu.id() + ": device error: " + e.getMessage());
        }
    }

    private void portIo() {
        MemorySegment run = vcpu.runArea();
        int size = vcpu.ioSize();
        int port = vcpu.ioPort();
        int count = vcpu.ioCount();
        long data = vcpu.ioDataOffset();
        boolean out = vcpu.ioDirection() == KvmExit.IO_OUT;
        for (int i = 0; i < count; i++) {
            long at = data + (long) i * size;
            if (out) {
                board.ioBus().out(port, size, read(run, at, size));
            } else {
                write(run, at, size, board.ioBus().in(port, size));
            }
        }
        ioExits++;
    }

    private void mmio() {
        MemorySegment data = vcpu.mmioData();
        int length = Math.min(8, vcpu.mmioLength());
        if (vcpu.mmioIsWrite()) {
            long value = 0;
            for (int i = 0; i < length; i++) {
                value |= (data.get(ValueLayout.JAVA_BYTE, i) & 0xffL) << (8 * i);
            }
            board.mmioBus().write(vcpu.mmioAddress(), length, value);
        } else {
            board.mmioBus().read(vcpu.mmioAddress(), length, mmioValue);
            for (int i = 0; i < length; i++) {
                data.set(ValueLayout.JAVA_BYTE, i, (byte) (mmioValue[0] >>> (8 * i)));
            }
        }
    }

    private void systemEvent() {
        switch (vcpu.systemEventType()) {
            case KvmExit.SYSTEM_EVENT_RESET -> machine.guestReset("guest requested a reset");
            case KvmExit.SYSTEM_EVENT_SHUTDOWN -> machine.powerOff();
            case KvmExit.SYSTEM_EVENT_CRASH -> machine.fail("guest reported a crash\n" + VcpuReport.registers(vcpu));
            default -> machine.fail("KVM: unknown system event " + vcpu.systemEventType());
        }
    }

    private String internalError() {
        StringBuilder s = new StringBuilder("KVM internal error. Suberror: " + vcpu.internalSuberror() + "\n");
        if (vcpu.internalSuberror() == KvmExit.INTERNAL_ERROR_EMULATION) {
            s.append("emulation failure\n");
        }
        long[] extra = vcpu.internalData();
        for (int i = 0; i < extra.length; i++) {
            s.append(String.format("extra data[%d]: 0x%016x%n", i, extra[i]));
        }
        return s.append(VcpuReport.registers(vcpu)).toString();
    }

    private static int read(MemorySegment run, long at, int size) {
        return switch (size) {
            case 1 -> run.get(ValueLayout.JAVA_BYTE, at) & 0xff;
            case 2 -> run.get(ValueLayout.JAVA_SHORT_UNALIGNED, at) & 0xffff;
            default -> run.get(ValueLayout.JAVA_INT_UNALIGNED, at);
        };
    }

    private static void write(MemorySegment run, long at, int size, int value) {
        switch (size) {
            case 1 -> run.set(ValueLayout.JAVA_BYTE, at, (byte) value);
            case 2 -> run.set(ValueLayout.JAVA_SHORT_UNALIGNED, at, (short) value);
            default -> run.set(ValueLayout.JAVA_INT_UNALIGNED, at, value);
        }
    }
}
