package org.qemu.tests.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QMP over real sockets against {@code bin/qemu-system-i386} running the power-button payload,
 * and the same conversation against Debian's {@code qemu-system-x86_64 -accel tcg} with the same
 * payload: the shapes of every answer (keys, error classes, event names, run states and shutdown
 * reasons) must be the same. Values that differ by nature (versions, thread ids, targets,
 * timestamps, error wording) are compared by type only.
 */
class QmpProtocolTest {
    private static final Duration START = Duration.ofSeconds(30);
    /** Values that name something in QMP's schema: compared exactly, not just by type. */
    private static final Set<String> NAMES = Set.of("class", "event", "status", "running", "singlestep",
            "reason", "guest", "cpu-index", "qom-path", "id");
    private static Path payload;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(PowerButtonPayload.onPath(PowerButtonPayload.COMPILER), PowerButtonPayload.COMPILER + " is not installed (apt gcc-i686-linux-gnu)");
        payload = PowerButtonPayload.build();
    }

    private static void assumeDebianQemu() {
        assumeTrue(PowerButtonPayload.onPath(Emulator.DEBIAN_QEMU), Emulator.DEBIAN_QEMU + " is not installed (apt qemu-system-x86)");
    }

    @Test
    void everyCommandOverAUnixSocketAndThePowerButtonEndsTheGuest() throws Exception {
        List<String> ours = unixSessionEndingWithPowerdown(false);
        assertThat(ours).contains(
                "reply {error:{class:\"CommandNotFound\",desc:string}}",
                "STOP; reply {return:{}}",
                "reply {return:{running:false,singlestep:false,status:\"paused\"}}",
                "RESUME; reply {return:{}}",
                "POWERDOWN; reply {return:{}}",
                "event {data:{guest:true,reason:\"guest-shutdown\"},event:\"SHUTDOWN\",timestamp:{microseconds:number,seconds:number}}");
        assumeDebianQemu();
        assertThat(ours).as("the same conversation with Debian's QEMU").isEqualTo(unixSessionEndingWithPowerdown(true));
    }

    @Test
    void badInputAndADisconnectMidCommandOverTcpLeaveTheGuestRunning() throws Exception {
        List<String> ours = tcpSessionWithBadInput(false);
        assertThat(ours).contains(
                "reply {error:{class:\"GenericError\",desc:string}}",
                "reply {error:{class:\"CommandNotFound\",desc:string},id:\"x7\"}",
                "reconnected {QMP:{capabilities:[],version:{package:string,qemu:{major:number,micro:number,minor:number}}}}",
                "reply {return:{running:true,singlestep:false,status:\"running\"}}",
                "event {data:{guest:false,reason:\"host-qmp-system-reset\"},event:\"SHUTDOWN\",timestamp:{microseconds:number,seconds:number}}");
        assumeDebianQemu();
        assertThat(withoutCapabilityValues(ours)).as("the same conversation with Debian's QEMU")
                .isEqualTo(withoutCapabilityValues(tcpSessionWithBadInput(true)));
    }

    @Test
    void quitAnswersThenEndsWithStatusZero() throws Exception {
        List<String> ours = quitSession(false);
        assertThat(ours).containsExactly("reply {return:{}}", "SHUTDOWN host-qmp-quit", "exit 0");
        assumeDebianQemu();
        assertThat(ours).isEqualTo(quitSession(true));
    }

    @Test
    void systemResetRebootsTheGuestWithoutNoReboot() throws Exception {
        List<String> ours = resetSession(false);
        assertThat(ours).containsExactly(
                "RESET; reply {return:{}}",
                "event {data:{guest:false,reason:\"host-qmp-system-reset\"},event:\"RESET\",timestamp:{microseconds:number,seconds:number}}",
                "booted again",
                "reply {return:{running:true,singlestep:false,status:\"running\"}}");
        assumeDebianQemu();
        assertThat(ours).isEqualTo(resetSession(true));
    }

    @Test
    void waitHoldsTheGuestUntilAClientConnects() throws Exception {
        Path socket = dir.resolve("wait.sock");
        try (Emulator emulator = Emulator.start(false, dir, payload, List.of("-qmp", "unix:" + socket + ",server"))) {
            java.time.Instant deadline = java.time.Instant.now().plus(START);
            while (!Files.exists(socket) && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            Thread.sleep(1500);
            assertThat(emulator.serialText()).as("nothing runs before a client connects").isEmpty();
            assertThat(Files.readString(emulator.stderr)).contains("QEMU waiting for connection on: disconnected:unix:" + socket + ",server=on");
            try (QmpClient qmp = QmpClient.unix(socket, START)) {
                qmp.next(START);
                emulator.awaitSerial("power button armed", START);
                qmp.execute("{\"execute\": \"qmp_capabilities\"}");
                qmp.execute("{\"execute\": \"quit\"}");
            }
            assertThat(emulator.awaitExit(Duration.ofSeconds(20))).isZero();
        }
    }

    @Test
    void dashCapitalSHoldsTheCpusUntilCont() throws Exception {
        List<String> ours = prelaunchSession(false);
        assertThat(ours).containsExactly(
                "reply {return:{running:false,singlestep:false,status:\"prelaunch\"}}",
                "serial before cont: empty",
                "RESUME; reply {return:{}}",
                "booted",
                "reply {return:{running:true,singlestep:false,status:\"running\"}}");
        assumeDebianQemu();
        assertThat(ours).isEqualTo(prelaunchSession(true));
    }

    private List<String> prelaunchSession(boolean debian) throws Exception {
        Path socket = dir.resolve((debian ? "debian" : "ours") + "-prelaunch.sock");
        List<String> t = new ArrayList<>();
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-S", "-qmp", "unix:" + socket + ",server,nowait"));
                QmpClient qmp = QmpClient.unix(socket, START)) {
            qmp.next(START);
            qmp.execute("{\"execute\": \"qmp_capabilities\"}");
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            Thread.sleep(1000);
            t.add("serial before cont: " + (emulator.serialText().isEmpty() ? "empty" : emulator.serialText()));
            t.add(step(qmp, "{\"execute\": \"cont\"}"));
            emulator.awaitSerial("power button armed", START);
            t.add("booted");
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            qmp.execute("{\"execute\": \"quit\"}");
            assertThat(emulator.awaitExit(Duration.ofSeconds(20))).isZero();
        }
        return t;
    }

    @Test
    void qemuKvmFallingBackToTcgServesQmpAsAnX86_64Machine() throws Exception {
        Path socket = dir.resolve("kvm.sock");
        Path launcher = Emulator.ourLauncher().resolveSibling("qemu-kvm");
        Process p = new ProcessBuilder(launcher.toString(), "-accel", "kvm:tcg", "-display", "none", "-no-reboot", "-m", "64",
                "-kernel", payload.toString(), "-serial", "null", "-qmp", "unix:" + socket + ",server=on,wait=off")
                .redirectErrorStream(true).redirectOutput(dir.resolve("kvm.out").toFile()).start();
        try (QmpClient qmp = QmpClient.unix(socket, START)) {
            qmp.next(START);
            qmp.execute("{\"execute\": \"qmp_capabilities\"}");
            JsonObject cpus = qmp.execute("{\"execute\": \"query-cpus-fast\"}");
            assertThat(cpus.getAsJsonArray("return").get(0).getAsJsonObject().get("target").getAsString()).isEqualTo("x86_64");
            long tid = cpus.getAsJsonArray("return").get(0).getAsJsonObject().get("thread-id").getAsLong();
            assertThat(Path.of("/proc/" + p.pid() + "/task/" + tid)).as("thread-id is a thread of the emulator").exists();
            qmp.execute("{\"execute\": \"quit\"}");
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }

    private List<String> resetSession(boolean debian) throws Exception {
        Path socket = dir.resolve((debian ? "debian" : "ours") + "-reset.sock");
        List<String> t = new ArrayList<>();
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-reboot", "-qmp", "unix:" + socket + ",server,nowait"));
                QmpClient qmp = QmpClient.unix(socket, START)) {
            qmp.next(START);
            qmp.execute("{\"execute\": \"qmp_capabilities\"}");
            emulator.awaitSerial("power button armed", START);
            t.add(step(qmp, "{\"execute\": \"system_reset\"}"));
            t.add("event " + shape(qmp.awaitEvent("RESET", Duration.ofSeconds(5))));
            java.time.Instant deadline = java.time.Instant.now().plus(START);
            while (emulator.serialText().split("power button armed", -1).length < 3 && java.time.Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
            }
            t.add(emulator.serialText().split("power button armed", -1).length >= 3 ? "booted again" : "did not boot again: " + emulator);
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            qmp.execute("{\"execute\": \"quit\"}");
            assertThat(emulator.awaitExit(Duration.ofSeconds(20))).isZero();
        }
        return t;
    }

    private List<String> unixSessionEndingWithPowerdown(boolean debian) throws Exception {
        Path socket = dir.resolve((debian ? "debian" : "ours") + "-qmp.sock");
        List<String> t = new ArrayList<>();
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-qmp", "unix:" + socket + ",server,nowait"));
                QmpClient qmp = QmpClient.unix(socket, START)) {
            t.add("greeting " + withoutCapabilities(qmp.next(START)));
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            t.add(step(qmp, "{\"execute\": \"qmp_capabilities\", \"id\": 1}"));
            t.add(step(qmp, "{\"execute\": \"qmp_capabilities\"}"));
            t.add(step(qmp, "{\"execute\": \"query-version\"}"));
            t.add(step(qmp, "{\"execute\": \"query-cpus-fast\"}"));
            emulator.awaitSerial("power button armed", START);
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            t.add(step(qmp, "{\"execute\": \"stop\"}"));
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            t.add(step(qmp, "{\"execute\": \"stop\"}"));
            t.add(step(qmp, "{\"execute\": \"cont\"}"));
            t.add(step(qmp, "{\"execute\": \"cont\"}"));
            t.add(step(qmp, "{\"execute\": \"query-status\"}"));
            t.add(step(qmp, "{\"execute\": \"system_powerdown\"}"));
            t.add("event " + shape(qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(20))));
            int status = emulator.awaitExit(Duration.ofSeconds(20));
            assertThat(status).as("exit status after the guest powered off: %s", emulator).isZero();
            assertThat(emulator.serialText()).as("serial").contains("power button pressed, powering off")
                    .doesNotContain("still running");
        }
        return t;
    }

    private List<String> tcpSessionWithBadInput(boolean debian) throws Exception {
        int port = freePort();
        List<String> t = new ArrayList<>();
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-qmp", "tcp:127.0.0.1:" + port + ",server=on,wait=off"))) {
            try (QmpClient qmp = QmpClient.tcp(port, START)) {
                t.add("greeting " + shape(qmp.next(START)));
                t.add(step(qmp, "{\"execute\": \"qmp_capabilities\"}"));
                t.add(step(qmp, "{\"execute\": \"no-such-command\", \"id\": \"x7\"}"));
                qmp.sendRaw("{\"execute\": \n");                     // one text over two lines
                t.add(step(qmp, "\"query-status\", \"arguments\": {}}"));
                t.add(step(qmp, "{bad json}"));
                t.add(step(qmp, "}"));
                t.add(step(qmp, "[1, 2]"));
                t.add(step(qmp, "42"));
                t.add(step(qmp, "{\"execute\": 1}"));
                t.add(step(qmp, "{\"arguments\": {}}"));
                t.add(step(qmp, "{\"execute\": \"stop\", \"arguments\": [1]}"));
                t.add(step(qmp, "{\"execute\": \"stop\", \"arguments\": {\"force\": true}}"));
                t.add(step(qmp, "{\"execute\": \"cont\", \"extra\": 1}"));
                // a command cut off by the client going away
                qmp.sendRaw("{\"execute\": \"query-sta");
            }
            emulator.awaitSerial("power button armed", START);
            assertThat(emulator.alive()).as("the emulator after a client vanished mid-command: %s", emulator).isTrue();
            try (QmpClient qmp = QmpClient.tcp(port, START)) {
                t.add("reconnected " + shape(qmp.next(START)));
                t.add(step(qmp, "{\"execute\": \"qmp_capabilities\"}"));
                t.add(step(qmp, "{\"execute\": \"query-status\"}"));
                // Debian's QEMU may exit before its reply leaves (its main loop ends at the shutdown
                // request): compare the event; ours must also deliver the reply after it
                qmp.sendRaw("{\"execute\": \"system_reset\"}\n");
                t.add("event " + shape(qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(20))));
                if (!debian) {
                    assertThat(shape(qmp.reply())).isEqualTo("{return:{}}");
                }
            }
            assertThat(emulator.awaitExit(Duration.ofSeconds(20))).as("exit status after system_reset under -no-reboot: %s", emulator).isZero();
        }
        return t;
    }

    /** A second client in the backlog must not be needed: this one sends quit and sees both messages. */
    private List<String> quitSession(boolean debian) throws Exception {
        Path socket = dir.resolve((debian ? "debian" : "ours") + "-quit.sock");
        List<String> t = new ArrayList<>();
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-qmp", "unix:" + socket + ",server=on,wait=off"));
                QmpClient qmp = QmpClient.unix(socket, START)) {
            qmp.next(START);
            qmp.execute("{\"execute\": \"qmp_capabilities\"}");
            emulator.awaitSerial("power button armed", START);
            t.add("reply " + shape(qmp.execute("{\"execute\": \"quit\"}")));
            JsonObject shutdown = qmp.awaitEvent("SHUTDOWN", Duration.ofSeconds(10));
            t.add("SHUTDOWN " + shutdown.getAsJsonObject("data").get("reason").getAsString());
            t.add("exit " + emulator.awaitExit(Duration.ofSeconds(20)));
            assertThat(Files.exists(socket)).as("the socket file is removed at exit").isFalse();
        }
        return t;
    }

    /** One command: the events that came before its reply, then the reply's shape. */
    private static String step(QmpClient qmp, String text) throws Exception {
        int before = qmp.events.size();
        JsonObject reply = qmp.execute(text);
        StringBuilder s = new StringBuilder();
        for (JsonObject e : qmp.events.subList(before, qmp.events.size())) {
            if (firmwareReset(e)) {
                continue;
            }
            s.append(e.get("event").getAsString()).append("; ");
        }
        return s.append("reply ").append(shape(reply)).toString();
    }

    /**
     * SeaBIOS, booting again after a reset, resets the machine itself once or twice (RESET with
     * guest true); the firmware-less PC of this build has nothing that would. Not QMP's business.
     */
    private static boolean firmwareReset(JsonObject event) {
        return event.get("event").getAsString().equals("RESET") && event.has("data")
                && event.getAsJsonObject("data").get("guest").getAsBoolean();
    }

    /** QEMU 7.2 offers the "oob" capability, this build none: the greeting is compared without the list. */
    private static String withoutCapabilities(JsonObject greeting) {
        JsonObject copy = greeting.deepCopy();
        copy.getAsJsonObject("QMP").add("capabilities", new JsonArray());
        return shape(copy);
    }

    private static List<String> withoutCapabilityValues(List<String> transcript) {
        return transcript.stream().map(line -> line.replace("capabilities:[string]", "capabilities:[]")).toList();
    }

    /** Keys, sorted; values of schema names exactly; everything else by JSON type. */
    static String shape(JsonElement e) {
        return shape(null, e);
    }

    private static String shape(String key, JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            Map<String, String> fields = new TreeMap<>();
            for (Map.Entry<String, JsonElement> f : e.getAsJsonObject().entrySet()) {
                fields.put(f.getKey(), shape(f.getKey(), f.getValue()));
            }
            StringBuilder s = new StringBuilder("{");
            fields.forEach((k, v) -> s.append(s.length() > 1 ? "," : "").append(k).append(':').append(v));
            return s.append('}').toString();
        }
        if (e.isJsonArray()) {
            List<String> items = new ArrayList<>();
            e.getAsJsonArray().forEach(item -> items.add(shape(key, item)));
            return "[" + String.join(",", items) + "]";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (key != null && NAMES.contains(key)) {
            return p.toString();
        }
        return p.isString() ? "string" : p.isNumber() ? "number" : "boolean";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
