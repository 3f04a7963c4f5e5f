package org.qemu.x86_64.linux;

import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/** The one place that knows how the shared x86 front end is put into 64-bit user code. */
final class LongModeCpus {
    static X86Cpu create(GuestMemory memory) {
        X86Cpu cpu = new X86Cpu(memory, new X86CpuState());
        cpu.setCodeMode(X86Cpu.MODE_64);
        return cpu;
    }

    static X86Cpu copy(X86Cpu parent, GuestMemory memory) {
        X86Cpu child = parent.copyFor(memory);
        child.setCodeMode(X86Cpu.MODE_64);
        return child;
    }

    private LongModeCpus() {
    }
}
