package org.qemu.i386.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.MachineRequest;
import org.qemu.common.cli.SystemLauncher;

/** {@code qemu-system-i386}: PC system emulator for i386 guests. */
public final class QemuSystemI386 extends SystemLauncher {
    public QemuSystemI386() {
        super("qemu-system-i386", "PC system emulator for i386 guests.");
    }

    @Override
    protected int runMachine(MachineRequest request) throws LauncherException {
        throw LauncherException.notBuilt("i386 system emulation (TCG)");
    }

    public static void main(String[] args) {
        launch(new QemuSystemI386(), args);
    }
}
