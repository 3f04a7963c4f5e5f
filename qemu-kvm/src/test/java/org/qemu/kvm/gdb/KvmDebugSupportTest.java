package org.qemu.kvm.gdb;

import org.junit.jupiter.api.Test;
import org.qemu.common.gdbstub.TargetDescriptions;

import static org.assertj.core.api.Assertions.assertThat;

/** What can be checked without /dev/kvm: the tag-word conversion and the register set offered. */
class KvmDebugSupportTest {
    @Test
    void abridgedTagsBecomeFullTagWord() {
        // FXSAVE: bit i set = register i in use; full tag word: 2 bits per register, 11 = empty (SDM vol. 1, 10.5.1.1).
        assertThat(KvmDebugSupport.fullTagWord((byte) 0)).isEqualTo(0xffff);
        assertThat(KvmDebugSupport.fullTagWord((byte) 0xff)).isEqualTo(0);
        assertThat(KvmDebugSupport.fullTagWord((byte) 0x80)).isEqualTo(0x3fff);
    }

    @Test
    void offersGdbsI386RegisterSet() {
        assertThat(new KvmDebugSupport().description()).isSameAs(TargetDescriptions.I386);
    }
}
