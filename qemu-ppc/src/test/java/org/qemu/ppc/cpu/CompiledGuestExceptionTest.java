package org.qemu.ppc.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link GuestExceptionTest} with every block compiled to bytecode on first use (the interpreter tier skipped). */
class CompiledGuestExceptionTest extends GuestExceptionTest {
    @BeforeEach
    void compileEverything() {
        SnippetRunner.compileEverything = true;
    }

    @AfterEach
    void backToTiers() {
        SnippetRunner.compileEverything = false;
    }
}
