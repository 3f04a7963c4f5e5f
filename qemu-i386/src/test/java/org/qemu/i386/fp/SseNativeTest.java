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
 * SSE, SSE2 and MMX instruction forms decoded and run by the x86 translator, against the same
 * bytes run on this host: xmm0 = A, xmm1 = B, eax and a 16-byte aligned buffer at [edi]. MXCSR
 * (flags included), EFLAGS, xmm0, eax and the buffer must match bit for bit.
 */
class SseNativeTest {
    private static final long CODE = 0x100000;
    private static final long DATA = 0x80000;
    private static final HexFormat HEX = HexFormat.of();

    /** MMX forms run as: movdq2q mm0,xmm0; movdq2q mm1,xmm1; OP mm0,mm1; movq2dq xmm0,mm0; emms. */
    private static String mmx(String op) {
        return "f20fd6c0" + "f20fd6c9" + op + "f30fd6c0" + "0f77";
    }

    static List<String[]> forms() {
        List<String[]> forms = new ArrayList<>();
        String[] prefixes = {"", "66", "f3", "f2"};
        String[] arithmetic = {"58", "59", "5c", "5d", "5e", "5f", "51"};
        for (String p : prefixes) {
            for (String op : arithmetic) {
                forms.add(new String[] {"fp " + p + " 0f" + op, p + "0f" + op + "c1"});
                forms.add(new String[] {"fp " + p + " 0f" + op + " mem", p + "0f" + op + "07"});
            }
            for (int predicate = 0; predicate < 8; predicate++) {
                forms.add(new String[] {"cmp " + p + " " + predicate, p + "0fc2c10" + predicate});
            }
            forms.add(new String[] {"cvt " + p + " 5a", p + "0f5ac1"});
            forms.add(new String[] {"cvt " + p + " 5a mem", p + "0f5a07"});
        }
        for (String p : new String[] {"", "66", "f3"}) {
            forms.add(new String[] {"cvt " + p + " 5b", p + "0f5bc1"});
        }
        for (String p : new String[] {"66", "f3", "f2"}) {
            forms.add(new String[] {"cvt " + p + " e6", p + "0fe6c1"});
        }
        for (String[] f : new String[][] {
            {"ucomiss", "0f2ec1"}, {"comiss", "0f2fc1"}, {"ucomisd", "660f2ec1"}, {"comisd", "660f2fc1"},
            {"cvtsi2sd", "f20f2ac0"}, {"cvtsi2ss", "f30f2ac0"}, {"cvttsd2si", "f20f2cc1"}, {"cvtsd2si", "f20f2dc1"},
            {"cvttss2si", "f30f2cc1"}, {"cvtss2si", "f30f2dc1"}, {"cvtsd2si mem", "f20f2d07"},
            {"andps", "0f54c1"}, {"andnpd", "660f55c1"}, {"orps", "0f56c1"}, {"xorpd", "660f57c1"},
            {"unpcklps", "0f14c1"}, {"unpckhps", "0f15c1"}, {"unpcklpd", "660f14c1"}, {"unpckhpd", "660f15c1"},
            {"shufps 1b", "0fc6c11b"}, {"shufps e4", "0fc6c1e4"}, {"shufpd 1", "660fc6c101"}, {"shufpd 2", "660fc6c102"},
            {"movmskps", "0f50c1"}, {"movmskpd", "660f50c1"},
            {"movss reg", "f30f10c1"}, {"movss load", "f30f1007"}, {"movsd reg", "f20f10c1"}, {"movsd load", "f20f1007"},
            {"movaps", "0f28c1"}, {"movaps load", "0f2807"}, {"movups load", "0f1007"}, {"movapd load", "660f2807"},
            {"movlps load", "0f1207"}, {"movhps load", "0f1607"}, {"movhlps", "0f12c1"}, {"movlhps", "0f16c1"},
            {"movlpd load", "660f1207"}, {"movhpd load", "660f1607"},
            {"movaps store", "0f290f"}, {"movups store", "0f110f"}, {"movss store", "f30f110f"},
            {"movsd store", "f20f110f"}, {"movlps store", "0f130f"}, {"movhps store", "0f170f"},
            {"movntdq", "660fe70f"}, {"movq store", "660fd60f"}, {"movq xmm", "660fd6c8"},
            {"movd xmm,eax", "660f6ec0"}, {"movd eax,xmm", "660f7ec8"}, {"movq xmm,m64", "f30f7e07"},
            {"movq xmm,xmm", "f30f7ec1"}, {"movdqa", "660f6fc1"}, {"movdqu load", "f30f6f07"},
            {"movdqa store", "660f7f0f"}, {"movd mem,xmm", "660f7e0f"}, {"movnti", "0fc307"},
            {"pmovmskb", "660fd7c1"}, {"pextrw 3", "660fc5c103"}, {"pextrw 6", "660fc5c106"},
            {"pinsrw 5", "660fc4c005"}, {"pinsrw mem", "660fc40702"},
            {"pshufd 1b", "660f70c11b"}, {"pshufd 4e", "660f70c14e"}, {"pshuflw 1b", "f20f70c11b"}, {"pshufhw 93", "f30f70c193"},
            {"psrlw 5", "660f71d005"}, {"psraw 3", "660f71e003"}, {"psllw 9", "660f71f009"}, {"psrld 17", "660f72d011"},
            {"psrad 31", "660f72e01f"}, {"pslld 2", "660f72f002"}, {"psrlq 33", "660f73d021"}, {"psllq 1", "660f73f001"},
            {"psrldq 3", "660f73d803"}, {"psrldq 9", "660f73d809"}, {"pslldq 5", "660f73f805"}, {"pslldq 15", "660f73f80f"},
            {"psrlw 16", "660f71d010"}, {"psrad 40", "660f72e028"},
            {"punpcklqdq", "660f6cc1"}, {"punpckhqdq", "660f6dc1"},
            {"stmxcsr", "0fae1f"}, {"maskmovdqu", "660ff7c8"},
            {"cvtpi2ps", "0f2a07"}, {"cvtpi2pd", "660f2a07"}, {"cvtps2pd", "0f5ac1"},
            {"cvtsi2sd mem", "f20f2a07"}, {"cvtsi2ss mem", "f30f2a07"}, {"cvttsd2si mem", "f20f2c07"},
            {"cvttss2si mem", "f30f2c07"}, {"comisd mem", "660f2f07"}, {"ucomiss mem", "0f2e07"},
            {"pshufd mem", "660f70071b"}, {"shufps mem", "0fc6071b"}, {"shufpd mem", "660fc60701"},
            {"movd xmm,mem", "660f6e07"}, {"cmppd mem", "660fc20702"}, {"cmpss mem", "f30fc20705"},
            {"movhpd store", "660f170f"}, {"movlpd store", "660f130f"}, {"cvtdq2pd mem", "f30fe607"},
            {"unpcklpd mem", "660f1407"}, {"andnps mem", "0f5507"}, {"punpckhqdq mem", "660f6d07"},
            {"stmxcsr; ldmxcsr", "0fae1f0fae17"}, {"movntps", "0f2b0f"}, {"movntpd", "660f2b0f"},
        }) {
            forms.add(f);
        }
        String[] integer = {"60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "6a", "6b", "74", "75", "76",
            "d1", "d2", "d3", "d4", "d5", "d8", "d9", "da", "db", "dc", "dd", "de", "df", "e0", "e1", "e2", "e3", "e4",
            "e5", "e8", "e9", "ea", "eb", "ec", "ed", "ee", "ef", "f1", "f2", "f3", "f4", "f5", "f6", "f8", "f9", "fa",
            "fb", "fc", "fd", "fe"};
        for (String op : integer) {
            forms.add(new String[] {"sse2 " + op, "660f" + op + "c1"});
            forms.add(new String[] {"sse2 " + op + " mem", "660f" + op + "07"});
            forms.add(new String[] {"mmx " + op, mmx("0f" + op + "c1")});
        }
        forms.add(new String[] {"mmx pshufw", mmx("0f70c1b1")});
        forms.add(new String[] {"mmx psrlq 7", mmx("0f73d007")});
        forms.add(new String[] {"mmx pmovmskb", "f20fd6c90fd7c10f77"});
        forms.add(new String[] {"mmx cvtpi2ps reg", "f20fd6c90f2ac10f77"});
        forms.add(new String[] {"mmx cvttps2pi", "0f2cc1f30fd6c00f77"});
        forms.add(new String[] {"mmx cvtpd2pi", "660f2dc1f30fd6c00f77"});
        return forms;
    }

