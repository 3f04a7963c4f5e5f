package org.qemu.ppc.launcher;

import org.qemu.common.cli.LauncherException;
import org.qemu.common.cli.UserModeLauncher;
import org.qemu.common.cli.UserModeRequest;
import org.qemu.ppc.linux.PpcUserMode;

/** {@code qemu-ppc}: runs 32-bit big-endian PowerPC Linux programs. */
public final class QemuPpc extends UserModeLauncher {
    /** CPU models this emulator answers to; all run the same 750-class (G3) integer/FPU core. */
    private static final java.util.List<String> CPU_MODELS = java.util.List.of("750", "g3", "default", "max");

    public QemuPpc() {
        super("qemu-ppc", "ppc");
    }

    @Override
    protected int runGuest(UserModeRequest request) throws LauncherException {
        return new PpcUserMode(QemuPpc.class).run(request);
    }

    @Override
    protected java.util.List<String> cpuModels() {
        return CPU_MODELS;
    }

    public static void main(String[] args) {
        launch(new QemuPpc(), args);
    }
}
