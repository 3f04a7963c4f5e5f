package org.qemu.i386.system;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

import org.qemu.common.board.BootException;
import org.qemu.common.board.BootState;
import org.qemu.common.board.BootTables;
import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.board.RunControl;
import org.qemu.common.linux.host.HostNr;
import org.qemu.common.linux.host.HostSyscall;
import org.qemu.common.log.GuestLog;
import org.qemu.common.log.LogItem;
import org.qemu.common.monitor.MachineMonitors;
import org.qemu.common.board.MachineBackends;
import org.qemu.common.board.PcBoard;
import org.qemu.common.board.PcMemoryMap;
import org.qemu.common.board.StdioConsole;
import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.InterruptLine;
import org.qemu.common.hw.intc.ApicBus;
import org.qemu.common.hw.intc.DualPic;
import org.qemu.common.hw.intc.IoApic;
import org.qemu.common.hw.intc.LocalApic;
import org.qemu.common.hw.timer.Pit8254;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.SharedRam;
import org.qemu.i386.system.mmu.Mmu;
import org.qemu.i386.system.mmu.PhysicalCodePages;

/**
 * The PC under translation (TCG): the same {@link PcBoard} and devices qemu-kvm drives, plus
 * what KVM keeps in the kernel and an emulated PC must model (the 8259 pair, the 8254 timer,
 * local APICs for INIT/SIPI), and x86 CPUs translated in 32-bit protected mode, one thread each. Reads top to bottom like KvmMachine:
 * check the request, lay out physical memory, build the board, load the kernel, run.
 */
public final class TcgPcMachine implements MachineControl, ManagedMachine {
    /**
     * Spaces of 4 GiB in each CPU's linear reservation: the low one and, for a CPU with long mode,
     * windows that fold the far slices Linux uses most (its direct map, vmalloc'd stacks, struct
     * pages, the CPU entry area, its text and fixmap) onto ordinary host-mapped pages, so their
     * accesses skip {@link org.qemu.i386.system.mmu.FarPages}' walk of a software TLB. Address space only:
     * the host commits nothing until RAM is mapped there.
     */
    private static final int LINEAR_WINDOWS = System.getProperty("qemu.program", "qemu-system-i386").contains("i386") ? 1
            : Integer.getInteger("qemu.tcg.linear-windows", 8);
    private final MachineRequest request;
    private final CompletableFuture<Integer> outcome = new CompletableFuture<>();
    /** Released whenever the main thread has something to decide: the machine ended or a reset was asked for. */
    private final Semaphore attention = new Semaphore(0);
    private volatile boolean resetPending;
    private volatile SystemCpu bootCpu;
    private final List<SystemCpu> cpus = new CopyOnWriteArrayList<>();
    private final RunControl runControl = new RunControl();
    private final java.util.Map<Integer, Long> cpuThreadIds = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile PcBoard board;
    private volatile GuestLog log;
    private final List<LocalApic> apics = new CopyOnWriteArrayList<>();
    /** QEMU's pc wires the PIT's IRQ 0 to I/O APIC pin 2 (pin 0 carries the 8259's INTR). */
    private static final int TIMER_IOAPIC_PIN = 2;
    private final List<Mmu> mmus = new ArrayList<>();
    private SharedRam ram;
    private PhysicalCodePages codePages;
    private long ramBytes;
    private MmioBridge mmio;

    private TcgPcMachine(MachineRequest request) {
        this.request = request;
        outcome.whenComplete((status, error) -> attention.release());
    }

    /** A machine for {@code request}, not running yet: {@link #boot} runs it (a monitor keeps the object to control it). */
    public static TcgPcMachine create(MachineRequest request) {
        return new TcgPcMachine(request);
    }

    /** Builds and runs the machine; returns the process exit status. */
    public static int run(MachineRequest request, OutputStream serialOutput) throws LauncherException {
        return new TcgPcMachine(request).boot(serialOutput);
    }

    public static OutputStream stdout() {
        return new FileOutputStream(FileDescriptor.out);
    }

