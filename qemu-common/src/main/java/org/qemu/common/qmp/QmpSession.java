package org.qemu.common.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import org.qemu.common.board.MachineEvent;

/**
 * One QMP client connection (QMP specification: greeting, capabilities negotiation, then
 * commands, replies and asynchronous events, one JSON text per line). Bad input is answered with
 * an error reply and the session goes on; the connection closing ends only the session.
 */
final class QmpSession {
    private static final Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
    private static final TypeAdapter<JsonElement> ELEMENTS = GSON.getAdapter(JsonElement.class);

    private final InputStream in;
    private final OutputStream out;
    private final QmpCommands commands;
    /** Replies and events from different threads must not interleave on the wire. */
    private final Object writeLock = new Object();
    /** Held while a command runs and its reply is written, so shutdown can let the reply out first. */
    private final ReentrantLock commandLock = new ReentrantLock();
    /**
     * The thread running a command, or null (guarded by writeLock). Events that command raises go
     * out before its reply; events other threads raise meanwhile (the guest powering off after
     * {@code system_powerdown}) wait in {@link #deferred} until the reply is out, as in QEMU, where
     * the reply is written before the main loop looks at the guest again.
     */
    private Thread commandThread;
    private final java.util.List<byte[]> deferred = new java.util.ArrayList<>();
    private volatile boolean negotiated;
    private volatile boolean closed;

    QmpSession(InputStream in, OutputStream out, QmpCommands commands) {
        this.in = in;
        this.out = out;
        this.commands = commands;
    }

    /** Serves the client until it disconnects; never throws for anything the client sent. */
    void serve() {
        try {
            send(greeting());
            JsonTextSplitter splitter = new JsonTextSplitter();
            Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
            char[] buffer = new char[4096];
            int n;
            while (!closed && (n = reader.read(buffer)) > 0) {
                for (JsonTextSplitter.Text text : splitter.feed(new String(buffer, 0, n))) {
                    commandLock.lock();
                    try {
                        if (!closed) {
                            synchronized (writeLock) {
                                commandThread = Thread.currentThread();
                            }
                            try {
                                send(text.error() != null ? errorReply(null, QmpError.generic("JSON parse error, " + text.error())) : handle(text.json()));
                            } finally {
                                releaseDeferredEvents();
                            }
                        }
                    } finally {
                        commandLock.unlock();
                    }
                }
            }
        } catch (IOException e) {
            // the client went away; the machine goes on
        } finally {
            closed = true;
        }
    }

    /** Passes a machine event to the client once it has negotiated capabilities. */
    void event(MachineEvent event) {
        if (!negotiated || closed) {
            return;
        }
        Instant now = Instant.now();
        JsonObject timestamp = new JsonObject();
        timestamp.addProperty("seconds", now.getEpochSecond());
        timestamp.addProperty("microseconds", now.getNano() / 1000);
        JsonObject message = new JsonObject();
        message.add("timestamp", timestamp);
        message.addProperty("event", event.name());
        if (!event.data().isEmpty()) {
            message.add("data", toJson(event.data()));
        }
        try {
            send(message);
        } catch (IOException e) {
            closed = true;
        }
    }

