package org.qemu.ppc.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link IntegerInstructionTest} with every block compiled to bytecode on first use (the interpreter tier skipped). */
class CompiledIntegerInstructionTest extends IntegerInstructionTest {
    @BeforeEach
    void compileEverything() {
        SnippetRunner.compileEverything = true;
    }

    @AfterEach
    void backToTiers() {
        SnippetRunner.compileEverything = false;
    }
}
