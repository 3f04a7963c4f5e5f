package org.qemu.i386.system;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.qemu.common.board.BootException;
import org.qemu.common.board.BootState;
import org.qemu.common.board.BootTables;
import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.MachineControlException;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.board.RunControl;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.monitor.MachineMonitors;
import org.qemu.common.board.MachineBackends;
import org.qemu.common.board.PcBoard;
import org.qemu.common.board.PcMemoryMap;
import org.qemu.common.board.StdioConsole;
import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.intc.DualPic;
import org.qemu.common.hw.intc.LocalApic;
import org.qemu.common.hw.timer.Pit8254;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.common.memory.GuestMemory;

/**
 * The PC under translation (TCG): the same {@link PcBoard} and devices qemu-kvm drives, plus
 * what KVM keeps in the kernel and an emulated PC must model (the 8259 pair, the 8254 timer,
 * local APICs for INIT/SIPI), and x86 CPUs translated in 32-bit protected mode, one thread each. Reads top to bottom like KvmMachine:
 * check the request, lay out physical memory, build the board, load the kernel, run.
 */
public final class TcgPcMachine implements MachineControl, ManagedMachine {
    private final MachineRequest request;
    private final CompletableFuture<Integer> outcome = new CompletableFuture<>();
    private volatile SystemCpu bootCpu;
    private final List<SystemCpu> cpus = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final RunControl runControl = new RunControl();
    private volatile PcBoard board;
    private long[] cpuThreadIds;

    private TcgPcMachine(MachineRequest request) {
        this.request = request;
    }

    /** Builds and runs the machine; returns the process exit status. */
    public static int run(MachineRequest request, OutputStream serialOutput) throws LauncherException {
        return new TcgPcMachine(request).boot(serialOutput);
    }

    public static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    private int boot(OutputStream serialOutput) throws LauncherException {
        MachineBackends.checkRequest(request);
        checkCpuModel(request.cpuModel());
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());

        long ramBytes = (request.ramBytes() + GuestMemory.PAGE_MASK) & ~GuestMemory.PAGE_MASK;
        GuestMemory memory = new GuestMemory(32);
        memory.map(0, ramBytes, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        PhysicalMemory physical = new PhysicalMemory(memory.segment().asSlice(0, ramBytes));
        physical.setWriteObserver(memory::externalWrite);

        DualPic pic = new DualPic(this::interruptRequested);
        PcBoard board = new PcBoard(physical, request.cpus(), pic::line, () -> guestReset("guest reset through the i8042"), console, disks);
        this.board = board;
        board.onSleep(this::acpiSleep);
        pic.register(board.ioBus());
        Pit8254 pit = new Pit8254(pic.line(0));
        pit.register(board.ioBus());
        MmioBridge mmio = new MmioBridge(board.mmioBus());
        memory.mapIo(ramBytes, memory.size() - ramBytes, mmio);

        BootState boot;
        try {
            boot = board.loadKernel(request.kernel(), request.initrd(), request.append());
        } catch (BootException e) {
            throw new LauncherException(e.getMessage());
        }
        if (boot.mode() != BootState.Mode.PROTECTED_32) {
            throw LauncherException.notBuilt("booting a Linux kernel under TCG (64-bit long mode)");
        }
        LocalApic.IpiSender ipis = new LocalApic.IpiSender() {
            @Override
            public void init(int destination) {
                if (destination < cpus.size()) {
                    cpus.get(destination).init();
                }
            }

            @Override
            public void startup(int destination, int vector) {
                if (destination < cpus.size()) {
                    cpus.get(destination).startup(vector);
                }
            }
        };
        List<Thread> threads = new java.util.ArrayList<>();
        cpuThreadIds = new long[request.cpus()];
        for (int id = 0; id < request.cpus(); id++) {
            InterruptSource intr = id == 0 ? new PicInterrupts(pic) : InterruptSource.NONE;
            SystemCpu cpu = new SystemCpu(memory, board.ioBus(), intr, this, id);
            LocalApic apic = new LocalApic(id, request.cpus(), ipis);
            if (id == 0) {
                cpu.enterMultiboot(boot.entry(), boot.eax(), boot.ebx(), PcMemoryMap.GDT, BootTables.GDT_LIMIT,
                        BootTables.CODE32_SELECTOR, BootTables.DATA_SELECTOR);
                bootCpu = cpu;
            } else {
                cpu.holdForStartup();
            }
            cpus.add(cpu);
            int index = id;
            runControl.cpuStarted();
            threads.add(Thread.ofPlatform().daemon().name("vcpu" + id).unstarted(() -> {
                cpuThreadIds[index] = HostSyscall.call(HOST_GETTID);
                mmio.bindCurrentThread(apic);
                try {
                    cpu.run();
                } finally {
                    runControl.cpuStopped();
                }
            }));
        }

        MachineMonitors monitors = MachineMonitors.open(request.control(), this);
        if (!monitors.ownsStdin()) {
            StdioConsole.onStdin(board.serial(), () -> end(0, MachineEvent.shutdown(false, "host-ui"))).start();
        }
        monitors.start();
        threads.forEach(Thread::start);
        try (monitors) {
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            return 1;
        } finally {
            pit.close();
            cpus.forEach(SystemCpu::wake);
            flush(console);
        }
    }

