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
        String cpu = request.cpuModel();
        if (cpu != null && !CPU_MODELS.contains(cpu.toLowerCase())) {
            throw new LauncherException("unable to find CPU model '" + cpu + "' (supported: " + String.join(", ", CPU_MODELS) + ")");
        }
        return new PpcUserMode(QemuPpc.class).run(request);
    }

    public static void main(String[] args) {
        launch(new QemuPpc(), args);
    }
}
