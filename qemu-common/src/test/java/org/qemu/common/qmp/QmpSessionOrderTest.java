package org.qemu.common.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.board.ManagedMachine;

/**
 * What a client reads when the guest answers {@code system_powerdown} before the command's reply
 * is written: QMP's order is the command's own events, its reply, then what the guest did. A
 * guest that powers off within microseconds (the power-button payload under a loaded host) must
 * not put its SHUTDOWN ahead of the reply.
 */
class QmpSessionOrderTest {
    @Test
    void anEventAnotherThreadRaisesDuringACommandFollowsItsReply() throws Exception {
        AtomicReference<QmpSession> session = new AtomicReference<>();
        ManagedMachine machine = new GuestThatPowersOffAtOnce(session);
        String input = "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"system_powerdown\",\"id\":7}\n";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        session.set(new QmpSession(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), wire,
                new QmpCommands(machine, line -> "")));
        session.get().serve();

        List<String> lines = wire.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("{\"QMP\":");
        assertThat(lines.get(1)).isEqualTo("{\"return\":{}}");
        assertThat(lines.get(2)).contains("\"event\":\"POWERDOWN\"");
        assertThat(lines.get(3)).isEqualTo("{\"return\":{},\"id\":7}");
        assertThat(lines.get(4)).contains("\"event\":\"SHUTDOWN\"").contains("\"reason\":\"guest-shutdown\"");
    }

    /** POWERDOWN on the monitor's thread, as the boards raise it; SHUTDOWN from a "CPU" thread before the command returns. */
    private record GuestThatPowersOffAtOnce(AtomicReference<QmpSession> session) implements ManagedMachine {
        @Override
        public void requestPowerdown() {
            session.get().event(MachineEvent.powerdown());
            Thread cpu = Thread.ofPlatform().start(() -> session.get().event(MachineEvent.shutdown(true, "guest-shutdown")));
            try {
                cpu.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String status() {
            return "running";
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public List<CpuInfo> cpus() {
            return List.of();
        }

        @Override
        public String registerDump(int cpuIndex) {
            return "";
        }

        @Override
        public void requestReset() {
        }

        @Override
        public void quit() {
        }

        @Override
        public void addEventListener(Consumer<MachineEvent> listener) {
        }
    }
}
