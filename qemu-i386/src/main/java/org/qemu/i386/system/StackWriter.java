package org.qemu.i386.system;

import org.qemu.i386.cpu.X86Cpu;

/**
 * Pushes onto a stack given by its base and ESP without touching the registers: far calls and
 * interrupt delivery write their whole frame first and commit ESP (and SS, CS) only after.
 */
final class StackWriter {
    private final X86Cpu cpu;
    private final long base;
    private final int bytes;
    private int esp;

    StackWriter(X86Cpu cpu, long base, int esp, int bits) {
        this.cpu = cpu;
        this.base = base;
        this.esp = esp;
        this.bytes = bits / 8;
    }

    void push(int value) {
        esp -= bytes;
        long a = (base + (esp & 0xffffffffL)) & 0xffffffffL;
        if (bytes == 4) {
            cpu.memory.write32(a, value);
        } else {
            cpu.memory.write16(a, value);
        }
    }

    int esp() {
        return esp;
    }
}
