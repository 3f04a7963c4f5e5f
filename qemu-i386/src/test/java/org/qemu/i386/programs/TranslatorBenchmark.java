package org.qemu.i386.programs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Not a test: the timing half of bench/x86-*.sh. Runs the static i386 programs named in
 * BENCH_X86 (paths separated by ':') a few times on the translator and prints wall time and
 * translation statistics. Skipped unless BENCH_X86 is set.
 */
class TranslatorBenchmark {
    @Test
    void run() throws Exception {
        String programs = System.getenv("BENCH_X86");
        assumeTrue(programs != null, "set BENCH_X86 to run the translator benchmark");
        int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "3"));
        String extraArgs = System.getenv().getOrDefault("BENCH_ARGS", "");
        byte[] stdin = System.getenv("BENCH_STDIN") == null ? new byte[0] : Files.readAllBytes(Path.of(System.getenv("BENCH_STDIN")));
        for (String program : programs.split(":")) {
            byte[] elf = Files.readAllBytes(Path.of(program));
            List<String> args = new java.util.ArrayList<>(List.of(program));
            if (!extraArgs.isBlank()) {
                args.addAll(List.of(extraArgs.trim().split(" ")));
            }
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                MiniLinux.Result r = MiniLinux.run(elf, args, stdin, Integer.getInteger("qemu.tcg.compile-threshold", 64));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("BENCH %s run %d: %d ms, exit %d, output %s%n  %s%n", program, i + 1, ms, r.exitStatus(),
                        r.stdout().strip().length() > 200 ? r.stdout().strip().substring(0, 200) : r.stdout().strip(), r.statistics());
            }
        }
    }
}
