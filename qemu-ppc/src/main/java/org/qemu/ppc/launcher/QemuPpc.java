package org.qemu.ppc.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;

/** {@code qemu-ppc}: runs ppc Linux programs. */
public final class QemuPpc extends UserModeLauncher {
    public QemuPpc() {
        super("qemu-ppc", "ppc");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        throw LauncherException.notBuilt("ppc user-mode emulation");
    }

    public static void main(String[] args) {
        launch(new QemuPpc(), args);
    }
}
