package org.qemu.common.gdbstub;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Framing, checksums and acknowledgements as the GDB remote protocol defines them. */
class PacketChannelTest {
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    private PacketChannel channel(String input) {
        return new PacketChannel(new ByteArrayInputStream(input.getBytes(StandardCharsets.ISO_8859_1)), sent);
    }

    @Test
    void aValidPacketIsAcknowledgedAndReturned() {
        // 'g' is 0x67: the checksum of a one-letter packet is its letter.
        PacketChannel c = channel("$g#67");
        assertThat(c.read()).isEqualTo(new PacketChannel.Packet("g"));
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("+");
    }

    @Test
    void aWrongChecksumIsRefusedAndTheNextPacketStillArrives() {
        PacketChannel c = channel("$g#00$g#67");
        assertThat(c.read()).isEqualTo(new PacketChannel.Packet("g"));
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("-+");
    }

    @Test
    void nonHexChecksumIsRefused() {
        PacketChannel c = channel("$g#zz");
        assertThat(c.read()).isInstanceOf(PacketChannel.Closed.class);
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("-");
    }

    @Test
    void interruptByteOutsidePacketsIsAnInterrupt() {
        PacketChannel c = channel("+\u0003");
        assertThat(c.read()).isInstanceOf(PacketChannel.Interrupt.class);
    }

    @Test
    void endOfStreamInsideAPacketIsTheEndOfTheConnection() {
        assertThat(channel("$qSupp").read()).isInstanceOf(PacketChannel.Closed.class);
    }

    @Test
    void aRestartInsideAPacketDropsTheCutOffPart() {
        assertThat(channel("$qSu$g#67").read()).isEqualTo(new PacketChannel.Packet("g"));
    }

    @Test
    void oversizedPacketsAreRefused() {
        String big = "X".repeat(PacketChannel.MAX_PACKET + 10);
        String input = "$" + big + "#" + String.format("%02x", PacketChannel.checksum(big)) + "$g#67";
        assertThat(channel(input).read()).isEqualTo(new PacketChannel.Packet("g"));
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("-+");
    }

    @Test
    void noAckModeSendsNoAcknowledgements() {
        PacketChannel c = channel("$g#67");
        c.disableAcks();
        assertThat(c.read()).isEqualTo(new PacketChannel.Packet("g"));
        assertThat(sent.size()).isZero();
    }

    @Test
    void sentPacketsCarryTheModulo256Sum() throws Exception {
        channel("").send("OK");
        // 'O' 0x4f + 'K' 0x4b = 0x9a
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("$OK#9a");
    }

    @Test
    void aNackMakesTheLastPacketGoOutAgain() throws Exception {
        PacketChannel c = channel("-");
        c.send("OK");
        assertThat(c.read()).isInstanceOf(PacketChannel.Closed.class);
        assertThat(sent.toString(StandardCharsets.ISO_8859_1)).isEqualTo("$OK#9a$OK#9a");
    }

    @Test
    void binaryEscapesRoundTrip() {
        String raw = "a#b$c}d*e";
        String escaped = PacketChannel.escapeBinary(raw);
        assertThat(escaped).doesNotContain("#", "$", "*").isEqualTo("a}\u0003b}\u0004c}]d}\ne");
        assertThat(new String(PacketChannel.unescapeBinary(escaped), StandardCharsets.ISO_8859_1)).isEqualTo(raw);
    }
}
