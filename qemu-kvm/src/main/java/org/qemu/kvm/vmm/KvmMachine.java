package org.qemu.kvm.vmm;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.board.BootException;
import org.qemu.common.board.BootState;
import org.qemu.common.board.MachineBackends;
import org.qemu.common.board.PcBoard;
import org.qemu.common.board.StdioConsole;
import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.Kvm;
import org.qemu.kvm.sys.KvmVcpu;
import org.qemu.kvm.sys.KvmVm;

/**
 * A PC on KVM, assembled from a {@link MachineRequest} in one readable sequence: everything that
 * depends only on user input (RAM size, disks, kernel) is checked and loaded first, then KVM is
 * opened and set up in DESIGN.md's ioctl order, then one thread per vCPU runs until the guest
 * resets, powers off or fails.
 */
public final class KvmMachine {
    private final MachineRequest request;
    private final MachineOutcome outcome = new MachineOutcome();
    private final KvmInterruptRouter interrupts = new KvmInterruptRouter();

    private KvmMachine(MachineRequest request) {
        this.request = request;
    }

    /** Where the VMM stands when KVM itself is missing: the caller decides about fallbacks. */
    public static final class KvmUnavailable extends Exception {
        KvmUnavailable(String reason) {
            super(reason);
        }
    }

    /** Builds and runs the machine; returns the process exit status. */
    public static int run(MachineRequest request, OutputStream serialOutput) throws LauncherException, KvmUnavailable {
        return new KvmMachine(request).boot(serialOutput);
    }

    public static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    private int boot(OutputStream serialOutput) throws LauncherException, KvmUnavailable {
        MachineBackends.checkRequest(request);
        checkHostMemory(request.ramBytes());
        String cpu = request.cpuModel() == null ? "host" : request.cpuModel().split(",")[0];
        if (!cpu.equals("host") && !cpu.equals("max")) {
            throw new LauncherException("-cpu " + cpu + ": under KVM this build passes the host CPU through; use -cpu host");
        }
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());
        MemorySegment ram;
        try {
            ram = GuestRam.map(GuestRam.pageAligned(request.ramBytes()));
        } catch (ErrnoException e) {
            throw new LauncherException("cannot set up guest memory 'pc.ram': " + e.reason());
        }
        PhysicalMemory memory = new PhysicalMemory(ram);
        PcBoard board = new PcBoard(memory, request.cpus(), interrupts::line, this::resetLine, console, disks);
        BootState boot;
        try {
            boot = board.loadKernel(request.kernel(), request.initrd(), request.append());
        } catch (BootException e) {
            throw new LauncherException(e.getMessage());
        }

        Kvm kvm;
        try {
            kvm = Kvm.open();
        } catch (ErrnoException e) {
            throw new KvmUnavailable(e.reason());
        } catch (org.qemu.kvm.sys.KvmException e) {
            throw new KvmUnavailable(e.getMessage());
        }
        try (Arena arena = Arena.ofShared()) {
            KvmVm vm = kvm.createVm();
            vm.setTssAddress(KvmVm.TSS_ADDRESS);
            vm.createIrqchip();
            vm.createPit2();
            vm.setUserMemoryRegion(0, 0, ram);
            interrupts.connect(vm);
            MemorySegment cpuid = kvm.supportedCpuid(arena);
            List<Thread> threads = new ArrayList<>();
            List<KvmVcpu> vcpus = new ArrayList<>();
            org.qemu.kvm.gdb.KvmDebugSupport debug = request.gdb() == null ? null : new org.qemu.kvm.gdb.KvmDebugSupport();
            for (int id = 0; id < request.cpus(); id++) {
                KvmVcpu vcpu = vm.createVcpu(id);
                VcpuSetup.configure(vcpu, cpuid, boot);
                vcpus.add(vcpu);
                Thread t = new Thread(new VcpuLoop(vcpu, board, this, debug), "vcpu" + id);
                t.setDaemon(true);
                threads.add(t);
            }
            org.qemu.common.gdbstub.GdbServer gdb = debug == null ? null
                    : org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(), new org.qemu.common.gdbstub.MachineDebugTarget(
                            debug, org.qemu.common.gdbstub.DebugMemory.ofRam(ram), vcpus, () -> outcome.finish(0)));
            StdioConsole.onStdin(board.serial(), () -> outcome.finish(0)).start();
            threads.forEach(Thread::start);
            int status = outcome.await();
            if (gdb != null) {
                gdb.reportExit(status, 0);
            }
            return status;
        } catch (ErrnoException e) {
            throw new LauncherException("kvm: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static void checkHostMemory(long bytes) throws LauncherException {
        long host = GuestRam.hostMemoryBytes();
        if (host > 0 && bytes > host) {
            throw new LauncherException("cannot set up guest memory 'pc.ram': Cannot allocate memory ("
                    + (bytes >> 20) + " MiB asked, host has " + (host >> 20) + " MiB)");
        }
    }

    boolean finished() {
        return outcome.finished();
    }

    /** The i8042 or a triple fault pulled the reset line. */
    private void resetLine() {
        guestReset("guest reset through the i8042");
    }

    void guestReset(String why) {
        if (request.noReboot()) {
            outcome.finish(0);
        } else {
            fail(why + "; rebooting is not implemented in this build (use -no-reboot)");
        }
    }

    void powerOff() {
        outcome.finish(0);
    }

    void fail(String report) {
        if (!outcome.finished()) {
            System.err.print(report.endsWith("\n") ? report : report + "\n");
            System.err.flush();
        }
        outcome.finish(1);
    }


}
