package org.qemu.kvm.vmm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.qemu.kvm.sys.KvmLayouts.offset;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qemu.common.board.PcBoard;
import org.qemu.common.hw.PhysicalMemory;
import org.qemu.common.hw.InterruptLine;
import org.qemu.kvm.sys.KvmExit;
import org.qemu.kvm.sys.KvmLayouts;
import org.qemu.kvm.sys.KvmRun;

/**
 * Exits as the kernel lays them out in {@code kvm_run} (offsets checked against linux/kvm.h by
 * KvmHeaderTest), served by the PC board's devices. Runs without /dev/kvm.
 */
class ExitHandlerTest {
    private static final long EXIT = offset(KvmLayouts.RUN_HEAD, "exit");
    private static final long DATA = 4096; // where the kernel puts I/O data: the page after the header
    private Arena arena;
    private MemorySegment run;
    private ExitHandler handler;
    private final ByteArrayOutputStream serial = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        run = arena.allocate(8192, 4096);
        PhysicalMemory memory = new PhysicalMemory(arena.allocate(4 << 20, 4096));
        PcBoard board = new PcBoard(memory, 1, gsi -> InterruptLine.NONE, () -> { }, serial, List.of());
        handler = new ExitHandler(board.ioBus(), board.mmioBus());
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private KvmRun io(int direction, int port, int size, int count) {
        run.set(ValueLayout.JAVA_INT, offset(KvmLayouts.RUN_HEAD, "exit_reason"), KvmExit.IO);
        run.set(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_IO, "direction"), (byte) direction);
        run.set(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_IO, "size"), (byte) size);
        run.set(ValueLayout.JAVA_SHORT, EXIT + offset(KvmLayouts.RUN_IO, "port"), (short) port);
        run.set(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_IO, "count"), count);
        run.set(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_IO, "data_offset"), DATA);
        return new KvmRun(run);
    }

    @Test
    void portWritesAndStringWritesReachTheUart() {
        run.set(ValueLayout.JAVA_BYTE, DATA, (byte) 'o');
        handler.portIo(io(KvmExit.IO_OUT, 0x3f8, 1, 1));
        run.setString(DATA, "k!\n");
        handler.portIo(io(KvmExit.IO_OUT, 0x3f8, 1, 3)); // rep outsb: three items
        assertThat(serial.toString()).isEqualTo("ok!\n");
        assertThat(handler.portIoExits()).isEqualTo(2);
    }

    @Test
    void portReadsComeBackThroughKvmRun() {
        handler.portIo(io(KvmExit.IO_IN, 0x3fd, 1, 1));
        assertThat(run.get(ValueLayout.JAVA_BYTE, DATA) & 0x60).as("LSR: transmitter empty").isEqualTo(0x60);
        run.set(ValueLayout.JAVA_INT, DATA, 0x80000000);
        handler.portIo(io(KvmExit.IO_OUT, 0xcf8, 4, 1));
        handler.portIo(io(KvmExit.IO_IN, 0xcfc, 4, 1));
        assertThat(run.get(ValueLayout.JAVA_INT, DATA)).as("host bridge 8086:1237").isEqualTo(0x12378086);
        handler.portIo(io(KvmExit.IO_IN, 0x2f8, 2, 2));
        assertThat(run.get(ValueLayout.JAVA_INT, DATA)).as("nothing at COM2: all ones").isEqualTo(-1);
    }

    @Test
    void unclaimedMmioReadsAllOnes() {
        run.set(ValueLayout.JAVA_LONG, EXIT + offset(KvmLayouts.RUN_MMIO, "phys_addr"), 0xfed00000L);
        run.set(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_MMIO, "len"), 4);
        run.set(ValueLayout.JAVA_BYTE, EXIT + offset(KvmLayouts.RUN_MMIO, "is_write"), (byte) 0);
        handler.mmio(new KvmRun(run));
        assertThat(run.get(ValueLayout.JAVA_INT, EXIT + offset(KvmLayouts.RUN_MMIO, "data"))).isEqualTo(-1);
    }

    @Test
    void malformedExitsAreRefused() {
        assertThatThrownBy(() -> handler.portIo(io(KvmExit.IO_OUT, 0x3f8, 3, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> handler.portIo(io(KvmExit.IO_OUT, 0x3f8, 4, 2000))).isInstanceOf(IllegalStateException.class);
    }
}
