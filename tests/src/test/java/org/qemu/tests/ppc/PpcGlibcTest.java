package org.qemu.tests.ppc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Debian's own PowerPC glibc, a program nobody here wrote, run as an executable. */
class PpcGlibcTest {
    @Test
    void libcSharedObjectPrintsItsVersionBanner() throws Exception {
        Path emulator = PpcToolchain.emulator();
        Path libc = PpcToolchain.PPC_SYSROOT.resolve("lib/libc.so.6");
        Assumptions.assumeTrue(Files.exists(libc), "libc6-powerpc-cross is not installed");
        PpcToolchain.Result r = PpcToolchain.run(List.of(emulator.toString(), "-L", PpcToolchain.PPC_SYSROOT.toString(),
                libc.toString()), Map.of(), 300);
        assertThat(r.status()).isZero();
        assertThat(r.stdout()).startsWith("GNU C Library (Debian GLIBC ").contains("stable release version 2.36");
    }
}
