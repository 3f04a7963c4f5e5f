package org.qemu.x86_64.linux;

import org.qemu.common.exec.GuestTrap;
import org.qemu.common.linux.LinuxThread;
import org.qemu.common.memory.GuestMemoryFault;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The legacy vsyscall page at 0xffffffffff600000, emulated the way Linux does with
 * {@code vsyscall=emulate}/{@code xonly}: the page is not mapped (it lies far above the guest
 * space), so a call to one of its three entry points faults on the instruction fetch; the
 * fault is turned into the system call the entry stands for (gettimeofday at +0, time at +0x400,
 * getcpu at +0x800), followed by the {@code ret} the page would have executed. Any other address
 * in the page is a SIGSEGV, as in the kernel.
 */
final class VsyscallPage {
    static final long BASE = 0xffffffffff600000L;
    private static final int[][] ENTRIES = {{0x000, 96}, {0x400, 201}, {0x800, 309}};

    /** True if the trap was a call into the page and has been carried out. */
    static boolean emulate(LinuxThread thread, GuestTrap trap) {
        X86CpuState s = ((X86Cpu) thread.cpu()).state;
        if (trap.signal() != GuestTrap.SIGSEGV || trap.address() != s.rip || (s.rip & ~0xfffL) != BASE) {
            return false;
        }
        int number = -1;
        for (int[] entry : ENTRIES) {
            if (s.rip == BASE + entry[0]) {
                number = entry[1];
            }
        }
        if (number < 0) {
            return false;
        }
        long returnAddress;
        try {
            returnAddress = thread.process().data().u64(s.regs[X86CpuState.ESP]);
        } catch (GuestMemoryFault e) {
            return false;
        }
        long rip = s.rip;
        s.regs[X86CpuState.EAX] = number;
        thread.process().syscalls().dispatch(thread);
        if (s.rip != rip) {
            return true; // the call moved the thread elsewhere (a signal frame): nothing to return from
        }
        s.rip = returnAddress;
        s.regs[X86CpuState.ESP] += 8;
        return true;
    }

    private VsyscallPage() {
    }
}