    /** The translated CPU is one model (CPUID as the user-mode translator reports it); say so for others. */
    private static void checkCpuModel(String model) throws LauncherException {
        String name = model == null ? "qemu32" : model.split(",")[0];
        switch (name) {
            case "qemu32", "qemu64", "max", "base" -> { }
            case "host" -> throw new LauncherException("CPU model 'host' requires KVM or HVF");
            default -> throw new LauncherException("-cpu " + name + ": under TCG this build emulates one CPU model (qemu32, qemu64, max)");
        }
    }

    private static void flush(OutputStream out) {
        try {
            out.flush();
        } catch (java.io.IOException e) {
            // the console is gone; nothing left to tell it
        }
    }

    private void interruptRequested() {
        SystemCpu cpu = bootCpu;
        if (cpu != null) {
            cpu.wake();
        }
    }

    @Override
    public boolean finished() {
        return outcome.isDone();
    }

    @Override
    public void guestReset(String why) {
        if (request.noReboot()) {
            end(0, MachineEvent.shutdown(true, "guest-reset"));
        } else {
            fatal(System.getProperty("qemu.program", "qemu-system-i386") + ": " + why
                    + "; rebooting is not implemented in this build (use -no-reboot)");
        }
        cpus.forEach(SystemCpu::wake);
    }

    @Override
    public void fatal(String report) {
        if (!outcome.isDone()) {
            System.err.print(report.endsWith("\n") ? report : report + "\n");
            System.err.flush();
        }
        end(1, null);
    }

    // --- management (QMP, the human monitor): see ManagedMachine ---

    /** x86-64 Linux's gettid: QMP reports the host thread of each CPU. */
    private static final int HOST_GETTID = 186;

    /** Monitors hear how the machine ends before the process does. */
    private void end(int status, MachineEvent event) {
        if (!outcome.isDone()) {
            runControl.end(event);
        }
        outcome.complete(status);
    }

    /** PM1_CNT SLP_EN: type 0 is soft-off (S5) on QEMU's PIIX4; other states are not built. */
    private void acpiSleep(int sleepType) {
        if (sleepType == 0) {
            end(0, MachineEvent.shutdown(true, "guest-shutdown"));
        } else {
            fatal(System.getProperty("qemu.program", "qemu-system-i386") + ": ACPI sleep type " + sleepType
                    + " (suspend) is not implemented in this build");
        }
        cpus.forEach(SystemCpu::wake);
    }

    @Override
    public void pausePoint() {
        runControl.parkIfPaused();
    }

    @Override
    public String status() {
        return outcome.isDone() ? "shutdown" : runControl.status();
    }

    @Override
    public void pause() {
        runControl.pause(() -> cpus.forEach(SystemCpu::wake));
    }

    @Override
    public void resume() {
        runControl.resume();
    }

    @Override
    public List<CpuInfo> cpus() {
        String target = System.getProperty("qemu.program", "qemu-system-i386").contains("i386") ? "i386" : "x86_64";
        List<CpuInfo> list = new java.util.ArrayList<>();
        for (int i = 0; i < cpus.size(); i++) {
            list.add(new CpuInfo(i, "/machine/unattached/device[" + i + "]", cpuThreadIds[i], target));
        }
        return list;
    }

    @Override
    public String registerDump(int cpuIndex) {
        return cpus.get(Math.clamp(cpuIndex, 0, cpus.size() - 1)).registerDump();
    }

    @Override
    public void requestReset() {
        if (request.noReboot()) {
            end(0, MachineEvent.shutdown(false, "host-qmp-system-reset"));
            cpus.forEach(SystemCpu::wake);
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
        cpus.forEach(SystemCpu::wake);
    }

    @Override
    public void addEventListener(java.util.function.Consumer<MachineEvent> listener) {
        runControl.addListener(listener);
    }

    /** The boot CPU's INTR: the 8259 pair (LINT0 in ExtINT mode, as firmware leaves it). */
    private record PicInterrupts(DualPic pic) implements InterruptSource {
        @Override
        public boolean interruptPending() {
            return pic.interruptPending();
        }

        @Override
        public int acknowledge() {
            return pic.acknowledge();
        }
    }
}
