package org.qemu.common.tcg;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnrunSequenceTest {
    @Test
    void runningItIsAnErrorNotANoOp() {
        OpSequence<OpContext> unrun = new UnrunSequence<>();
        assertThatThrownBy(() -> unrun.run(null)).isInstanceOf(IllegalStateException.class);
    }
}
