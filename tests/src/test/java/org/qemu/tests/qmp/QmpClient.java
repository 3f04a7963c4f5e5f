package org.qemu.tests.qmp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * A QMP client that knows only the documented wire protocol: it writes raw text to a unix or TCP
 * socket and reads one JSON object per line. It shares no code with the server it tests; Gson
 * only parses what comes back.
 */
final class QmpClient implements AutoCloseable {
    private final SocketChannel channel;
    private final BlockingQueue<JsonObject> incoming = new LinkedBlockingQueue<>();
    /** Events seen while waiting for replies, in arrival order. */
    final List<JsonObject> events = new ArrayList<>();

    private QmpClient(SocketChannel channel) {
        this.channel = channel;
        Thread reader = new Thread(this::readLines, "qmp-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static QmpClient unix(Path socket, Duration patience) throws IOException, InterruptedException {
        return connect(UnixDomainSocketAddress.of(socket), StandardProtocolFamily.UNIX, patience);
    }

    static QmpClient tcp(int port, Duration patience) throws IOException, InterruptedException {
        return connect(new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET, patience);
    }

    /** Retries until the emulator has opened its socket (a JVM or firmware may take seconds). */
    private static QmpClient connect(SocketAddress address, StandardProtocolFamily family, Duration patience)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(patience);
        while (true) {
            SocketChannel c = SocketChannel.open(family);
            try {
                c.connect(address);
                return new QmpClient(c);
            } catch (IOException e) {
                c.close();
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private void readLines() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    incoming.add(JsonParser.parseString(line).getAsJsonObject());
                }
            }
        } catch (IOException | RuntimeException e) {
            // connection closed
        }
    }

    /** The next message, whatever it is; null after {@code timeout}. */
    JsonObject next(Duration timeout) throws InterruptedException {
        return incoming.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void sendRaw(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    /** Sends one line and returns the reply ({@code return} or {@code error}); events before it go to {@link #events}. */
    JsonObject execute(String json) throws IOException, InterruptedException {
        sendRaw(json + "\n");
        return reply();
    }

    JsonObject reply() throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            JsonObject m = next(Duration.ofSeconds(1));
            if (m == null) {
                continue;
            }
            if (m.has("event")) {
                events.add(m);
            } else {
                return m;
            }
        }
        throw new AssertionError("no QMP reply within 30 s; events so far: " + events);
    }

    /** Waits for an event by name (also looking at the ones already seen). */
    JsonObject awaitEvent(String name, Duration timeout) throws InterruptedException {
        for (JsonObject e : events) {
            if (e.get("event").getAsString().equals(name)) {
                return e;
            }
        }
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            JsonObject m = next(Duration.ofMillis(200));
            if (m != null && m.has("event")) {
                events.add(m);
                if (m.get("event").getAsString().equals(name)) {
                    return m;
                }
            }
        }
        throw new AssertionError("no " + name + " event within " + timeout + "; events: " + events);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
