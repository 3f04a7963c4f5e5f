package org.qemu.ppc.linux;

import java.io.IOException;
import java.nio.file.Files;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.EmulatorCommand;
import org.qemu.common.linux.GuestPaths;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.ProcessExit;
import org.qemu.common.linux.ProgramStarter;
import org.qemu.common.linux.elf.ElfFile;
import org.qemu.common.linux.elf.ElfFormatException;
import org.qemu.common.linux.host.HostDeath;
import org.qemu.common.linux.syscall.ForkExec;

/**
 * Runs a ppc32 Linux program in this JVM through the shared runtime: a fresh program, or in a
 * forked child emulator the parent's process rebuilt from its snapshot. Returns the exit
 * status, and makes a guest killed by a signal kill this host process with the same signal.
 */
public final class PpcUserMode {
    private final Class<?> launcherClass;

    public PpcUserMode(Class<?> launcherClass) {
        this.launcherClass = launcherClass;
    }

    public int run(UserModeRequest request) throws LauncherException {
        PpcLinuxAbi abi = new PpcLinuxAbi();
        String program = request.program().toAbsolutePath().normalize().toString();
        LinuxProcess process = new LinuxProcess(abi, new GuestPaths(request.ldPrefix(), program),
                new LinuxProcess.RuntimeOptions(request.strace(), request.unameRelease(), System.err,
                        EmulatorCommand.ofCurrentJvm(launcherClass), PpcUserMode::endHostProcess));
        String snapshot = System.getenv(ForkExec.SNAPSHOT_ENV);
        try {
            if (snapshot != null) {
                ProgramStarter.restoreFork(process, Integer.parseInt(snapshot.trim()));
            } else {
                requireElf(request);
                ProgramStarter.start(process, request.program(), request.argv(), request.environment(),
                        request.stackSize(), request.ldPrefix());
            }
        } catch (ElfFormatException e) {
            String message = e.getMessage();
            throw new LauncherException(message.startsWith("Could not open") || message.startsWith("Not enough")
                    ? message : request.program() + ": " + message);
        } catch (IOException | NumberFormatException e) {
            throw new LauncherException("cannot resume forked process: " + e.getMessage());
        } catch (RuntimeException e) {
            // A truncated or inconsistent file: its offsets point outside it.
            throw new LauncherException(request.program() + ": Invalid ELF image for this architecture");
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
        if (System.getenv("QEMU_PPC_STATS") != null) {
            var cache = ((org.qemu.ppc.translate.PpcCpu) process.mainThread().cpu()).cache();
            System.err.printf("qemu-ppc: %d blocks decoded, %d compiled, %.1f ms translating%n",
                    cache.translatedBlocks(), cache.compiledBlocks(), cache.translationNanos() / 1e6);
        }
        endHostProcess(exit);
        return exit.status();
    }

    /** A file without the ELF magic is not a program at all (QEMU says the same). */
    private static void requireElf(UserModeRequest request) throws LauncherException {
        byte[] head;
        try (var in = Files.newInputStream(request.program())) {
            head = in.readNBytes(16);
        } catch (IOException e) {
            throw new LauncherException("could not open '" + request.program() + "': " + e.getMessage());
        }
        if (!ElfFile.hasElfMagic(head)) {
            throw new LauncherException("Error while loading " + request.program() + ": Exec format error");
        }
    }

    /** Ends this host process the way the guest ended: a guest killed by signal N kills us with N. */
    static void endHostProcess(ProcessExit exit) {
        System.out.flush();
        System.err.flush();
        if (exit.signal() != 0) {
            HostDeath.dieFromSignal(exit.signal());
        }
        // exit_group may come from a secondary guest thread while the main one sits in a host call.
        Runtime.getRuntime().halt(exit.status());
    }
}
