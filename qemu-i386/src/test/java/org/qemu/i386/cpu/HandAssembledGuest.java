package org.qemu.i386.cpu;

import java.util.HexFormat;

import org.qemu.common.memory.GuestMemory;

/**
 * A flat 32-bit user-mode guest for tests of hand-assembled code: two writable code pages at
 * {@link #CODE}, a data page, a read-only page and a two-page stack below {@link #STACK_TOP},
 * and a CPU at {@code CODE} whose compiled tiers the test chooses (the thresholds decide which
 * tier a test exercises, so they are the fixture's only knobs).
 */
final class HandAssembledGuest implements AutoCloseable {
    static final int CODE = 0x08048000;
    static final int DATA = 0x08050000;
    static final int READ_ONLY = 0x08052000;
    static final int STACK_TOP = 0x08060000;

    final GuestMemory memory = new GuestMemory(32);
    final X86Cpu cpu;

    HandAssembledGuest(int compileThreshold, int regionThreshold) {
        memory.map(CODE, 0x2000, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
        memory.map(DATA, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(READ_ONLY, 0x1000, GuestMemory.READ);
        memory.map(STACK_TOP - 0x2000, 0x2000, GuestMemory.READ | GuestMemory.WRITE);
        cpu = new X86Cpu(memory, new X86CpuState());
        cpu.setCompileThreshold(compileThreshold);
        cpu.setRegionThreshold(regionThreshold);
        cpu.state.setEip(CODE);
        cpu.state.setReg32(X86CpuState.ESP, STACK_TOP);
    }

    /** Puts {@code hex} (bytes in hex, spaces allowed) at {@code address}. */
    HandAssembledGuest load(int address, String hex) {
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        memory.load(address, code, 0, code.length);
        return this;
    }

    @Override
    public void close() {
        memory.close();
    }
}
