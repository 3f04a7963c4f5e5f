package org.qemu.i386.difftest;

import static org.assertj.core.api.Assertions.assertThat;

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

import org.qemu.common.exec.CpuExit;
import org.qemu.common.memory.GuestMemory;
import org.qemu.i386.cpu.X86Cpu;
import org.qemu.i386.cpu.X86CpuState;

/** Generates cases, runs them through an oracle process and through our CPU, and compares. */
final class DifferentialRunner {
    private static final int[] REG_ORDER = {X86CpuState.EAX, X86CpuState.ECX, X86CpuState.EDX, X86CpuState.EBX,
            X86CpuState.EBP, X86CpuState.ESI, X86CpuState.EDI};

    private DifferentialRunner() {
    }

    /** Compiles a harness source from the test resources with {@code compiler} and {@code flags}. */
    static Path buildHarness(String resource, String output, String... compilerAndFlags) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "difftest"));
        for (String file : List.of(resource, "harness_common.h")) {
            try (InputStream in = DifferentialRunner.class.getResourceAsStream("/difftest/" + file)) {
                Files.write(dir.resolve(file), in.readAllBytes());
            }
        }
        Path source = dir.resolve(resource);
        Path binary = dir.resolve(output);
        List<String> cmd = new ArrayList<>(List.of(compilerAndFlags));
        cmd.addAll(List.of("-o", binary.toString(), source.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("compiling " + resource + ": " + out).isZero();
        return binary;
    }

    /** Runs every form of the catalogue {@code casesPerForm} times against the oracle; returns the summary line. */
    static String compare(String oracleName, List<String> oracle, FormCatalogue catalogue, int casesPerForm, long seed,
            boolean withEsp, int compiledEvery) throws Exception {
        Random rnd = new Random(seed);
        List<TestCase> cases = new ArrayList<>();
        Set<String> forms = new LinkedHashSet<>();
        for (FormCatalogue.Form form : catalogue.forms()) {
            int made = 0;
            for (int attempt = 0; made < casesPerForm && attempt < casesPerForm * 4; attempt++) {
                TestCase c = form.generator().apply(rnd);
                if (c != null) {
                    cases.add(new TestCase(form.name(), c.code(), c.regs(), c.esp(), c.eflags(), c.data(), c.definedFlags()));
                    made++;
                }
            }
            if (made > 0) {
                forms.add(form.name());
            }
        }
        List<Outcome> expected = runOracle(oracle, cases, withEsp);
        List<String> failures = new ArrayList<>();
        int traps = 0;
        int compiled = 0;
        // -1: the region tier, every block its own region from its first run
        for (int threshold : new int[] {0, 1, -1}) {
            try (GuestMemory memory = new GuestMemory(32)) {
                Emulated emulated = new Emulated(memory, threshold);
                for (int i = 0; i < cases.size(); i += threshold == 0 ? 1 : compiledEvery) {
                    TestCase c = cases.get(i);
                    Outcome actual = emulated.run(c, withEsp);
                    if (threshold == 0 && expected.get(i).trapSignal() != 0) {
                        traps++;
                    }
                    if (threshold != 0) {
                        compiled++;
                    }
                    String diff = expected.get(i).difference(actual, c.definedFlags());
                    if (diff != null && failures.size() < 40) {
                        failures.add((threshold == 0 ? "[interpreted] " : threshold == 1 ? "[compiled] " : "[region] ") + c.describe() + ": "
                                + oracleName + " vs ours: " + diff);
                    }
                }
            }
        }
        String summary = String.format("x86 differential test against %s: %d instruction forms, %d cases (%d trapping) interpreted, %d compiled, %d mismatches",
                oracleName, forms.size(), cases.size(), traps, compiled, failures.size());
        System.out.println(summary);
        failures.forEach(f -> System.out.println("  " + f));
        assertThat(failures).isEmpty();
        return summary;
    }

    private static List<Outcome> runOracle(List<String> command, List<TestCase> cases, boolean withEsp) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread writer = Thread.ofPlatform().start(() -> {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII))) {
                for (TestCase c : cases) {
                    w.write(c.toHarnessLine(withEsp));
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
                out.add(Outcome.parse(line, withEsp));
            }
        }
        writer.join();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).hasSize(cases.size());
        return out;
    }

    /** Our side: the same code and data at the same guest addresses, run until the trailing int 0x80. */
    private static final class Emulated {
        private final GuestMemory memory;
        private final X86Cpu cpu;

        Emulated(GuestMemory memory, int compileThreshold) {
            this.memory = memory;
            memory.map(FormCatalogue.CODE, 4096, GuestMemory.READ | GuestMemory.EXEC);
            memory.map(FormCatalogue.DATA, 4096, GuestMemory.READ | GuestMemory.WRITE);
            cpu = new X86Cpu(memory, new X86CpuState());
            cpu.setCompileThreshold(compileThreshold < 0 ? 1 : compileThreshold);
            cpu.setRegionThreshold(compileThreshold < 0 ? 1 : 0);
        }

        Outcome run(TestCase c, boolean withEsp) {
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
                s.setReg32(REG_ORDER[i], c.regs()[i]);
            }
            s.setReg32(X86CpuState.ESP, c.esp());
            s.setEflags(c.eflags());
            s.setEip(FormCatalogue.CODE);
            CpuExit exit = cpu.run();
            if (exit == CpuExit.TRAP) {
                return Outcome.trap(cpu.lastTrap().signal());
            }
            assertThat(exit).isEqualTo(CpuExit.SYSCALL);
            assertThat(s.eip()).as("eip after " + c.describe()).isEqualTo(FormCatalogue.CODE + code.length);
            int[] regs = new int[withEsp ? 8 : 7];
            for (int i = 0, j = 0; i < 7; i++) {
                regs[j++] = s.reg32(REG_ORDER[i]);
                if (withEsp && i == 3) {
                    regs[j++] = s.reg32(X86CpuState.ESP);
                }
            }
            byte[] data = new byte[FormCatalogue.DATA_SIZE];
            memory.read(FormCatalogue.DATA, data, 0, data.length);
            return new Outcome(0, regs, s.eflags(), data);
        }
    }
}
