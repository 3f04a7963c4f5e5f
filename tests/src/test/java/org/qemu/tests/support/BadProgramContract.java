package org.qemu.tests.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What every user-mode emulator must do with files that are not its programs: one clear line on
 * stderr naming the problem, exit status 1, nothing on stdout, no stack trace. A target's test
 * class extends this and adds what is particular to it (its loader, its invalid instructions).
 */
public abstract class BadProgramContract {
    /** The emulator's name, which starts its error lines ({@code qemu-i386}). */
    protected abstract String emulatorName();

    /** Where the test may write its files. */
    protected abstract Path work();

    /** A valid static program of the target (truncated copies of it must be refused). */
    protected abstract Path sampleProgram() throws Exception;

    /** Programs of other architectures this host can build or has. */
    protected abstract List<Path> foreignPrograms() throws Exception;

    protected final HostProcess.Result emulate(Path program) throws Exception {
        String launcher = HostProcess.ROOT.resolve("bin").resolve(emulatorName()).toString();
        Files.createDirectories(work());
        return HostProcess.run(work(), null, List.of(launcher, program.toString()), 240);
    }

    protected final void assertOneLineError(Path program, String expectedText) throws Exception {
        HostProcess.Result r = emulate(program);
        assertThat(r.status()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr().lines().count()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).startsWith(emulatorName() + ": ").contains(expectedText).doesNotContain("Exception");
    }

    /** A static build of {@code source} by a cross compiler, skipping when the compiler is absent. */
    protected final Path crossCompiled(String compiler, Path source, String name) throws Exception {
        assumeTrue(HostProcess.onPath(compiler), compiler + " is not installed");
        Path out = work().resolve(name);
        Files.createDirectories(work());
        HostProcess.Result c = HostProcess.run(work(), null, List.of(compiler, "-static", "-o", out.toString(), source.toString()), 240);
        assumeTrue(c.status() == 0, compiler + " failed: " + c.stderr());
        return out;
    }

    @Test
    void textFileIsNotAnElfImage() throws Exception {
        Path f = work().resolve("not-elf.txt");
        Files.createDirectories(work());
        Files.writeString(f, "just text\n");
        assertOneLineError(f, f + ": Invalid ELF image for this architecture");
    }

    @Test
    void truncatedElfIsRejected() throws Exception {
        byte[] bytes = Files.readAllBytes(sampleProgram());
        Path f = work().resolve("truncated-elf");
        for (int length : new int[] {3000, 100, 40}) {
            Files.write(f, Arrays.copyOf(bytes, length));
            assertOneLineError(f, "Invalid ELF image for this architecture");
        }
    }

    @Test
    void otherArchitecturesAreRefused() throws Exception {
        List<Path> foreign = foreignPrograms();
        assertThat(foreign).isNotEmpty();
        for (Path f : foreign) {
            assertOneLineError(f, f + ": Invalid ELF image for this architecture");
        }
    }

    @Test
    void missingProgramIsNamed() throws Exception {
        assertOneLineError(work().resolve("no-such-program"), "no-such-program");
    }
}
