package org.qemu.common.board;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.qemu.common.hw.IoPortBus;
import org.qemu.common.hw.legacy.Serial16550;

/** QEMU's console escapes (Ctrl-A x quits, Ctrl-A Ctrl-A sends one Ctrl-A), only on a terminal. */
class StdioConsoleTest {
    private static String received(Serial16550 uart) {
        IoPortBus io = new IoPortBus();
        io.register(0x3f8, 8, uart);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while ((io.in(0x3fd, 1) & 1) != 0) {
            got.write(io.in(0x3f8, 1));
        }
        return got.toString();
    }

    @Test
    void onATerminalCtrlAxQuitsAndCtrlACtrlASendsOne() {
        Serial16550 uart = new Serial16550(java.io.OutputStream.nullOutputStream(), level -> { });
        AtomicInteger quits = new AtomicInteger();
        new StdioConsole(uart, quits::incrementAndGet,
                new ByteArrayInputStream("ab\u0001\u0001c\u0001zd\u0001xignored".getBytes()), true).pump();
        assertThat(quits.get()).isEqualTo(1);
        assertThat(received(uart)).isEqualTo("ab\u0001cd");
    }

    @Test
    void aPipeIsPassedThroughUntouched() {
        Serial16550 uart = new Serial16550(java.io.OutputStream.nullOutputStream(), level -> { });
        AtomicInteger quits = new AtomicInteger();
        new StdioConsole(uart, quits::incrementAndGet, new ByteArrayInputStream("a\u0001xb".getBytes()), false).pump();
        assertThat(quits.get()).isZero();
        assertThat(received(uart)).isEqualTo("a\u0001xb");
    }
}