    /** Builds the machine and runs it, through any number of resets, until it ends; returns the exit status. */
    public int boot(OutputStream serialOutput) throws LauncherException {
        MachineBackends.checkRequest(request);
        checkCpuModel(request.cpuModel());
        if (request.gdb() != null) {
            org.qemu.common.gdbstub.DebuggedRun.prepareTranslators();
        }
        OutputStream console = MachineBackends.serialBackend(request.serial(), serialOutput);
        List<BlockBackend> disks = MachineBackends.openDisks(request.drives());

        PcMemoryMap.RamLayout layout = PcMemoryMap.layout((request.ramBytes() + GuestMemory.PAGE_MASK) & ~GuestMemory.PAGE_MASK);
        long ramBytes = layout.below4g();
        SharedRam ram = SharedRam.create(ramBytes);
        PhysicalCodePages codePages = new PhysicalCodePages(ramBytes >>> GuestMemory.PAGE_SHIFT);
        this.ram = ram;
        this.codePages = codePages;
        this.ramBytes = ramBytes;
        PhysicalMemory physical = new PhysicalMemory(ram.segment(), highRam(layout.above4g()));
        physical.setWriteObserver((address, length) -> {
            if (address < ramBytes) {
                Mmu.externalWrite(codePages, address, Math.min(length, ramBytes - address));
            }
        });
        // guest-physical memory for the debugger (each CPU has its own linear space: see Mmu)
        GuestMemory memory = new GuestMemory(32);
        memory.map(0, ramBytes, GuestMemory.READ | GuestMemory.WRITE);
        ram.mapInto(memory, 0, 0, ramBytes);

        DualPic pic = new DualPic(this::interruptRequested);
        ApicBus apicBus = new ApicBus(new StartupIpis());
        IoApic ioApic = new IoApic(request.cpus(), apicBus);
        apicBus.connect(ioApic);
        IntFunction<InterruptLine> isaIrq = irq -> isaLine(pic, ioApic, irq);
        PcBoard board = new PcBoard(physical, request.cpus(), isaIrq, () -> requestReset("guest reset through the i8042"),
                console, disks);
        this.board = board;
        board.onSleep(this::acpiSleep);
        board.setTimerIoApicPin(TIMER_IOAPIC_PIN);
        pic.register(board.ioBus());
        board.addResettable(pic);
        board.mmioBus().register(IoApic.DEFAULT_BASE, IoApic.SIZE, ioApic);
        board.addResettable(ioApic);
        Pit8254 pit = new Pit8254(isaIrq.apply(0));
        pit.register(board.ioBus());
        board.addResettable(pit);
        MmioBridge mmio = new MmioBridge(board.mmioBus());
        memory.mapIo(ramBytes, memory.size() - ramBytes, mmio);
        this.mmio = mmio;

        for (int id = 0; id < request.cpus(); id++) {
            mmuOf(id); // before a monitor can ask for the CPUs: building a linear space takes a moment
        }
        org.qemu.common.gdbstub.GdbServer gdb = null;
        if (request.control().startPaused()) {
            runControl.startPaused();
        }
        try {
            log = GuestLog.open(request.control().log());
            org.qemu.common.log.TranslationLog.activate(log);
        } catch (java.io.IOException e) {
            throw new LauncherException(e.getMessage());
        }
        MachineMonitors monitors = MachineMonitors.open(request.control(), this);
        if (!monitors.ownsStdin()) {
            StdioConsole.onStdin(board.serial(), () -> end(0, MachineEvent.shutdown(false, "host-ui"))).start();
        }
        monitors.start();
        try (monitors; GuestLog closedAtEnd = log) {
            while (true) {
                List<Thread> threads = powerOn(board, memory, pic, apicBus, mmio);
                if (request.gdb() != null && gdb == null) {
                    // a live view: after a reset the debugger sees the new CPUs (they share the hook through the memory)
                    List<Object> debuggedCpus = new java.util.AbstractList<>() {
                        @Override
                        public Object get(int index) {
                            return cpus.get(index).cpu;
                        }

                        @Override
                        public int size() {
                            return cpus.size();
                        }
                    };
                    gdb = org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(), new org.qemu.common.gdbstub.MachineDebugTarget(
                            new org.qemu.i386.gdb.X86DebugSupport(), debuggerView(memory), debuggedCpus, () -> end(0, MachineEvent.shutdown(false, "host-signal"))));
                }
                threads.forEach(Thread::start);
                while (!outcome.isDone() && !resetPending) {
                    attention.acquire();
                }
                stopCpus(threads);
                if (outcome.isDone()) {
                    int status = outcome.getNow(1);
                    if (gdb != null) {
                        gdb.reportExit(status, 0);
                    }
                    return status;
                }
                board.reset();
                resetPending = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            if (Boolean.getBoolean("qemu.tcg.stats")) {
                for (int i = 0; i < mmus.size(); i++) {
                    System.err.println("qemu.tcg.stats: CPU " + i + " linear page misses " + mmus.get(i).misses()
                            + ", flushes " + mmus.get(i).flushes() + ", far windows claimed " + mmus.get(i).windowClaims()
                            + ", far code pages remapped " + mmus.get(i).farCodePagesRemapped() + ", code pages unmapped " + mmus.get(i).codePagesUnmapped()
                            + ", code pages parked " + mmus.get(i).codePagesParked() + ", revived " + mmus.get(i).codePagesRevived());
                }
                if (codePages != null) {
                    System.err.println("qemu.tcg.stats: code pages dropped by writes " + codePages.pagesDroppedByWrites()
                            + ", writes that killed only the blocks they overlap " + codePages.rangeWritesKept());
                }
            }
            pit.close();
            apics.forEach(LocalApic::close);
            cpus.forEach(SystemCpu::wake);
            flush(console);
        }
    }

