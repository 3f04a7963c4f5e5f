package org.qemu.i386.system;

import java.util.concurrent.locks.LockSupport;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.memory.GuestMemory;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.i386.system.mmu.Mmu;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Trap;

/**
 * One x86 CPU of the TCG PC in 32-bit protected mode: the system registers user mode does not
 * have (CR0-CR4, GDTR, IDTR, LDTR, TR, EFER, APIC base), the current privilege level with the
 * descriptor each segment register was loaded from, and the loop that runs translated code
 * and, between blocks, delivers exceptions and external interrupts through the IDT, halts, and
 * wakes up. System ops reach this object through {@link X86Cpu#systemContext()}.
 */
public final class SystemCpu {
    static final int CR0_PE = 1;
    static final int CR0_ET = 0x10;
    static final int CR0_PG = 0x80000000;
    static final long EFER_LMA = 1L << 10;
    static final long EFER_LME = 1L << 8;
    static final long EFER_SCE = 1L;
    /** Software interrupts (int n, int3) carry this in {@link GuestTrap#signal()}: no error code, eip after. */
    static final int SOFTWARE_INTERRUPT = 0;
    /** into carries this: a software interrupt to vector 4 (its gate DPL is checked), eip after. */
    static final int SOFTWARE_OVERFLOW = -4;
    private static final int DOUBLE_FAULT = 8;
    private static final int PAGE_FAULT = 14;
    private static final int GENERAL_PROTECTION = 13;

    public final X86Cpu cpu;
    /** This CPU's linear address space (paging, or the identity map while paging is off). */
    final Mmu mmu;
    final IoPortBus io;
    final SegmentDescriptors descriptors;
    final SegmentLoader loader;
    final TaskStateSegment tss;
    final TaskSwitch taskSwitch;
    private final GateDelivery gates;
    private final InterruptSource interrupts;
    private final MachineControl machine;
    private final int apicId;
    private volatile Thread thread;
    /** Application processors wait for a STARTUP IPI: its vector, or -1 while none arrived. */
    private volatile int startupVector = -1;
    private volatile boolean waitingForStartup;
    private volatile boolean halted;

    int cr0 = CR0_PE | CR0_ET;
    long cr2;
    int cr3;
    int cr4;
    long efer;
    /** CR8: the task priority, 64-bit code's view of it. */
    long cr8;
    /** syscall/sysret and swapgs (long mode): STAR, LSTAR, CSTAR, FMASK, KERNEL_GS_BASE. */
    long star;
    long lstar;
    long cstar;
    long syscallFlagMask;
    long kernelGsBase;
    long apicBase;
    long gdtBase;
    int gdtLimit;
    long idtBase;
    int idtLimit = 0x3ff;
    /** The current privilege level: CS.RPL once protected mode has loaded CS. */
    private int cpl;
    /** The descriptor each segment register (ES CS SS DS FS GS) was loaded from; 0 for a null selector or real mode. */
    final long[] segmentDescriptor = new long[6];
    int ldtSelector;
    long ldtBase;
    int ldtLimit;
    long ldtDescriptor;
    final int[] debugRegisters = new int[8];
    final java.util.Map<Integer, Long> modelSpecificRegisters = new java.util.HashMap<>();

    public SystemCpu(Mmu mmu, IoPortBus io, InterruptSource interrupts, MachineControl machine, int apicId) {
        GuestMemory memory = mmu.linear();
        this.mmu = mmu;
        this.cpu = new X86Cpu(memory, new X86CpuState(), new SystemInstructionTranslator());
        mmu.bind(new Mmu.Registers() {
            @Override
            public int cr0() {
                return cr0;
            }

            @Override
            public int cr3() {
                return cr3;
            }

            @Override
            public int cr4() {
                return cr4;
            }

            @Override
            public int cpl() {
                return SystemCpu.this.cpl;
            }

            @Override
            public long efer() {
                return efer;
            }
        });
        this.io = io;
        this.interrupts = interrupts;
        this.machine = machine;
        this.apicId = apicId;
        this.descriptors = new SegmentDescriptors(this);
        this.loader = new SegmentLoader(this, descriptors);
        this.tss = new TaskStateSegment(this);
        this.taskSwitch = new TaskSwitch(this);
        this.gates = new GateDelivery(this);
        this.apicBase = 0xfee00000L | 1 << 11 | (apicId == 0 ? 1 << 8 : 0);
        cpu.setSystemContext(this);
        cpu.setSegmentResolver(loader);
    }

    /** The current privilege level (0 in real mode). */
    public int cpl() {
        return cpl;
    }

    /** qemu-system-x86_64 (and qemu-kvm's TCG) has long mode; qemu-system-i386's CPU does not. */
    boolean longModeCapable() {
        return !programName().contains("i386");
    }

