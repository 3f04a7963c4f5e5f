package org.qemu.common.board;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher.DriveSpec;
import org.qemu.common.hw.virtio.block.BlockBackend;
import org.qemu.common.hw.virtio.block.FileBlockBackend;

/**
 * The host side of a PC that every accelerator checks and opens the same way before the guest
 * runs: the -m, -kernel, -bios and -machine checks, COM1's character device, the disk images.
 * Every problem is one {@link LauncherException} line.
 */
public final class MachineBackends {
    private MachineBackends() {
    }

    /** The checks that do not depend on the accelerator: RAM size, a kernel, no BIOS, the pc machine. */
    public static void checkRequest(MachineRequest request) throws LauncherException {
        checkRamSize(request.ramBytes());
        if (request.kernel() == null) {
            throw new LauncherException("no -kernel given: this build has no BIOS firmware and boots only -kernel images");
        }
        if (request.bios() != null) {
            throw LauncherException.notBuilt("BIOS firmware (-bios)");
        }
        String machine = request.machineType() == null ? "pc" : request.machineType().split(",")[0];
        if (!machine.equals("pc") && !machine.startsWith("pc-i440fx")) {
            throw new LauncherException("-machine " + machine + ": only the 'pc' machine is built");
        }
    }

    /** COM1's output: stdio, nothing, or a file, as QEMU's {@code -serial} character devices. */
    public static OutputStream serialBackend(String spec, OutputStream stdout) throws LauncherException {
        switch (spec) {
            case "stdio", "mon:stdio" -> {
                return stdout;
            }
            case "null", "none" -> {
                return OutputStream.nullOutputStream();
            }
            default -> {
                if (spec.startsWith("file:")) {
                    String path = spec.substring(5);
                    try {
                        return new FileOutputStream(path);
                    } catch (IOException e) {
                        throw new LauncherException("-serial " + spec + ": could not open '" + path + "': " + e.getMessage());
                    }
                }
                throw new LauncherException("-serial " + spec + ": only stdio, null and file:PATH are supported");
            }
        }
    }

    public static void checkRamSize(long bytes) throws LauncherException {
        if (bytes < 2L << 20) {
            throw new LauncherException("-m " + (bytes >> 20) + "M: at least 2 MiB of guest RAM is needed");
        }
        if (bytes > PcMemoryMap.MAX_RAM) {
            throw new LauncherException("-m " + (bytes >> 20) + "M: this build supports at most "
                    + (PcMemoryMap.MAX_RAM >> 30) + " GiB of guest RAM");
        }
    }

    public static List<BlockBackend> openDisks(List<DriveSpec> drives) throws LauncherException {
        List<BlockBackend> disks = new ArrayList<>();
        for (DriveSpec d : drives) {
            if (!d.iface().equals("virtio")) {
                throw new LauncherException("-drive if=" + d.iface() + ": only if=virtio is supported");
            }
            try {
                if (Files.size(d.file()) % 512 != 0) {
                    throw new LauncherException("-drive file=" + d.file() + ": image size is not a multiple of 512 bytes");
                }
                disks.add(new FileBlockBackend(d.file(), d.readOnly() || !Files.isWritable(d.file())));
            } catch (IOException e) {
                throw new LauncherException("-drive file=" + d.file() + ": Could not open '" + d.file() + "': " + e.getMessage());
            }
        }
        return disks;
    }
}
