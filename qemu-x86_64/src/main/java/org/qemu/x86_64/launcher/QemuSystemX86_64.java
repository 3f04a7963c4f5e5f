package org.qemu.x86_64.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;

/** {@code qemu-system-x86_64}: PC system emulator for x86_64 guests. */
public final class QemuSystemX86_64 extends SystemLauncher {
    public QemuSystemX86_64() {
        super("qemu-system-x86_64", "PC system emulator for x86_64 guests.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        throw LauncherException.notBuilt("x86_64 system emulation (TCG)");
    }

    public static void main(String[] args) {
        launch(new QemuSystemX86_64(), args);
    }
}
