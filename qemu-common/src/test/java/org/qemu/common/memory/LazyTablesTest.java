package org.qemu.common.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LazyTablesTest {
    @Test
    void intsReadZeroUntilSetAndKeepWhatWasSetAcrossTheWholeRange() {
        LazyIntTable table = new LazyIntTable(8L << 20);
        assertThat(table.get(0)).isZero();
        assertThat(table.get((8L << 20) - 1)).isZero();
        table.set(0, -1);
        table.set(5_000_000, 0x12345678);
        table.set((8L << 20) - 1, Integer.MIN_VALUE);
        assertThat(table.get(0)).isEqualTo(-1);
        assertThat(table.get(1)).isZero();
        assertThat(table.get(5_000_000)).isEqualTo(0x12345678);
        assertThat(table.get((8L << 20) - 1)).isEqualTo(Integer.MIN_VALUE);
        table.clear();
        assertThat(table.get(0)).isZero();
        assertThat(table.get(5_000_000)).isZero();
    }

    @Test
    void bytesAreUnsignedAndClearable() {
        LazyByteTable table = new LazyByteTable(1 << 20);
        table.set(7, 0xfe);
        table.set(8, 33);
        assertThat(table.get(7)).isEqualTo(0xfe);
        assertThat(table.get(8)).isEqualTo(33);
        assertThat(table.get(9)).isZero();
        table.clear();
        assertThat(table.get(7)).isZero();
    }

    @Test
    void anIndexOutsideTheTableIsRefusedNotWrittenPastIt() {
        LazyIntTable ints = new LazyIntTable(16);
        LazyByteTable bytes = new LazyByteTable(16);
        assertThatThrownBy(() -> ints.set(16, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ints.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> bytes.set(16, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new LazyIntTable(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