    /** Waits (briefly) for a command in progress to write its reply; then the session is over. */
    void finish() {
        try {
            if (commandLock.tryLock(2, TimeUnit.SECONDS)) {
                commandLock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closed = true;
    }

    boolean closed() {
        return closed;
    }

    private static JsonObject greeting() {
        JsonObject qmp = new JsonObject();
        qmp.add("version", QmpCommands.versionInfo());
        qmp.add("capabilities", new JsonArray());
        JsonObject greeting = new JsonObject();
        greeting.add("QMP", qmp);
        return greeting;
    }

    private JsonObject handle(String json) {
        JsonElement request;
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            request = ELEMENTS.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonParseException("trailing characters");
            }
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return errorReply(null, QmpError.generic("JSON parse error, " + describe(e)));
        }
        if (!request.isJsonObject()) {
            return errorReply(null, QmpError.generic("QMP input must be a JSON object"));
        }
        JsonObject o = request.getAsJsonObject();
        JsonElement id = o.get("id");
        try {
            for (String key : o.keySet()) {
                if (!key.equals("execute") && !key.equals("arguments") && !key.equals("id")) {
                    throw QmpError.generic("QMP input member '" + key + "' is unexpected");
                }
            }
            JsonElement execute = o.get("execute");
            if (execute == null) {
                throw QmpError.generic("QMP input lacks member 'execute'");
            }
            if (!execute.isJsonPrimitive() || !execute.getAsJsonPrimitive().isString()) {
                throw QmpError.generic("QMP input member 'execute' must be a string");
            }
            JsonElement arguments = o.get("arguments");
            if (arguments != null && !arguments.isJsonObject()) {
                throw QmpError.generic("QMP input member 'arguments' must be an object");
            }
            String name = execute.getAsString();
            JsonObject args = arguments == null ? new JsonObject() : arguments.getAsJsonObject();
            JsonElement result;
            if (name.equals("qmp_capabilities")) {
                if (negotiated) {
                    throw new QmpError(QmpError.COMMAND_NOT_FOUND, "Capabilities negotiation is already complete, command ignored");
                }
                if (args.has("enable")) {
                    throw QmpError.generic("Capability '" + args.get("enable") + "' not available");
                }
                for (String key : args.keySet()) {
                    throw QmpError.generic("Parameter '" + key + "' is unexpected");
                }
                result = new JsonObject();
                negotiated = true;
            } else if (!negotiated) {
                throw new QmpError(QmpError.COMMAND_NOT_FOUND, "Expecting capabilities negotiation with 'qmp_capabilities'");
            } else {
                result = commands.execute(name, args);
            }
            JsonObject reply = new JsonObject();
            reply.add("return", result);
            if (id != null) {
                reply.add("id", id);
            }
            return reply;
        } catch (QmpError e) {
            return errorReply(id, e);
        } catch (org.qemu.common.board.MachineControlException e) {
            return errorReply(id, QmpError.generic(e.getMessage()));
        } catch (RuntimeException e) {
            // a fault of ours must not cost the client its session
            return errorReply(id, QmpError.generic("internal error: " + e));
        }
    }

    /** Gson's message without its position and advice: QEMU's shape is "JSON parse error, what". */
    private static String describe(Exception e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.isEmpty() || m.contains("setStrictness")) {
            return "invalid token";
        }
        int cut = m.indexOf(" at line ");
        return (cut > 0 ? m.substring(0, cut) : m).replaceFirst("^[a-zA-Z.]*Exception: ", "");
    }

    private static JsonObject errorReply(JsonElement id, QmpError error) {
        JsonObject e = new JsonObject();
        e.addProperty("class", error.errorClass());
        e.addProperty("desc", error.getMessage());
        JsonObject reply = new JsonObject();
        if (id != null) {
            reply.add("id", id);
        }
        reply.add("error", e);
        return reply;
    }

    private static JsonElement toJson(Map<String, Object> data) {
        return GSON.toJsonTree(data);
    }

    /**
     * Writes a message now, or, from a thread other than the one running a command (an event the
     * guest raised meanwhile), after that command's reply. Replies and the greeting come from the
     * serving thread, so they are never held back.
     */
    private void send(JsonObject message) throws IOException {
        byte[] bytes = (GSON.toJson(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            if (commandThread != null && commandThread != Thread.currentThread()) {
                deferred.add(bytes);
                return;
            }
            out.write(bytes);
            out.flush();
        }
    }

    /** The command's reply is out (or failed): events raised meanwhile by other threads follow it. */
    private void releaseDeferredEvents() throws IOException {
        synchronized (writeLock) {
            commandThread = null;
            try {
                for (byte[] bytes : deferred) {
                    if (!closed) {
                        out.write(bytes);
                    }
                }
                if (!closed && !deferred.isEmpty()) {
                    out.flush();
                }
            } finally {
                deferred.clear();
            }
        }
    }
}
