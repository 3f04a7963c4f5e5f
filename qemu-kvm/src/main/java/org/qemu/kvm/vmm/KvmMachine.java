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
import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.MachineBackends;
import org.qemu.common.board.MachineControlException;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.board.RunControl;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.monitor.MachineMonitors;
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
public final class KvmMachine implements ManagedMachine {
    private final MachineRequest request;
    private final MachineOutcome outcome = new MachineOutcome();
    private final KvmInterruptRouter interrupts = new KvmInterruptRouter();
    private final RunControl runControl = new RunControl();
    private final List<KvmVcpu> vcpus = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.Map<Integer, Long> vcpuThreadIds = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile PcBoard board;

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
        this.board = board;
        board.onSleep(this::acpiSleep);
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
            for (int id = 0; id < request.cpus(); id++) {
                KvmVcpu vcpu = vm.createVcpu(id);
                VcpuSetup.configure(vcpu, cpuid, boot);
                vcpus.add(vcpu);
                runControl.cpuStarted();
                Thread t = new Thread(new VcpuLoop(vcpu, board, this), "vcpu" + id);
                t.setDaemon(true);
                threads.add(t);
            }
            try (MachineMonitors monitors = MachineMonitors.open(request.control(), this)) {
                if (!monitors.ownsStdin()) {
                    StdioConsole.onStdin(board.serial(), () -> end(0, MachineEvent.shutdown(false, "host-ui"))).start();
                }
                monitors.start();
                threads.forEach(Thread::start);
                return outcome.await();
            }
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
            end(0, MachineEvent.shutdown(true, "guest-reset"));
        } else {
            fail(why + "; rebooting is not implemented in this build (use -no-reboot)");
        }
    }

    void powerOff() {
        end(0, MachineEvent.shutdown(true, "guest-shutdown"));
    }

    void fail(String report) {
        if (!outcome.finished()) {
            System.err.print(report.endsWith("\n") ? report : report + "\n");
            System.err.flush();
        }
        end(1, null);
    }

    // --- management (QMP, the human monitor): see ManagedMachine ---

    /** x86-64 Linux's gettid: QMP reports the host thread of each vCPU. */
    private static final int HOST_GETTID = 186;

    /** Monitors hear how the machine ends before the process does. */
    private void end(int status, MachineEvent event) {
        if (!outcome.finished()) {
            runControl.end(event);
        }
        outcome.finish(status);
    }

    private void acpiSleep(int sleepType) {
        if (sleepType == 0) {
            powerOff();
        } else {
            fail("qemu-kvm: ACPI sleep type " + sleepType + " (suspend) is not implemented in this build");
        }
    }

    void vcpuThreadStarted(KvmVcpu vcpu) {
        vcpuThreadIds.put(vcpu.id(), HostSyscall.call(HOST_GETTID));
    }

    void vcpuThreadStopped() {
        runControl.cpuStopped();
    }

    void pausePoint() {
        runControl.parkIfPaused();
    }

    @Override
    public String status() {
        return outcome.finished() ? "shutdown" : runControl.status();
    }

    /**
     * Returns at once: a vCPU inside KVM_RUN stops at its next exit to user space (port I/O,
     * MMIO); kicking it out of the kernel with a signal is not built.
     */
    @Override
    public void pause() {
        runControl.pause(() -> { }, false);
    }

    @Override
    public void resume() {
        runControl.resume();
    }

    @Override
    public List<CpuInfo> cpus() {
        List<CpuInfo> list = new ArrayList<>();
        for (KvmVcpu vcpu : vcpus) {
            list.add(new CpuInfo(vcpu.id(), "/machine/unattached/device[" + vcpu.id() + "]",
                    vcpuThreadIds.getOrDefault(vcpu.id(), 0L), "x86_64"));
        }
        return list;
    }

    @Override
    public String registerDump(int cpuIndex) {
        return "CPU#" + cpuIndex + "\n" + VcpuReport.registers(vcpus.get(Math.clamp(cpuIndex, 0, vcpus.size() - 1)));
    }

    @Override
    public void requestReset() {
        if (request.noReboot()) {
            end(0, MachineEvent.shutdown(false, "host-qmp-system-reset"));
        } else {
            throw new MachineControlException("rebooting is not implemented in this build (start with -no-reboot to make a reset end the machine)");
        }
    }

    @Override
    public void requestPowerdown() {
        runControl.emit(MachineEvent.powerdown());
        board.acpi().pressPowerButton();
    }

    @Override
    public void quit() {
        end(0, MachineEvent.shutdown(false, "host-qmp-quit"));
    }

    @Override
    public void addEventListener(java.util.function.Consumer<MachineEvent> listener) {
        runControl.addListener(listener);
    }


}
