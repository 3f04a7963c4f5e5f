package org.qemu.i386.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;

/** {@code qemu-i386}: runs i386 Linux programs. */
public final class QemuI386 extends UserModeLauncher {
    public QemuI386() {
        super("qemu-i386", "i386");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        throw LauncherException.notBuilt("i386 user-mode emulation");
    }

    public static void main(String[] args) {
        launch(new QemuI386(), args);
    }
}