    @Test
    void translatedSimdInstructionsMatchTheHost() throws Exception {
        compareWithHost(forms(), new Random(99), 150, "", "", 0);
    }

    /**
     * The same forms in compiled blocks (compile threshold 1), between integer instructions that
     * the block keeps in locals: a dirty eax (which cvtsi2sd and movd read), a flag record that
     * an op changing no flags must leave alone, and seta/setp after it (after comisd/ucomisd: a bit
     * test on the flags the op returned).
     */
    @Test
    void simdInstructionsInCompiledBlocksKeepRegistersAndFlags() throws Exception {
        String before = "8d4001" + "3d45230100"; // lea eax,[eax+1]; cmp eax,0x12345
        String after = "0f97c0" + "0f9ac4"; // seta al; setp ah
        compareWithHost(forms(), new Random(7), 12, before, after, 1);
    }

    /**
     * Loops over SSE code, compiled (threshold 1) as loop blocks or chains of blocks with the
     * XMM registers held in locals across iterations and written back at the exits: the shapes
     * of cpubench's series sum, its xorshift fill, its n-body inner loop (memory operands, a
     * comparison and a branch inside the loop), logic, 128-bit and 64-bit loads and stores with a
     * register-to-register movapd that is still called as an op (its write-back and reload), and
     * conversions to and from general registers. Random operands, rounding modes, FTZ/DAZ and
     * sticky flags, so NaN, infinities, denormals, -0.0 and out-of-range conversions are reached.
     */
    @Test
    void simdLoopsInCompiledBlocksMatchTheHost() throws Exception {
        List<String[]> loops = List.of(
                new String[] {"series loop", loop("f20f2ad1" + "f20f59d2" + "660f28d9" + "f20f5eda" + "f20f58c3")},
                new String[] {"xorshift loop", loop("660f6fd8" + "660f73f30d" + "660fefc3" + "660f6fd8" + "660f73d307" + "660fefc3"
                        + "660f6fd8" + "660f73f311" + "660fefc3" + "660f7ec0" + "8807" + "660fd4c1")},
                new String[] {"n-body loop", loop("f20f1017" + "f20f5cd1" + "f20f59d2" + "660f2ec2" + "7704" + "f20f51d2"
                        + "f20f58c2" + "f20f1107")},
                new String[] {"logic and store loop", loop("660f57c1" + "660f54c8" + "660f29c8" + "660f2907" + "0f2807" + "660f55c1" + "f30f7e17"
                        + "660fd617" + "f30f10d8" + "f30f58c3")},
                new String[] {"conversion loop", loop("f20f58c1" + "f20f2cc0" + "660f6ed0" + "f20f2dc2" + "660f2fc1")});
        compareWithHost(loops, new Random(11), 60, "", "", 1);
    }

