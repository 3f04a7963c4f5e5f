package org.qemu.common.gdbstub;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The gdbstub's TCP listener: serves one debugger connection at a time, for as long as the
 * emulator lives, and installs the {@link ExecutionGate} into the target's CPUs. A debugger
 * that goes away leaves the guest running; the next one to connect stops it again.
 */
public final class GdbServer {
    private final ServerSocket listener;
    private final DebugTarget target;
    private final ExecutionGate gate;
    private volatile GdbSession session;

    private GdbServer(ServerSocket listener, DebugTarget target, ExecutionGate gate) {
        this.listener = listener;
        this.target = target;
        this.gate = gate;
    }

    /**
     * Listens at {@code endpoint} and hooks {@code target}'s CPUs; with
     * {@link GdbEndpoint#startStopped()} every CPU waits before its first instruction.
     *
     * @throws IOException if the port cannot be bound (the message says which)
     */
    public static GdbServer start(GdbEndpoint endpoint, DebugTarget target) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        try {
            InetSocketAddress address = endpoint.host().isEmpty()
                    ? new InetSocketAddress(endpoint.port()) : new InetSocketAddress(endpoint.host(), endpoint.port());
            socket.bind(address);
        } catch (IOException e) {
            socket.close();
            throw new IOException("gdbstub: cannot listen on " + endpoint.host() + ":" + endpoint.port() + ": " + e.getMessage());
        }
        ExecutionGate gate = new ExecutionGate(endpoint.startStopped());
        org.qemu.common.memory.GuestMemory watchable = target.watchableMemory();
        if (watchable != null) {
            gate.setWatchpoints(new Watchpoints(watchable, gate));
        }
        target.installHook(gate);
        GdbServer server = new GdbServer(socket, target, gate);
        Thread.ofPlatform().daemon().name("gdbstub").start(server::acceptLoop);
        return server;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return listener.getLocalPort();
    }

    public ExecutionGate gate() {
        return gate;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try (Socket s = listener.accept()) {
                s.setTcpNoDelay(true);
                GdbSession current = new GdbSession(target, gate,
                        new PacketChannel(new BufferedInputStream(s.getInputStream()), new BufferedOutputStream(s.getOutputStream())));
                session = current;
                current.serve();
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            } catch (RuntimeException e) {
                // A bug in one session must not take the guest down: drop the connection, keep listening.
                System.err.println("gdbstub: connection dropped: " + e);
                gate.release();
            } finally {
                session = null;
            }
        }
    }

    /**
     * The guest ended: tells a connected debugger ({@code W} status or {@code X} signal) and
     * waits briefly for that to go out before the emulator exits.
     */
    public void reportExit(int status, int signal) {
        GdbSession current = session;
        if (current == null) {
            return;
        }
        CountDownLatch sent = new CountDownLatch(1);
        current.guestExited(new GdbSession.ExitEvent(status, signal, sent));
        try {
            sent.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
