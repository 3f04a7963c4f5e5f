package org.qemu.common.qmp;

import java.util.LinkedHashMap;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import org.qemu.common.board.CpuInfo;
import org.qemu.common.board.ManagedMachine;
import org.qemu.common.cli.QemuVersion;

/**
 * The QMP commands this build answers, with the names, arguments and return shapes of QEMU's
 * QAPI schema. {@code qmp_capabilities} is the session's business, not here.
 */
public final class QmpCommands {
    @FunctionalInterface
    interface Command {
        JsonElement run(JsonObject arguments) throws QmpError;
    }

    private final ManagedMachine machine;
    private final Map<String, Command> commands = new LinkedHashMap<>();

    QmpCommands(ManagedMachine machine, HumanCommandRunner human) {
        this.machine = machine;
        commands.put("query-version", noArguments(a -> versionInfo()));
        commands.put("query-status", noArguments(a -> status()));
        commands.put("query-cpus-fast", noArguments(a -> cpus()));
        commands.put("query-commands", noArguments(a -> commandList()));
        commands.put("stop", noArguments(a -> {
            machine.pause();
            return new JsonObject();
        }));
        commands.put("cont", noArguments(a -> {
            machine.resume();
            return new JsonObject();
        }));
        commands.put("system_reset", noArguments(a -> {
            machine.requestReset();
            return new JsonObject();
        }));
        commands.put("system_powerdown", noArguments(a -> {
            machine.requestPowerdown();
            return new JsonObject();
        }));
        commands.put("quit", noArguments(a -> {
            machine.quit();
            return new JsonObject();
        }));
        commands.put("human-monitor-command", a -> {
            checkOnly(a, "command-line", "cpu-index");
            JsonElement line = a.get("command-line");
            if (line == null) {
                throw QmpError.generic("Parameter 'command-line' is missing");
            }
            if (!line.isJsonPrimitive() || !line.getAsJsonPrimitive().isString()) {
                throw QmpError.generic("Invalid parameter type for 'command-line', expected: string");
            }
            return new JsonPrimitive(human.run(line.getAsString()));
        });
    }

    /** Runs the human monitor's command lines for {@code human-monitor-command}; returns its output. */
    @FunctionalInterface
    public interface HumanCommandRunner {
        String run(String commandLine);
    }

    boolean has(String name) {
        return commands.containsKey(name) || name.equals("qmp_capabilities");
    }

    JsonElement execute(String name, JsonObject arguments) throws QmpError {
        Command c = commands.get(name);
        if (c == null) {
            throw new QmpError(QmpError.COMMAND_NOT_FOUND, "The command " + name + " has not been found");
        }
        return c.run(arguments);
    }

    static JsonObject versionInfo() {
        String[] parts = QemuVersion.version().split("[.-]");
        JsonObject qemu = new JsonObject();
        qemu.addProperty("micro", number(parts, 2));
        qemu.addProperty("minor", number(parts, 1));
        qemu.addProperty("major", number(parts, 0));
        JsonObject info = new JsonObject();
        info.add("qemu", qemu);
        info.addProperty("package", "");
        return info;
    }

    private static int number(String[] parts, int index) {
        try {
            return index < parts.length ? Integer.parseInt(parts[index]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private JsonObject status() {
        String status = machine.status();
        JsonObject o = new JsonObject();
        o.addProperty("status", status);
        o.addProperty("singlestep", false);
        o.addProperty("running", status.equals("running"));
        return o;
    }

    private JsonArray cpus() {
        JsonArray list = new JsonArray();
        for (CpuInfo cpu : machine.cpus()) {
            JsonObject props = new JsonObject();
            // one socket per CPU, one core, one thread: how -smp N lays CPUs out by default
            props.addProperty("core-id", 0);
            props.addProperty("thread-id", 0);
            props.addProperty("socket-id", cpu.index());
            JsonObject o = new JsonObject();
            o.addProperty("thread-id", cpu.threadId());
            o.add("props", props);
            o.addProperty("qom-path", cpu.qomPath());
            o.addProperty("cpu-index", cpu.index());
            o.addProperty("target", cpu.target());
            list.add(o);
        }
        return list;
    }

    private JsonArray commandList() {
        JsonArray list = new JsonArray();
        for (String name : commands.keySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            list.add(o);
        }
        JsonObject capabilities = new JsonObject();
        capabilities.addProperty("name", "qmp_capabilities");
        list.add(capabilities);
        return list;
    }

    private static Command noArguments(Command body) {
        return a -> {
            checkOnly(a);
            return body.run(a);
        };
    }

    private static void checkOnly(JsonObject arguments, String... allowed) throws QmpError {
        outer:
        for (String key : arguments.keySet()) {
            for (String a : allowed) {
                if (a.equals(key)) {
                    continue outer;
                }
            }
            throw QmpError.generic("Parameter '" + key + "' is unexpected");
        }
    }
}
