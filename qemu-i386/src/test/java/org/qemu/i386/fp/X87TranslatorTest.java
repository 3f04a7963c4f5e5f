package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The same x87 instruction bytes as {@link X87NativeTest}, but decoded and run by the x86
 * translator (X86Cpu) instead of calling the FPU model directly: checks the D8-DF decoding.
 */
class X87TranslatorTest {
    private static final long CODE = 0x100000;
    private static final long DATA = 0x80000;
    private static final HexFormat HEX = HexFormat.of();

    /** Sequences that need the integer side: the classic fnstsw/sahf compare idiom and fcmovcc on real flags. */
    static final String[][] SEQUENCES = {
        {"fcom; fnstsw ax; sahf", "d8d1dfe09e"},
        {"fucomp; fnstsw ax; sahf", "dde9dfe09e"},
        {"ftst; fnstsw ax; sahf", "d9e4dfe09e"},
        {"fxam; fnstsw ax; sahf", "d9e5dfe09e"},
        {"stc; fcmovb", "f9dac1"},
        {"stc; fcmovnb", "f9dbc1"},
        {"xor eax,eax; fcmove", "31c0dac9"},
        {"xor eax,eax; fcmovne", "31c0dbc9"},
        {"xor eax,eax; fcmovbe", "31c0dad1"},
        {"xor eax,eax; fcmovnbe", "31c0dbd1"},
        {"xor eax,eax; fcmovu", "31c0dad9"},
        {"xor eax,eax; fcmovnu", "31c0dbd9"},
        {"fcomi; seta; fcmovnbe", "dbf1dbd1"},
        {"fucomi; setbe al; add al,0xff", "dbe90f96c004ff"},
        {"fcomip; setp al; add al,0xff", "dff10f9ac004ff"},
        {"fld st0; fmul st0,st0; fsqrt; fxch; fistp; fstp", "d9c0d8c8d9fad9c9"},
        {"fninit", "dbe3"},
        {"fnclex after error", "d9e8d9eedef9dbe2"},
    };

    @Test
    void translatedInstructionsMatchTheHostFpu() throws Exception {
        compareWithHost(new Random(7), 100, "", 0);
    }

    /**
     * The same forms in compiled blocks (compile threshold 1) after xor eax,eax: the x87 ops
     * called without reloading the block's register and flag locals must leave that flag record
     * (checked in EFLAGS) unless they are fcomi-style comparisons.
     */
    @Test
    void x87InstructionsInCompiledBlocksKeepFlags() throws Exception {
        compareWithHost(new Random(11), 10, "31c0", 1);
    }

    private static void compareWithHost(Random random, int casesPerForm, String before, int compileThreshold) throws Exception {
        Operands operands = new Operands(random);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(CODE, 1 << 22, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            memory.map(DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            long pc = CODE;
            for (X87NativeTest.RegisterOp op : X87NativeTest.EXACT_REGISTER_OPS) {
                for (int n = 0; n < casesPerForm; n++) {
                    Float80 a = operands.next();
                    Float80 b = random.nextInt(4) == 0 ? operands.near(a) : operands.next();
                    int cw = X87NativeTest.randomControlWord(random);
                    requests.add(String.format("x %s %x %x %x %x %x", before + op.code(), cw, a.signExponent(), a.significand(),
                            b.signExponent(), b.significand()));
                    names.add(op.name());
                    X86CpuState s = run(memory, pc, before + op.code(), cw, a, b, null, compileThreshold);
                    pc += 32;
                    int sw = s.fpu.statusWord();
                    int eflags = s.eflags() & 0x8d5;
                    Float80 r0 = s.fpu.storeExtended(true);
                    Float80 r1 = s.fpu.storeExtended(true);
                    ours.add(String.format("%x %x %x %x %x %x", sw, eflags, r0.signExponent(), r0.significand(),
                            r1.signExponent(), r1.significand()));
                }
            }
            for (String[] sequence : SEQUENCES) {
                for (int n = 0; n < casesPerForm; n++) {
                    Float80 a = operands.next();
                    Float80 b = random.nextInt(4) == 0 ? a : operands.next();
                    int cw = X87NativeTest.randomControlWord(random);
                    requests.add(String.format("x %s %x %x %x %x %x", before + sequence[1], cw, a.signExponent(), a.significand(),
                            b.signExponent(), b.significand()));
                    names.add(sequence[0]);
                    X86CpuState s = run(memory, pc, before + sequence[1], cw, a, b, null, compileThreshold);
                    pc += 32;
                    int sw = s.fpu.statusWord();
                    int eflags = s.eflags() & 0x8d5;
                    Float80 r0 = s.fpu.storeExtended(true);
                    Float80 r1 = s.fpu.storeExtended(true);
                    ours.add(String.format("%x %x %x %x %x %x", sw, eflags, r0.signExponent(), r0.significand(),
                            r1.signExponent(), r1.significand()));
                }
            }
            for (X87NativeTest.MemoryOp op : X87NativeTest.MEMORY_OPS) {
                for (int n = 0; n < casesPerForm; n++) {
                    Float80 a = operands.next();
                    byte[] data = operands.memory();
                    int cw = X87NativeTest.randomControlWord(random);
                    requests.add(String.format("m %s %x %x %x %s", before + op.code(), cw, a.signExponent(), a.significand(),
                            HEX.formatHex(data)));
                    names.add(op.name());
                    X86CpuState s = run(memory, pc, before + op.code(), cw, a, null, data, compileThreshold);
                    pc += 32;
                    int sw = s.fpu.statusWord();
                    int eflags = s.eflags() & 0x8d5;
                    Float80 r0 = s.fpu.storeExtended(true);
                    byte[] after = new byte[16];
                    memory.read(DATA, after, 0, 16);
                    ours.add(String.format("%x %x %x %x %s", sw, eflags, r0.signExponent(), r0.significand(),
                            HEX.formatHex(after)));
                }
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (!answers.get(i).equals(ours.get(i))) {
                mismatches.add(names.get(i) + " " + requests.get(i) + ": native [" + answers.get(i) + "] ours ["
                        + ours.get(i) + "]");
            }
        }
        assertThat(mismatches).as(X87NativeTest.summary(mismatches)).isEmpty();
    }

    /** Runs one instruction (followed by int 0x80) at pc with ST0=a, ST1=b (if given) and EDI -> data. */
    static X86CpuState run(GuestMemory memory, long pc, String code, int cw, Float80 a, Float80 b, byte[] data) {
        return run(memory, pc, code, cw, a, b, data, 0);
    }

    /** {@code compileThreshold} 0: the default tiers (a block run once stays interpreted). */
    static X86CpuState run(GuestMemory memory, long pc, String code, int cw, Float80 a, Float80 b, byte[] data,
            int compileThreshold) {
        byte[] bytes = HEX.parseHex(code + "cd80");
        memory.write(pc, bytes, 0, bytes.length);
        if (data != null) {
            memory.write(DATA, data, 0, data.length);
        }
        X86CpuState s = new X86CpuState();
        s.fpu.initialize();
        s.fpu.setControlWord(cw);
        if (b != null) {
            s.fpu.loadExtended(b);
        }
        s.fpu.loadExtended(a);
        s.setReg32(X86CpuState.EDI, (int) DATA);
        s.setEip((int) pc);
        X86Cpu cpu = new X86Cpu(memory, s);
        if (compileThreshold > 0) {
            cpu.setCompileThreshold(compileThreshold);
        }
        CpuExit exit = cpu.run();
        if (exit != CpuExit.SYSCALL) {
            throw new AssertionError(code + ": " + exit + " " + cpu.lastTrap());
        }
        return s;
    }
}
