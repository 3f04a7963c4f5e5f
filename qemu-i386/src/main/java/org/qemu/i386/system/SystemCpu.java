package org.qemu.i386.system;

import java.util.concurrent.locks.LockSupport;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.exec.GuestTrap;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;
import org.qemu.i386.cpu.X86Trap;

/**
 * One x86 CPU of the TCG PC in 32-bit protected mode at CPL 0: the system registers user mode
 * does not have (CR0-CR4, GDTR, IDTR, EFER, APIC base), and the loop that runs translated code
 * and, between blocks, delivers exceptions and external interrupts through the IDT, halts, and
 * wakes up. System ops reach this object through {@link X86Cpu#systemContext()}.
 */
public final class SystemCpu {
    static final int CR0_PE = 1;
    static final int CR0_ET = 0x10;
    static final int CR0_PG = 0x80000000;
    static final long EFER_LMA = 1L << 10;
    /** Software interrupts (int n, int3) carry this in {@link GuestTrap#signal()}: no error code, eip after. */
    static final int SOFTWARE_INTERRUPT = 0;
    private static final int DOUBLE_FAULT = 8;

    public final X86Cpu cpu;
    final IoPortBus io;
    final SegmentDescriptors segments;
    private final InterruptSource interrupts;
    private final MachineControl machine;
    private final int apicId;
    private volatile Thread thread;
    /** Application processors wait for a STARTUP IPI: its vector, or -1 while none arrived. */
    private volatile int startupVector = -1;
    private volatile boolean waitingForStartup;
    private volatile boolean halted;

    int cr0 = CR0_PE | CR0_ET;
    int cr2;
    int cr3;
    int cr4;
    long efer;
    long apicBase;
    long gdtBase;
    int gdtLimit;
    long idtBase;
    int idtLimit = 0x3ff;
    final int[] debugRegisters = new int[8];
    final java.util.Map<Integer, Long> modelSpecificRegisters = new java.util.HashMap<>();

    public SystemCpu(GuestMemory memory, IoPortBus io, InterruptSource interrupts, MachineControl machine, int apicId) {
        this.cpu = new X86Cpu(memory, new X86CpuState(), new SystemInstructionTranslator());
        this.io = io;
        this.interrupts = interrupts;
        this.machine = machine;
        this.apicId = apicId;
        this.segments = new SegmentDescriptors(this, memory);
        this.apicBase = 0xfee00000L | 1 << 11 | (apicId == 0 ? 1 << 8 : 0);
        cpu.setSystemContext(this);
        cpu.setSegmentResolver(segments);
    }