    /**
     * Loads the kernel and starts the CPUs in their reset state: the boot CPU at the kernel's
     * entry, the others waiting for INIT/SIPI. Runs at power-on and after every reset.
     */
    private List<Thread> powerOn(PcBoard board, GuestMemory memory, DualPic pic, ApicBus apicBus, MmioBridge mmio)
            throws LauncherException {
        BootState boot;
        try {
            boot = board.loadKernel(request.kernel(), request.initrd(), request.append(), true);
        } catch (BootException e) {
            throw new LauncherException(e.getMessage());
        }
        if (boot.mode() != BootState.Mode.PROTECTED_32 && boot.mode() != BootState.Mode.LINUX_32) {
            throw LauncherException.notBuilt("booting a Linux kernel under TCG (64-bit long mode)");
        }
        cpus.clear();
        apics.forEach(LocalApic::close);
        apics.clear();
        apicBus.detachAll();
        List<Thread> threads = new ArrayList<>();
        for (int id = 0; id < request.cpus(); id++) {
            AtomicReference<SystemCpu> cpuOf = new AtomicReference<>();
            LocalApic apic = new LocalApic(id, id == 0, apicBus, () -> {
                SystemCpu target = cpuOf.get();
                if (target != null) {
                    target.wake();
                }
            });
            apicBus.attach(apic);
            apics.add(apic);
            SystemCpu cpu = new SystemCpu(mmuOf(id), board.ioBus(), new ApicInterrupts(apic, pic), this, id);
            cpuOf.set(cpu);
            if (id == 0 && boot.mode() == BootState.Mode.LINUX_32) {
                cpu.enterLinux32(boot.entry(), boot.rsi(), PcMemoryMap.GDT, BootTables.GDT_LIMIT,
                        BootTables.CODE_SELECTOR, BootTables.DATA_SELECTOR);
                bootCpu = cpu;
            } else if (id == 0) {
                cpu.enterMultiboot(boot.entry(), boot.eax(), boot.ebx(), PcMemoryMap.GDT, BootTables.GDT_LIMIT,
                        BootTables.CODE32_SELECTOR, BootTables.DATA_SELECTOR);
                bootCpu = cpu;
            } else {
                cpu.holdForStartup();
            }
            cpus.add(cpu);
            traceBlocks(cpu);
            int index = id;
            runControl.cpuStarted();
            threads.add(Thread.ofPlatform().daemon().name("vcpu" + id).unstarted(() -> {
                cpuThreadIds.put(index, HostSyscall.call(HostNr.GETTID));
                mmio.bindCurrentThread(apic);
                try {
                    cpu.run();
                } finally {
                    runControl.cpuStopped();
                }
            }));
        }
        return threads;
    }

    /**
     * The debugger's guest-physical memory: its writes (a patched instruction) drop the translations
     * every CPU made of that code, whatever linear address they ran it at.
     */
    private org.qemu.common.gdbstub.DebugMemory debuggerView(GuestMemory physicalView) {
        org.qemu.common.gdbstub.DebugMemory plain = org.qemu.common.gdbstub.DebugMemory.of(physicalView);
        return new org.qemu.common.gdbstub.DebugMemory() {
            @Override
            public byte[] read(long address, int length) {
                return plain.read(address, length);
            }

            @Override
            public void write(long address, byte[] data) {
                plain.write(address, data);
                if (address >= 0 && address < ramBytes && data.length > 0) {
                    Mmu.externalWrite(codePages, address, Math.min(data.length, ramBytes - address));
                }
            }

            /** Watchpoints are on linear addresses, as in QEMU: the boot CPU's address space. */
            @Override
            public GuestMemory watchable() {
                return mmuOf(0).linear();
            }
        };
    }

    /** CPU {@code id}'s linear address space: made at its first power-on, kept (with its translations) across resets. */
    private Mmu mmuOf(int id) {
        while (mmus.size() <= id) {
            mmus.add(new Mmu(new GuestMemory(32, LINEAR_WINDOWS), ram, ramBytes, mmio, codePages));
        }
        return mmus.get(id);
    }

    /**
     * Every CPU leaves its loop at the next block boundary (they see {@link #finished()}). A reset
     * waits for all of them; when the machine ends, a CPU stuck elsewhere (a blocked console) is
     * left to die with the process after a second.
     */
    private void stopCpus(List<Thread> threads) throws InterruptedException {
        long giveUp = System.nanoTime() + 1_000_000_000L;
        for (Thread t : threads) {
            while (t.isAlive() && (!outcome.isDone() || System.nanoTime() < giveUp)) {
                cpus.forEach(SystemCpu::wake);
                t.join(100);
            }
        }
    }

