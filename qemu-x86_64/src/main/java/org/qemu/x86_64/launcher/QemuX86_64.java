package org.qemu.x86_64.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;

/** {@code qemu-x86_64}: runs x86_64 Linux programs. */
public final class QemuX86_64 extends UserModeLauncher {
    public QemuX86_64() {
        super("qemu-x86_64", "x86_64");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        throw LauncherException.notBuilt("x86_64 user-mode emulation");
    }

    /** The x86-64 target is not built yet; these are the names it will answer to. */
    @Override
    protected java.util.List<String> cpuModels() {
        return java.util.List.of("qemu64", "max");
    }

    public static void main(String[] args) {
        launch(new QemuX86_64(), args);
    }
}
