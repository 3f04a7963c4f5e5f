package org.qemu.common.qmp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.qemu.common.board.ManagedMachine;
import org.qemu.common.board.MachineEvent;
import org.qemu.common.monitor.ChardevSpec;

/**
 * A QMP server on a listening unix or TCP socket, or on stdio: one client at a time (later ones wait in the
 * backlog, as on QEMU's socket chardev), each served by a {@link QmpSession} on this server's
 * thread. The socket file of a unix server is removed when the machine ends.
 */
public final class QmpServer implements AutoCloseable {
    private final ChardevSpec spec;
    private final ServerSocketChannel listener;
    private final QmpCommands commands;
    private volatile QmpSession current;
    private volatile boolean closing;
    private SocketChannel firstClient;

    private QmpServer(ChardevSpec spec, ServerSocketChannel listener, QmpCommands commands) {
        this.spec = spec;
        this.listener = listener;
        this.commands = commands;
    }

    /** Binds the socket; a failure is an {@link IOException} whose message is the user's one line. */
    public static QmpServer open(ChardevSpec spec, ManagedMachine machine, QmpCommands.HumanCommandRunner human) throws IOException {
        ServerSocketChannel channel;
        try {
            if (spec.kind() == ChardevSpec.Kind.UNIX) {
                Path path = spec.path();
                if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && isSocket(path)) {
                    Files.delete(path); // a socket left by an earlier run, as QEMU unlinks it
                }
                channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                channel.bind(UnixDomainSocketAddress.of(path));
            } else if (spec.kind() == ChardevSpec.Kind.TCP) {
                channel = ServerSocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(spec.host().isEmpty() ? new InetSocketAddress(spec.port()) : new InetSocketAddress(spec.host(), spec.port()));
            } else if (spec.kind() == ChardevSpec.Kind.STDIO) {
                channel = null;
            } else {
                throw new IOException("-qmp " + spec + ": not a socket");
            }
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw new IOException("-qmp " + spec + ": Failed to bind socket: " + e.getMessage(), e);
        }
        QmpServer server = new QmpServer(spec, channel, new QmpCommands(machine, human));
        machine.addEventListener(server::event);
        return server;
    }

    private static boolean isSocket(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
    }

    /** {@code wait=on}: blocks until the first client connects, before the guest starts (QEMU prints the same line). */
    public void awaitFirstClient() throws IOException {
        System.err.println("QEMU waiting for connection on: disconnected:" + spec + ",server=on");
        firstClient = listener.accept();
    }

    /** Starts serving clients on a daemon thread. */
    public void start() {
        Thread.ofPlatform().daemon().name("qmp " + spec).start(this::serveClients);
    }

    private void serveClients() {
        if (listener == null) {
            serveStdio();
            return;
        }
        while (!closing) {
            SocketChannel client;
            try {
                client = firstClient != null ? firstClient : listener.accept();
                firstClient = null;
            } catch (IOException e) {
                return; // the listener was closed: the machine ended
            }
            try (client) {
                InputStream in = Channels.newInputStream(client);
                OutputStream out = Channels.newOutputStream(client);
                QmpSession session = new QmpSession(in, out, commands);
                current = session;
                session.serve();
            } catch (IOException | RuntimeException e) {
                // closing a socket the client already dropped; a fault in one session must not stop the server
            } finally {
                current = null;
            }
        }
    }

    /**
     * {@code -qmp stdio}: one session on the emulator's stdin and stdout. When stdin ends the
     * session ends and the guest runs on, as with a socket client that disconnects.
     */
    private void serveStdio() {
        QmpSession session = new QmpSession(System.in, System.out, commands);
        current = session;
        try {
            session.serve();
        } catch (RuntimeException e) {
            // stdout closed under us: nobody is listening any more
        } finally {
            current = null;
        }
    }

    private void event(MachineEvent event) {
        QmpSession s = current;
        if (s != null) {
            s.event(event);
        }
    }

    /** The machine has ended: lets a reply in progress out, then closes the socket. */
    @Override
    public void close() {
        closing = true;
        QmpSession s = current;
        if (s != null) {
            s.finish();
        }
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException e) {
            // nothing more to release
        }
        if (spec.kind() == ChardevSpec.Kind.UNIX) {
            try {
                Files.deleteIfExists(spec.path());
            } catch (IOException e) {
                // the directory went away; nothing left to clean
            }
        }
    }
}
