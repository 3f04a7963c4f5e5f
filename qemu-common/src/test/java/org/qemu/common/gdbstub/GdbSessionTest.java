package org.qemu.common.gdbstub;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Packet handling against a small in-memory target, and the target descriptions GDB reads. */
class GdbSessionTest {
    private final byte[] memory = new byte[0x100];
    private final byte[][] registers = new byte[41][];
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final ExecutionGate gate = new ExecutionGate(true);
    private final Object cpu = new Object();

    private final DebugTarget target = new DebugTarget() {
        @Override
        public TargetDescription description() {
            return TargetDescriptions.I386;
        }

        @Override
        public List<DebugThread> threads() {
            return List.of(new DebugThread(7, cpu, new DebugRegisters() {
                @Override
                public byte[] read(int regnum) {
                    return regnum < registers.length ? registers[regnum] : null;
                }

                @Override
                public boolean write(int regnum, byte[] value) {
                    registers[regnum] = value;
                    return true;
                }

                @Override
                public long programCounter() {
                    return 0;
                }
            }));
        }

        @Override
        public byte[] readMemory(long address, int length) {
            if (address + length > memory.length) {
                throw new IllegalArgumentException("unmapped");
            }
            return Arrays.copyOfRange(memory, (int) address, (int) address + length);
        }

        @Override
        public void writeMemory(long address, byte[] data) {
            System.arraycopy(data, 0, memory, (int) address, data.length);
        }

        @Override
        public void kill() {
        }

        @Override
        public void installHook(InstructionHook hook) {
        }
    };

    private final GdbSession session = new GdbSession(target, gate,
            new PacketChannel(new ByteArrayInputStream(new byte[0]), sent));

    GdbSessionTest() {
        for (TargetDescription.Register r : TargetDescriptions.I386.registers()) {
            registers[r.regnum()] = new byte[r.bytes()];
        }
        registers[8] = new byte[] {0x78, 0x56, 0x34, 0x12};
    }

    private String reply(String packet) throws Exception {
        sent.reset();
        session.handle(packet);
        String out = sent.toString(StandardCharsets.ISO_8859_1);
        assertThat(out).startsWith("$");
        return out.substring(1, out.lastIndexOf('#'));
    }

    @Test
    void unknownPacketsGetTheEmptyReply() throws Exception {
        assertThat(reply("qNoSuchThing")).isEmpty();
        assertThat(reply("!")).isEmpty();
        assertThat(reply("Z2,10,4")).as("a target whose memory cannot be watched").isEmpty();
    }

    @Test
    void malformedArgumentsGetAnErrorNotACrash() throws Exception {
        assertThat(reply("m")).isEqualTo("E22");
        assertThat(reply("mzz,4")).isEqualTo("E22");
        assertThat(reply("M10,4:zz")).isEqualTo("E22");
        assertThat(reply("M10,4:00")).isEqualTo("E22");
        assertThat(reply("Z0")).isEqualTo("E22");
        assertThat(reply("Hgzz")).isEqualTo("E22");
        assertThat(reply("vCont;")).isEqualTo("E22");
        assertThat(reply("G1")).isEqualTo("E22");
    }

    @Test
    void memoryReadsAndWrites() throws Exception {
        assertThat(reply("M10,3:aabbcc")).isEqualTo("OK");
        assertThat(reply("m10,4")).isEqualTo("aabbcc00");
        assertThat(reply("X20,2:}\u0003a")).isEqualTo("OK");
        assertThat(reply("m20,2")).isEqualTo("2361");
        assertThat(reply("mff0,4")).isEqualTo("E14");
    }

    @Test
    void registersInGdbOrder() throws Exception {
        // 16 32-bit registers, 8 x 80-bit, 8 x 32-bit, 8 x 128-bit, mxcsr: 308 bytes.
        String all = reply("g");
        assertThat(all).hasSize(2 * (16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4));
        assertThat(all.substring(64, 72)).isEqualTo(reply("p8")).isEqualTo("78563412");
        assertThat(reply("P0=01000000")).isEqualTo("OK");
        assertThat(reply("p0")).isEqualTo("01000000");
        assertThat(reply("p99")).isEqualTo("E00");
    }

    @Test
    void stopReplyThreadsAndFeatures() throws Exception {
        assertThat(reply("?")).isEqualTo("T05thread:7;");
        assertThat(reply("qfThreadInfo")).isEqualTo("m7");
        assertThat(reply("qsThreadInfo")).isEqualTo("l");
        assertThat(reply("Hg7")).isEqualTo("OK");
        assertThat(reply("Hg99")).isEqualTo("E22");
        assertThat(reply("T7")).isEqualTo("OK");
        assertThat(reply("qC")).isEqualTo("QC7");
        assertThat(reply("qAttached")).isEqualTo("1");
        assertThat(reply("qSupported:multiprocess+;swbreak+")).contains("PacketSize=").contains("qXfer:features:read+")
                .contains("QStartNoAckMode+").contains("vContSupported+");
        assertThat(reply("vCont?")).isEqualTo("vCont;c;C;s;S;t");
        assertThat(reply("Z0,10,1")).isEqualTo("OK");
        assertThat(reply("z0,10,1")).isEqualTo("OK");
        assertThat(reply("Z1,10,1")).isEqualTo("OK");
    }

    @Test
    void targetXmlComesInChunks() throws Exception {
        String xml = TargetDescriptions.I386.toXml();
        String first = reply("qXfer:features:read:target.xml:0,100");
        assertThat(first).startsWith("m<?xml");
        StringBuilder whole = new StringBuilder(first.substring(1));
        String part = first;
        while (part.startsWith("m")) {
            part = reply("qXfer:features:read:target.xml:" + Integer.toHexString(whole.length()) + ",100");
            whole.append(part.substring(1));
        }
        assertThat(whole.toString()).isEqualTo(xml);
        assertThat(reply("qXfer:features:read:other.xml:0,100")).startsWith("E");
    }

    @Test
    void descriptionsHaveGdbsRegisterSets() {
        assertThat(TargetDescriptions.I386.registers()).hasSize(41);
        assertThat(TargetDescriptions.I386.register(8).name()).isEqualTo("eip");
        assertThat(TargetDescriptions.I386.register(16).bits()).isEqualTo(80);
        assertThat(TargetDescriptions.POWERPC.registers()).hasSize(71);
        assertThat(TargetDescriptions.POWERPC.register(64).name()).isEqualTo("pc");
        assertThat(TargetDescriptions.POWERPC.register(70).name()).isEqualTo("fpscr");
        assertThat(TargetDescriptions.POWERPC.toXml()).contains("org.gnu.gdb.power.core").contains("powerpc:common");
    }
}
