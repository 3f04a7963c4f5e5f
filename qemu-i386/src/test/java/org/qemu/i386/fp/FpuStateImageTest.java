package org.qemu.i386.fp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * fnstenv/fldenv, fnsave/frstor and fxsave/fxrstor images against the host's. Fields this
 * emulator does not model are masked: the last instruction/data pointers and opcode (programs
 * do not use them), the host's MXCSR_MASK (AMD reports bit 17 too; we report Intel's 0xFFFF) and
 * XMM1-7, which hold the host harness's own values.
 */
class FpuStateImageTest {
    private static final long CODE = 0x100000;
    private static final long DATA = 0x80000;
    private static final HexFormat HEX = HexFormat.of();

    record Form(String name, String code, int[][] ignored) {
    }

    static final int[][] ENVIRONMENT_POINTERS = {{12, 28}};
    static final int[][] FXSAVE_UNMODELLED = {{6, 24}, {28, 32}, {176, 1024}};

    static final List<Form> FORMS = List.of(
            new Form("fnstenv", "d937", ENVIRONMENT_POINTERS),
            new Form("fnstenv; fldz; fldenv; fnstenv", "d937d9eed927d937", ENVIRONMENT_POINTERS),
            new Form("fnsave", "dd37", ENVIRONMENT_POINTERS),
            new Form("fnsave; fld1; frstor; fnsave", "dd37d9e8dd27dd37", ENVIRONMENT_POINTERS),
            new Form("fxsave", "0fae07", FXSAVE_UNMODELLED),
            new Form("fxsave; fld1; fxrstor; fxsave", "0fae07d9e80fae0f0fae07", FXSAVE_UNMODELLED),
            new Form("fldpi; fxch; fxsave", "d9ebd9c90fae07", FXSAVE_UNMODELLED),
            new Form("ffree st1; fxsave", "ddc10fae07", FXSAVE_UNMODELLED),
            new Form("fdecstp; fnstenv", "d9f6d937", ENVIRONMENT_POINTERS));

    @Test
    void stateImagesMatchTheHost() throws Exception {
        Random random = new Random(5);
        Operands operands = new Operands(random);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<Form> forms = new ArrayList<>();
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(CODE, 1 << 20, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            memory.map(DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            long pc = CODE;
            for (Form form : FORMS) {
                for (int n = 0; n < 40; n++) {
                    Float80 a = operands.next();
                    Float80 b = operands.next();
                    int cw = X87NativeTest.randomControlWord(random);
                    int mxcsr = SseNativeTest.randomMxcsr(random);
                    long x0 = random.nextLong();
                    long x1 = random.nextLong();
                    requests.add(String.format("f %s %x %x %x %x %x %x %x %x", form.code(), cw, a.signExponent(),
                            a.significand(), b.signExponent(), b.significand(), mxcsr, x0, x1));
                    forms.add(form);
                    byte[] code = HEX.parseHex(form.code() + "cd80");
                    memory.write(pc, code, 0, code.length);
                    byte[] fill = new byte[1024];
                    Arrays.fill(fill, (byte) 0xaa);
                    memory.write(DATA, fill, 0, 1024);
                    X86CpuState s = new X86CpuState();
                    s.fpu.initialize();
                    s.fpu.setControlWord(cw);
                    s.fpu.loadExtended(b);
                    s.fpu.loadExtended(a);
                    s.mxcsr = mxcsr;
                    s.xmm[0] = x0;
                    s.xmm[1] = x1;
                    s.setReg32(X86CpuState.EDI, (int) DATA);
                    s.setEip((int) pc);
                    pc += 64;
                    X86Cpu cpu = new X86Cpu(memory, s);
                    CpuExit exit = cpu.run();
                    assertThat(exit).as(form.name() + " " + cpu.lastTrap()).isEqualTo(CpuExit.SYSCALL);
                    byte[] image = new byte[1024];
                    memory.read(DATA, image, 0, 1024);
                    ours.add(String.format("%x %s", s.fpu.statusWord(), HEX.formatHex(image)));
                }
            }
        }
        List<String> answers = NativeOracle.run(requests);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            String native_ = mask(answers.get(i), forms.get(i).ignored());
            String mine = mask(ours.get(i), forms.get(i).ignored());
            if (!native_.equals(mine)) {
                mismatches.add(forms.get(i).name() + " " + requests.get(i) + ":\n native " + native_ + "\n ours   " + mine);
            }
        }
        assertThat(mismatches).as(X87NativeTest.summary(mismatches)).isEmpty();
    }

    /** Replaces ignored byte ranges of "SW HEX" with dots. */
    static String mask(String answer, int[][] ranges) {
        String[] parts = answer.split(" ");
        char[] hex = parts[1].toCharArray();
        for (int[] range : ranges) {
            Arrays.fill(hex, 2 * range[0], 2 * range[1], '.');
        }
        String s = new String(hex);
        int end = s.length();
        while (end > 0 && (s.startsWith("aa", end - 2) || s.startsWith("..", end - 2))) {
            end -= 2;
        }
        return parts[0] + " " + s.substring(0, end);
    }
}
