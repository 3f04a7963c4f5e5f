package org.qemu.ppc.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;

/** {@code qemu-system-ppc}: PowerPC system emulator. */
public final class QemuSystemPpc extends SystemLauncher {
    public QemuSystemPpc() {
        super("qemu-system-ppc", "PowerPC system emulator.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        throw LauncherException.notBuilt("PowerPC system emulation");
    }

    public static void main(String[] args) {
        launch(new QemuSystemPpc(), args);
    }
}
