package org.qemu.common.hw.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;

/** Register behaviour from the 16550A, 8042 and MC146818 data sheets, driven through the I/O bus. */
class LegacyDevicesTest {
    @Test
    void uartTransmitsLoopsBackAndRaisesItsInterrupts() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AtomicBoolean line = new AtomicBoolean();
        IoPortBus io = new IoPortBus();
        Serial16550 uart = new Serial16550(out, line::set);
        io.register(Serial16550.COM1_BASE, 8, uart);
        for (byte b : "hi\n".getBytes()) {
            io.out(0x3f8, 1, b);
        }
        assertThat(out.toString()).isEqualTo("hi\n");
        assertThat(io.in(0x3fd, 1) & 0x60).as("LSR: transmitter empty and idle").isEqualTo(0x60);
        // The loopback check of Linux's 8250 driver: MCR = LOOP|OUT2|RTS must read back MSR 0x90.
        io.out(0x3fc, 1, 0x1a);
        assertThat(io.in(0x3fe, 1) & 0xf0).isEqualTo(0x90);
        io.out(0x3f8, 1, 'x');
        assertThat(io.in(0x3fd, 1) & 1).as("looped byte is ready").isEqualTo(1);
        assertThat(io.in(0x3f8, 1)).isEqualTo('x');
        io.out(0x3fc, 1, 0x08);
        // FIFO enable shows in IIR bits 6-7 (a 16550A, not a 16450).
        io.out(0x3fa, 1, 0x07);
        assertThat(io.in(0x3fa, 1) & 0xc0).isEqualTo(0xc0);
        // Enabling the THRE interrupt with an empty transmitter raises it; reading IIR clears it.
        io.out(0x3f9, 1, 0x02);
        assertThat(line.get()).isTrue();
        assertThat(io.in(0x3fa, 1) & 0x0f).isEqualTo(0x02);
        assertThat(line.get()).isFalse();
        // Received data raises the RX interrupt until read.
        io.out(0x3f9, 1, 0x01);
        uart.receive(new byte[] {'k'}, 1);
        assertThat(line.get()).isTrue();
        assertThat(io.in(0x3fa, 1) & 0x0f).isEqualTo(0x04);
        assertThat(io.in(0x3f8, 1)).isEqualTo('k');
        assertThat(line.get()).isFalse();
        // Divisor latch.
        io.out(0x3fb, 1, 0x83);
        io.out(0x3f8, 1, 0x01);
        io.out(0x3f9, 1, 0x00);
        assertThat(io.in(0x3f8, 1)).isEqualTo(1);
        io.out(0x3fb, 1, 0x03);
        assertThat(io.in(0x3fb, 1)).isEqualTo(3);
    }

    @Test
    void i8042PulsesResetOnCommandFeAndOnOutputPortBit0() {
        AtomicInteger resets = new AtomicInteger();
        IoPortBus io = new IoPortBus();
        I8042 kbc = new I8042(resets::incrementAndGet, level -> { });
        io.register(I8042.DATA_PORT, 1, kbc.dataPort());
        io.register(I8042.COMMAND_PORT, 1, kbc.commandPort());
        io.out(0x64, 1, 0xaa);
        assertThat(io.in(0x64, 1) & 1).isEqualTo(1);
        assertThat(io.in(0x60, 1)).as("self-test passed").isEqualTo(0x55);
        assertThat(resets.get()).isZero();
        io.out(0x64, 1, 0xfe);
        assertThat(resets.get()).isEqualTo(1);
        io.out(0x64, 1, 0xd1);
        io.out(0x60, 1, 0xfe);
        assertThat(resets.get()).isEqualTo(2);
    }

    @Test
    void cmosReportsTimeInBcdAndMemorySize() {
        Clock clock = Clock.fixed(Instant.parse("2009-07-14T12:34:56Z"), ZoneOffset.UTC);
        IoPortBus io = new IoPortBus();
        io.register(CmosRtc.BASE, 2, new CmosRtc(256L << 20, 0, clock));
        int[] expected = {0x00, 0x56, 0x02, 0x34, 0x04, 0x12, 0x07, 0x14, 0x08, 0x07, 0x09, 0x09, 0x32, 0x20};
        for (int i = 0; i < expected.length; i += 2) {
            io.out(0x70, 1, expected[i]);
            assertThat(io.in(0x71, 1)).as("register 0x%x", expected[i]).isEqualTo(expected[i + 1]);
        }
        // 256 MiB: (256 - 16) MiB in 64 KiB units at 0x34/0x35.
        io.out(0x70, 1, 0x34);
        int low = io.in(0x71, 1);
        io.out(0x70, 1, 0x35);
        assertThat(low | io.in(0x71, 1) << 8).isEqualTo(240 * 16);
    }

    @Test
    void unclaimedPortsReadAllOnes() {
        IoPortBus io = new IoPortBus();
        assertThat(io.in(0x1234, 1)).isEqualTo(0xff);
        assertThat(io.in(0x1234, 2)).isEqualTo(0xffff);
        assertThat(io.in(0x1234, 4)).isEqualTo(-1);
    }
}
