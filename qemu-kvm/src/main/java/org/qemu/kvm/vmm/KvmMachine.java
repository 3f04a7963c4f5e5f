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
import org.qemu.common.board.MachineBackends;
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
public final class KvmMachine {
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
    private volatile List<KvmVcpu> liveVcpus = List.of();

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
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());
        GuestRam ram;
        try {
            ram = GuestRam.map(GuestRam.pageAligned(request.ramBytes()));
        } catch (ErrnoException e) {
            throw new LauncherException("cannot set up guest memory 'pc.ram': " + e.reason());
        }
        PcBoard board = new PcBoard(ram.physical(), request.cpus(), interrupts::line, this::resetLine, console, disks);
        BootState boot = loadKernel(board);

        Kvm kvm;
        try {
            kvm = Kvm.open();
        } catch (ErrnoException e) {
            throw new KvmUnavailable(e.reason());
        } catch (org.qemu.kvm.sys.KvmException e) {
            throw new KvmUnavailable(e.getMessage());
        }
        StdioConsole.onStdin(board.serial(), () -> outcome.finish(0)).start();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment cpuid = kvm.supportedCpuid(arena);
            debug = request.gdb() == null ? null : new org.qemu.kvm.gdb.KvmDebugSupport();
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
                    Thread t = new Thread(new VcpuLoop(vcpu, board, this, debug), "vcpu" + id);
                    t.setDaemon(true);
                    threads.add(t);
                }
                liveVcpus = vcpus;
                if (debug != null && gdb == null) {
                    // a live view: after a reset the debugger sees the new VM's vCPUs
                    List<KvmVcpu> debugged = new java.util.AbstractList<>() {
                        @Override
                        public KvmVcpu get(int index) {
                            return liveVcpus.get(index);
                        }

                        @Override
                        public int size() {
                            return liveVcpus.size();
                        }
                    };
                    gdb = org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(), new org.qemu.common.gdbstub.MachineDebugTarget(
                            debug, org.qemu.common.gdbstub.DebugMemory.ofRam(ram.slots().get(0).host()), debugged, () -> outcome.finish(0)));
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
        if (request.noReboot()) {
            outcome.finish(0);
        } else {
            resetPending = true;
            attention.release();
        }
    }

    /** Ends the machine as the console's quit key does: status 0. */
    public void requestQuit() {
        outcome.finish(0);
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
