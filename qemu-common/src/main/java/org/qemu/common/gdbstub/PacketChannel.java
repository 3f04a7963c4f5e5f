package org.qemu.common.gdbstub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GDB remote serial protocol framing over one connection: {@code $payload#cs} packets with
 * a modulo-256 checksum, {@code +}/{@code -} acknowledgements (until {@code QStartNoAckMode}),
 * and the out-of-band interrupt byte 0x03. A packet with a wrong checksum is refused with
 * {@code -} (GDB then sends it again); bytes outside packets are ignored. Payloads are kept as
 * ISO-8859-1 strings so binary data ({@code X}) survives unchanged.
 */
public final class PacketChannel {
    /** The packet size we announce; longer packets are refused rather than buffered without end. */
    public static final int MAX_PACKET = 0x4000;

    /** What {@link #read()} returns: a packet's payload, an interrupt, or the end of the connection. */
    public sealed interface Incoming permits Packet, Interrupt, Closed {
    }

    public record Packet(String payload) implements Incoming {
    }

    public record Interrupt() implements Incoming {
    }

    public record Closed() implements Incoming {
    }

    private final InputStream in;
    private final OutputStream out;
    private volatile boolean ackMode = true;
    private byte[] lastSent;

    public PacketChannel(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** After {@code QStartNoAckMode} was answered: neither side acknowledges any more. */
    public void disableAcks() {
        ackMode = false;
    }

    /** Blocks for the next packet, interrupt or end of stream (an I/O error counts as the end). */
    public Incoming read() {
        try {
            while (true) {
                int b = in.read();
                switch (b) {
                    case -1 -> {
                        return new Closed();
                    }
                    case 0x03 -> {
                        return new Interrupt();
                    }
                    case '-' -> resendLast();
                    case '$' -> {
                        Packet p = readPacketBody();
                        if (p != null) {
                            return p;
                        }
                    }
                    default -> {
                        // '+' acknowledges our last packet; anything else is line noise.
                    }
                }
            }
        } catch (IOException e) {
            return new Closed();
        } catch (EndOfStream e) {
            return new Closed();
        }
    }

    /** Reads after '$' up to the checksum; returns null (after refusing it) for a bad packet. */
    private Packet readPacketBody() throws IOException {
        StringBuilder payload = new StringBuilder();
        int sum = 0;
        boolean oversized = false;
        while (true) {
            int b = next();
            if (b == '#') {
                break;
            }
            if (b == '$') {
                // A new start inside a packet: the old one was cut short; begin again.
                payload.setLength(0);
                sum = 0;
                oversized = false;
                continue;
            }
            sum = (sum + b) & 0xff;
            if (payload.length() < MAX_PACKET) {
                payload.append((char) b);
            } else {
                oversized = true;
            }
        }
        int hi = Character.digit(next(), 16);
        int lo = Character.digit(next(), 16);
        boolean valid = hi >= 0 && lo >= 0 && ((hi << 4) | lo) == sum && !oversized;
        if (ackMode) {
            writeRaw(valid ? new byte[] {'+'} : new byte[] {'-'});
        }
        return valid ? new Packet(payload.toString()) : null;
    }

    private int next() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EndOfStream();
        }
        return b;
    }

    /** Sends one packet (payload chars must be 0-255; the caller escapes binary data). */
    public void send(String payload) throws IOException {
        byte[] body = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] framed = new byte[body.length + 4];
        framed[0] = '$';
        int sum = 0;
        for (int i = 0; i < body.length; i++) {
            framed[i + 1] = body[i];
            sum += body[i] & 0xff;
        }
        framed[body.length + 1] = '#';
        framed[body.length + 2] = (byte) Character.forDigit((sum >> 4) & 0xf, 16);
        framed[body.length + 3] = (byte) Character.forDigit(sum & 0xf, 16);
        synchronized (this) {
            lastSent = framed;
        }
        writeRaw(framed);
    }

    private void resendLast() throws IOException {
        byte[] again;
        synchronized (this) {
            again = lastSent;
        }
        if (again != null && ackMode) {
            writeRaw(again);
        }
    }

    private void writeRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** The packet checksum: the sum of the payload bytes modulo 256. */
    public static int checksum(String payload) {
        int sum = 0;
        for (int i = 0; i < payload.length(); i++) {
            sum += payload.charAt(i) & 0xff;
        }
        return sum & 0xff;
    }

    /** Undoes the binary escape of {@code X} data: '}' followed by the byte XOR 0x20. */
    public static byte[] unescapeBinary(String data) {
        byte[] out = new byte[data.length()];
        int n = 0;
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c == '}' && i + 1 < data.length()) {
                out[n++] = (byte) (data.charAt(++i) ^ 0x20);
            } else {
                out[n++] = (byte) c;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Escapes text for a binary reply ({@code qXfer}): '#', '$', '}' and '*' become '}' and the byte XOR 0x20. */
    public static String escapeBinary(String data) {
        StringBuilder b = new StringBuilder(data.length());
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (c == '#' || c == '$' || c == '}' || c == '*') {
                b.append('}').append((char) (c ^ 0x20));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static final class EndOfStream extends RuntimeException {
        EndOfStream() {
            super(null, null, false, false);
        }
    }
}
