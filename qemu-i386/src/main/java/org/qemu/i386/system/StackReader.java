package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * Pops values off SS:ESP without moving ESP: returns (iret, far ret, popf) read their whole
 * frame, check it, and only then commit, so a fault leaves ESP where the instruction found it.
 */
final class StackReader {
    private final X86Cpu cpu;
    private final int bytes;
    private int esp;

    StackReader(X86Cpu cpu, int bits) {
        this.cpu = cpu;
        this.bytes = bits / 8;
        this.esp = cpu.state.reg32(X86CpuState.ESP);
    }

    int pop() {
        long a = (cpu.state.segBase[X86CpuState.SS] + (esp & 0xffffffffL)) & 0xffffffffL;
        int v = bytes == 4 ? cpu.memory.read32(a) : cpu.memory.read16(a);
        esp += bytes;
        return v;
    }

    void skip(int count) {
        esp += count;
    }

    /** ESP after the values popped so far. */
    int esp() {
        return esp;
    }
}
