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
public final class TcgPcMachine implements MachineControl {
    private final MachineRequest request;
    private final CompletableFuture<Integer> outcome = new CompletableFuture<>();
    private volatile SystemCpu bootCpu;
    private final List<SystemCpu> cpus = new java.util.concurrent.CopyOnWriteArrayList<>();

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
        if (request.gdb() != null) {
            org.qemu.common.gdbstub.DebuggedRun.prepareTranslators();
        }
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());

        long ramBytes = (request.ramBytes() + GuestMemory.PAGE_MASK) & ~GuestMemory.PAGE_MASK;
        GuestMemory memory = new GuestMemory(32);
        memory.map(0, ramBytes, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        PhysicalMemory physical = new PhysicalMemory(memory.segment().asSlice(0, ramBytes));
        physical.setWriteObserver(memory::externalWrite);

        DualPic pic = new DualPic(this::interruptRequested);
        PcBoard board = new PcBoard(physical, request.cpus(), pic::line, () -> guestReset("guest reset through the i8042"), console, disks);
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
            threads.add(Thread.ofPlatform().daemon().name("vcpu" + id).unstarted(() -> {
                mmio.bindCurrentThread(apic);
                cpu.run();
            }));
        }

        org.qemu.common.gdbstub.GdbServer gdb = request.gdb() == null ? null
                : org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(), new org.qemu.common.gdbstub.MachineDebugTarget(
                        new org.qemu.i386.gdb.X86DebugSupport(), memory, cpus.stream().map(c -> c.cpu).toList(), () -> outcome.complete(0)));
        StdioConsole.onStdin(board.serial(), () -> outcome.complete(0)).start();
        threads.forEach(Thread::start);
        try {
            int status = outcome.get();
            if (gdb != null) {
                gdb.reportExit(status, 0);
            }
            return status;
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
            outcome.complete(0);
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
        outcome.complete(1);
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
