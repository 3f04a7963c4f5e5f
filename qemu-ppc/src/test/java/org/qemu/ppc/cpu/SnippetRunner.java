package org.qemu.ppc.cpu;

import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.ppc.translate.PpcCodeCache;
import org.qemu.ppc.translate.PpcCpu;

/** Runs an assembled snippet from CODE until its first sc (or a trap), in a fresh address space. */
final class SnippetRunner implements AutoCloseable {
    static final int CODE = 0x10000;
    static final int DATA = 0x20000;
    static final int STACK_TOP = 0x80000;

    /** Set by the Compiled* test variants: every block goes straight to bytecode instead of the interpreter tier. */
    static boolean compileEverything;

    final GuestMemory memory = new GuestMemory(32);
    final PpcCpuState state = new PpcCpuState(memory);
    final PpcCpu cpu = new PpcCpu(state, new PpcCodeCache(memory, !compileEverything));

    /** Runs with the region tier on, whatever the default, and without traces (a looping trace never leaves for the run loop that builds regions). */
    SnippetRunner withRegions() {
        cpu.setRegionsEnabled(true);
        cpu.cache().setTraces(false);
        return this;
    }

    SnippetRunner(String source) {
        byte[] code = PpcAssembler.assemble(source + "\n\tsc\n");
        memory.map(CODE, code.length, GuestMemory.READ | GuestMemory.EXEC);
        memory.segment().asSlice(CODE, code.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(code));
        memory.map(DATA, 0x1000, GuestMemory.READ | GuestMemory.WRITE);
        memory.map(STACK_TOP - 0x10000, 0x10000, GuestMemory.READ | GuestMemory.WRITE);
        state.pc = CODE;
        state.gpr[1] = STACK_TOP - 64;
    }

    CpuExit run() {
        return cpu.run();
    }

    int gpr(int n) {
        return state.gpr[n];
    }

    @Override
    public void close() {
        memory.close();
    }
}
