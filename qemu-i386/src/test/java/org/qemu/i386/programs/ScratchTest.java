package org.qemu.i386.programs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void scratch() throws Exception {
        System.setProperty("qemu.tcg.max-insns", "1");
        byte[] elf = Files.readAllBytes(Path.of("/tmp/bb32/bin/busybox"));
        for (String cmd : System.getenv("SCRATCH").split(";")) {
            List<String> args = new java.util.ArrayList<>(List.of("busybox"));
            args.addAll(List.of(cmd.trim().split(" ")));
            MiniLinux.Result r = MiniLinux.run(elf, args, "a\nb\n".getBytes(), 0);
            System.out.println("SCRATCH " + cmd + " => rc=" + r.exitStatus() + " out=[" + r.stdout() + "] trap=" + r.trap());
        }
    }
}
