package org.qemu.i386.programs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void scratch() throws Exception {
        byte[] elf = Files.readAllBytes(Path.of(System.getenv("SCRATCH_ELF")));
        for (int rep = 0; rep < 2; rep++) {
            for (int threshold : new int[] {0, 64, 1000, 10000}) {
                long t0 = System.nanoTime();
                MiniLinux.Result r = MiniLinux.run(elf, List.of("x"), new byte[0], threshold);
                System.out.println("SCRATCH threshold " + threshold + " => " + (System.nanoTime() - t0) / 1000000 + " ms rc=" + r.exitStatus());
            }
        }
    }
}
