package org.qemu.i386.launcher;

import java.io.IOException;
import java.io.PrintStream;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.ProcessExit;
import org.qemu.common.linux.ProgramStarter;
import org.qemu.common.linux.elf.ElfFormatException;
import org.qemu.common.linux.host.HostDeath;
import org.qemu.common.linux.syscall.ForkExec;
import org.qemu.i386.linux.I386LinuxAbi;

/** {@code qemu-i386}: runs i386 Linux programs. */
public final class QemuI386 extends UserModeLauncher {
    public QemuI386() {
        super("qemu-i386", "i386");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        if (System.getenv("QEMU_DEBUG") != null) {
            System.err.printf("qemu: runGuest entered %d ms after JVM start%n", System.currentTimeMillis()
                    - ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L));
        }
        String program = request.program().toAbsolutePath().normalize().toString();
        PrintStream log = System.err;
        LinuxProcess.RuntimeOptions options = new LinuxProcess.RuntimeOptions(request.strace(),
                request.unameRelease(), log, EmulatorCommand.ofCurrentJvm(QemuI386.class), QemuI386::endProcess);
        I386LinuxAbi abi = new I386LinuxAbi();
        LinuxProcess process = new LinuxProcess(abi, new GuestPaths(request.ldPrefix(), program), options);
        try {
            String snapshot = System.getenv(ForkExec.SNAPSHOT_ENV);
            if (snapshot != null) {
                ProgramStarter.restoreFork(process, Integer.parseInt(snapshot));
            } else {
                ProgramStarter.start(process, request.program(), request.argv(), request.environment(),
                        request.stackSize(), request.ldPrefix());
            }
        } catch (ElfFormatException e) {
            String message = e.getMessage();
            throw new LauncherException(message.startsWith("Could not open") || message.startsWith("Not enough")
                    ? message : request.program() + ": " + message);
        } catch (IOException | NumberFormatException e) {
            throw new LauncherException("cannot restore forked process: " + e.getMessage());
        }
        ProcessExit exit;
        try {
            exit = process.runMain();
        } catch (RuntimeException | Error e) {
            if (System.getenv("QEMU_DEBUG") != null) {
                e.printStackTrace();
            }
            throw new LauncherException("internal error: " + e);
        }
        endProcess(exit);
        return exit.status();
    }

    /** Ends this host process the way the guest ended: a guest killed by signal N kills us with N. */
    private static void endProcess(ProcessExit exit) {
        System.out.flush();
        System.err.flush();
        if (exit.signal() != 0) {
            HostDeath.dieFromSignal(exit.signal());
        } else if (Thread.currentThread().getName().startsWith("guest-")) {
            // exit_group from a secondary thread: the main thread may be blocked in a host call.
            Runtime.getRuntime().halt(exit.status());
        }
    }

    /** One i686-class core with x87, MMX, SSE and SSE2 (see CpuidTable); the names are QEMU's. */
    @Override
    protected java.util.List<String> cpuModels() {
        return java.util.List.of("qemu32", "pentium3", "max");
    }

    public static void main(String[] args) {
        launch(new QemuI386(), args);
    }
}
