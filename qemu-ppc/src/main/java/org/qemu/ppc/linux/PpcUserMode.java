package org.qemu.ppc.linux;

import java.io.IOException;
import java.nio.file.Files;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.common.linux.LinuxProcess;
import org.qemu.common.linux.UserModeSession;
import org.qemu.common.linux.elf.ElfFile;

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
        if (!UserModeSession.isForkedChild()) {
            requireElf(request);
        }
        return UserModeSession.run(new PpcLinuxAbi(), request, launcherClass, PpcUserMode::printStatistics,
                org.qemu.ppc.gdb.PpcDebugSupport::new);
    }

    private static void printStatistics(LinuxProcess process) {
        if (System.getenv("QEMU_PPC_STATS") != null) {
            var cpu = (org.qemu.ppc.translate.PpcCpu) process.mainThread().cpu();
            var cache = cpu.cache();
            System.err.printf("qemu-ppc: %d blocks decoded, %d compiled, %d regions, %.1f ms translating;"
                    + " main thread: %d region entries, %d blocks run outside regions; %.2f s CPU in this thread%n",
                    cache.translatedBlocks(), cache.compiledBlocks(), cache.regionCompilations(), cache.translationNanos() / 1e6,
                    cpu.regionEntries(), cpu.blockRuns(),
                    java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9);
        }
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
}