    boolean longModeActive() {
        return (efer & EFER_LMA) != 0;
    }

    boolean protectedMode() {
        return (cr0 & CR0_PE) != 0;
    }

    int iopl() {
        return (cpu.state.eflagsOther >>> 12) & 3;
    }

    /**
     * A new CPL (with the code size of the new CS): blocks are looked up and translated for it
     * from the next block on, since the privilege level is part of the code mode.
     */
    void setPrivilege(int newCpl, int sizeMode) {
        cpl = newCpl;
        cpu.setCodeMode(sizeMode | newCpl << X86Cpu.MODE_PRIVILEGE_SHIFT);
        mmu.privilegeChanged(newCpl);
    }

    /**
     * The privilege memory accesses are made with, without changing the translation mode:
     * interrupt delivery pushes onto the handler's stack as the handler's ring before CS changes.
     */
    void setPrivilegeForAccess(int level) {
        cpl = level;
        mmu.privilegeChanged(level);
    }

    // Descriptor tables, the TSS and the IDT are read and written by the processor itself
    // (implicit supervisor accesses at linear addresses), whatever the CPL: all of them go here.

    long readSystem64(long linear) {
        return mmu.readSupervisor(linear, 8);
    }

    int readSystem32(long linear) {
        return (int) mmu.readSupervisor(linear, 4);
    }

    int readSystem16(long linear) {
        return (int) mmu.readSupervisor(linear, 2);
    }

    void writeSystem8(long linear, int value) {
        mmu.writeSupervisor(linear, 1, value);
    }

    void writeSystem16(long linear, int value) {
        mmu.writeSupervisor(linear, 2, value & 0xffff);
    }

    void writeSystem32(long linear, int value) {
        mmu.writeSupervisor(linear, 4, value & 0xffffffffL);
    }

    public int apicId() {
        return apicId;
    }

    /**
     * The Linux 32-bit boot protocol's hand-over: as multiboot's (flat 32-bit protected mode, paging
     * and interrupts off), with ESI = boot_params and EBP, EDI, EBX zero (Documentation/arch/x86/boot.rst).
     */
    public void enterLinux32(long entry, long bootParams, long gdtBase, int gdtLimit, int codeSelector, int dataSelector) {
        enterMultiboot(entry, 0, 0, gdtBase, gdtLimit, codeSelector, dataSelector);
        cpu.state.setReg32(X86CpuState.ESI, (int) bootParams);
    }

    private static final boolean STATS = Boolean.getBoolean("qemu.tcg.stats");
    /** A measuring aid: the process ends when paging is first switched on (a Linux kernel's decompressor alone). */
    private static final boolean EXIT_AT_PAGING = Boolean.getBoolean("qemu.tcg.exit-at-paging");
    /** This thread's CPU time when paging was first switched on (the kernel's decompressor ends before that), for the statistics. */
    private long pagingOnAtCpuNanos = -1;

