package org.qemu.kvm.vmm;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

import org.qemu.common.board.BootException;
import org.qemu.common.board.BootState;
import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.MachineBackends;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.board.RunControl;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.monitor.MachineMonitors;
import org.qemu.common.board.PcBoard;
import org.qemu.common.board.StdioConsole;
import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.kvm.sys.ErrnoException;
import org.qemu.kvm.sys.Kvm;
import org.qemu.kvm.sys.KvmVcpu;
import org.qemu.kvm.sys.KvmVm;
import org.qemu.kvm.sys.ThreadKick;

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
    /** Released whenever the main thread has something to decide: the machine ended or a reset was asked for. */
    private final Semaphore attention = new Semaphore(0);
    private final List<ThreadKick> kicks = new CopyOnWriteArrayList<>();
    private volatile boolean resetPending;
    /** The gdbstub's view of the vCPUs (-s/-gdb), or null; the server lives across resets. */
    private org.qemu.kvm.gdb.KvmDebugSupport debug;
    private org.qemu.common.gdbstub.GdbServer gdb;
    private final RunControl runControl = new RunControl();
    private volatile List<KvmVcpu> currentVcpus = List.of();
    /**
     * Done once the first VM's vCPUs exist. The monitors start before (they must hear a -S
     * {@code cont}), but QEMU answers a monitor only after creating its CPUs: a {@code
     * query-cpus-fast} right after the greeting must not see an empty machine.
     */
    private final java.util.concurrent.CompletableFuture<Void> vcpusCreated = new java.util.concurrent.CompletableFuture<>();
    /**
     * The host thread id of each vCPU of the current VM, completed by its thread as it starts: a
     * QMP query that arrives between the vCPUs' creation and their threads' first instruction
     * waits for it instead of answering 0 (seen under a real KVM). Replaced, before the vCPU list,
     * for every VM a reset builds.
     */
    private volatile java.util.Map<Integer, java.util.concurrent.CompletableFuture<Long>> vcpuThreadIds = java.util.Map.of();
    private volatile PcBoard board;

    private KvmMachine(MachineRequest request) {
        this.request = request;
        outcome.onFinish(attention::release);
    }

    /** Where the VMM stands when KVM itself is missing: the caller decides about fallbacks. */
    public static final class KvmUnavailable extends Exception {
        KvmUnavailable(String reason) {
            super(reason);
        }
    }

    /** Builds and runs the machine; returns the process exit status. */
    public static int run(MachineRequest request, OutputStream serialOutput) throws LauncherException, KvmUnavailable {
        return create(request).boot(serialOutput);
    }

    public static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    /** A machine for {@code request}, not running yet: {@link #boot} runs it (a monitor keeps the object to control it). */
    public static KvmMachine create(MachineRequest request) {
        return new KvmMachine(request);
    }

    /**
     * Checks and loads everything that depends on user input, then opens KVM and runs the
     * guest through any number of resets until it ends; returns the exit status.
     */
    public int boot(OutputStream serialOutput) throws LauncherException, KvmUnavailable {
        MachineBackends.checkRequest(request);
        checkHostMemory(request.ramBytes());
        String cpu = request.cpuModel() == null ? "host" : request.cpuModel().split(",")[0];
        if (!cpu.equals("host") && !cpu.equals("max")) {
            throw new LauncherException("-cpu " + cpu + ": under KVM this build passes the host CPU through; use -cpu host");
        }
        checkLogItems(request);
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());
        GuestRam ram;
        try {
            ram = GuestRam.map(GuestRam.pageAligned(request.ramBytes()));
        } catch (ErrnoException e) {
            throw new LauncherException("cannot set up guest memory 'pc.ram': " + e.reason());
        }
        PcBoard board = new PcBoard(ram.physical(), request.cpus(), interrupts::line, this::resetLine, console, disks);
        this.board = board;
        board.onSleep(this::acpiSleep);
        BootState boot = loadKernel(board);

        Kvm kvm;
        try {
            kvm = Kvm.open();
        } catch (ErrnoException e) {
            throw new KvmUnavailable(e.reason());
        } catch (org.qemu.kvm.sys.KvmException e) {
            throw new KvmUnavailable(e.getMessage());
        }
        try (MachineMonitors monitors = MachineMonitors.open(request.control(), this);
                Arena arena = Arena.ofShared()) {
            if (!monitors.ownsStdin()) {
                StdioConsole.onStdin(board.serial(), () -> end(0, MachineEvent.shutdown(false, "host-ui"))).start();
            }
            monitors.start();
            MemorySegment cpuid = kvm.supportedCpuid(arena);
            debug = request.gdb() == null ? null : new org.qemu.kvm.gdb.KvmDebugSupport();
            if (request.control().startPaused()) {
                runControl.startPaused();
            }
            while (true) {
                runUntilResetOrEnd(kvm, ram, board, cpuid, boot);
                if (outcome.finished()) {
                    int status = outcome.await();
                    if (gdb != null) {
                        gdb.reportExit(status, 0);
                    }
                    return status;
                }
                board.reset();
                boot = loadKernel(board);
                resetPending = false;
            }
        } catch (ErrnoException e) {
            throw new LauncherException("kvm: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** The kernel runs the guest: what -d would trace under TCG never passes through this process. */
    private static void checkLogItems(MachineRequest request) throws LauncherException {
        for (org.qemu.common.log.LogItem item : request.control().log().items()) {
            throw new LauncherException("-d " + item.spelling() + ": logging '" + item.spelling()
                    + "' needs TCG (under KVM the kernel runs the guest); use -accel tcg");
        }
    }

    private BootState loadKernel(PcBoard board) throws LauncherException {
        try {
            return board.loadKernel(request.kernel(), request.initrd(), request.append());
        } catch (BootException e) {
            throw new LauncherException(e.getMessage());
        }
    }

    /**
     * One power cycle: a fresh VM over the same guest RAM (so the in-kernel PIC, IOAPIC, PIT and
     * local APICs start from their reset state and the application processors wait for
     * INIT/SIPI again), set up in DESIGN.md's order, run until the guest resets or the machine
     * ends; then every vCPU is pulled out of KVM_RUN and the VM is closed.
     */
    private void runUntilResetOrEnd(Kvm kvm, GuestRam ram, PcBoard board, MemorySegment cpuid, BootState boot)
            throws ErrnoException, InterruptedException, LauncherException {
        List<KvmVcpu> vcpus = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try (KvmVm vm = kvm.createVm()) {
            vm.setTssAddress(KvmVm.TSS_ADDRESS);
            vm.createIrqchip();
            vm.createPit2();
            for (GuestRam.Slot slot : ram.slots()) {
                vm.setUserMemoryRegion(slot.index(), slot.guestAddress(), slot.host());
            }
            interrupts.connect(vm);
            try {
                for (int id = 0; id < request.cpus(); id++) {
                    KvmVcpu vcpu = vm.createVcpu(id);
                    vcpus.add(vcpu);
                    VcpuSetup.configure(vcpu, cpuid, boot);
                    runControl.cpuStarted();
                    Thread t = new Thread(new VcpuLoop(vcpu, board, this, debug), "vcpu" + id);
                    t.setDaemon(true);
                    threads.add(t);
                }
                java.util.Map<Integer, java.util.concurrent.CompletableFuture<Long>> tids = new java.util.HashMap<>();
                vcpus.forEach(v -> tids.put(v.id(), new java.util.concurrent.CompletableFuture<>()));
                vcpuThreadIds = java.util.Map.copyOf(tids);
                currentVcpus = List.copyOf(vcpus);
                vcpusCreated.complete(null);
                if (debug != null && gdb == null) {
                    // a live view: after a reset the debugger sees the new VM's vCPUs
                    List<KvmVcpu> debugged = new java.util.AbstractList<>() {
                        @Override
                        public KvmVcpu get(int index) {
                            return currentVcpus.get(index);
                        }

                        @Override
                        public int size() {
                            return currentVcpus.size();
                        }
                    };
                    gdb = org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(), new org.qemu.common.gdbstub.MachineDebugTarget(
                            debug, org.qemu.common.gdbstub.DebugMemory.ofRam(ram.slots().get(0).host()), debugged, () -> end(0, MachineEvent.shutdown(false, "host-signal"))));
                }
                threads.forEach(Thread::start);
                while (!outcome.finished() && !resetPending) {
                    attention.acquire();
                }
            } finally {
                stopVcpus(threads);
                interrupts.connect(null);
                vcpus.forEach(KvmVcpu::close);
            }
        }
    }

    /**
     * Kicks every vCPU out of KVM_RUN until its thread has seen {@link #finished()} and ended. A
     * reset must wait for all of them; when the machine ends, a thread stuck elsewhere (a blocked
     * console) is left to die with the process after a second.
     */
    private void stopVcpus(List<Thread> threads) throws InterruptedException {
        long giveUp = System.nanoTime() + 1_000_000_000L;
        for (Thread t : threads) {
            while (t.isAlive() && (!outcome.finished() || System.nanoTime() < giveUp)) {
                kicks.forEach(ThreadKick::kick);
                t.join(50);
            }
        }
        kicks.clear();
    }

    /** A vCPU thread, before its first KVM_RUN, says how to pull it out. */
    void kickable(ThreadKick kick) {
        kicks.add(kick);
        if (finished()) {
            kick.kick();
        }
    }

    private static void checkHostMemory(long bytes) throws LauncherException {
        long host = GuestRam.hostMemoryBytes();
        if (host > 0 && bytes > host) {
            throw new LauncherException("cannot set up guest memory 'pc.ram': Cannot allocate memory ("
                    + (bytes >> 20) + " MiB asked, host has " + (host >> 20) + " MiB)");
        }
    }

    /** True when the vCPUs must leave their loops: the machine ended, or a reset is under way. */
    boolean finished() {
        return outcome.finished() || resetPending;
    }

    /** The i8042 pulled the reset line. */
    private void resetLine() {
        requestReset("guest reset through the i8042");
    }

    /**
     * The board's reset line, for the guest (i8042, triple fault, KVM's reset event) and for a
     * monitor's {@code system_reset}. As in QEMU, {@code -no-reboot} turns every reset into the
     * end of the process with status 0; otherwise devices are reset, RAM and CMOS are kept, and
     * the kernel is loaded again into a fresh VM.
     */
    public void requestReset(String why) {
        reset(true, "guest-reset");
    }

    /** {@code guest} and {@code reason} are what monitors hear (QMP's RESET or, under -no-reboot, SHUTDOWN). */
    private void reset(boolean guest, String reason) {
        if (request.noReboot()) {
            end(0, MachineEvent.shutdown(guest, reason));
        } else {
            runControl.emit(MachineEvent.reset(guest, reason));
            resetPending = true;
            attention.release();
        }
    }

    /** Ends the machine as the console's quit key does: status 0. */
    public void requestQuit() {
        end(0, MachineEvent.shutdown(false, "host-qmp-quit"));
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

    /** Monitors hear how the machine ends before the process does. */
    private void end(int status, MachineEvent event) {
        if (!outcome.finished()) {
            runControl.end(event);
        }
        outcome.finish(status);
        vcpusCreated.complete(null); // a monitor waiting for vCPUs that never came hears the end instead
    }

    /** PM1_CNT SLP_EN: type 0 is soft-off (S5) on QEMU's PIIX4; other states are not built. */
    private void acpiSleep(int sleepType) {
        if (sleepType == 0) {
            powerOff();
        } else {
            fail("qemu-kvm: ACPI sleep type " + sleepType + " (suspend) is not implemented in this build");
        }
    }

    void vcpuThreadStarted(KvmVcpu vcpu) {
        java.util.concurrent.CompletableFuture<Long> tid = vcpuThreadIds.get(vcpu.id());
        if (tid != null) {
            tid.complete(HostSyscall.call(HostNr.GETTID));
        }
    }

    void vcpuThreadStopped() {
        runControl.cpuStopped();
    }

    /** Between exits; a reset lets the old vCPUs leave, the new ones stop here while paused. */
    void pausePoint() {
        runControl.parkIfPaused(this::finished);
    }

    @Override
    public String status() {
        return outcome.finished() ? "shutdown" : runControl.status();
    }

    /** Kicks every vCPU out of KVM_RUN (ThreadKick) and returns once all wait at the gate. */
    @Override
    public void pause() {
        runControl.pause(() -> kicks.forEach(ThreadKick::kick));
    }

    @Override
    public void resume() {
        runControl.resume();
    }

    /** The vCPU's host thread id, once its thread has started (waits up to 5 s for that; 0 if it never does). */
    private long threadId(KvmVcpu vcpu) {
        java.util.concurrent.CompletableFuture<Long> tid = vcpuThreadIds.get(vcpu.id());
        if (tid == null) {
            return 0;
        }
        try {
            return tid.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** The vCPUs, once the first VM has them (waits up to 5 s for that, as a monitor may ask first). */
    private List<KvmVcpu> createdVcpus() {
        try {
            vcpusCreated.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // the machine failed before it had vCPUs: the empty list says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return currentVcpus;
    }

    @Override
    public List<CpuInfo> cpus() {
        List<CpuInfo> list = new ArrayList<>();
        for (KvmVcpu vcpu : createdVcpus()) {
            list.add(new CpuInfo(vcpu.id(), "/machine/unattached/device[" + vcpu.id() + "]", threadId(vcpu), "x86_64"));
        }
        return list;
    }

    @Override
    public String registerDump(int cpuIndex) {
        List<KvmVcpu> vcpus = createdVcpus();
        if (vcpus.isEmpty()) {
            return "no CPU is running\n";
        }
        KvmVcpu vcpu = vcpus.get(Math.clamp(cpuIndex, 0, vcpus.size() - 1));
        return runControl.whileStopped(() -> kicks.forEach(ThreadKick::kick), () -> "CPU#" + cpuIndex + "\n" + VcpuReport.registers(vcpu));
    }

    @Override
    public void requestReset() {
        reset(false, "host-qmp-system-reset");
    }

    @Override
    public void requestPowerdown() {
        runControl.emit(MachineEvent.powerdown());
        board.acpi().pressPowerButton();
    }

    @Override
    public void quit() {
        requestQuit();
    }

    @Override
    public void addEventListener(java.util.function.Consumer<MachineEvent> listener) {
        runControl.addListener(listener);
    }


}