    public int apicId() {
        return apicId;
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
            s.segSelector[seg] = seg == X86CpuState.CS ? codeSelector : dataSelector;
            s.segBase[seg] = 0;
        }
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
        }
        cpu.setCodeMode(X86Cpu.MODE_16);
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
                    deliver(vector, -1);
                }
                CpuExit exit = cpu.run();
                switch (exit) {
                    case TRAP -> raise(cpu.lastTrap());
                    case HALT -> waitForInterrupt();
                    default -> { }
                }
            }
        } catch (UnsupportedGuestFeature e) {
            machine.fatal(programName() + ": " + e.getMessage() + " (at eip=" + hex(cpu.state.eip()) + ")");
        } catch (TripleFault e) {
            InterruptLog.guestError(machine.log(), "Triple fault on CPU " + apicId + " at eip=" + hex(cpu.state.eip()));
            machine.guestReset("triple fault");
        } catch (RuntimeException e) {
            machine.fatal(programName() + ": internal error in CPU " + apicId + ": " + e + "\n" + cpu.state);
        }
    }

    private static String programName() {
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
        if (trap.trapNumber() == 14 && trap.signal() == GuestTrap.SIGSEGV) {
            // paging is off, so the only memory fault left is fetching code outside RAM (QEMU's wording)
            throw new UnsupportedGuestFeature("fatal: Trying to execute code outside RAM or ROM at 0x"
                    + Long.toHexString(trap.address()));
        }
        int vector = trap.trapNumber();
        boolean software = trap.signal() == SOFTWARE_INTERRUPT || vector == 3;
        InterruptLog.interrupt(machine.log(), this, vector, software || !pushesErrorCode(vector) ? -1 : trap.errorCode(), software);
        deliver(vector, software || !pushesErrorCode(vector) ? -1 : trap.errorCode());
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
     * Delivers {@code vector} through a 32-bit interrupt or trap gate (SDM vol. 3, 6.12.1): pushes
     * EFLAGS, CS, EIP (and {@code errorCode} unless negative) on the current stack, clears TF (and
     * IF for an interrupt gate), loads CS:EIP from the gate. A fault on the way is a double fault;
     * a fault delivering that is a triple fault.
     */
    private void deliver(int vector, int errorCode) {
        try {
            deliverOnce(vector, errorCode);
        } catch (X86Trap first) {
            if (vector == DOUBLE_FAULT) {
                throw new TripleFault();
            }
            try {
                deliverOnce(DOUBLE_FAULT, 0);
            } catch (X86Trap second) {
                throw new TripleFault();
            }
        }
    }

    private void deliverOnce(int vector, int errorCode) {
        X86CpuState s = cpu.state;
        GuestMemory m = cpu.memory;
        if ((cr0 & CR0_PE) == 0) {
            throw new UnsupportedGuestFeature("interrupt or exception " + vector + " in real mode is not supported under TCG in this build");
        }
        int gateError = vector * 8 + 2;
        if (vector * 8 + 7 > idtLimit) {
            throw X86Trap.generalProtection(gateError);
        }
        long gate = m.read64((idtBase + vector * 8L) & 0xffffffffL);
        int type = (int) (gate >>> 40) & 0x1f;
        boolean present = (gate & (1L << 47)) != 0;
        if (type != 0x0e && type != 0x0f) {
            if (type == 0x05 || type == 0x06 || type == 0x07) {
                throw new UnsupportedGuestFeature("IDT vector " + vector + " is a task or 16-bit gate, not supported under TCG in this build");
            }
            throw X86Trap.generalProtection(gateError);
        }
        if (!present) {
            throw X86Trap.generalProtection(gateError);
        }
        int selector = (int) (gate >>> 16) & 0xffff;
        int offset = (int) (gate & 0xffff) | (int) ((gate >>> 48) & 0xffff) << 16;
        int flags = s.eflags() & ~0x10000; // the pushed image has RF as the CPU keeps it: clear here
        int oldCs = s.segSelector[X86CpuState.CS];
        int oldEip = s.eip();
        int oldEsp = s.reg32(X86CpuState.ESP);
        segments.loadCodeSegment(s, selector);
        try {
            push(flags);
            push(oldCs);
            push(oldEip);
            if (errorCode >= 0) {
                push(errorCode);
            }
        } catch (RuntimeException e) {
            s.setReg32(X86CpuState.ESP, oldEsp);
            s.segSelector[X86CpuState.CS] = oldCs;
            throw e;
        }
        int cleared = X86CpuState.TF | 0x4000 /* NT */ | 0x10000 /* RF */ | (type == 0x0e ? X86CpuState.IF : 0);
        s.eflagsOther &= ~cleared;
        s.setEip(offset);
    }

    void push(int value) {
        X86CpuState s = cpu.state;
        int esp = s.reg32(X86CpuState.ESP) - 4;
        cpu.memory.write32((s.segBase[X86CpuState.SS] + esp) & 0xffffffffL, value);
        s.setReg32(X86CpuState.ESP, esp);
    }

    int pop() {
        X86CpuState s = cpu.state;
        int esp = s.reg32(X86CpuState.ESP);
        int v = cpu.memory.read32((s.segBase[X86CpuState.SS] + esp) & 0xffffffffL);
        s.setReg32(X86CpuState.ESP, esp + 4);
        return v;
    }

    int pop16() {
        X86CpuState s = cpu.state;
        int esp = s.reg32(X86CpuState.ESP);
        int v = cpu.memory.read16((s.segBase[X86CpuState.SS] + esp) & 0xffffffffL);
        s.setReg32(X86CpuState.ESP, esp + 2);
        return v;
    }

    void push16(int value) {
        X86CpuState s = cpu.state;
        int esp = s.reg32(X86CpuState.ESP) - 2;
        cpu.memory.write16((s.segBase[X86CpuState.SS] + esp) & 0xffffffffL, value);
        s.setReg32(X86CpuState.ESP, esp);
    }
}
