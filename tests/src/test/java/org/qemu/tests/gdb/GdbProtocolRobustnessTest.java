package org.qemu.tests.gdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A raw GDB remote protocol client against {@code qemu-i386 -g}: broken packets get protocol
 * errors, Ctrl-C stops a running guest, and a client that disconnects while the guest runs
 * leaves it running to its normal end.
 */
class GdbProtocolRobustnessTest {

    @Test
    void brokenPacketsInterruptAndDisconnectLeaveTheGuestRunning() throws Exception {
        GdbHarness.assumeBuilt("qemu-i386.jar");
        GdbHarness.assumeTools("i686-linux-gnu-gcc");
        Path program = GdbHarness.compile("i686-linux-gnu-gcc", "i386");
        int port = GdbHarness.freePort();
        ProcessBuilder pb = new ProcessBuilder(GdbHarness.ROOT.resolve("bin/qemu-i386").toString(), "-g", String.valueOf(port),
                program.toString(), "20000000");
        pb.environment().put("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64");
        pb.environment().put("QEMU_NO_AOT", "1");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process emu = pb.start();
        try {
            GdbHarness.waitListening(port, emu);
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();

                out.write("$qSupported#00".getBytes(StandardCharsets.ISO_8859_1));
                assertThat((char) in.read()).as("a wrong checksum is refused").isEqualTo('-');

                assertThat(exchange(in, out, "?")).startsWith("T05thread:");
                assertThat(exchange(in, out, "qDefinitelyNotAPacket")).as("unknown packets get the empty reply").isEmpty();
                assertThat(exchange(in, out, "mzz,4")).startsWith("E");
                assertThat(exchange(in, out, "m0,4")).as("unmapped memory").startsWith("E");
                assertThat(exchange(in, out, "Pzz")).startsWith("E");
                assertThat(exchange(in, out, "Z2,8049000,4")).as("a write watchpoint").isEqualTo("OK");
                assertThat(exchange(in, out, "z2,8049000,4")).isEqualTo("OK");
                assertThat(exchange(in, out, "z2,8049000,4")).as("no such watchpoint").startsWith("E");
                assertThat(exchange(in, out, "Z2,8049000,zz")).as("a malformed length").startsWith("E");
                assertThat(exchange(in, out, "Z5,8049000,4")).as("unknown kinds are not supported").isEmpty();
                assertThat(exchange(in, out, "vCont;q")).startsWith("E");
                assertThat(exchange(in, out, "p8")).hasSize(8);

                // Continue, then interrupt the running guest with Ctrl-C.
                send(out, "c");
                assertThat((char) in.read()).isEqualTo('+');
                // the guest spins for seconds (20 M loops); interrupt it early so it is surely still running
                Thread.sleep(200);
                out.write(0x03);
                out.flush();
                String stop = readPacket(in);
                assertThat(stop).startsWith("T02thread:");

                // Continue again and go away without a word.
                send(out, "c");
                assertThat((char) in.read()).isEqualTo('+');
            }
            assertThat(emu.waitFor(120, TimeUnit.SECONDS)).as("the guest runs to its end").isTrue();
            assertThat(emu.exitValue()).isEqualTo(3);
            assertThat(new String(emu.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("result 43 counter 41\nspin 20000007\n");
        } finally {
            emu.destroyForcibly();
        }
    }

    private static String exchange(InputStream in, OutputStream out, String payload) throws IOException {
        send(out, payload);
        int ack = in.read();
        assertThat((char) ack).isEqualTo('+');
        return readPacket(in);
    }

    private static void send(OutputStream out, String payload) throws IOException {
        int sum = 0;
        for (byte b : payload.getBytes(StandardCharsets.ISO_8859_1)) {
            sum += b & 0xff;
        }
        out.write(String.format("$%s#%02x", payload, sum & 0xff).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one packet, checks its checksum and acknowledges it. */
    private static String readPacket(InputStream in) throws IOException {
        int b;
        while ((b = in.read()) != '$') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int sum = 0;
        while ((b = in.read()) != '#') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            body.write(b);
            sum += b;
        }
        int given = Integer.parseInt(new String(new byte[] {(byte) in.read(), (byte) in.read()}, StandardCharsets.ISO_8859_1), 16);
        assertThat(given).as("checksum").isEqualTo(sum & 0xff);
        return body.toString(StandardCharsets.ISO_8859_1);
    }

}
