package org.qemu.common.linux;

import java.io.IOException;
import java.util.function.Consumer;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.elf.ElfFormatException;
import org.qemu.common.linux.host.HostDeath;
import org.qemu.common.linux.syscall.ForkExec;

/**
 * Runs one guest program in this JVM for a user-mode launcher, whatever the target: a fresh
 * program, or in a forked child emulator the parent's process rebuilt from its snapshot.
 * Loader failures become one launcher error line; a guest killed by a signal kills this host
 * process with the same signal, so the parent shell sees 128+N.
 */
public final class UserModeSession {
    /** The gdbstub of this emulator (-g), told how the guest ended; null without one. */
    private static volatile org.qemu.common.gdbstub.GdbServer gdbServer;

    /** True when this JVM is a forked child that must restore its parent's snapshot. */
    public static boolean isForkedChild() {
        return System.getenv(ForkExec.SNAPSHOT_ENV) != null;
    }

    /** The user's message for a program that cannot be loaded (QEMU's wording). */
    private static LauncherException elfError(ElfFormatException e, UserModeRequest request) {
        String message = e.getMessage();
        return new LauncherException(message.startsWith("Could not open") || message.startsWith("Not enough")
                ? message : request.program() + ": " + message);
    }

    /**
     * Runs the guest to its end and returns its exit status.
     *
     * @param afterRun sees the finished process (per-target statistics), may be null
     */
    public static int run(LinuxAbi abi, UserModeRequest request, Class<?> launcherClass,
            Consumer<LinuxProcess> afterRun) throws LauncherException {
        return run(abi, request, launcherClass, afterRun, null);
    }

    /**
     * Runs the guest to its end, under the gdbstub when the request names a port ({@code -g})
     * and {@code debugSupport} describes the target's CPUs; a forked child never waits for gdb.
     * The description is built only for a debugged run: its register files and target XML are
     * class initialisation that every other start would pay for in the JVM's interpreter.
     */
    public static int run(LinuxAbi abi, UserModeRequest request, Class<?> launcherClass,
            Consumer<LinuxProcess> afterRun,
            java.util.function.Supplier<org.qemu.common.gdbstub.CpuDebugSupport> debugSupport) throws LauncherException {
        boolean debugged = request.gdb() != null && !isForkedChild();
        org.qemu.common.gdbstub.CpuDebugSupport debug = debugged && debugSupport != null ? debugSupport.get() : null;
        if (debugged && debug == null) {
            throw LauncherException.notBuilt("the gdbstub (-g) for " + abi.name());
        }
        if (debugged) {
            org.qemu.common.gdbstub.DebuggedRun.prepareTranslators();
        }
        boolean timing = StartupTrace.enabled();
        long entered = System.nanoTime();
        long enteredMillis = System.currentTimeMillis();
        StartupTrace.mark("main to session");
        String program = request.program().toAbsolutePath().normalize().toString();
        LinuxProcess.RuntimeOptions options = new LinuxProcess.RuntimeOptions(request.strace(),
                request.unameRelease(), System.err, EmulatorCommand.ofCurrentJvm(launcherClass),
                UserModeSession::endProcess);
        String snapshot = System.getenv(ForkExec.SNAPSHOT_ENV);
        // Everything that needs no host call comes before the process, whose address space is the
        // first one (an mmap): until the FFM downcall is linked on the other thread (~40 ms of
        // wall time from main), this thread reads and checks the ELF file and sets up the classes
        // the rest of the start needs, instead of waiting for the link.
        org.qemu.common.linux.elf.ElfFile elf = null;
        try {
            if (snapshot == null) {
                elf = org.qemu.common.linux.elf.ElfLoader.readProgram(request.program(), abi.elfTarget());
            }
        } catch (ElfFormatException e) {
            throw elfError(e, request);
        } catch (RuntimeException e) {
            throw new LauncherException(request.program() + ": Invalid ELF image for this architecture");
        }
        LinuxProcess.prepareClasses(abi);
        LinuxProcess process = new LinuxProcess(abi, new GuestPaths(request.ldPrefix(), program), options);
        StartupTrace.mark("process created");
        try {
            if (snapshot != null) {
                ProgramStarter.restoreFork(process, Integer.parseInt(snapshot.trim()));
            } else {
                ProgramStarter.start(process, elf, request.program(), request.argv(), request.environment(),
                        request.stackSize(), request.ldPrefix());
            }
        } catch (ElfFormatException e) {
            throw elfError(e, request);
        } catch (IOException | NumberFormatException e) {
            throw new LauncherException("cannot restore forked process: " + e.getMessage());
        } catch (RuntimeException e) {
            // A truncated or inconsistent file: its offsets point outside it.
            throw new LauncherException(request.program() + ": Invalid ELF image for this architecture");
        }
        long loaded = System.nanoTime();
        StartupTrace.mark("program loaded");
        if (timing) {
            System.err.printf("qemu: start-up: process %s in %.1f ms%n", snapshot != null ? "restored" : "loaded",
                    (loaded - entered) / 1e6);
        }
        org.qemu.common.gdbstub.GdbServer gdb = null;
        if (debugged) {
            gdb = org.qemu.common.gdbstub.DebuggedRun.listen(request.gdb(),
                    new org.qemu.common.gdbstub.UserModeDebugTarget(process, debug));
            gdbServer = gdb;
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
        StartupTrace.mark("guest ran");
        if (timing) {
            System.err.printf("qemu: guest ran %.1f ms%n", (System.nanoTime() - loaded) / 1e6);
            // Asked only now: the process handle's set-up would be counted in the phases above. The
            // start time has clock-tick (10 ms) resolution and includes the launcher script.
            System.err.printf("qemu: start-up: session entered %d ms after the process started%n",
                    enteredMillis - ProcessHandle.current().info().startInstant()
                            .map(java.time.Instant::toEpochMilli).orElse(0L));
        }
        if (afterRun != null) {
            afterRun.accept(process);
        }
        endProcess(exit);
        return exit.status();
    }

    /** Ends this host process the way the guest ended: a guest killed by signal N kills us with N. */
    static void endProcess(ProcessExit exit) {
        org.qemu.common.gdbstub.GdbServer gdb = gdbServer;
        if (gdb != null) {
            gdb.reportExit(exit.status(), exit.signal());
        }
        System.out.flush();
        System.err.flush();
        if (exit.signal() != 0) {
            HostDeath.dieFromSignal(exit.signal());
        } else if (Thread.currentThread().getName().startsWith("guest-")) {
            // exit_group from a secondary thread: the main thread may be blocked in a host call.
            org.qemu.common.cli.ExitActions.halt(exit.status());
        }
    }

    private UserModeSession() {
    }
}