    /**
     * {@code body} run five times: pxor xmm2,xmm2; pxor xmm3,xmm3 (the host leaves them undefined);
     * mov ecx,5; body; dec ecx; jnz body (encoded alike in 32- and 64-bit code).
     */
    private static String loop(String body) {
        int length = body.length() / 2 + 4;
        return "660fefd2" + "660fefdb" + "b905000000" + body + "ffc9" + "75" + String.format("%02x", -length & 0xff);
    }

    private static void compareWithHost(List<String[]> forms, Random random, int casesPerForm, String before, String after, int compileThreshold)
            throws Exception {
        Operands operands = new Operands(random);
        List<String> requests = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (GuestMemory memory = new GuestMemory(32)) {
            memory.map(CODE, 1 << 23, GuestMemory.READ | GuestMemory.WRITE | GuestMemory.EXEC);
            memory.map(DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            long pc = CODE;
            String only = System.getProperty("sse.only");
            for (String[] form : forms) {
                if (only != null && !form[0].startsWith(only)) {
                    continue;
                }
                for (int n = 0; n < casesPerForm; n++) {
                    long[] a = vector(random, operands);
                    long[] b = random.nextInt(5) == 0 ? a.clone() : vector(random, operands);
                    if (random.nextInt(5) == 0) {
                        b[0] ^= 1L << random.nextInt(64);
                    }
                    byte[] data = new byte[16];
                    long[] m = vector(random, operands);
                    X87NativeTest.put(data, m[0], 8);
                    byte[] high = new byte[8];
                    X87NativeTest.put(high, m[1], 8);
                    System.arraycopy(high, 0, data, 8, 8);
                    int eax = random.nextInt(3) == 0 ? random.nextInt(2001) - 1000 : random.nextInt();
                    int mxcsr = randomMxcsr(random);
                    String code = before + form[1] + after;
                    requests.add(String.format("s %s %x %x %x %x %x %x %s", code, mxcsr, a[0], a[1], b[0], b[1], eax,
                            HEX.formatHex(data)));
                    names.add(form[0]);
                    ours.add(run(memory, pc, code, mxcsr, a, b, eax, data, compileThreshold));
                    pc += 64;
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

    static int randomMxcsr(Random random) {
        int mxcsr = 0x1f80 | random.nextInt(4) << 13;
        if (random.nextInt(8) == 0) {
            mxcsr |= 0x8000; // FTZ
        }
        if (random.nextInt(8) == 0) {
            mxcsr |= 0x40; // DAZ
        }
        if (random.nextInt(4) == 0) {
            mxcsr |= random.nextInt(64);
        }
        return mxcsr;
    }

    /** Two quadwords holding doubles, floats or integers with the same interesting distribution. */
    static long[] vector(Random random, Operands operands) {
        long[] v = new long[2];
        FpContext c = new FpContext();
        for (int i = 0; i < 2; i++) {
            v[i] = switch (random.nextInt(4)) {
                case 0 -> SoftFloat.toDouble(c, operands.next());
                case 1 -> (SoftFloat.toFloat(c, operands.next()) & 0xffffffffL)
                        | (long) SoftFloat.toFloat(c, operands.next()) << 32;
                case 2 -> random.nextLong() & (random.nextBoolean() ? 0x00ff00ff00ff00ffL : -1L);
                default -> SoftFloat.toDouble(c, SoftFloat.fromLong(random.nextInt(100) - 50));
            };
        }
        return v;
    }

    static String run(GuestMemory memory, long pc, String code, int mxcsr, long[] a, long[] b, int eax, byte[] data) {
        return run(memory, pc, code, mxcsr, a, b, eax, data, 0);
    }

    /** {@code compileThreshold} 0: the default tiers (a block run once stays interpreted). */
    static String run(GuestMemory memory, long pc, String code, int mxcsr, long[] a, long[] b, int eax, byte[] data,
            int compileThreshold) {
        byte[] bytes = HEX.parseHex(code + "cd80");
        memory.write(pc, bytes, 0, bytes.length);
        memory.write(DATA, data, 0, 16);
        X86CpuState s = new X86CpuState();
        s.xmm[0] = a[0];
        s.xmm[1] = a[1];
        s.xmm[2] = b[0];
        s.xmm[3] = b[1];
        s.mxcsr = mxcsr;
        s.setReg32(X86CpuState.EAX, eax);
        s.setReg32(X86CpuState.EDI, (int) DATA);
        s.setEip((int) pc);
        X86Cpu cpu = new X86Cpu(memory, s);
        if (compileThreshold > 0) {
            cpu.setCompileThreshold(compileThreshold);
        }
        CpuExit exit = cpu.run();
        if (exit != CpuExit.SYSCALL) {
            return "exit " + exit + " " + cpu.lastTrap();
        }
        byte[] after = new byte[16];
        memory.read(DATA, after, 0, 16);
        return String.format("%x %x %x %x %x %s", s.mxcsr, s.eflags() & 0x8d5, s.xmm[0], s.xmm[1],
                s.reg32(X86CpuState.EAX), HEX.formatHex(after));
    }
}