    /**
     * An ISA interrupt request goes to the 8259 pair and to the I/O APIC, as on QEMU's pc:
     * IRQ n on pin n, except the timer's IRQ 0 on pin 2.
     */
    private static InterruptLine isaLine(DualPic pic, IoApic ioApic, int irq) {
        InterruptLine toPic = pic.line(irq);
        InterruptLine toIoApic = ioApic.pin(irq == 0 ? TIMER_IOAPIC_PIN : irq);
        return asserted -> {
            toPic.set(asserted);
            toIoApic.set(asserted);
        };
    }

    /** INIT and STARTUP IPIs change a CPU's run state. */
    private final class StartupIpis implements LocalApic.IpiSender {
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
    }

    /**
     * The board's reset line, for the guest (i8042, triple fault) and for a monitor's
     * {@code system_reset}. As in QEMU, {@code -no-reboot} turns every reset into the end of
     * the process with status 0; otherwise devices are reset, RAM and CMOS are kept, and the
     * kernel is loaded and entered again.
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
        cpus.forEach(SystemCpu::wake);
    }

    /** Ends the machine as the console's quit key does: status 0. */
    public void requestQuit() {
        end(0, MachineEvent.shutdown(false, "host-qmp-quit"));
        cpus.forEach(SystemCpu::wake);
    }

    /**
     * RAM from 4 GiB up: devices (DMA) and the boot loaders reach it; the 32-bit CPU without PAE
     * cannot address it, so it lives in its own lazily committed reservation.
     */
    private static MemorySegment highRam(long bytes) {
        if (bytes == 0) {
            return MemorySegment.NULL;
        }
        int bits = Math.max(16, 64 - Long.numberOfLeadingZeros(bytes - 1));
        GuestMemory high = new GuestMemory(bits);
        high.map(0, bytes, GuestMemory.READ | GuestMemory.WRITE);
        return high.segment().asSlice(0, bytes);
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

    /** True when the CPUs must leave their loops: the machine ended, or a reset is under way. */
    @Override
    public boolean finished() {
        return outcome.isDone() || resetPending;
    }

    @Override
    public void guestReset(String why) {
        requestReset(why);
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
    public GuestLog log() {
        return log;
    }

    /** -d exec and -d cpu: a line (and a register dump) before every block the CPU runs; nothing is hooked otherwise. */
    private void traceBlocks(SystemCpu cpu) {
        boolean exec = log.has(LogItem.EXEC);
        boolean state = log.has(LogItem.CPU);
        if (!exec && !state) {
            return;
        }
        cpu.cpu.setBlockListener(pc -> {
            StringBuilder s = new StringBuilder();
            if (exec) {
                s.append(String.format("Trace %d: [%08x/%08x/%08x/%08x]%n", cpu.apicId(), 0, pc, 0, 0));
            }
            if (state) {
                String dump = cpu.registerDump();
                s.append(dump, dump.indexOf('\n') + 1, dump.length());
            }
            log.write(s.toString());
        });
    }

    /** A reset leaves the gate open for the old CPUs (they must leave); the new ones stop there while paused. */
    @Override
    public void pausePoint() {
        runControl.parkIfPaused(this::finished);
    }

    @Override
    public String status() {
        return outcome.isDone() ? "shutdown" : runControl.status();
    }

    @Override
    public void pause() {
        runControl.pause(() -> cpus.forEach(SystemCpu::wake));
    }

    /**
     * A monitor may ask for the CPUs while the machine is still starting them (QMP serves from the
     * first instant); QEMU answers only once its vCPU threads exist, so wait a bounded time for
     * every CPU thread to have recorded its host thread id.
     */
    private void awaitCpuThreads() {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((cpus.isEmpty() || cpuThreadIds.size() < cpus.size()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void resume() {
        runControl.resume();
    }

    @Override
    public List<CpuInfo> cpus() {
        String target = System.getProperty("qemu.program", "qemu-system-i386").contains("i386") ? "i386" : "x86_64";
        awaitCpuThreads();
        List<CpuInfo> list = new ArrayList<>();
        for (int i = 0; i < cpus.size(); i++) {
            list.add(new CpuInfo(i, "/machine/unattached/device[" + i + "]", cpuThreadIds.getOrDefault(i, 0L), target));
        }
        return list;
    }

    @Override
    public String registerDump(int cpuIndex) {
        SystemCpu cpu = cpus.get(Math.clamp(cpuIndex, 0, cpus.size() - 1));
        return runControl.whileStopped(() -> cpus.forEach(SystemCpu::wake), cpu::registerDump);
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
