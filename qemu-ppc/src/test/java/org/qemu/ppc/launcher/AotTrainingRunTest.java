package org.qemu.ppc.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The training driver's command line: runs separated by "+", empty runs dropped. */
class AotTrainingRunTest {
    @Test
    void splitsRunsAtPlusSigns() {
        assertThat(AotTrainingRun.runs(new String[] {"A", "x", "y", "+", "B", "z"}))
                .containsExactly(List.of("A", "x", "y"), List.of("B", "z"));
    }

    @Test
    void dropsEmptyRuns() {
        assertThat(AotTrainingRun.runs(new String[] {"+", "A", "+", "+"})).containsExactly(List.of("A"));
        assertThat(AotTrainingRun.runs(new String[0])).isEmpty();
    }
}