    /** CR0.PG changed: the first time, the statistics note how long the boot took until then (a Linux kernel's decompressor runs before it). */
    void pagingSwitched() {
        if (pagingOnAtCpuNanos < 0 && STATS) {
            pagingOnAtCpuNanos = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        }
        if (EXIT_AT_PAGING) {
            System.err.printf("qemu.tcg.exit-at-paging: CPU thread %.3f s CPU%n",
                    java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
            Runtime.getRuntime().halt(0);
        }
    }

    /** Multiboot's hand-over: flat 32-bit protected mode, paging off, interrupts off (Multiboot spec 3.2). */
    public void enterMultiboot(long entry, long eax, long ebx, long gdtBase, int gdtLimit, int codeSelector, int dataSelector) {
        X86CpuState s = cpu.state;
        this.gdtBase = gdtBase;
        this.gdtLimit = gdtLimit;
        s.setEip((int) entry);
        s.setReg32(X86CpuState.EAX, (int) eax);
        s.setReg32(X86CpuState.EBX, (int) ebx);
        s.setEflags(0);
        for (int seg = 0; seg < 6; seg++) {
            int selector = seg == X86CpuState.CS ? codeSelector : dataSelector;
            s.segSelector[seg] = selector;
            s.segBase[seg] = 0;
            segmentDescriptor[seg] = descriptors.readOrZero(selector);
        }
        setPrivilege(0, X86Cpu.MODE_32);
    }

    /** An application processor: holds in wait-for-SIPI until {@link #startup} (SDM vol. 3, 9.4.4). */
    public void holdForStartup() {
        waitingForStartup = true;
    }

    /** INIT IPI: a CPU that has not started yet goes (back) to wait-for-SIPI; a running one is not reset here. */
    public void init() {
        if (startupVector < 0) {
            waitingForStartup = true;
        }
    }

    /** STARTUP IPI: a CPU in wait-for-SIPI starts in real mode at vector * 4096; otherwise it is ignored. */
    public void startup(int vector) {
        if (waitingForStartup && startupVector < 0) {
            startupVector = vector & 0xff;
            wake();
        }
    }

    /**
     * Real mode at linear address vector * 4096. The translator fetches at eip without adding the
     * CS base, so the CPU starts at 0000:(vector*4096) rather than (vector*256):0000 — the same
     * linear address; code that reads CS or runs past 64 KiB would tell the difference.
     */
    private void enterRealModeAt(int vector) {
        if (vector >= 0x10) {
            throw new UnsupportedGuestFeature("STARTUP IPI vector 0x" + Integer.toHexString(vector)
                    + ": application processors can start only below 64 KiB under TCG in this build");
        }
        X86CpuState s = cpu.state;
        cr0 = CR0_ET;
        s.setEflags(0);
        s.setEip(vector << 12);
        for (int seg = 0; seg < 6; seg++) {
            s.segSelector[seg] = 0;
            s.segBase[seg] = 0;
            segmentDescriptor[seg] = 0;
        }
        setPrivilege(0, X86Cpu.MODE_16);
    }

    /** Thread-safe: an interrupt request or a machine decision wants this CPU's attention. */
    public void wake() {
        cpu.requestExit();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean interruptsEnabled() {
        return (cpu.state.eflagsOther & X86CpuState.IF) != 0;
    }

    /** After sti, popf or iret set IF: a request already waiting is taken at the next block boundary. */
    void checkPendingInterrupt() {
        if (interruptsEnabled() && interrupts.interruptPending()) {
            cpu.requestExit();
        }
    }

    /** Runs this CPU on the calling thread until the machine finishes. */
    public void run() {
        thread = Thread.currentThread();
        mmu.runsOn(thread);
        Runnable stopProfiler = GuestProfiler.startIfAsked(cpu.state, cpu.memory, apicId);
        try {
            if (waitingForStartup) {
                while (!machine.finished() && startupVector < 0) {
                    machine.pausePoint();
                    LockSupport.parkNanos(50_000_000L);
                }
                if (machine.finished()) {
                    return;
                }
                enterRealModeAt(startupVector);
            }
            while (!machine.finished()) {
                machine.pausePoint();
                if (interruptsEnabled() && interrupts.interruptPending()) {
                    int vector = interrupts.acknowledge();
                    InterruptLog.interrupt(machine.log(), this, vector, -1, false);
                    deliver(vector, -1, false);
                }
                CpuExit exit = cpu.run();
                switch (exit) {
                    case TRAP -> raise(cpu.lastTrap());
                    case HALT -> waitForInterrupt();
                    default -> { }
                }
            }
        } catch (UnsupportedGuestFeature e) {
            String where = longModeActive() ? "rip=" + String.format("%016x", cpu.state.rip) : "eip=" + hex(cpu.state.eip());
            machine.fatal(programName() + ": " + e.getMessage() + " (at " + where + ")");
        } catch (TripleFault e) {
            InterruptLog.guestError(machine.log(), "Triple fault on CPU " + apicId + " at eip=" + hex(cpu.state.eip()));
            machine.guestReset("triple fault");
        } catch (RuntimeException e) {
            if (Boolean.getBoolean("qemu.tcg.internal-error-trace")) {
                e.printStackTrace(); // a developer's aid: which op broke
            }
            machine.fatal(programName() + ": internal error in CPU " + apicId + ": " + e + "\n" + cpu.state);
        } finally {
            stopProfiler.run();
            if (STATS) {
                // the CPU thread's own time: on an idle machine with a second core for the JIT, the run's wall time follows it
                System.err.printf("qemu.tcg.stats: CPU %d thread %.2f s CPU, %.2f s of it before paging was first on%n", apicId,
                        java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9,
                        pagingOnAtCpuNanos / 1e9);
            }
        }
    }

    static String programName() {
        return System.getProperty("qemu.program", "qemu-system-i386");
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    /** hlt: sleeps until an interrupt the CPU would take arrives (with IF clear, until the machine ends). */
    private void waitForInterrupt() {
        halted = true;
        try {
            while (!machine.finished() && !(interruptsEnabled() && interrupts.interruptPending())) {
                machine.pausePoint();
                LockSupport.parkNanos(50_000_000L);
            }
        } finally {
            halted = false;
        }
    }

    /** In hlt, for the monitor's register dump (QEMU's HLT=1). */
    boolean halted() {
        return halted;
    }

    /** The monitor's {@code info registers} for this CPU. */
    public String registerDump() {
        return RegisterDump.of(this, halted);
    }

    private void raise(GuestTrap trap) {
        if (trap.trapNumber() == PAGE_FAULT && trap.signal() == GuestTrap.SIGSEGV) {
            int error = mmu.takeFaultError();
            if (error == Mmu.NON_CANONICAL) {
                deliver(GENERAL_PROTECTION, 0, false);
                return;
            }
            if (error >= 0) {
                cr2 = mmu.faultAddress();
                InterruptLog.interrupt(machine.log(), this, PAGE_FAULT, error, false);
                deliver(PAGE_FAULT, error, false);
                return;
            }
            // not a fault of the guest's page tables: fetching code outside RAM (QEMU's wording)
            throw new UnsupportedGuestFeature("fatal: Trying to execute code outside RAM or ROM at 0x"
                    + Long.toHexString(trap.address()));
        }
        int vector = trap.trapNumber();
        boolean software = trap.signal() == SOFTWARE_INTERRUPT || vector == 3 || trap.signal() == SOFTWARE_OVERFLOW;
        int errorCode = software || !pushesErrorCode(vector) ? -1 : trap.errorCode();
        InterruptLog.interrupt(machine.log(), this, vector, errorCode, software);
        if (software) {
            // a software interrupt the IDT refuses faults at the instruction, not after it
            long at = trap.signal() == SOFTWARE_INTERRUPT ? trap.address() : cpu.programCounter() - 1;
            try {
                gates.deliver(vector, errorCode, true);
                return;
            } catch (X86Trap refused) {
                cpu.setProgramCounter(at);
                raise(refused.trap());
                return;
            } catch (GuestMemoryFault pageFault) {
                cpu.setProgramCounter(at);
                int error = mmu.takeFaultError();
                if (error == Mmu.NON_CANONICAL) {
                    deliver(GENERAL_PROTECTION, 0, false);
                    return;
                }
                if (error < 0) {
                    throw new UnsupportedGuestFeature("fatal: interrupt delivery reached memory outside RAM at 0x"
                            + Long.toHexString(pageFault.address()));
                }
                cr2 = mmu.faultAddress();
                deliver(PAGE_FAULT, error, false);
                return;
            }
        }
        deliver(vector, errorCode, software);
    }

    private static boolean pushesErrorCode(int vector) {
        return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
    }

    /** Thrown when delivering a double fault faults again: the CPU shuts down. */
    private static final class TripleFault extends RuntimeException {
        TripleFault() {
            super(null, null, false, false);
        }
    }

    /**
     * Delivers {@code vector} through the IDT ({@link GateDelivery}). A fault on the way is a
     * double fault when both are contributory or a page fault meets either (SDM vol. 3, table
     * 6-5); otherwise the new fault is delivered instead. A fault delivering the double fault is
     * a triple fault.
     */
    private void deliver(int vector, int errorCode, boolean software) {
        if (!protectedMode()) {
            throw new UnsupportedGuestFeature("interrupt or exception " + vector + " in real mode is not supported under TCG in this build");
        }
        try {
            gates.deliver(vector, errorCode, software);
        } catch (GuestMemoryFault pageFault) {
            // the IDT, a descriptor table, the TSS or the handler's stack is not mapped: a page fault while delivering
            int error = mmu.takeFaultError();
            if (error == Mmu.NON_CANONICAL) {
                if (vector == DOUBLE_FAULT) {
                    throw new TripleFault();
                }
                if (!causesDoubleFault(vector, GENERAL_PROTECTION)) {
                    deliver(GENERAL_PROTECTION, 0, false);
                    return;
                }
                deliverDoubleFault();
                return;
            }
            if (vector == DOUBLE_FAULT) {
                throw new TripleFault();
            }
            if (error >= 0 && !causesDoubleFault(vector, PAGE_FAULT)) {
                cr2 = mmu.faultAddress();
                InterruptLog.interrupt(machine.log(), this, PAGE_FAULT, error, false);
                deliver(PAGE_FAULT, error, false);
                return;
            }
            deliverDoubleFault();
        } catch (X86Trap first) {
            if (vector == DOUBLE_FAULT) {
                throw new TripleFault();
            }
            int second = first.trap().trapNumber();
            if (!causesDoubleFault(vector, second)) {
                raise(first.trap());
                return;
            }
            deliverDoubleFault();
        }
    }

    private void deliverDoubleFault() {
        try {
            gates.deliver(DOUBLE_FAULT, 0, false);
        } catch (X86Trap | GuestMemoryFault again) {
            mmu.takeFaultError();
            throw new TripleFault();
        }
    }

    /** SDM vol. 3, table 6-5: a contributory fault or page fault on top of one is a double fault. */
    static boolean causesDoubleFault(int first, int second) {
        boolean firstContributory = first == 0 || (first >= 10 && first <= 13);
        boolean secondContributory = second == 0 || (second >= 10 && second <= 13);
        if (firstContributory) {
            return secondContributory;
        }
        if (first == PAGE_FAULT) {
            return secondContributory || second == PAGE_FAULT;
        }
        return false;
    }
}
