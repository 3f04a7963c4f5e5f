package org.qemu.common.monitor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.board.ManagedMachine;
import org.qemu.common.cli.LauncherException;
import org.qemu.common.qmp.QmpServer;

/**
 * Everything {@code -qmp} and {@code -monitor} ask for, opened for one machine: sockets are bound
 * before the guest starts (so a bad address is one line and status 1, not a running guest
 * nobody can reach), clients asked to be waited for are waited for, and everything is closed
 * when the machine ends, after any reply in progress has gone out.
 */
public final class MachineMonitors implements AutoCloseable {
    private final List<QmpServer> qmpServers;
    private final HumanMonitor human;
    private final boolean monitorOnStdio;
    private final boolean qmpOnStdio;

    private MachineMonitors(List<QmpServer> qmpServers, HumanMonitor human, boolean monitorOnStdio, boolean qmpOnStdio) {
        this.qmpServers = qmpServers;
        this.human = human;
        this.monitorOnStdio = monitorOnStdio;
        this.qmpOnStdio = qmpOnStdio;
    }

    public static MachineMonitors open(MachineControlOptions options, ManagedMachine machine) throws LauncherException {
        if (options.monitor() != null && options.monitor().kind() != ChardevSpec.Kind.STDIO) {
            throw new LauncherException("-monitor " + options.monitor()
                    + ": the human monitor on a socket is not supported in this build (use -monitor stdio, or -qmp for a socket)");
        }
        HumanMonitor human = new HumanMonitor(machine);
        List<QmpServer> servers = new ArrayList<>();
        try {
            for (ChardevSpec spec : options.qmp()) {
                servers.add(QmpServer.open(spec, machine, human::execute));
            }
        } catch (IOException e) {
            servers.forEach(QmpServer::close);
            throw new LauncherException(e.getMessage());
        }
        MachineMonitors monitors = new MachineMonitors(servers, human, options.monitorOnStdio(), options.qmpOnStdio());
        try {
            for (int i = 0; i < options.qmp().size(); i++) {
                if (options.qmp().get(i).waitForClient()) {
                    servers.get(i).awaitFirstClient();
                }
            }
        } catch (IOException e) {
            monitors.close();
            throw new LauncherException("-qmp: " + e.getMessage());
        }
        return monitors;
    }

    /** Starts serving: QMP clients, and the human monitor on stdin when asked for. */
    public void start() {
        qmpServers.forEach(QmpServer::start);
        if (monitorOnStdio) {
            Thread.ofPlatform().daemon().name("monitor stdio").start(() -> human.serve(System.in, System.out));
        }
    }

    /** The human monitor or a QMP session owns stdin: the serial console must not read it too. */
    public boolean ownsStdin() {
        return monitorOnStdio || qmpOnStdio;
    }

    @Override
    public void close() {
        qmpServers.forEach(QmpServer::close);
        System.out.flush();
    }
}
