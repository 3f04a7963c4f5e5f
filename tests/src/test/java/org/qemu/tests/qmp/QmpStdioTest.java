package org.qemu.tests.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qemu.tests.launcher.LauncherProcess;

/**
 * {@code -qmp stdio}: the same conversation typed into our emulator's stdin and Debian's
 * ({@code qemu-system-x86_64 -qmp stdio}), the powerbutton payload ending the guest when
 * {@code system_powerdown} presses the button. What each writes on stdout, reduced to the
 * shapes {@link QmpProtocolTest#shape} keeps (keys, error classes, event names, states), must be
 * the same. And stdio may have only one user.
 */
class QmpStdioTest {
    private static final Duration START = Duration.ofSeconds(30);
    private static Path payload;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(PowerButtonPayload.onPath(PowerButtonPayload.COMPILER), PowerButtonPayload.COMPILER + " is not installed");
        payload = PowerButtonPayload.build();
    }

    private List<String> conversation(boolean debian) throws Exception {
        try (Emulator emulator = Emulator.start(debian, dir, payload, List.of("-qmp", "stdio"))) {
            OutputStream in = emulator.stdin();
            send(in, "{\"execute\": \"qmp_capabilities\"}");
            send(in, "{\"execute\": \"query-status\"}");
            send(in, "{\"execute\": \"no-such-command\"}");
            send(in, "{\"execute\": ");
            send(in, "}");
            emulator.awaitSerial("power button armed", START);
            send(in, "{\"execute\": \"system_powerdown\"}");
            assertThat(emulator.awaitExit(Duration.ofSeconds(30))).isZero();
            List<String> shapes = new ArrayList<>();
            for (String line : Files.readAllLines(emulator.stdout, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonElement json = JsonParser.parseString(line);
                if (json.isJsonObject() && json.getAsJsonObject().has("QMP")) {
                    JsonObject greeting = json.getAsJsonObject().deepCopy();
                    greeting.getAsJsonObject("QMP").add("capabilities", new com.google.gson.JsonArray());
                    json = greeting;
                }
                if (json.isJsonObject() && json.getAsJsonObject().has("event")
                        && json.getAsJsonObject().get("event").getAsString().equals("RESET")) {
                    continue; // SeaBIOS resets Debian's machine at start-up; this firmware-less PC does not
                }
                shapes.add(QmpProtocolTest.shape(json));
            }
            return shapes;
        }
    }

    private static void send(OutputStream in, String text) throws Exception {
        in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @Test
    void theConversationOnStdioIsDebiansConversation() throws Exception {
        List<String> ours = conversation(false);
        assertThat(ours).hasSizeGreaterThanOrEqualTo(8);
        assertThat(ours.get(0)).startsWith("{QMP:");
        assertThat(ours).contains("{error:{class:\"CommandNotFound\",desc:string}}");
        assertThat(String.join("\n", ours)).contains("\"POWERDOWN\"", "\"SHUTDOWN\"");
        assumeTrue(PowerButtonPayload.onPath(Emulator.DEBIAN_QEMU), Emulator.DEBIAN_QEMU + " is not installed");
        assertThat(ours).isEqualTo(conversation(true));
    }

    @Test
    void stdioHasOneUser() throws Exception {
        LauncherProcess both = LauncherProcess.run("qemu-system-i386", "-qmp", "stdio", "-monitor", "stdio", "-kernel", payload.toString());
        assertThat(both.exitStatus()).isEqualTo(1);
        assertThat(both.stderrLines()).containsExactly("qemu-system-i386: cannot use stdio by multiple character devices");
        LauncherProcess nographic = LauncherProcess.run("qemu-system-i386", "-nographic", "-qmp", "stdio", "-kernel", payload.toString());
        assertThat(nographic.exitStatus()).isEqualTo(1);
        assertThat(nographic.stderrLines()).containsExactly("qemu-system-i386: cannot use stdio by multiple character devices");
    }
}
