package org.qemu.i386.difftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/**
 * The instruction-level differential test: random cases of every form in {@link FormCatalogue}
 * run on this x86-64 host's own CPU (a C harness, in 64-bit mode, for encodings that mean the
 * same there) and under our translator, from the same registers, flags and memory; final
 * registers, defined flags, memory and traps must agree. Both execution tiers are checked:
 * the shared interpreter loop and the per-block compiled classes.
 */
class NativeDifferentialTest {
    private static final int CASES_PER_FORM = 16;
    private static final long SEED = 0x5eed_1386L;
    private static final int[] REG_ORDER = {X86CpuState.EAX, X86CpuState.ECX, X86CpuState.EDX, X86CpuState.EBX,
            X86CpuState.EBP, X86CpuState.ESI, X86CpuState.EDI};

    private static Path harness;

    @BeforeAll
    static void buildHarness() throws Exception {
        assumeTrue(System.getProperty("os.arch").matches("amd64|x86_64"), "the native oracle needs an x86-64 host");
        Path gcc = Path.of("/usr/bin/gcc");
        assumeTrue(Files.isExecutable(gcc), "host gcc is needed to build the native harness");
        Path dir = Files.createDirectories(Path.of("target", "difftest"));
        Path source = dir.resolve("native_harness.c");
        try (InputStream in = NativeDifferentialTest.class.getResourceAsStream("/difftest/native_harness.c")) {
            Files.write(source, in.readAllBytes());
        }
        harness = dir.resolve("native_harness");
        Process p = new ProcessBuilder(gcc.toString(), "-O1", "-o", harness.toString(), source.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("gcc: " + out).isZero();
    }

    @Test
    void translatedInstructionsMatchTheHostCpu() throws Exception {
        FormCatalogue catalogue = new FormCatalogue();
        Random rnd = new Random(SEED);
        List<TestCase> cases = new ArrayList<>();
        Set<String> forms = new LinkedHashSet<>();
        for (FormCatalogue.Form form : catalogue.forms()) {
            int made = 0;
            for (int attempt = 0; made < CASES_PER_FORM && attempt < CASES_PER_FORM * 4; attempt++) {
                TestCase c = form.generator().apply(rnd);
                if (c != null) {
                    cases.add(new TestCase(form.name(), c.code(), c.regs(), c.eflags(), c.data(), c.definedFlags()));
                    made++;
                }
            }
            if (made > 0) {
                forms.add(form.name());
            }
        }
        List<Outcome> expected = runNative(cases);

        List<String> failures = new ArrayList<>();
        int traps = 0;
        for (int threshold : new int[] {0, 1}) {
            try (GuestMemory memory = new GuestMemory(32)) {
                Emulated emulated = new Emulated(memory, threshold);
                // every case interpreted; every third case compiled (class definition dominates the test's time)
                for (int i = 0; i < cases.size(); i += threshold == 0 ? 1 : 3) {
                    TestCase c = cases.get(i);
                    Outcome actual = emulated.run(c);
                    if (threshold == 0 && expected.get(i).trapSignal() != 0) {
                        traps++;
                    }
                    String diff = expected.get(i).difference(actual, c.definedFlags());
                    if (diff != null && failures.size() < 40) {
                        failures.add((threshold == 0 ? "[interpreted] " : "[compiled] ") + c.describe() + ": host vs ours: " + diff);
                    }
                }
            }
        }
        System.out.printf("x86 differential test: %d instruction forms, %d cases (%d trapping) interpreted, %d compiled, %d mismatches%n",
                forms.size(), cases.size(), traps, (cases.size() + 2) / 3, failures.size());
        failures.forEach(f -> System.out.println("  " + f));
        assertThat(failures).isEmpty();
        assertThat(forms.size()).isGreaterThan(400);
    }

    private static List<Outcome> runNative(List<TestCase> cases) throws Exception {
        Process p = new ProcessBuilder(harness.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII))) {
                for (TestCase c : cases) {
                    w.write(c.toHarnessLine());
                    w.newLine();
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        List<Outcome> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(Outcome.parse(line));
            }
        }
        writer.join();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).hasSize(cases.size());
        return out;
    }

    /** Our side: the same code and data at the same guest addresses, run until the trailing int 0x80. */
    private static final class Emulated {
        private static final int STACK = 0x10004000;
        private final GuestMemory memory;
        private final X86Cpu cpu;

        Emulated(GuestMemory memory, int compileThreshold) {
            this.memory = memory;
            memory.map(FormCatalogue.CODE, 4096, GuestMemory.READ | GuestMemory.EXEC);
            memory.map(FormCatalogue.DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            memory.map(STACK, 4096, GuestMemory.READ | GuestMemory.WRITE);
            cpu = new X86Cpu(memory, new X86CpuState());
            cpu.setCompileThreshold(compileThreshold);
        }

        Outcome run(TestCase c) {
            byte[] code = new byte[c.code().length + 2];
            System.arraycopy(c.code(), 0, code, 0, c.code().length);
            code[code.length - 2] = (byte) 0xcd;
            code[code.length - 1] = (byte) 0x80;
            memory.load(FormCatalogue.CODE, code, 0, code.length);
            memory.load(FormCatalogue.DATA, new byte[4096], 0, 4096);
            memory.load(FormCatalogue.DATA, c.data(), 0, c.data().length);
            cpu.flushTranslations();
            X86CpuState s = cpu.state;
            for (int i = 0; i < 7; i++) {
                s.regs[REG_ORDER[i]] = c.regs()[i];
            }
            s.regs[X86CpuState.ESP] = STACK + 2048;
            s.setEflags(c.eflags());
            s.eip = FormCatalogue.CODE;
            CpuExit exit = cpu.run();
            if (exit == CpuExit.TRAP) {
                return Outcome.trap(cpu.lastTrap().signal());
            }
            assertThat(exit).isEqualTo(CpuExit.SYSCALL);
            assertThat(s.eip).as("eip after " + c.describe()).isEqualTo(FormCatalogue.CODE + code.length);
            int[] regs = new int[7];
            for (int i = 0; i < 7; i++) {
                regs[i] = s.regs[REG_ORDER[i]];
            }
            byte[] data = new byte[FormCatalogue.DATA_SIZE];
            memory.read(FormCatalogue.DATA, data, 0, data.length);
            return new Outcome(0, regs, s.eflags(), data);
        }
    }
}
